"""Hybrid meetings: the mode switch, the livestream, announcements, attending online."""

from __future__ import annotations

import pytest

from checkin.attendance.models import Attendance
from checkin.attendance.services import attendance_board, check_in, join_online
from checkin.attendees.invitations import active_invitation
from checkin.dialogue.services import (
    approve,
    ask,
    console_state,
    my_state,
    public_state,
    request_floor,
    set_floor,
)
from checkin.errors import DomainError
from checkin.events.live import announce, parse_stream, set_stream, switch_mode, switch_stream
from checkin.extensions import db


@pytest.mark.parametrize("url, kind, embed", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://youtu.be/dQw4w9WgXcQ", "youtube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", "youtube",
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"),
    ("https://www.facebook.com/TinhDoanTayNinh/videos/1234567890/", "facebook",
     "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com"
     "%2FTinhDoanTayNinh%2Fvideos%2F1234567890%2F&show_text=false&autoplay=true"),
    ("https://stream.tinhdoan.vn/live/hoinghi.m3u8", "hls",
     "https://stream.tinhdoan.vn/live/hoinghi.m3u8"),
])
def test_stream_links_become_the_matching_player(url, kind, embed):
    player = parse_stream(url)
    assert (player["kind"], player["embed"]) == (kind, embed)


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com/watch?v=<script>", "https://www.youtube.com/",
    "https://www.facebook.com/TinhDoanTayNinh", "https://evil.example/page.html",
    '"><iframe src=x>', "https://evil.example/x.m3u8.html",
])
def test_anything_else_is_refused(event, url):
    with pytest.raises(DomainError) as exc:
        set_stream(event, primary_url=url)
    assert exc.value.code == "invalid_stream"


def test_switching_mode_and_stream_and_announcing_reach_the_rooms_view(event):
    set_stream(event, primary_url="https://youtu.be/dQw4w9WgXcQ",
               backup_url="https://stream.tinhdoan.vn/live/hoinghi.m3u8",
               meeting_room_url="https://meet.jit.si/doi-thoai-tay-ninh")
    assert public_state(event)["live"]["player"] is None  # in person: no player
    switch_mode(event, "online", announcement="Chuyển sang phương án 2: trực tuyến")
    live = public_state(event)["live"]
    assert live["mode"] == "online" and live["player"]["kind"] == "youtube"
    assert live["announcement"]["text"] == "Chuyển sang phương án 2: trực tuyến"
    switch_stream(event, "backup")
    assert public_state(event)["live"]["player"]["kind"] == "hls"
    announce(event, "Mời đại biểu trở lại sau giải lao")
    assert public_state(event)["live"]["announcement"]["text"].startswith("Mời đại biểu")
    with pytest.raises(DomainError) as exc:
        switch_mode(event, "radio")
    assert exc.value.code == "invalid_mode"


def test_online_attendance_and_the_hall_are_counted_once(event, delegates):
    hall, home = delegates[0], delegates[2]  # delegates[0] was checked in at the hall
    with pytest.raises(DomainError) as exc:
        join_online(event, home)
    assert exc.value.code == "not_online"
    switch_mode(event, "hybrid")
    assert join_online(event, home).code == "checked_in"
    assert join_online(event, home).code == "already_checked_in"
    again = join_online(event, hall)
    assert again.code == "already_checked_in" and again.attendance.method == "scan"
    assert db.session.query(Attendance).count() == 3
    board = attendance_board(event)
    assert (board.present, board.in_person, board.online) == (3, 2, 1)
    assert (board.units[0].present, board.units[0].online) == (3, 1)


def test_remote_askers_are_marked_and_get_the_meeting_room(event, delegates):
    switch_mode(event, "hybrid")
    set_stream(event, primary_url="https://youtu.be/dQw4w9WgXcQ",
               meeting_room_url="https://meet.jit.si/doi-thoai")
    from checkin.dialogue.services import set_agenda

    set_agenda(event, questions_open=True)
    home = delegates[2]
    join_online(event, home)
    question = ask(event, home, text="Hỏi từ nhà")
    approve(question)
    assert [q["remote"] for q in console_state(event)["questions"]] == [True]
    request = request_floor(event, home, topic="Việc làm")
    assert my_state(event, home)["floor"]["room"] == ""
    set_floor(event, request, "speaking")
    assert my_state(event, home)["floor"]["room"] == "https://meet.jit.si/doi-thoai"
    assert console_state(event)["floor"][0]["remote"]


def test_snapshots_answer_304_while_nothing_changed(client, event, token):
    first = client.get(f"/i/{token}/dialogue.json")
    etag = first.headers["ETag"]
    assert client.get(f"/i/{token}/dialogue.json",
                      headers={"If-None-Match": etag}).status_code == 304
    announce(event, "Có thay đổi")
    changed = client.get(f"/i/{token}/dialogue.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_organizer_switches_from_the_live_page(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/live", data={
        "action": "mode", "mode": "online", "announcement": "Chuyển sang trực tuyến"})
    assert response.status_code == 302
    assert event.mode == "online"
    bad = as_organizer.post(f"/events/{event.id}/live", data={
        "action": "stream", "primary_url": "javascript:alert(1)"})
    assert bad.status_code == 422


def test_the_join_button_on_the_invitation(client, event, delegates):
    switch_mode(event, "online")
    token = active_invitation(delegates[2]).token
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert 'id="join-form"' in page
    data = client.post(f"/i/{token}/join", headers={"Accept": "application/json"}).get_json()
    assert data == {"ok": True, "result": "checked_in", "method": "online"}
    assert client.post(f"/i/{token}/seen").get_json()["ok"]
    check_in(event, token)  # a later scan at the door changes nothing
    assert db.session.query(Attendance).filter_by(attendee_id=delegates[2].id).count() == 1
