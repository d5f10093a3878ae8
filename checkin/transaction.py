"""One unit of work per user action.

A service that changes the record is decorated with :func:`transactional`: its
changes are committed when it returns and rolled back, whole, when it raises, so a
view never has to clean up after a refused action. A service that is made of other
services (settings *and* lists, rules *and* their allocation) is transactional too;
the services it calls then end with :func:`commit`, which only flushes while an outer
unit of work is open, so the user's action is saved entirely or not at all — never
"422, not saved" after half of it was.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from .extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_depth: ContextVar[int] = ContextVar("unit_of_work_depth", default=0)


def commit() -> None:
    """End a service's changes: commit, or flush inside an outer unit of work."""
    if _depth.get():
        db.session.flush()
    else:
        db.session.commit()


@contextmanager
def unit_of_work():
    """Commit what happens inside on leaving (the outermost one only); roll back on error."""
    outermost = _depth.get() == 0
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _depth.reset(token)
    if outermost:
        db.session.commit()


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Run the service as one unit of work (see the module's docstring)."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with unit_of_work():
            return function(*args, **kwargs)

    return run
