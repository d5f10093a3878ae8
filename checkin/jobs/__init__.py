"""Background jobs: heavy work (letters, report files, imports, e-mail) run by
``checkin worker`` with progress the organizer sees."""
