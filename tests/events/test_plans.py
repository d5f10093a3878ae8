"""The seeds' plans entered as written: meetings without quotas, quotas that stay true,
a series whose host rotates, dates that move together, the check-in window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.attendance.services import check_in, checkin_window, create_gate
from checkin.attendees.invitations import active_invitation
from checkin.attendees.models import Attendee
from checkin.attendees.services import add_attendee, confirm_carried_over, nominate
from checkin.auth.models import EventRole
from checkin.errors import Conflict, DomainError, ValidationError
from checkin.events.live import set_stream, switch_mode
from checkin.events.models import Event
from checkin.events.services import (
    add_agenda_item,
    copy_event,
    date_warnings,
    propose_next,
    save_series,
    update_event,
)
from checkin.extensions import db
from checkin.i18n import sort_key
from checkin.types import utcnow
from checkin.units.services import (
    QuotaBelowNamed,
    apply_quota_rules,
    create_nomination_link,
    event_units,
    quota_table,
    set_quota,
    set_quota_rules,
)
from tests.conftest import local, login
from tests.scenarios.http import submit, text


def _fields(event: Event, **changes) -> dict:
    values = dict(title=event.title, starts_at=event.starts_at, theme=event.theme,
                  kind=event.kind, mode=event.mode, ends_at=event.ends_at, venue=event.venue,
                  venue_address=event.venue_address,
                  nomination_deadline=event.nomination_deadline, host_unit=event.host_unit,
                  quotas_enabled=event.quotas_enabled)
    values.update(changes)
    return values


# --- meetings without quotas ---------------------------------------------------------

def test_without_quotas_units_name_anyone_and_the_organizer_adds_without_a_unit(
        make_event, make_unit):
    event = make_event(quotas_enabled=False)
    unit = make_unit("Đoàn Sở Y tế")
    link = create_nomination_link(event, unit)  # no quota needed
    for i in range(12):
        nominate(event, unit, full_name=f"Cán bộ Đoàn {i}", link=link)
    lone = add_attendee(event, category="delegate", full_name="Lê Văn Tự Do")
    assert lone.unit_id is None and active_invitation(lone) is not None
    table = quota_table(event)
    assert not table.with_quotas and table.total_seats is None
    assert [(r.unit.name, r.nominated, r.seats) for r in table.rows] == [
        ("Đoàn Sở Y tế", 12, None)]


def test_with_quotas_a_delegate_still_needs_a_unit_and_a_seat(event, make_unit):
    with pytest.raises(ValidationError):
        add_attendee(event, category="delegate", full_name="Không Đơn Vị")
    with pytest.raises(DomainError) as exc:
        nominate(event, make_unit(), full_name="Chưa Có Ghế")
    assert exc.value.code == "no_quota"


def test_quotas_cannot_be_turned_back_on_while_a_delegate_has_no_unit(make_event):
    event = make_event(quotas_enabled=False)
    add_attendee(event, category="delegate", full_name="Lê Văn Tự Do")
    with pytest.raises(ValidationError) as exc:
        update_event(event, **_fields(event, quotas_enabled=True))
    assert exc.value.errors[0]["field"] == "quotas_enabled"


def test_the_event_form_turns_quotas_off_and_the_nomination_page_has_no_limit(
        client, organizer, make_event, make_unit):
    event = make_event()
    unit = make_unit("Đoàn Khối Dân chính Đảng")
    login(client, organizer)
    submit(client, f"/events/{event.id}/edit", data={
        "title": event.title, "kind": "forum", "mode": "in_person",
        "starts_at": "2030-09-20T13:30", "venue": "Hội trường A", "host_unit_id": "0"}, expect=302)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.quotas_enabled is False  # the unticked box
    page = client.get(f"/events/{event.id}/quotas")
    assert "Add a unit" in text(page) or "Thêm đơn vị" in text(page)
    submit(client, f"/events/{event.id}/quotas", f"/events/{event.id}/links",
           {"unit_id": unit.id}, expect=302)
    link = quota_table(event).rows[0].link
    page = client.get(f"/n/{link.token}")
    assert "/ 0" not in text(page)


# --- quotas that stay true -----------------------------------------------------------

@pytest.fixture
def crowded(make_event, make_unit):
    """A unit with 22 named delegates, 10 of them in the hall."""
    start = utcnow() - timedelta(minutes=20)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=3))
    unit = make_unit("Huyện đoàn Hòa Thành", kind="district")
    set_quota(event, unit, 22)
    people = [nominate(event, unit, full_name=f"Đại biểu {i:02d}") for i in range(22)]
    for person in people[:10]:
        assert check_in(event, active_invitation(person).token, method="scan",
                        nonce=f"n{person.id}").code == "checked_in"
    return event, unit, people


def test_a_quota_never_goes_below_those_checked_in(crowded):
    event, unit, _people = crowded
    for seats in (3, 0):
        with pytest.raises(Conflict) as exc:
            set_quota(event, unit, seats)
        assert exc.value.code == "quota_below_arrived"
        assert "10" in str(exc.value.message) and str(seats) in str(exc.value.message)
    assert quota_table(event).rows[0].seats == 22


def test_a_quota_below_the_named_needs_whom_to_release(crowded):
    event, unit, people = crowded
    with pytest.raises(QuotaBelowNamed) as exc:
        set_quota(event, unit, 15)
    assert exc.value.code == "quota_below_named" and exc.value.to_release == 7
    with pytest.raises(Conflict) as exc:  # someone in the hall cannot be released
        set_quota(event, unit, 15, release=[p.id for p in people[:7]])
    assert exc.value.code == "release_checked_in"
    released = [p.id for p in people[15:]]
    set_quota(event, unit, 15, release=released)
    row = quota_table(event).rows[0]
    assert (row.seats, row.nominated, row.arrived) == (15, 15, 10)
    assert db.session.scalar(db.select(db.func.count()).where(Attendee.id.in_(released))) == 0


def test_rules_never_cut_below_the_named(event, make_unit):
    unit = make_unit("Đoàn cơ sở Công ty Điện lực", kind="grassroots")
    set_quota_rules(event, [{"unit_kind": "grassroots", "seats": 4}])
    apply_quota_rules(event)
    for i in range(4):
        nominate(event, unit, full_name=f"Người {i}")
    set_quota_rules(event, [{"unit_kind": "grassroots", "seats": 2}])
    result = apply_quota_rules(event)
    assert [(u.name, named, seats) for u, named, seats in result.held] == [
        (unit.name, 4, 2)]
    assert quota_table(event).rows[0].seats == 4


def test_the_quota_page_offers_only_the_event_tree_and_keeps_the_rule_scope(
        client, organizer, event, make_unit):
    tra_vinh = make_unit("Tỉnh đoàn Trà Vinh", kind="province")
    duyen_hai = make_unit("Thị đoàn Duyên Hải", kind="district", parent=tra_vinh)
    can_tho = make_unit("Thành đoàn Cần Thơ", kind="province")
    make_unit("Đoàn Khối Cần Thơ", kind="district", parent=can_tho)
    event.host_unit = duyen_hai
    db.session.commit()
    assert [u.name for u, _d in event_units(event)] == ["Tỉnh đoàn Trà Vinh",
                                                        "Thị đoàn Duyên Hải"]
    login(client, organizer)
    page = client.get(f"/events/{event.id}/quotas").get_data(as_text=True)
    assert "Duyên Hải" in page and "Cần Thơ" not in page
    response = submit(client, f"/events/{event.id}/quotas",
                      f"/events/{event.id}/quotas/rules",
                      {"rules-0-unit_kind": "district", "rules-0-seats": "2",
                       "rules-0-min_members_exclusive": "0", "scope_id": tra_vinh.id,
                       **{f"rules-{i}-{k}": v for i in (1, 2, 3) for k, v in (
                           ("unit_kind", "grassroots"), ("min_members_exclusive", "0"),
                           ("seats", ""))}},
                      follow_redirects=True)
    assert f'<option selected value="{tra_vinh.id}"' in response.get_data(as_text=True)
    assert [(r.unit.name, r.seats) for r in quota_table(event).rows] == [
        ("Thị đoàn Duyên Hải", 2)]


def test_the_quota_form_asks_whom_to_release(client, organizer, event, make_unit):
    unit = make_unit("Chi đoàn Bệnh viện", kind="branch")
    set_quota(event, unit, 3)
    people = [nominate(event, unit, full_name=n) for n in ("An", "Bình", "Chi")]
    login(client, organizer)
    page = f"/events/{event.id}/quotas"
    response = submit(client, page, data={"unit_id": unit.id, "seats": "1"}, expect=409)
    body = response.get_data(as_text=True)
    assert 'name="release"' in body and "Bình" in body
    submit(client, page, data={"unit_id": unit.id, "seats": "1",
                               "release": [people[1].id, people[2].id]}, expect=302)
    assert [(r.seats, r.nominated) for r in quota_table(event).rows] == [(1, 1)]


# --- the rotating series (seed 001) --------------------------------------------------

@pytest.fixture
def province(make_unit):
    tra_vinh = make_unit("Tỉnh đoàn Trà Vinh", kind="province")
    districts = {name: make_unit(name, kind="district", parent=tra_vinh)
                 for name in ("Thị đoàn Duyên Hải", "Huyện đoàn Cầu Ngang",
                              "Huyện đoàn Châu Thành")}
    grassroots = {name: [make_unit(f"Đoàn xã {name.split()[-1]} {i}", kind="grassroots",
                                   parent=unit) for i in (1, 2)]
                  for name, unit in districts.items()}
    return tra_vinh, districts, grassroots


def test_next_meeting_rotates_the_host_and_carries_everything_over(
        make_event, province, organizer, make_user):
    _tra_vinh, districts, grassroots = province
    duyen_hai = districts["Thị đoàn Duyên Hải"]
    may = make_event(title="Hội nghị giao ban công tác Đoàn quý II/2024",
                     kind="briefing", starts_at=local(2030, 5, 17, 8, 0),
                     ends_at=local(2030, 5, 17, 11, 0), venue="Hội trường Thị ủy Duyên Hải",
                     host_unit=duyen_hai)
    add_agenda_item(may, title="Khai mạc", planned_start=local(2030, 5, 17, 8, 0))
    save_series(may, title="Giao ban công tác Đoàn năm 2024", short_name="Giao ban cụm",
                interval_months=3, hosts=[
                    {"unit": duyen_hai, "venue": "Hội trường Thị ủy Duyên Hải"},
                    {"unit": districts["Huyện đoàn Cầu Ngang"],
                     "venue": "Hội trường Huyện ủy Cầu Ngang", "venue_address": "Cầu Ngang"},
                    {"unit": districts["Huyện đoàn Châu Thành"],
                     "venue": "Hội trường UBND huyện Châu Thành"}])
    set_quota_rules(may, [{"unit_kind": "district", "seats": 2},
                          {"unit_kind": "grassroots", "seats": 1}])
    for unit in districts.values():
        apply_quota_rules(may, scope=unit) if unit is duyen_hai else set_quota(may, unit, 2)
    secretary = nominate(may, districts["Huyện đoàn Cầu Ngang"], full_name="Thạch Thị Sa")
    nominate(may, grassroots["Thị đoàn Duyên Hải"][0], full_name="Kim Văn Hải")
    moderator = make_user("staff")
    db.session.add(EventRole(event_id=may.id, user_id=moderator.id, role="moderator"))
    db.session.commit()
    create_gate(may, name="Cổng chính")
    set_stream(may, primary_url="https://www.youtube.com/watch?v=abcdefghijk")
    switch_mode(may, "online")  # Plan B on the day: not the plan for August

    proposal = propose_next(may)
    assert proposal.host_unit.name == "Huyện đoàn Cầu Ngang"
    assert proposal.venue == "Hội trường Huyện ủy Cầu Ngang"
    assert proposal.starts_at == local(2030, 8, 17, 8, 0)
    assert proposal.title == "Giao ban cụm tháng 8/2030 tại Huyện đoàn Cầu Ngang"
    assert proposal.theme == ""

    august = copy_event(may, created_by=organizer, title=proposal.title,
                        starts_at=proposal.starts_at, theme="Mô hình kinh tế thanh niên",
                        venue=proposal.venue, venue_address=proposal.venue_address,
                        host_unit=proposal.host_unit)
    assert august.mode == "in_person"
    seats = {r.unit.name: r.seats for r in quota_table(august).rows}
    assert seats == {"Thị đoàn Duyên Hải": 2, "Huyện đoàn Cầu Ngang": 2,
                     "Huyện đoàn Châu Thành": 2, "Đoàn xã Ngang 1": 1, "Đoàn xã Ngang 2": 1}
    carried = db.session.scalars(db.select(Attendee).where(Attendee.event_id == august.id)).all()
    assert [(p.full_name, p.carried_over) for p in carried] == [("Thạch Thị Sa", True)]
    assert active_invitation(carried[0]) is not None
    assert {(g.user_id, g.role) for g in august.staff} >= {(moderator.id, "moderator")}
    from checkin.attendance.models import Gate
    from checkin.events.live import livestream

    assert [g.name for g in db.session.scalars(db.select(Gate).where(
        Gate.event_id == august.id))] == ["Cổng chính"]
    assert livestream(august).primary_url.endswith("abcdefghijk")
    assert august.agenda[0].planned_start == local(2030, 8, 17, 8, 0)

    link = create_nomination_link(august, districts["Huyện đoàn Cầu Ngang"])
    assert confirm_carried_over(link) == 1
    assert quota_table(august).rows[0].to_confirm == 0

    november = propose_next(august)
    assert november.host_unit.name == "Huyện đoàn Châu Thành"
    assert secretary.full_name == "Thạch Thị Sa"


def test_a_month_only_date_is_proposed_and_shown(make_event, client, organizer):
    may = make_event(title="Giao ban", kind="briefing", starts_at=local(2030, 5, 1, 8, 0),
                     date_to_be_fixed=True)
    save_series(may, title="Giao ban 2030", short_name="Giao ban", interval_months=3)
    proposal = propose_next(may)
    assert proposal.date_to_be_fixed and proposal.starts_at == local(2030, 8, 1, 8, 0)
    login(client, organizer)
    assert "5/2030" in text(client.get(f"/events/{may.id}"))
    response = submit(client, f"/events/{may.id}/copy", data={
        "title": "Giao ban tháng 8", "month_only": "y", "starts_month": "2030-08",
        "carry_delegates": "y", "host_unit_id": "0"}, expect=302)
    new = db.session.get(Event, int(response.headers["Location"].rsplit("/", 1)[-1]))
    assert new.date_to_be_fixed and new.starts_at == local(2030, 8, 1, 8, 0)


def test_the_copy_page_proposes_the_next_host_without_typing(
        client, organizer, make_event, province):
    _tra_vinh, districts, _g = province
    may = make_event(kind="briefing", host_unit=districts["Thị đoàn Duyên Hải"],
                     starts_at=local(2030, 5, 17, 8, 0))
    login(client, organizer)
    hosts = {"title": "Giao ban công tác Đoàn 2030", "short_name": "Giao ban",
             "interval_months": "3"}
    for i, name in enumerate(["Thị đoàn Duyên Hải", "Huyện đoàn Cầu Ngang",
                              "Huyện đoàn Châu Thành"]):
        hosts[f"hosts-{i}-unit_id"] = districts[name].id
        hosts[f"hosts-{i}-venue"] = f"Hội trường {name}"
    submit(client, f"/events/{may.id}/series", data=hosts, expect=302)
    page = client.get(f"/events/{may.id}/copy").get_data(as_text=True)
    cau_ngang = districts["Huyện đoàn Cầu Ngang"].id
    assert f'<option selected value="{cau_ngang}"' in page
    assert 'value="Hội trường Huyện đoàn Cầu Ngang"' in page
    assert 'value="2030-08-17T08:00"' in page


# --- dates that stay consistent -------------------------------------------------------

def test_moving_the_meeting_moves_its_programme_and_warns_about_deadlines(make_event):
    from checkin.dialogue.services import dialogue_state

    event = make_event(starts_at=local(2030, 10, 5, 8, 0), ends_at=local(2030, 10, 5, 11, 0))
    items = [add_agenda_item(event, title=t, planned_start=local(2030, 10, 5, 8, 30 * i))
             for i, t in enumerate(["Khai mạc", "Đề dẫn"])]
    state = dialogue_state(event, for_update=True)
    state.unit_deadline = local(2030, 10, 5, 10, 0)
    db.session.commit()
    update_event(event, **_fields(event, starts_at=local(2030, 10, 5, 11, 15)))
    db.session.refresh(event)
    assert [i.planned_start for i in event.agenda] == [local(2030, 10, 5, 11, 15),
                                                      local(2030, 10, 5, 11, 45)]
    assert event.ends_at == local(2030, 10, 5, 14, 15)  # an end left as it was moves too
    assert items[0].id == event.agenda[0].id
    assert date_warnings(event) == []
    update_event(event, **_fields(event, starts_at=local(2030, 10, 5, 7, 0),
                                  ends_at=local(2030, 10, 5, 9, 0)))
    assert [w.code for w in date_warnings(event)] == ["questions_after_start"]


def test_a_past_date_is_warned_about(client, organizer):
    login(client, organizer)
    response = submit(client, "/events/new", data={
        "title": "Hội nghị đã qua", "kind": "conference", "mode": "in_person",
        "starts_at": "2019-09-20T13:30", "quotas_enabled": "y", "host_unit_id": "0"},
        follow_redirects=True)
    assert "2019" in text(response)
    assert "flash-warning" in response.get_data(as_text=True)


def test_the_check_in_window_is_per_event_and_the_gate_says_when_it_opens(make_event):
    start = utcnow() + timedelta(hours=3)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=2),
                       checkin_opens_minutes=60, checkin_closes_minutes=30)
    opens, closes = checkin_window(event)
    assert (start - opens, closes - event.ends_at) == (timedelta(hours=1),
                                                       timedelta(minutes=30))
    default = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    assert checkin_window(default)[0] == start - timedelta(hours=6)
    person = add_attendee(event, category="guest", full_name="Khách Sớm")
    result = check_in(event, active_invitation(person).token, method="scan", nonce="x1")
    assert result.code == "closed"
    assert "opens at" in result.message or "mở lúc" in result.message


def test_vietnamese_order_puts_d_stroke_after_d():
    names = ["Đỗ Văn Hùng", "Dương Minh Châu", "Đào Thị Mai", "Danh Sơn", "Ánh", "Anh", "Ăn",
             "Bình"]
    assert sorted(names, key=sort_key) == ["Anh", "Ánh", "Ăn", "Bình", "Danh Sơn",
                                           "Dương Minh Châu", "Đào Thị Mai", "Đỗ Văn Hùng"]
