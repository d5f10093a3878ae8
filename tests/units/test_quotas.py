"""Quotas by rule (seed 004) and by hand (seed 002), and the quota table."""

from __future__ import annotations

import pytest

from checkin.errors import DomainError, ValidationError
from checkin.units.services import apply_quota_rules, quota_table, set_quota, set_quota_rules

SEED_004_RULES = [
    {"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": 2},
    {"unit_kind": "branch", "min_members_exclusive": 0, "seats": 1},
    {"unit_kind": "grassroots", "min_members_exclusive": 50, "seats": 3},
]


@pytest.fixture
def bloc(make_unit):
    bloc = make_unit("Đoàn Khối cơ quan Dân Chính Đảng", kind="district", member_count=900)
    make_unit("Đoàn cơ sở Sở Y tế", parent=bloc, member_count=88)
    make_unit("Đoàn cơ sở Sở Tài chính", parent=bloc, member_count=50)  # not more than 50
    make_unit("Đoàn cơ sở Sở Tư pháp", parent=bloc, member_count=12)
    make_unit("Chi đoàn cơ sở Báo Cần Thơ", kind="branch", parent=bloc, member_count=21)
    make_unit("Chi đoàn cơ sở Thanh tra", kind="branch", parent=bloc, member_count=60)
    return bloc


def seats_by_name(event) -> dict[str, int]:
    return {row.unit.name: row.quota.seats for row in quota_table(event).rows}


def test_rules_of_seed_004_allocate_2_1_and_3_above_50_members(event, bloc, make_unit):
    make_unit("Đoàn cơ sở ngoài Khối", member_count=99)  # outside the scope
    set_quota_rules(event, SEED_004_RULES)
    result = apply_quota_rules(event, scope=bloc)
    assert seats_by_name(event) == {
        "Chi đoàn cơ sở Báo Cần Thơ": 1,
        "Chi đoàn cơ sở Thanh tra": 1,  # branches get 1 whatever their size
        "Đoàn cơ sở Sở Tài chính": 2,
        "Đoàn cơ sở Sở Tư pháp": 2,
        "Đoàn cơ sở Sở Y tế": 3,
    }
    assert result.allocated == 9 and result.units == 5
    assert quota_table(event).total_seats == 9


def test_quotas_by_hand_as_in_seed_002(event, make_unit):
    for name, seats in (("Huyện đoàn Dương Minh Châu", 22), ("Thị đoàn Hòa Thành", 24),
                        ("Thành đoàn Tây Ninh", 46)):
        set_quota(event, make_unit(name, kind="district"), seats)
    table = quota_table(event)
    assert [(r.unit.name, r.quota.seats, r.nominated) for r in table.rows] == [
        ("Huyện đoàn Dương Minh Châu", 22, 0), ("Thành đoàn Tây Ninh", 46, 0),
        ("Thị đoàn Hòa Thành", 24, 0)]
    assert (table.total_seats, table.total_nominated) == (92, 0)


def test_reapplying_rules_keeps_quotas_set_by_hand_unless_asked(event, bloc):
    set_quota_rules(event, SEED_004_RULES)
    apply_quota_rules(event, scope=bloc)
    unit = next(r.unit for r in quota_table(event).rows if r.unit.name == "Đoàn cơ sở Sở Tư pháp")
    set_quota(event, unit, 5)
    result = apply_quota_rules(event, scope=bloc)
    assert result.kept_manual == 1
    assert seats_by_name(event)["Đoàn cơ sở Sở Tư pháp"] == 5
    apply_quota_rules(event, scope=bloc, overwrite_manual=True)
    assert seats_by_name(event)["Đoàn cơ sở Sở Tư pháp"] == 2


def test_table_counts_nominated_delegates(event, quota_unit):
    from checkin.attendees.services import add_attendee, nominate

    nominate(event, quota_unit, full_name="Lê Văn Tâm")
    nominate(event, quota_unit, full_name="Phạm Thị Hoa")
    add_attendee(event, category="guest", full_name="Khách mời", unit=quota_unit)
    row = quota_table(event).rows[0]
    assert (row.quota.seats, row.nominated, row.remaining) == (3, 2, 1)


@pytest.mark.parametrize("rule, field", [
    ({"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": -1}, "rules-0-seats"),
    ({"unit_kind": "grassroots", "min_members_exclusive": "nhiều", "seats": 2},
     "rules-0-min_members_exclusive"),
    ({"unit_kind": "tổ dân phố", "min_members_exclusive": 0, "seats": 2}, "rules-0-unit_kind"),
])
def test_wrong_rules_are_refused_and_change_nothing(event, bloc, rule, field):
    set_quota_rules(event, SEED_004_RULES)
    with pytest.raises(ValidationError) as exc:
        set_quota_rules(event, [rule])
    assert exc.value.errors[0]["field"] == field
    from checkin.extensions import db

    db.session.rollback()
    assert apply_quota_rules(event, scope=bloc).allocated == 9  # old rules still there


def test_same_rule_twice_is_refused(event):
    with pytest.raises(ValidationError) as exc:
        set_quota_rules(event, [SEED_004_RULES[0], SEED_004_RULES[0]])
    assert exc.value.code == "duplicate_rule"


def test_applying_without_rules_says_so(event):
    with pytest.raises(DomainError) as exc:
        apply_quota_rules(event)
    assert exc.value.code == "no_rules"


def test_negative_seats_by_hand_are_refused(event, make_unit):
    with pytest.raises(ValidationError) as exc:
        set_quota(event, make_unit(), -3)
    assert exc.value.code == "negative"
    assert quota_table(event).rows == []


def test_zero_seats_removes_a_unit_without_delegates(event, quota_unit):
    set_quota(event, quota_unit, 0)
    assert quota_table(event).rows == []


def test_quota_table_as_json(as_organizer, event, quota_unit):
    from checkin.attendees.services import nominate

    nominate(event, quota_unit, full_name="Nguyễn Văn An")
    data = as_organizer.get(f"/api/events/{event.id}/quotas").get_json()
    assert data["total"] == {"seats": 3, "nominated": 1, "arrived": 0}
    assert data["units"][0]["unit"]["name"] == "Chi đoàn Công ty May Tây Ninh"


def test_quota_api_refuses_other_staff_in_json(client, make_user, event):
    from tests.conftest import login

    login(client, make_user("staff"))
    response = client.get(f"/api/events/{event.id}/quotas")
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_a_quota_typed_on_the_page_is_saved(as_organizer, event, quota_unit):
    response = as_organizer.post(f"/events/{event.id}/quotas",
                                 data={"unit_id": quota_unit.id, "seats": 12})
    assert response.status_code == 302
    data = as_organizer.get(f"/api/events/{event.id}/quotas").get_json()
    assert data["total"]["seats"] == 12
