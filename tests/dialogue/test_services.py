"""Questions, support, moderation with several moderators, the floor, the agenda."""

from __future__ import annotations

import pytest

from checkin.dialogue.models import Question, Vote
from checkin.dialogue.services import (
    approve,
    ask,
    bulk_classify,
    edit,
    mark_answered,
    merge,
    merged_into,
    my_state,
    public_state,
    reject,
    reorder,
    request_floor,
    set_agenda,
    set_floor,
    start_answering,
    topics,
    vote,
)
from checkin.errors import DomainError
from checkin.extensions import db


def test_a_checked_in_delegate_asks_and_a_retry_returns_the_first_question(
        event, delegates, open_questions):
    first = ask(event, delegates[0], text="Khi nào có nhà ở xã hội cho công nhân?",
                kind="petition", topic_id=topics(event)[0].id, nonce="phone-1")
    again = ask(event, delegates[0], text="Khi nào có nhà ở xã hội cho công nhân?",
                nonce="phone-1")
    assert first.id == again.id and first.status == "submitted"
    assert (first.kind, first.unit.name) == ("petition", "Chi đoàn Công ty May Tây Ninh")
    assert db.session.query(Question).count() == 1


@pytest.mark.parametrize("setup, code", [
    ("closed", "questions_closed"),
    ("not_checked_in", "not_checked_in"),
])
def test_who_may_ask_and_when(event, delegates, setup, code):
    person = delegates[0]
    if setup == "not_checked_in":
        set_agenda(event, questions_open=True)
        person = delegates[2]  # nominated but not in the hall
    with pytest.raises(DomainError) as exc:
        ask(event, person, text="Câu hỏi")
    assert exc.value.code == code


def test_questions_open_only_during_one_agenda_item(event, delegates):
    from checkin.events.services import add_agenda_item

    keynote = add_agenda_item(event, title="Báo cáo đề dẫn")
    dialogue = add_agenda_item(event, title="Đối thoại trực tiếp")
    set_agenda(event, questions_open=True, questions_item_id=dialogue.id,
               current_item_id=keynote.id)
    with pytest.raises(DomainError) as exc:
        ask(event, delegates[0], text="Sớm quá")
    assert exc.value.code == "questions_closed"
    set_agenda(event, current_item_id=dialogue.id)
    assert ask(event, delegates[0], text="Đúng lúc").status == "submitted"
    assert public_state(event)["agenda_item"]["title"] == "Đối thoại trực tiếp"


@pytest.mark.parametrize(("text", "code"), [("", "required"), ("   ", "required"),
                                           ("x" * 501, "too_long")])
def test_empty_or_too_long_questions_are_refused(event, delegates, open_questions, text, code):
    with pytest.raises(DomainError) as exc:
        ask(event, delegates[0], text=text)
    assert exc.value.code == code
    assert db.session.query(Question).count() == 0


def test_the_room_never_sees_new_rejected_or_merged_text(event, delegates, open_questions):
    a = ask(event, delegates[0], text="Câu hỏi mới chưa duyệt")
    b = ask(event, delegates[1], text="Câu hỏi bị từ chối")
    c = ask(event, delegates[1], text="Câu hỏi được duyệt")
    reject(b, reason="Trùng nội dung")
    approve(c)
    shown = str(public_state(event))
    assert "Câu hỏi được duyệt" in shown
    assert a.text not in shown and b.text not in shown and "Trùng nội dung" not in shown
    mine = my_state(event, delegates[1])
    assert {q["text"]: q["reject_reason"] for q in mine["questions"]}[b.text] == "Trùng nội dung"


def test_support_once_per_person_and_undo(event, delegates, open_questions):
    q = ask(event, delegates[0], text="Tăng lương tối thiểu vùng")
    with pytest.raises(DomainError) as exc:
        vote(q, delegates[1])  # not in the queue yet
    assert exc.value.code == "not_votable"
    approve(q)
    assert vote(q, delegates[1]) == 1
    assert vote(q, delegates[1]) == 1
    assert vote(q, delegates[0]) == 2
    assert vote(q, delegates[1], support=False) == 1


def test_a_change_made_on_a_stale_version_is_refused_not_lost(event, delegates,
                                                             open_questions):
    q = ask(event, delegates[0], text="Phụ cấp cho cán bộ Đoàn doanh nghiệp")
    seen = q.version  # two moderators open the same question
    edit(q, version=seen, text="Phụ cấp cho cán bộ Đoàn trong doanh nghiệp ngoài nhà nước")
    with pytest.raises(DomainError) as exc:
        reject(q, version=seen, reason="Không rõ")
    assert exc.value.code == "stale"
    db.session.refresh(q)
    assert q.status == "submitted" and q.text.endswith("ngoài nhà nước")
    assert q.original_text == "Phụ cấp cho cán bộ Đoàn doanh nghiệp"


def test_answering_flow_and_one_at_a_time(event, delegates, open_questions):
    a = ask(event, delegates[0], text="Câu một")
    b = ask(event, delegates[1], text="Câu hai")
    approve(a)
    approve(b)
    start_answering(a)
    start_answering(b)
    db.session.refresh(a)
    assert (a.status, b.status) == ("approved", "answering")
    mark_answered(b, note="Sở Nội vụ sẽ trả lời bằng văn bản trước 30/10.")
    state = public_state(event)
    assert state["answering"] is None
    assert state["answered"][0]["answer"].startswith("Sở Nội vụ")


def test_reorder_by_the_chair(event, delegates, open_questions):
    qs = [ask(event, delegates[0], text=f"Câu {i}") for i in range(3)]
    for q in qs:
        approve(q)
    reorder(event, [qs[2].id, qs[0].id, qs[1].id])
    assert [q["text"] for q in public_state(event)["queue"]] == ["Câu 2", "Câu 0", "Câu 1"]


def test_merging_duplicates_keeps_supporters_and_points_to_the_survivor(
        event, delegates, open_questions):
    a = ask(event, delegates[0], text="Nhà trọ giá rẻ cho công nhân")
    b = ask(event, delegates[1], text="Xây nhà trọ cho công nhân")
    approve(a)
    approve(b)
    vote(b, delegates[1])
    vote(b, delegates[0])
    vote(a, delegates[0])
    merge(event, a, [b])
    db.session.refresh(b)
    assert (b.status, b.merged_into_id) == ("merged", a.id)
    assert [q.id for q in merged_into(a)] == [b.id]
    assert db.session.query(Vote).filter_by(question_id=a.id).count() == 2


def test_bulk_classification(event, delegates, open_questions):
    from checkin.dialogue.services import agencies

    qs = [ask(event, delegates[0], text=f"Câu {i}") for i in range(3)]
    n = bulk_classify(event, [q.id for q in qs[:2]], kind="proposal",
                      topic_id=topics(event)[1].id, agency_id=agencies(event)[0].id)
    assert n == 2
    assert [(q.kind, q.agency.name if q.agency else None) for q in qs] == [
        ("proposal", "Hội Nông dân tỉnh"), ("proposal", "Hội Nông dân tỉnh"), ("question", None)]


def test_the_floor_queue(event, delegates):
    first = request_floor(event, delegates[0], topic="Việc làm", nonce="floor-1")
    assert request_floor(event, delegates[0], topic="Lần nữa").id == first.id
    second = request_floor(event, delegates[1], topic="Nhà ở")
    set_floor(event, first, "speaking")
    assert public_state(event)["speaker"]["name"] == "Nguyễn Văn An"
    set_floor(event, second, "speaking")
    db.session.refresh(first)
    assert first.status == "done"
    with pytest.raises(DomainError) as exc:
        request_floor(event, delegates[2])  # not checked in
    assert exc.value.code == "not_checked_in"


def test_order_by_support(event, delegates, open_questions):
    from checkin.dialogue.services import order_by_support

    qs = [ask(event, delegates[0], text=f"Câu {i}") for i in range(3)]
    for q in qs:
        approve(q)
    vote(qs[2], delegates[0])
    vote(qs[2], delegates[1])
    vote(qs[1], delegates[1])
    order_by_support(event)
    assert [q["text"] for q in public_state(event)["queue"]] == ["Câu 2", "Câu 1", "Câu 0"]


def test_two_moderators_racing_on_one_version_change_it_once(app, event, delegates,
                                                            open_questions):
    """Both read version v; the other commits between this one's check and its UPDATE.
    The version compare inside the UPDATE is what refuses the second."""
    from sqlalchemy import update

    q = ask(event, delegates[0], text="Sân chơi cho con em công nhân")
    seen = q.version
    with db.engine.begin() as other:  # the other moderator's request, committed first
        other.execute(update(Question).where(Question.id == q.id)
                      .values(version=Question.version + 1, status="rejected"))
    with pytest.raises(DomainError) as exc:
        approve(q, version=seen)  # q still holds version v in this session
    assert exc.value.code == "stale"
    db.session.refresh(q)
    assert (q.status, q.version) == ("rejected", seen + 1)
