"""Password hashing never runs on the gevent event loop of the live server."""

from __future__ import annotations

import threading

import pytest


class SpyHasher:
    """argon2's hasher, noting which thread does the work."""

    def __init__(self, real) -> None:
        self.real, self.threads = real, []

    def hash(self, password):
        self.threads.append(threading.get_ident())
        return self.real.hash(password)


@pytest.fixture
def spy(monkeypatch):
    from checkin.auth import services

    hasher = SpyHasher(services._hasher)
    monkeypatch.setattr(services, "_hasher", hasher)
    return hasher


def test_under_gevent_argon2_runs_in_the_native_thread_pool(monkeypatch, spy):
    from gevent import monkey

    from checkin.auth.services import hash_password

    monkeypatch.setattr(monkey, "is_module_patched", lambda name: name == "socket")
    assert hash_password("mật-khẩu-đủ-dài").startswith("$argon2")
    assert spy.threads and spy.threads[0] != threading.get_ident()  # a pool thread


def test_without_gevent_it_runs_in_place(spy):
    from checkin.auth.services import hash_password

    hash_password("mật-khẩu-đủ-dài")
    assert spy.threads == [threading.get_ident()]
