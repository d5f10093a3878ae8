"""The dialogue over HTTP and Socket.IO: roles, refusals, live messages, units' questions."""

from __future__ import annotations

import pytest

from checkin.attendees.invitations import active_invitation
from checkin.auth.services import assign_event_role
from checkin.dialogue.models import Question
from checkin.dialogue.services import approve, ask, update_settings
from checkin.extensions import db
from checkin.units.services import create_nomination_link
from tests.conftest import login


def json_post(client, url, data):
    return client.post(url, data=data, headers={"Accept": "application/json"})


def test_delegate_asks_from_the_invitation_page(client, event, token, open_questions):
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert 'id="ask-form"' in page
    response = json_post(client, f"/i/{token}/ask", {"text": "Xin hỏi về bảo hiểm xã hội",
                                                     "kind": "question", "nonce": "n-1"})
    assert response.get_json()["ok"]
    again = json_post(client, f"/i/{token}/ask", {"text": "Xin hỏi về bảo hiểm xã hội",
                                                  "nonce": "n-1"})
    assert again.get_json()["id"] == response.get_json()["id"]
    assert db.session.query(Question).count() == 1
    mine = client.get(f"/i/{token}/dialogue.json").get_json()["mine"]
    assert mine["questions"][0]["status"] == "submitted"


def test_refusals_come_back_in_the_users_language(client, event, token):
    response = json_post(client, f"/i/{token}/ask", {"text": "Câu hỏi"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "questions_closed"
    assert response.get_json()["message"]
    assert client.post("/i/AAAAAAAAAAAAAAAAAAAAAA/ask", data={"text": "x"}).status_code == 404


def test_only_moderators_moderate(client, event, delegates, open_questions, make_user):
    question = ask(event, delegates[0], text="Câu hỏi cần duyệt")
    seen = question.version
    url = f"/events/{event.id}/questions/{question.id}/approve"
    gate = make_user("staff")
    assign_event_role(event, gate, "gate")
    login(client, gate)
    assert client.post(url, data={"version": seen}).status_code == 403
    assert client.get(f"/events/{event.id}/console").status_code == 403
    client.post("/logout")
    chair = make_user("staff")
    assign_event_role(event, chair, "moderator")
    login(client, chair)
    response = json_post(client, url, {"version": seen})
    assert response.get_json()["question"]["status"] == "approved"
    stale = json_post(client, f"/events/{event.id}/questions/{question.id}/reject",
                      {"version": seen, "reason": "x"})
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale"


def test_console_and_stage_show_questions_escaped(as_organizer, event, delegates,
                                                  open_questions):
    evil = '<script>alert("x")</script><b>đậm</b>'
    question = ask(event, delegates[0], text=evil)
    console = as_organizer.get(f"/events/{event.id}/console").get_data(as_text=True)
    assert '<script>alert("x")' not in console and "&lt;script&gt;" in console
    approve(question)
    as_organizer.post(f"/events/{event.id}/questions/{question.id}/answering",
                      data={"version": question.version})
    stage = as_organizer.get(f"/events/{event.id}/stage").get_data(as_text=True)
    assert "&lt;b&gt;đậm&lt;/b&gt;" in stage and "<b>đậm</b>" not in stage


def test_socket_messages_reach_each_audience_and_no_further(
        socket_client, app, client, event, delegates, open_questions, organizer):
    delegate_client = app.test_client()
    phone = socket_client(flask_test_client=delegate_client)
    reply = phone.emit("follow", {"token": active_invitation(delegates[1]).token},
                       callback=True)
    assert reply["ok"] and reply["state"]["questions_open"]
    login(client, organizer)
    console = socket_client(flask_test_client=client)
    assert console.emit("watch", {"event": event.id}, callback=True)["ok"]
    question = ask(event, delegates[0], text="Chưa duyệt thì không ai thấy")
    client.post(f"/events/{event.id}/questions/{question.id}/reject",
                data={"version": question.version, "reason": "Riêng tư"})
    phone_names = {m["name"] for m in phone.get_received()}
    console_msgs = console.get_received()
    assert "console" in {m["name"] for m in console_msgs}
    assert "console" not in phone_names  # delegates never get the moderators' view
    assert "Riêng tư" not in str(phone.get_received())


def test_the_author_hears_privately_why_it_was_rejected(
        socket_client, app, client, event, delegates, open_questions, organizer):
    author = socket_client(flask_test_client=app.test_client())
    author.emit("follow", {"token": active_invitation(delegates[0]).token}, callback=True)
    other = socket_client(flask_test_client=app.test_client())
    other.emit("follow", {"token": active_invitation(delegates[1]).token}, callback=True)
    question = ask(event, delegates[0], text="Hỏi riêng")
    login(client, organizer)
    client.post(f"/events/{event.id}/questions/{question.id}/reject",
                data={"version": question.version, "reason": "Ngoài phạm vi đối thoại"})
    mine = [m for m in author.get_received() if m["name"] == "mine"]
    assert mine and mine[-1]["args"][0]["questions"][0]["reject_reason"] == \
        "Ngoài phạm vi đối thoại"
    assert "Ngoài phạm vi" not in str(other.get_received())


def test_follow_refuses_bad_tokens(socket_client, app):
    phone = socket_client()
    assert phone.emit("follow", {"token": "nope"}, callback=True) == {
        "ok": False, "error": "unknown_invitation"}
    assert phone.emit("follow", None, callback=True)["ok"] is False


def test_units_send_questions_before_the_meeting_and_the_organizer_counts_them(
        client, as_organizer, event, quota_unit):
    update_settings(event, unit_minimum=5)
    link = create_nomination_link(event, quota_unit)
    page = client.get(f"/n/{link.token}").get_data(as_text=True)
    assert 'id="questions"' in page
    for i in range(2):
        response = client.post(f"/n/{link.token}/questions",
                               data={"text": f"Kiến nghị số {i}", "kind": "petition",
                                     "nonce": f"u-{i}", "asker_name": "Chi đoàn"})
        assert response.status_code == 302
    page = as_organizer.get(f"/events/{event.id}/questions").get_data(as_text=True)
    assert "Kiến nghị số 1" in page and "<td class=\"num\">2</td>" in page
    assert f"/n/{link.token}" in page  # the reminder carries the unit's link


def test_settings_form_validates(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/dialogue", data={
        "topics": "Việc làm\nNhà ở", "agencies": "Sở Nội vụ", "unit_minimum": "-1",
        "speaking_seconds": "180", "max_length": "500"})
    assert response.status_code == 422
    response = as_organizer.post(f"/events/{event.id}/dialogue", data={
        "topics": "Việc làm\nNhà ở", "agencies": "Sở Nội vụ", "unit_minimum": "5",
        "speaking_seconds": "120", "max_length": "400"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["console", "stage", "questions"])
def test_dialogue_pages_need_a_role(client, event, path):
    assert client.get(f"/events/{event.id}/{path}").status_code == 302


def test_a_phones_support_is_saved(client, event, delegates, token, open_questions):
    from checkin.dialogue.models import Vote

    question = approve(ask(event, delegates[1], text="Nhà ở xã hội cho công nhân"))
    response = client.post(f"/i/{token}/vote/{question.id}", data={"support": "1"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert db.session.query(Vote).filter_by(question_id=question.id).count() == 1
