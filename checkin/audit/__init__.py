"""The audit trail: who changed what in the record, when, from what to what."""
