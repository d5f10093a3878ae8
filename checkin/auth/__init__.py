"""Staff accounts and roles; who may do what in an event."""
