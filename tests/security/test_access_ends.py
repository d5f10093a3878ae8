"""Access that ends when it is taken away: sessions and open sockets.

Each way of taking access away (sign-out, new password, deactivation, a role removed
from the event, a gate device revoked) is followed by: the party's sockets disconnected
at once (gone from every room, so no further message reaches them), a copied cookie
refused, and a new socket refused the rooms it held.
"""

from __future__ import annotations

import pytest

from checkin.attendance.services import create_gate, pair_device
from checkin.auth.models import EventRole, User
from checkin.auth.services import assign_event_role
from checkin.broadcast import event_room
from checkin.extensions import db, socketio
from tests.conftest import PASSWORD
from tests.security.conftest import csrf_from, forget_loaded_user, sign_in

NEW_PASSWORD = "ba-con-voi-xanh-nhảy-dây"


def in_rooms(event_id: int) -> set[str]:
    """Socket ids in the event's staff and moderators' rooms, on this server."""
    manager = socketio.server.manager
    return {sid for audience in ("staff", "moderators", "public")
            for sid, _ in manager.get_participants("/", event_room(event_id, audience))}


def watching(socket_client, client, event):
    forget_loaded_user()
    watcher = socket_client(flask_test_client=client)
    answer = watcher.emit("watch", {"event": event.id}, callback=True)
    assert answer["ok"], answer
    assert watcher.eio_sid and in_rooms(event.id)
    return watcher


def copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def assert_cut_off(app, socket_client, client, watcher, event, *, copies=()):
    assert not watcher.is_connected()
    assert in_rooms(event.id) == set()
    forget_loaded_user()
    again = socket_client(flask_test_client=client)
    assert not again.emit("watch", {"event": event.id}, callback=True)["ok"]
    for copy in copies:
        forget_loaded_user()
        response = copy.get(f"/events/{event.id}/console")
        assert response.status_code in (302, 401, 403), response.status_code


@pytest.fixture
def moderator(make_user, event):
    user = make_user("staff", username="thuky")
    assign_event_role(event, user, "moderator")
    return user


def signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    assert sign_in(client, user, password).status_code == 302
    return client


def test_sign_out_ends_the_session_a_copied_cookie_and_the_sockets(app, socket_client,
                                                                   event, moderator):
    client = signed_in(app, moderator)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get(f"/events/{event.id}/console").status_code == 200
    watcher = watching(socket_client, thief, event)
    response = client.post("/logout", data=csrf_from(client, "/account"))
    assert response.status_code == 302
    assert_cut_off(app, socket_client, thief, watcher, event, copies=[thief, client])


def test_a_new_password_ends_every_other_session(app, socket_client, event, moderator):
    laptop, phone = signed_in(app, moderator), signed_in(app, moderator)
    watcher = watching(socket_client, phone, event)
    response = laptop.post("/account", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                             **csrf_from(laptop, "/account")})
    assert response.status_code == 302
    assert_cut_off(app, socket_client, phone, watcher, event, copies=[phone])
    forget_loaded_user()
    assert laptop.get(f"/events/{event.id}/console").status_code == 200  # this one goes on


def test_deactivating_an_account_cuts_it_off(app, socket_client, event, moderator, admin):
    client = signed_in(app, moderator)
    watcher = watching(socket_client, client, event)
    boss = signed_in(app, admin)
    response = boss.post(f"/admin/users/{moderator.id}", data={
        "username": moderator.username, "full_name": moderator.full_name, "role": "staff",
        **csrf_from(boss, f"/admin/users/{moderator.id}")})  # "active" unticked
    assert response.status_code == 302
    assert db.session.get(User, moderator.id).active is False
    assert_cut_off(app, socket_client, client, watcher, event, copies=[client])


def test_removing_the_role_cuts_the_console_off(app, socket_client, event, moderator,
                                                organizer):
    client = signed_in(app, moderator)
    watcher = watching(socket_client, client, event)
    grant = db.session.scalar(db.select(EventRole).where(EventRole.user_id == moderator.id))
    boss = signed_in(app, organizer)
    response = boss.post(f"/events/{event.id}/staff/{grant.id}/delete",
                         data=csrf_from(boss, f"/events/{event.id}/staff"))
    assert response.status_code == 302
    assert_cut_off(app, socket_client, client, watcher, event, copies=[client])


def test_revoking_a_gate_device_cuts_it_off(app, socket_client, event, organizer):
    gate = create_gate(event, name="Cổng 1")
    device, token = pair_device(gate.pairing_token)
    tablet = app.test_client()
    tablet.set_cookie("gate_device", token)
    watcher = watching(socket_client, tablet, event)
    boss = signed_in(app, organizer)
    response = boss.post(f"/events/{event.id}/devices/{device.id}/revoke",
                         data=csrf_from(boss, f"/events/{event.id}/gates"))
    assert response.status_code == 302
    assert_cut_off(app, socket_client, tablet, watcher, event)
    assert tablet.get("/gate").status_code == 401


def test_sign_in_lasts_a_working_day_in_a_lax_http_only_cookie(app, organizer):
    client = app.test_client()
    response = sign_in(client, organizer)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600
    assert "Expires=" in cookie  # permanent for 12 h, not until the browser closes


def test_https_sites_get_secure_cookies_and_hsts(tmp_path):
    from checkin.config import load_config

    https = load_config(str(tmp_path), {"PUBLIC_URL": "https://hop.example.vn",
                                        "SECRET_KEY": "x"})
    plain = load_config(str(tmp_path), {"PUBLIC_URL": "http://192.168.1.5:5000",
                                        "SECRET_KEY": "x"})
    assert https["SESSION_COOKIE_SECURE"] and https["HSTS_MAX_AGE"] >= 180 * 24 * 3600
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["HSTS_MAX_AGE"]


def test_hsts_header_when_configured(app, client):
    app.config["HSTS_MAX_AGE"] = 31536000
    try:
        response = client.get("/healthz")
    finally:
        app.config["HSTS_MAX_AGE"] = 0
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_invitation_cookie_is_short_and_only_for_the_hall(app, client, event,
                                                              quota_unit):
    from checkin.attendees.invitations import active_invitation
    from checkin.attendees.services import nominate

    person = nominate(event, quota_unit, full_name="Lê Văn Cường")
    response = client.get(f"/i/{active_invitation(person).token}")
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("invitation="))
    assert "Path=/h/" in cookie
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert max_age <= 24 * 3600
