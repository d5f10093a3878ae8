"""Attendees: delegates, guests and press; invitations and their QR; letters and
badges; import, export, e-mail."""
