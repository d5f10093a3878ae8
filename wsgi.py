"""The WSGI entry point.

One machine (what ``make run`` does)::

    gunicorn -k gevent -w 1 -b 127.0.0.1:5000 wsgi:app   # with SOCKETIO_ASYNC_MODE=gevent

Many machines: the same command on each, with ``DATABASE_URL`` (PostgreSQL) and
``MESSAGE_QUEUE`` (Redis) set, behind a proxy with sticky sessions; one worker per
process, as Flask-SocketIO requires. See docs/deployment.md. gunicorn reads
gunicorn.conf.py (listen backlog) from this directory; the process raises its own
open-file limit (one per phone) before it serves, see checkin/limits.py.
"""

from checkin import create_app
from checkin.process_limits import raise_open_file_limit

raise_open_file_limit()
app = create_app()
