"""Limits per person, not per address.

A hall behind one NAT address: every delegate keeps their own question budget. One
delegate hopping between 50 addresses (behind the trusted proxy): limited as one. An
address that is not the trusted proxy cannot choose its own address. Wrong passwords
lock the account (with back-off), whichever addresses they come from; the socket's
``follow`` is limited like the invitation page.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.auth.models import User
from checkin.dialogue.services import set_agenda
from checkin.extensions import db
from checkin.types import utcnow
from checkin.units.services import set_quota
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_from, sign_in

ASK_LIMIT = 20  # per minute, per invitation (checkin/dialogue/views.py)


@pytest.fixture
def hall(make_event, quota_unit):
    """A dialogue under way with 21 delegates; questions are open."""
    start = utcnow() - timedelta(minutes=10)
    event = make_event(title="Đối thoại", kind="dialogue", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, 25)
    people = [nominate(event, quota_unit, full_name=f"Đại biểu {i}") for i in range(21)]
    for person in people:
        check_in(event, active_invitation(person).token)
    set_agenda(event, questions_open=True)
    return [active_invitation(p).token for p in people]


@pytest.fixture
def trusted_proxy(app):
    """The test client's address (127.0.0.1) is the configured proxy, for this test."""
    fix = app.wsgi_app
    saved = fix.networks
    fix.networks = [ipaddress.ip_network("127.0.0.1/32")]
    yield
    fix.networks = saved


def ask(client, token: str, n: int, address: str | None = None):
    headers = {"Accept": "application/json"}
    if address:
        headers["X-Forwarded-For"] = address
    data = {"text": f"Câu hỏi số {n} về việc làm cho thanh niên", "kind": "question",
            "nonce": f"nonce-{token[:8]}-{n:04d}", **csrf_from(client, f"/i/{token}")}
    return client.post(f"/i/{token}/ask", data=data, headers=headers).status_code


def test_delegates_behind_one_address_each_keep_their_own_limit(client, hall):
    codes = [ask(client, token, n) for n in range(2) for token in hall[:20]]
    assert codes == [200] * 40  # 40 questions from one address: no shared bucket
    own = [ask(client, hall[20], n) for n in range(ASK_LIMIT + 1)]
    assert own[:ASK_LIMIT] == [200] * ASK_LIMIT and own[-1] == 429


def test_one_delegate_on_fifty_addresses_is_limited_as_one(client, hall, trusted_proxy):
    codes = [ask(client, hall[0], n, address=f"203.0.113.{n + 1}") for n in range(50)]
    assert codes[:ASK_LIMIT] == [200] * ASK_LIMIT
    assert set(codes[ASK_LIMIT:]) == {429}


def test_a_forwarded_address_counts_only_from_the_trusted_proxy():
    from checkin.limits import TrustedProxyFix

    def whoami(environ, start_response):
        start_response("200 OK", [])
        return [f"{environ['REMOTE_ADDR']} {environ['wsgi.url_scheme']}".encode()]

    app = TrustedProxyFix(whoami, ["10.0.0.0/8"], hops=1)
    headers = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7", "HTTP_X_FORWARDED_PROTO": "https"}

    def call(peer):
        environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", **headers}
        return b"".join(app(environ, lambda *a: None)).decode()

    assert call("10.1.2.3") == "198.51.100.7 https"  # one hop: the proxy's own entry
    assert call("192.0.2.9") == "192.0.2.9 http"  # not the proxy: its headers ignored


def test_guessed_links_are_limited_per_address_not_valid_ones(client, hall):
    from checkin.limits import GUESSES_PER_ADDRESS

    budget = int(GUESSES_PER_ADDRESS.split()[0])
    codes = {client.get(f"/i/{'x' * 22}{n:06d}").status_code for n in range(budget)}
    assert codes == {404}
    assert client.get(f"/i/{'y' * 28}").status_code == 429


def test_wrong_passwords_lock_the_account_with_back_off(app, organizer, trusted_proxy):
    client = app.test_client()
    codes = []
    for n in range(6):  # six addresses, one account
        response = client.post("/login", data={"username": organizer.username,
                                                "password": "sai-mat-khau",
                                                **csrf_from(client, "/login")},
                               headers={"X-Forwarded-For": f"198.51.100.{n + 1}"})
        codes.append(response.status_code)
    assert codes == [401] * 5 + [429]
    # Even the right password waits now…
    assert sign_in(client, organizer).status_code == 429
    user = db.session.get(User, organizer.id)
    db.session.refresh(user)
    first_wait = user.locked_until - utcnow()
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=31)
    # …and once the wait is over, one more wrong password doubles it.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.post("/login", data={"username": organizer.username, "password": "sai",
                                **csrf_from(client, "/login")})
    db.session.refresh(user)
    assert user.locked_until - utcnow() > timedelta(seconds=50)
    user.locked_until = None
    db.session.commit()
    assert sign_in(client, organizer, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0


def test_socket_follow_is_limited_per_connection_and_guesses_per_address(
        app, socket_client, hall):
    from checkin.limits import GUESSES_PER_ADDRESS

    phone = socket_client()
    answers = [phone.emit("follow", {"token": hall[0]}, callback=True) for _ in range(11)]
    assert all(a["ok"] for a in answers[:10]) and answers[-1]["error"] == "rate_limited"
    budget = int(GUESSES_PER_ADDRESS.split()[0])
    errors = []
    for n in range(budget + 1):
        guesser = socket_client()  # a fresh connection each time: still one address
        errors.append(guesser.emit("follow", {"token": f"{'z' * 24}{n:06d}"},
                                   callback=True)["error"])
        guesser.disconnect()
    assert set(errors[:budget]) == {"unknown_invitation"} and errors[-1] == "rate_limited"


@pytest.mark.parametrize("payload", [None, "token", 42, [], {"token": 5},
                                     {"token": "a\x00b"}, {"token": "x" * 5000}])
def test_socket_follow_answers_bad_payloads_with_an_error(socket_client, payload):
    answer = socket_client().emit("follow", payload, callback=True)
    assert answer["ok"] is False and answer["error"] == "invalid"


@pytest.mark.parametrize("payload", [None, "1", [], {"event": "²"}, {"event": 10**30},
                                     {"event": True}, {"event": {"a": 1}}])
def test_socket_watch_answers_bad_payloads_with_an_error(socket_client, payload):
    answer = socket_client().emit("watch", payload, callback=True)
    assert answer["ok"] is False and answer["error"] in ("invalid", "not_found")


def test_forged_scans_are_limited_per_device_real_ones_are_not(client, make_event,
                                                                quota_unit):
    from checkin.attendance.models import Scan
    from checkin.attendance.services import create_gate, pair_device
    from checkin.limits import FORGED_SCANS_PER_DEVICE

    event = make_event(title="Cổng", starts_at=utcnow() + timedelta(minutes=30))
    set_quota(event, quota_unit, 3)
    tablets = []
    for name in ("Cổng 1", "Cổng 2"):
        _device, token = pair_device(create_gate(event, name=name).pairing_token)
        tablets.append({"Authorization": f"Bearer {token}"})
    budget = int(FORGED_SCANS_PER_DEVICE.split()[0])
    url = f"/api/v1/events/{event.id}/checkins"
    answers = [client.post(url, json={"token": f"forged-{n:020d}"}, headers=tablets[0])
               for n in range(budget + 1)]
    assert {a.get_json()["result"] for a in answers[:budget]} == {"unknown"}
    assert answers[-1].status_code == 429
    assert db.session.query(Scan).count() == budget  # the log stops growing
    # The other gate (another device, same address) and real invitations go on.
    person = nominate(event, quota_unit, full_name="Mai Văn Tâm")
    ok = client.post(url, json={"token": active_invitation(person).token}, headers=tablets[1])
    assert ok.get_json()["result"] == "checked_in"
