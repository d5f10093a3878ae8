"""Recording staff actions, and reading them back per event.

Services call :func:`record` inside their own unit of work, before they commit, so
the entry and the change are saved together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import g, has_request_context
from sqlalchemy import select

from ..extensions import db
from .models import AuditEntry

#: Actions whose entries mention a token-like value are never given the value.
_SECRET_KEYS = {"token", "password", "password_hash", "token_hash"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: ("…" if k in _SECRET_KEYS else _plain(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _actor(by_user) -> tuple[int | None, str]:
    if by_user is None and has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            by_user = current_user
    if by_user is not None:
        return by_user.id, f"{by_user.full_name} ({by_user.username})"
    device = g.get("device") if has_request_context() else None
    if device is not None:
        return None, f"{device.gate.name} · {device.label[:60]}".strip(" ·")
    return None, "system"


def record(action: str, *, event=None, target=None, target_type: str = "",
           before: dict | None = None, after: dict | None = None, by_user=None) -> AuditEntry:
    """Add an entry for ``action`` to the current transaction (the caller commits)."""
    user_id, actor = _actor(by_user)
    name = ""
    if target is not None:
        target_type = target_type or type(target).__name__.lower()
        name = str(getattr(target, "full_name", None) or getattr(target, "name", None)
                   or getattr(target, "title", None) or getattr(target, "text", "") or "")
    entry = AuditEntry(
        event_id=getattr(event, "id", event), user_id=user_id, actor=actor[:160],
        action=action, target_type=target_type, target_id=getattr(target, "id", None),
        target=name[:255], before=_plain(before) if before else None,
        after=_plain(after) if after else None,
        request_id=(g.get("request_id", "") if has_request_context() else "")[:64])
    db.session.add(entry)
    return entry


def event_entries(event, *, limit: int | None = None) -> list[AuditEntry]:
    """The event's entries, newest first."""
    query = (select(AuditEntry).where(AuditEntry.event_id == event.id)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))
