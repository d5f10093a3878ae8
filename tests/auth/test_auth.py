"""Staff accounts, signing in and out, roles checked on the server, CSRF."""

from __future__ import annotations

from checkin.attendees.models import Attendee
from checkin.auth.models import User
from checkin.auth.services import assign_event_role
from checkin.extensions import db
from tests.conftest import PASSWORD, login, signed_in

PUBLIC = {"site.index", "site.set_language", "site.health", "static", "auth.login",
          "nomination.page", "nomination.nominate", "nomination.update", "nomination.remove",
          "invitation.page", "invitation.own_qr", "attendance.pair", "attendance.hall",
          "api_v1.openapi", "dialogue.delegate_state", "dialogue.delegate_live",
          "dialogue.ask", "dialogue.vote", "dialogue.floor", "dialogue.unit_question",
          "dialogue.join", "dialogue.seen", "dialogue.hall_join",
          # The units' and delegates' links (the token is the key) and calendar feeds.
          "plan_links.unit_upload", "plan_links.unit_file", "plan_links.unit_calendar",
          "plan_links.invitation_calendar", "plan_links.staff_calendar", "plan_links.page",
          "plan_links.submit_idea", "plan_links.programme_calendar",
          "site.favicon", "nomination.confirm", "nomination.contribution_text",
          "nomination.contribution_download"}
#: Pages for gate devices as well as staff: without either they answer 401.
DEVICE_OR_STAFF = {"attendance.gate_page", "attendance.walk_in", "attendance.substitute",
                   "attendance.gate_counts", "attendance.gate_undo"}


def test_create_admin_command_stores_a_real_password_hash(runner):
    result = runner.invoke(args=["create-admin", "--username", "Quantri", "--full-name",
                                 "Quản trị", "--password", "mot-mat-khau-dai"])
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="quantri").one()
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert "mot-mat-khau-dai" not in user.password_hash


def test_create_admin_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-admin", "--username", "qt", "--full-name", "Q",
                                 "--password", "123"])
    assert result.exit_code != 0
    assert db.session.query(User).count() == 0


def test_sign_in_and_out(client, organizer):
    assert client.get("/events/").status_code == 302  # not signed in yet
    login(client, organizer)
    assert client.get("/events/").status_code == 200
    assert client.get("/logout").status_code == 405  # signing out is a POST (CSRF-safe)
    assert client.post("/logout").status_code == 302
    response = client.get("/events/")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_and_unknown_user_get_the_same_answer(client, organizer):
    a = client.post("/login", data={"username": organizer.username, "password": "sai"})
    b = client.post("/login", data={"username": "khongco", "password": "sai"})
    assert a.status_code == b.status_code == 401
    assert _error(a) == _error(b)


def _error(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('class="flash flash-error"')[1].split("</div>")[0]


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("staff")
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 401


def test_every_staff_route_requires_signing_in(app, client, event):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        fmt = sorted(getattr(rule._converters.get("fmt"), "items", None) or ["x"])[0]
        url = rule.build({k: fmt if k == "fmt" else 1 for k in rule.arguments})[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            if url.startswith("/api/") or rule.endpoint in DEVICE_OR_STAFF:
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code == 302 and "/login" in response.location, (
                    method, url, response.status_code)
            checked += 1
    assert checked > 30


def test_roles_are_checked_on_the_server(client, make_user, make_event, event):
    other_organizer = make_user("organizer")
    foreign = make_event(created_by=other_organizer, title="Sự kiện của người khác")
    gate = make_user("staff")
    assign_event_role(event, gate, "gate")
    login(client, gate)
    assert client.get(f"/events/{event.id}").status_code == 200  # may see its event
    assert client.get(f"/events/{event.id}/quotas").status_code == 403
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.get(f"/events/{foreign.id}").status_code == 403
    assert client.get("/events/new").status_code == 403
    assert client.get("/units/").status_code == 403
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/events/{event.id}/delete").status_code == 403


def test_an_organizer_runs_only_their_events(client, organizer, make_user, make_event, event):
    foreign = make_event(created_by=make_user("organizer"), title="Của đơn vị khác")
    login(client, organizer)
    page = client.get("/events/").get_data(as_text=True)
    assert event.title in page and "Của đơn vị khác" not in page
    assert client.get(f"/events/{foreign.id}/quotas").status_code == 403


def test_an_admin_may_do_everything(client, admin, event):
    login(client, admin)
    for url in (f"/events/{event.id}/quotas", f"/events/{event.id}/edit", "/units/",
                "/admin/users", f"/events/{event.id}/staff"):
        assert client.get(url).status_code == 200, url


def test_admin_creates_accounts_with_a_clear_error_for_bad_input(client, admin):
    login(client, admin)
    response = client.post("/admin/users", data={"username": "Có Dấu", "full_name": "A",
                                                  "role": "staff", "password": "ngan"})
    assert response.status_code == 422
    assert db.session.query(User).count() == 1
    response = client.post("/admin/users", data={"username": "thuky2", "full_name": "Thư ký",
                                                 "role": "staff", "password": PASSWORD})
    assert response.status_code == 302
    assert db.session.query(User).filter_by(username="thuky2").one().role == "staff"


def test_event_staff_page_gives_a_moderator_role(client, organizer, make_user, event):
    moderator = make_user("staff", username="chutri")
    login(client, organizer)
    response = client.post(f"/events/{event.id}/staff",
                           data={"user_id": moderator.id, "role": "moderator"})
    assert response.status_code == 302
    client.post("/logout")
    login(client, moderator)
    assert client.get(f"/events/{event.id}").status_code == 200


def test_forms_without_the_csrf_token_are_refused(client, organizer, nomination_link):
    response = client.post("/login", data={"username": organizer.username,
                                           "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert signed_in(client) is None
    response = client.post(f"/n/{nomination_link.token}", data={"full_name": "X"}, csrf=False)
    assert response.status_code == 400
    forged = client.post(f"/n/{nomination_link.token}",
                         data={"full_name": "X", "csrf_token": "forged"}, csrf=False)
    assert forged.status_code == 400
    assert db.session.query(Attendee).count() == 0


def test_a_second_sign_in_on_another_client_is_that_person(app, client, organizer, make_user):
    other = make_user("staff")
    login(client, organizer)
    second = app.test_client()
    login(second, other)
    assert signed_in(client) == organizer.id and signed_in(second) == other.id


def test_login_is_rate_limited(client, organizer):
    # Five wrong passwords, then the account waits (tests/security covers the back-off).
    codes = [client.post("/login", data={"username": organizer.username,
                                         "password": "sai"}).status_code for _ in range(12)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 7


def test_an_admin_cannot_remove_their_own_rights(client, admin):
    login(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data={
        "username": admin.username, "full_name": admin.full_name, "role": "staff",
        "active": "y"})
    assert response.status_code == 200 and 'id="role-error"' in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"
