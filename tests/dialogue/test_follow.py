"""Joining from a phone (``follow``) is answered from memory: no database round trip."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event as sa_event

from checkin.attendees.invitations import active_invitation, reissue_invitation
from checkin.extensions import db


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def test_phones_joining_cost_no_queries(socket_client, app, event, delegates, open_questions):
    tokens = [active_invitation(p).token for p in delegates]
    first = socket_client(flask_test_client=app.test_client())
    assert first.emit("follow", {"token": tokens[0]}, callback=True)["ok"]
    with counted_statements() as statements:
        for token in tokens:  # each phone's first join after the cache holds the room's view
            phone = socket_client(flask_test_client=app.test_client())
            phone.emit("follow", {"token": token}, callback=True)
        again = socket_client(flask_test_client=app.test_client())
        reply = again.emit("follow", {"token": tokens[0]}, callback=True)
    assert reply["ok"] and reply["state"]["questions_open"] and "mine" not in reply
    # one look-up per invitation not seen before, nothing for the room's view
    assert len([s for s in statements if "invitations" in s]) == len(tokens) - 1
    assert len(statements) == len(tokens) - 1


def test_a_reconnecting_phone_gets_its_own_list(socket_client, app, event, delegates):
    phone = socket_client(flask_test_client=app.test_client())
    reply = phone.emit("follow", {"token": active_invitation(delegates[0]).token,
                                  "mine": True}, callback=True)
    assert reply["ok"] and reply["mine"]["questions"] == []


def test_a_replaced_invitation_stops_following_at_once(socket_client, app, event, delegates):
    old = active_invitation(delegates[0]).token
    phone = socket_client(flask_test_client=app.test_client())
    assert phone.emit("follow", {"token": old}, callback=True)["ok"]  # now cached
    reissue_invitation(delegates[0], reason="lost phone")
    again = socket_client(flask_test_client=app.test_client())
    assert again.emit("follow", {"token": old}, callback=True) == {
        "ok": False, "error": "invitation_replaced"}


def test_polling_limits_count_per_invitation_not_per_address(app, event, delegates):
    # A venue's Wi-Fi: every phone comes from the same address.
    first, second = (active_invitation(p).token for p in delegates[:2])
    phone = app.test_client()
    codes = [phone.get(f"/i/{first}/dialogue.json").status_code for _ in range(121)]
    assert codes[:120] == [200] * 120 and codes[120] == 429
    assert app.test_client().get(f"/i/{second}/dialogue.json").status_code == 200
