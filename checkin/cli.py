"""The ``checkin`` command: Flask's commands (``run``, ``db …``) plus ours.

Each command calls a service; none repeats one.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import func, select


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """checkin: invitations, check-in and dialogue for Youth Union meetings."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(urls)
    app.cli.add_command(gate_token)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(remind)
    app.cli.add_command(worker)


@click.command("backup")
@click.option("--to", "target", type=click.Path(path_type=Path),
              help="A file, or a folder for a dated file (default: instance/backups/).")
def backup_command(target: Path | None) -> None:
    """Copy the database (consistent while the server runs), check the copy, and write
    its manifest beside it."""
    from .backup import BackupError, backup, default_backup_path

    folder = Path(current_app.instance_path) / "backups"
    if target is not None and (target.is_dir() or not target.suffix):
        folder, target = target, None
    target = target or default_backup_path(folder)
    try:
        figures = backup(target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written to {target} and checked.")
    click.echo(f"  {figures.describe()}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(backup_file: Path, yes: bool) -> None:
    """Replace the database with a backup. Shows the point of restore and what would be
    lost first; afterwards versions stay ahead of every open page, which reload."""
    from .backup import BackupError, read_manifest, restore, snapshot, tell_pages_to_reload

    point = read_manifest(backup_file)
    click.echo(f"Point of restore: {backup_file}")
    click.echo(f"  {point.describe()}" if point else "  (no manifest beside this file)")
    try:
        now = snapshot()
    except Exception as exc:  # noqa: BLE001 — a broken database is why one restores
        now = None
        click.echo(f"The current database cannot be read ({str(exc).splitlines()[0][:120]}); "
                   "versions will be raised by a large offset.")
    if now is not None:
        click.echo(f"The database now: {now.describe()}")
        if point is not None:
            lost = {t: now.counts.get(t, 0) - point.counts.get(t, 0) for t in now.counts}
            lost = {t: n for t, n in lost.items() if n > 0}
            if lost:
                click.echo("  Restoring loses what was recorded since the backup: " + ", ".join(
                    f"{n} {t}" for t, n in lost.items()) + (
                    f" (scans received after {point.last_scan_at})"
                    if point.last_scan_at else ""))
    click.echo("Stop every server process first (SQLite), or their writes will be lost.")
    if not yes:
        click.confirm("Restore this backup now?", abort=True)
    try:
        restored = restore(backup_file, high_water=now.high_water if now else None)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    told = tell_pages_to_reload()
    click.echo(f"Restored: {restored.describe()}")
    click.echo(f"Every stream's version is now above {now.high_water if now else 'the offset'}"
               f"; open pages of {told} event(s) were told to reload. Run "
               "'checkin db upgrade' if the backup predates this version.")


@click.command("gate-token")
@click.option("--event", "event_id", required=True, type=int)
@click.option("--gate", "gate_name", required=True)
def gate_token(event_id: int, gate_name: str) -> None:
    """Print a device token for a gate (made if missing) to use with the gate API."""
    from .attendance.services import make_device_token
    from .events.models import Event
    from .extensions import db

    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"No event {event_id}.")
    click.echo(make_device_token(event, gate_name=gate_name))


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--full-name", prompt=True, default="Quản trị viên")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(username: str, full_name: str, password: str) -> None:
    """Create an administrator account."""
    from .auth.services import create_user
    from .errors import ValidationError

    try:
        user = create_user(username=username, password=password, full_name=full_name,
                           role="admin")
    except ValidationError as exc:
        raise click.ClickException(
            "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors) or str(exc.message)
        ) from None
    click.echo(f"Administrator {user.username} created.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has events.")
def demo(if_empty: bool) -> None:
    """Load the demo: seed 002 (Tây Ninh dialogue) and seed 004 (Cần Thơ forum)."""
    from .demo import load_demo
    from .events.models import Event
    from .extensions import db

    if if_empty and db.session.scalar(select(func.count()).select_from(Event)):
        click.echo("Demo data already present; keeping the database as it is.")
        return
    summary = load_demo(admin_password=current_app.config["DEMO_ADMIN_PASSWORD"])
    click.echo(summary)


@click.command("remind")
@click.option("--days", default=2, show_default=True,
              help="Remind about open tasks due within this many days.")
def remind(days: int) -> None:
    """E-mail units about preparation tasks due soon (run it hourly from cron)."""
    from datetime import timedelta

    from .plans.services import send_task_reminders

    result = send_task_reminders(within=timedelta(days=days))
    click.echo(f"Reminders sent: {result.sent}; failed: {result.failed}; "
               f"already sent: {result.already}; without an address: "
               f"{len(result.no_address)}." + (f" Stopped: {result.stopped}" if result.stopped
                                               else ""))


@click.command("urls")
def urls() -> None:
    """Print where to go after ``make run``."""
    from .demo import DEMO_ADMIN
    from .events.models import Event
    from .extensions import db
    from .units.services import quota_table

    base = current_app.config["PUBLIC_URL"]
    click.echo("")
    click.echo(f"  checkin is starting on {base}/")
    click.echo(f"  Sign in:   {base}/login   (demo: {DEMO_ADMIN} / "
               f"{current_app.config['DEMO_ADMIN_PASSWORD']})")
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    for event in events:
        click.echo(f"  Event:     {base}/events/{event.id}   {event.title[:70]}")
    link = next((row.link for event in events for row in quota_table(event).rows
                 if row.link is not None and row.remaining), None)
    if link is not None:
        click.echo(f"  A unit's nomination link (no sign-in): {base}/n/{link.token}")
    from .plans.models import Programme

    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    if programme is not None:
        click.echo(f"  Programme: {base}/programmes/{programme.id}   {programme.title}")
    click.echo("")


@click.command("worker")
@click.option("--threads", type=int, default=None,
              help="Jobs run at once in this process (default: JOBS_WORKERS).")
def worker(threads: int | None) -> None:
    """Run background jobs (letters, badges, report files, imports, e-mail) until stopped.

    Start one per core you can spare, on this machine or any other that reaches the
    same database and JOBS_URL. Ctrl-C finishes the running jobs and stops; a second
    Ctrl-C (or SIGTERM) stops at once, and the next worker to start marks the
    interrupted jobs for retry.
    """
    import logging

    from .jobs.queue import make_consumer
    from .jobs.services import recover_jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s "
                        "%(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # one line per font subset
    app = current_app._get_current_object()
    found = recover_jobs()
    queue = (app.config["JOBS_URL"] or "instance/jobs.db").split("@")[-1]  # no password
    click.echo(f"checkin worker: queue {queue}; "
               f"{found['interrupted']} interrupted job(s) marked for retry, "
               f"{found['requeued']} waiting job(s) queued again.")
    make_consumer(app, workers=threads).run()
