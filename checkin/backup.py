"""Backups you can check and restores that say what they will lose.

``checkin backup`` writes a copy of the database and, beside it, a manifest (``.json``):
when it was taken, the schema revision, how many rows of what, the last scan it holds,
and the highest version of every stream. SQLite is copied with SQLite's online backup
API (consistent while the server runs) and checked with ``PRAGMA integrity_check``;
PostgreSQL with ``pg_dump --format=custom``, checked by listing it with ``pg_restore``.

``checkin restore`` shows the point of restore — the backup's time and last scan, and
what the database holds now that the backup does not — before it replaces anything.
Afterwards every stream's version is raised above the highest the database had before
(or, if that database cannot be read, by a large offset): versions never go back, so
open pages see a newer version, fetch fresh snapshots, and are told to reload.

These are point-in-time copies. What was acknowledged after the last one is lost on
restore; docs/operations.md describes continuous backup (Litestream for SQLite, WAL
archiving with pgBackRest for PostgreSQL) that keeps that window to seconds.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from .extensions import db
from .types import utcnow

#: Added to every version after a restore when the pre-restore maximum is unknown.
UNKNOWN_HIGH_WATER_OFFSET = 1_000_000

_COUNTED = ("events", "attendees", "invitations", "attendances", "scans", "questions",
            "votes")


class BackupError(Exception):
    """A backup or restore that could not be done or checked; the message says why."""


@dataclass
class Snapshot:
    """What a database holds, in the few figures an operator compares."""

    taken_at: str
    revision: str | None
    counts: dict[str, int]
    last_scan_at: str | None
    high_water: int

    def describe(self) -> str:
        rows = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        return (f"taken {self.taken_at}; schema {self.revision}; {rows}; last scan "
                f"received {self.last_scan_at or '—'}; highest version {self.high_water}")


def snapshot() -> Snapshot:
    """The current database's figures."""
    from .attendance.models import Scan
    from .events.models import Event

    counts = {}
    for table in _COUNTED:
        counts[table] = db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    last = db.session.scalar(select(func.max(Scan.received_at)))
    high = db.session.execute(select(
        func.max(Event.attendance_version), func.max(Event.dialogue_version),
        func.max(Event.live_version))).one()
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 — a database made without migrations
        db.session.rollback()
        revision = None
    db.session.rollback()
    return Snapshot(taken_at=utcnow().isoformat(timespec="seconds"), revision=revision,
                    counts=counts, last_scan_at=last.isoformat(timespec="seconds")
                    if last else None, high_water=max((v or 0) for v in high))


def _is_sqlite() -> bool:
    return current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _sqlite_path() -> Path:
    return Path(current_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def _libpq_url() -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (the PostgreSQL client tools are needed)")
    return path


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def default_backup_path(folder: Path) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    return folder / f"checkin-{stamp}.{'db' if _is_sqlite() else 'dump'}"


def backup(target: Path) -> Snapshot:
    """Copy the database to ``target``, check the copy, and write its manifest."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another name")
    figures = snapshot()
    if _is_sqlite():
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # page by page, consistent while the server writes
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if result != "ok":
            target.unlink(missing_ok=True)
            raise BackupError(f"the copy failed SQLite's integrity check: {result}")
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
              _libpq_url()], "pg_dump")
        _run([_tool("pg_restore"), "--list", str(target)], "pg_restore --list")
    manifest_path(target).write_text(json.dumps(figures.__dict__, indent=2) + "\n")
    return figures


def read_manifest(backup_file: Path) -> Snapshot | None:
    path = manifest_path(backup_file)
    if not path.exists():
        return None
    return Snapshot(**json.loads(path.read_text()))


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()[:500]}")


def restore(backup_file: Path, *, high_water: int | None) -> Snapshot:
    """Replace the database with ``backup_file``; then raise every stream's version above
    ``high_water`` (the highest the replaced database had; None: unknown). Servers must
    be stopped (SQLite) or their writes will be lost (PostgreSQL)."""
    if not backup_file.exists():
        raise BackupError(f"{backup_file} does not exist")
    db.session.remove()
    db.engine.dispose()
    if _is_sqlite():
        source = sqlite3.connect(backup_file)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the backup fails SQLite's integrity check: {check}")
            live = sqlite3.connect(_sqlite_path())
            try:
                with live:
                    source.backup(live)
            finally:
                live.close()
        finally:
            source.close()
    else:
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url()}", str(backup_file)], "pg_restore")
    restored = snapshot()
    floor = high_water if high_water is not None else \
        restored.high_water + UNKNOWN_HIGH_WATER_OFFSET
    raise_versions_above(floor)
    return restored


def raise_versions_above(floor: int) -> None:
    """Every stream of every event becomes at least ``floor + 1``: no open page ever sees
    a version go back, and every one sees a newer one (and fetches fresh snapshots)."""
    from .events.models import Event

    values = {}
    for stream in ("attendance", "dialogue", "live"):
        column = getattr(Event, f"{stream}_version")
        biggest = func.greatest if db.session.get_bind().dialect.name == "postgresql" \
            else func.max
        values[column.key] = biggest(column, floor) + 1
    db.session.execute(update(Event).values(values).execution_options(
        synchronize_session=False))
    db.session.commit()


def tell_pages_to_reload() -> int:
    """Ask every open page of every event to reload (through the message queue, when
    there is one; servers started afterwards need nothing: their pages resync by the
    raised versions). Returns how many events were told."""
    from . import broadcast
    from .events.models import Event

    ids = list(db.session.scalars(select(Event.id)))
    for event_id in ids:
        broadcast.reload_pages(event_id)
    return len(ids)
