"""Repeating is harmless, even at the same moment.

Every action a flaky phone or a double-click may send twice carries a client-made
nonce, unique per event in the database. A service first looks for the row an earlier
arrival made; but two arrivals *at the same moment* both find nothing, both insert, and
the database refuses the second (a unique constraint). :func:`first_wins` turns that
refusal into the first arrival's answer, on SQLite and PostgreSQL alike, instead of an
HTTP 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from .errors import DomainError
from .extensions import db

T = TypeVar("T")


def first_wins(save: Callable[[], T], find: Callable[[], T | None], *,
               also: tuple[type[BaseException], ...] = ()) -> T:
    """Run ``save()`` (which adds, flushes and commits); if the database refuses it as a
    duplicate — or it raises one of ``also`` (a rule that a simultaneous twin's commit
    made true, such as "already on the list") — roll back and return what the request
    that won saved (``find()``). With no such row, the error was real and is raised."""
    try:
        return save()
    except (IntegrityError, *also):
        db.session.rollback()
        winner = find()
        if winner is None:
            raise
        return winner


#: The usual ``also`` for services whose rules a twin can trip: any refusal.
DOMAIN_REFUSALS = (DomainError,)
