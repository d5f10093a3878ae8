"""gunicorn's settings for checkin, read from the working directory by default
(``make run``, the benches and the deployment docs all start gunicorn from here).

Command-line options still win; these are the ones a hall needs whatever the command:

- ``backlog``: connections the kernel queues while the worker is busy. A reconnect storm
  (a thousand phones after a restart) overflowed the default 2,048; the kernel also caps
  it at ``net.core.somaxconn`` (4,096 on current Linux).
- the open-file limit, raised in the arbiter before the worker is forked (and again by
  the worker in wsgi.py), see :mod:`checkin.limits`.
"""

from checkin.process_limits import raise_open_file_limit

backlog = 4096


def on_starting(server) -> None:
    limit = raise_open_file_limit()
    server.log.info("open-file limit: %s", limit)
