"""Signals other features hang their side effects on, so that events need not know them.

- :data:`event_copied` — sent by :func:`checkin.events.services.copy_event` inside its
  transaction, before the commit, as ``event_copied.send(source, new=new, shift=shift)``;
  receivers add what they copy to the session and do not commit (the preparation plan,
  checkin.plans, moves its deadlines with the meeting).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

event_copied = _signals.signal("event-copied")
