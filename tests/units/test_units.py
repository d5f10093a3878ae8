"""The unit tree: adding by form, rules on names and places, deleting."""

from __future__ import annotations

import pytest

from checkin.errors import Conflict, ValidationError
from checkin.units.models import Unit
from checkin.units.services import delete_unit, unit_tree, update_unit


def test_tree_lists_parents_before_children_with_depth(make_unit):
    province = make_unit("Tỉnh đoàn Tây Ninh", kind="province")
    district = make_unit("Thị đoàn Hòa Thành", kind="district", parent=province)
    make_unit("Chi đoàn Ấp Long Mỹ", kind="branch", parent=district)
    make_unit("Huyện đoàn Dương Minh Châu", kind="district", parent=province)
    assert [(u.name, depth) for u, depth in unit_tree()] == [
        ("Tỉnh đoàn Tây Ninh", 0),
        ("Huyện đoàn Dương Minh Châu", 1),
        ("Thị đoàn Hòa Thành", 1),
        ("Chi đoàn Ấp Long Mỹ", 2),
    ]


def test_same_name_under_same_parent_is_refused_even_without_diacritics(make_unit):
    parent = make_unit("Huyện đoàn Dương Minh Châu", kind="district")
    make_unit("Chi đoàn Công ty Hòa Bình", kind="branch", parent=parent)
    with pytest.raises(ValidationError) as exc:
        make_unit("chi doan cong ty hoa binh", kind="branch", parent=parent)
    assert exc.value.code == "duplicate_unit"
    make_unit("Chi đoàn Công ty Hòa Bình", kind="branch")  # elsewhere in the tree: fine


def test_a_unit_cannot_move_under_its_own_branch(make_unit):
    top = make_unit("Tỉnh đoàn", kind="province")
    child = make_unit("Huyện đoàn", kind="district", parent=top)
    with pytest.raises(ValidationError) as exc:
        update_unit(top, name=top.name, kind="province", member_count=0, parent=child)
    assert exc.value.code == "cycle"


@pytest.mark.parametrize("kw, code", [
    ({"name": "  "}, "required"),
    ({"kind": "xã"}, "unknown_kind"),
    ({"member_count": -5}, "negative"),
    ({"member_count": "năm mươi"}, "not_a_number"),
])
def test_wrong_unit_input_is_refused(make_unit, kw, code):
    args = {"name": "Đoàn cơ sở A", "kind": "grassroots", "member_count": 10} | kw
    with pytest.raises(ValidationError) as exc:
        make_unit(**args)
    assert exc.value.code == code
    from checkin.extensions import db

    assert db.session.query(Unit).count() == 0


def test_a_unit_in_use_cannot_be_deleted(event, quota_unit, make_unit):
    with pytest.raises(Conflict) as exc:
        delete_unit(quota_unit)
    assert exc.value.code == "unit_in_use"
    lonely = make_unit("Chi đoàn lẻ", kind="branch")
    delete_unit(lonely)
    from checkin.extensions import db

    assert db.session.get(Unit, lonely.id) is None


def test_unit_pages_add_and_show_the_tree(as_organizer):
    response = as_organizer.post("/units/", data={"name": "Tỉnh đoàn Bến Tre",
                                                  "kind": "province", "member_count": "1200",
                                                  "parent_id": "0", "code": "BT"})
    assert response.status_code == 302
    page = as_organizer.get("/units/").get_data(as_text=True)
    assert "Tỉnh đoàn Bến Tre" in page and "1200" in page


def test_unit_form_with_errors_shows_them_and_adds_nothing(as_organizer):
    response = as_organizer.post("/units/", data={"name": "", "kind": "province",
                                                  "member_count": "-1", "parent_id": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    from checkin.extensions import db

    assert db.session.query(Unit).count() == 0
