"""Break one rule at a time and show that the suite notices.

    .venv/bin/python scripts/mutants.py              # every mutant, on SQLite
    .venv/bin/python scripts/mutants.py --postgres   # and again on PostgreSQL
    .venv/bin/python scripts/mutants.py quota-lock   # only the named ones

Each mutant is a small edit (the rule deleted or weakened) made in a copy of the
working tree; the tests that guard the rule run against the copy. A mutant is
*killed* when at least one of them fails; a *survivor* is a rule no test defends.
The script prints a table and exits non-zero if any mutant survived or no longer
applies (the code it edits has moved: update the mutant with the code).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [str(ROOT / ".venv/bin/python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
PG_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/checkin_test")


@dataclass
class Mutant:
    name: str
    rule: str
    path: str
    find: str
    replace: str
    tests: tuple[str, ...]
    #: Further edits in the same file, each (find, replace), all applied.
    also: tuple[tuple[str, str], ...] = ()


def _no_commit(name: str, path: str, find: str, tests: tuple[str, ...], rule: str,
               service: str | None = None) -> Mutant:
    """The service's changes are never committed (nor by its unit of work, when it is
    ``@transactional``: ``service`` names the function whose decorator goes too)."""
    assert "db.session.commit()" in find, name
    also = ((f"@transactional\ndef {service}(", f"def {service}("),) if service else ()
    return Mutant(name, rule, path, find, find.replace("db.session.commit()", "pass", 1), tests,
                  also)


MUTANTS = [
    Mutant("unique-attendance", "one attendance per person per event (schema)",
           "migrations/versions/20261122_b3814701b27d_checkin.py",
           "    sa.UniqueConstraint('event_id', 'attendee_id', "
           "name=op.f('uq_attendances_event_id_attendee_id'))",
           "    sa.CheckConstraint('1 = 1')",
           ("tests/attendance",)),
    Mutant("on-conflict", "INSERT … ON CONFLICT DO NOTHING for attendances",
           "checkin/attendance/services.py",
           '.on_conflict_do_nothing(index_elements=["event_id", "attendee_id"])',
           "",
           ("tests/attendance",)),
    Mutant("quota-lock", "nominations serialised on the quota row",
           "checkin/units/services.py",
           "    result = db.session.execute(\n        update(Quota).where(Quota.event_id == "
           "event_id, Quota.unit_id == unit_id)",
           "    return db.session.scalar(select(Quota).where(Quota.event_id == event_id,\n"
           "                                                 Quota.unit_id == unit_id))\n"
           "    result = db.session.execute(\n        update(Quota).where(Quota.event_id == "
           "event_id, Quota.unit_id == unit_id)",
           ("tests/attendees/test_nominations.py",)),
    Mutant("revoked-check", "a revoked invitation is refused at the gate",
           "checkin/attendance/services.py",
           "                if invitation.revoked_at is not None:",
           "                if False:",
           ("tests/attendance", "tests/attendees/test_invitations.py")),
    Mutant("moderators-room", "only moderators join the console's room",
           "checkin/attendance/sockets.py",
           '    if current_user.is_authenticated and can(current_user, event, "moderator"):\n'
           '        join_room(event_room(event.id, "moderators"))',
           '    if True:\n        join_room(event_room(event.id, "moderators"))',
           ("tests/test_security.py", "tests/dialogue")),
    Mutant("csrf", "CSRF tokens on every form", "checkin/__init__.py",
           "    csrf.init_app(app)\n", "",
           ("tests/auth/test_auth.py", "tests/attendance/test_api.py")),
    Mutant("stale-version", "a moderator's change on an old version is refused",
           "checkin/dialogue/services.py",
           "update(Question).where(Question.id == question.id, Question.version == "
           "question.version)",
           "update(Question).where(Question.id == question.id)",
           ("tests/dialogue",)),
    _no_commit("commit-check-in", "checkin/attendance/services.py",
               "            event.version += 1\n        db.session.commit()",
               ("tests/attendance",), "check_in commits"),
    _no_commit("commit-nominate", "checkin/attendees/services.py",
               "    issue_invitation(attendee, by_user=by_user)\n    db.session.commit()",
               ("tests/attendees",), "add_attendee commits", service="add_attendee"),
    _no_commit("commit-set-quota", "checkin/units/services.py",
               "        audit.record(\"quota.set\", event=event, target=unit, before=before, "
               "after=after)\n    db.session.commit()", ("tests/units", "tests/audit"),
               "set_quota commits"),
    _no_commit("commit-moderation", "checkin/dialogue/services.py",
               "                 before=before, after=after)\n    db.session.commit()",
               ("tests/dialogue",), "approve / reject / answer commit"),
    _no_commit("commit-switch-mode", "checkin/events/live.py",
               "    event.version += 1\n    db.session.commit()\n\n\ndef live_state",
               ("tests/dialogue/test_hybrid.py", "tests/audit"), "switch_mode commits",
               service="switch_mode"),
    _no_commit("commit-reissue", "checkin/attendees/invitations.py",
               "                 after={\"reason\": reason or \"\"}, by_user=by_user)\n"
               "    db.session.commit()", ("tests/attendees",), "reissue commits"),
    _no_commit("commit-undo", "checkin/attendance/services.py",
               "after={\"reason\": reason})\n    event.version += 1\n    db.session.commit()",
               ("tests/attendance",), "undo_check_in commits"),
    _no_commit("commit-vote", "checkin/dialogue/services.py",
               "        db.session.delete(existing)\n    _touch(question_event(question))\n"
               "    db.session.commit()", ("tests/dialogue",), "a support vote commits"),
]


def _copy_tree(to: Path) -> None:
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "instance", "*.pyc",
                                    ".pytest_cache", ".ruff_cache", "test-results")
    shutil.copytree(ROOT, to, ignore=ignore, dirs_exist_ok=True)


def run(mutant: Mutant, database: str | None) -> tuple[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant.name}-") as tmp:
        tree = Path(tmp)
        _copy_tree(tree)
        target = tree / mutant.path
        text = target.read_text()
        for find, replace in ((mutant.find, mutant.replace), *mutant.also):
            if find not in text:
                return "does not apply", 0.0
            text = text.replace(find, replace, 1)
        target.write_text(text)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        env.pop("TEST_DATABASE_URL", None)
        if database:
            env["TEST_DATABASE_URL"] = database
        started = time.monotonic()
        result = subprocess.run([*PYTEST, "-m", "not browser", *mutant.tests], cwd=tree,
                                env=env, capture_output=True, text=True)
        took = time.monotonic() - started
        if result.returncode == 0:
            return "SURVIVED", took
        if result.returncode in (1,):
            return "killed", took
        return f"error (pytest exit {result.returncode})", took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    databases = [("SQLite", None)] + ([("PostgreSQL", PG_URL)] if args.postgres else [])
    bad = 0
    print(f"| mutant | rule broken | {' | '.join(d for d, _ in databases)} |")
    print(f"|---|---|{'---|' * len(databases)}")
    for mutant in chosen:
        cells = []
        for _, url in databases:
            verdict, took = run(mutant, url)
            bad += verdict != "killed"
            cells.append(f"{verdict} ({took:.0f} s)")
        print(f"| {mutant.name} | {mutant.rule} | {' | '.join(cells)} |", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
