"""Demo data built from seeds 002 (Tây Ninh dialogue) and 004 (Cần Thơ forum).

Units, agendas, quotas and guests follow the seeds; every person is invented.
The meetings are placed in the coming weeks so that nominating, and later
check-in, can be tried at once.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from .attendees.services import add_attendee, nominate, save_letter_head
from .auth.services import assign_event_role, create_user
from .events.services import add_agenda_item, add_contribution, create_event
from .extensions import db
from .i18n import fold, from_local, to_local
from .types import utcnow
from .units.services import (
    apply_quota_rules,
    create_missing_nomination_links,
    create_unit,
    set_quota,
    set_quota_rules,
)

DEMO_ADMIN = "admin"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_M = ["Văn", "Hữu", "Minh", "Quốc", "Thành", "Hoàng", "Đức", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Bảo", "Thu", "Hồng"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Khang", "Lộc", "Nam", "Phúc", "Quân",
           "Sơn", "Tài", "Thắng", "Tín", "Vinh", "Khoa", "Hiếu", "Trí"]
GIVEN_F = ["Anh", "Châu", "Diễm", "Giang", "Hạnh", "Hương", "Lan", "Linh", "My", "Ngân",
           "Nhi", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Uyên", "Yến"]
BRANCH_POSITIONS = ["Bí thư Chi đoàn", "Phó Bí thư Chi đoàn", "Ủy viên BCH Chi đoàn",
                    "Chi hội trưởng", "Chi hội phó"]


class _Names:
    """Invented Vietnamese names, never the same twice in one demo."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            if self.rng.random() < 0.5:
                name = (f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE_M)} "
                        f"{self.rng.choice(GIVEN_M)}")
            else:
                name = (f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE_F)} "
                        f"{self.rng.choice(GIVEN_F)}")
            if name not in self.used:
                self.used.add(name)
                return name


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return from_local(datetime.combine(day.date(), time(hour, minute)))


def _agenda(event, start: datetime, items: list[tuple[str, int, str]]):
    made = []
    when = start
    for title, minutes, presenter in items:
        made.append(add_agenda_item(event, title=title, planned_start=when,
                                    duration_minutes=minutes, presenter=presenter))
        when += timedelta(minutes=minutes)
    return made


def _staff(password: str):
    admin = create_user(username=DEMO_ADMIN, password=password, full_name="Quản trị hệ thống",
                        role="admin")
    organizer = create_user(username="bantochuc", password=password,
                            full_name="Ban Tổ chức - Kiểm tra", role="organizer")
    secretary = create_user(username="thuky", password=password, full_name="Thư ký hội nghị",
                            role="staff")
    gate = create_user(username="cong1", password=password, full_name="Tổ đón tiếp Cổng 1",
                       role="staff")
    return admin, organizer, secretary, gate


def load_tay_ninh(organizer, names: _Names):
    """Seed 002: leaders' dialogue with worker-youth branches, three districts (22, 24, 46)."""
    province = create_unit(name="Tỉnh đoàn Tây Ninh", kind="province", member_count=52000,
                           code="TN")
    districts = [
        create_unit(name="Huyện đoàn Dương Minh Châu", kind="district", member_count=4100,
                    parent=province, code="TN-DMC"),
        create_unit(name="Thị đoàn Hòa Thành", kind="district", member_count=3800,
                    parent=province, code="TN-HT"),
        create_unit(name="Thành đoàn Tây Ninh", kind="district", member_count=6900,
                    parent=province, code="TN-TP"),
    ]
    agencies = ["Ban Dân vận Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy",
                "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Sở Nội vụ", "Hội Cựu chiến binh tỉnh",
                "Hội Nông dân tỉnh", "Hội Liên hiệp Phụ nữ tỉnh"]
    day = to_local(utcnow()) + timedelta(days=21)
    event = create_event(
        created_by=organizer, kind="dialogue", mode="in_person",
        title="Gặp gỡ, đối thoại giữa lãnh đạo Tỉnh đoàn với Ban Chấp hành Chi đoàn, Chi hội "
              "thanh niên công nhân trong doanh nghiệp và trên địa bàn dân cư",
        theme="Lắng nghe kiến nghị, đề xuất, tâm tư, nguyện vọng của đoàn viên, thanh niên công "
              "nhân; định hướng tháo gỡ khó khăn trong công tác Đoàn, Hội tại doanh nghiệp",
        starts_at=_at(day, 8), ends_at=_at(day, 11, 30),
        venue="Sảnh Trung tâm học tập sinh hoạt thanh thiếu nhi Tây Ninh",
        venue_address="Thành phố Tây Ninh, tỉnh Tây Ninh",
        nomination_deadline=_at(day - timedelta(days=7), 17),
        host_unit=province)
    _agenda(event, _at(day, 8), [
        ("Tuyên bố lý do, giới thiệu đại biểu", 10, "Ban Tổ chức"),
        ("Báo cáo đề dẫn", 20, "Lãnh đạo Tỉnh đoàn"),
        ("Phóng sự các gương đoàn viên tiêu biểu, cách làm hay trong tập hợp thanh niên công "
         "nhân", 15, ""),
        ("Đối thoại trực tiếp", 120, "Chủ trì: Ban Thường vụ Tỉnh đoàn"),
        ("Kết luận của chủ trì", 15, "Bí thư Tỉnh đoàn"),
        ("Kết thúc hội nghị", 5, ""),
    ])
    save_letter_head(event, superior_body="BCH Đoàn TNCS Hồ Chí Minh tỉnh Tây Ninh",
                     issuing_body="Ban Thường vụ Tỉnh đoàn", number="45-GM/TĐTN",
                     place="Tây Ninh", signer_on_behalf="TM. BAN THƯỜNG VỤ TỈNH ĐOÀN",
                     signer_title="BÍ THƯ", signer_name=names())
    for unit, seats in zip(districts, (22, 24, 46), strict=True):
        set_quota(event, unit, seats)
    create_missing_nomination_links(event)
    # Dương Minh Châu has named everyone; the others are still at it.
    for unit, named in zip(districts, (22, 10, 30), strict=True):
        for i in range(named):
            name = names()
            nominate(event, unit, full_name=name, position=BRANCH_POSITIONS[i % 5],
                     phone="" if i % 3 else f"0900{unit.id:03d}{i:03d}",
                     email="" if i % 4 else f"{fold(name).replace(' ', '.')}@example.vn")
    for agency in agencies:
        add_attendee(event, category="guest", full_name=names(), position="Lãnh đạo",
                     organization=agency)
    for _ in range(3):
        add_attendee(event, category="presidium", full_name=names(),
                     position="Ủy viên Ban Thường vụ Tỉnh đoàn", unit=province)
    add_attendee(event, category="press", full_name=names(), position="Phóng viên",
                 organization="Báo Tây Ninh")
    return event


def load_can_tho(organizer, names: _Names):
    """Seed 004: forum on the model young cadre; quotas by rule (2, 1, >50 members: 3)."""
    city = create_unit(name="Thành đoàn Cần Thơ", kind="province", member_count=61000,
                       code="CT")
    bloc = create_unit(name="Đoàn Khối cơ quan Dân Chính Đảng thành phố Cần Thơ",
                       kind="district", member_count=2600, parent=city, code="CT-DCD")
    grassroots = [
        ("Đoàn cơ sở Văn phòng Thành ủy", 64), ("Đoàn cơ sở Sở Tư pháp", 38),
        ("Đoàn cơ sở Sở Tài chính", 55), ("Đoàn cơ sở Sở Nội vụ", 41),
        ("Đoàn cơ sở Sở Y tế", 88), ("Đoàn cơ sở Sở Giáo dục và Đào tạo", 72),
        ("Đoàn cơ sở Sở Lao động - Thương binh và Xã hội", 47),
        ("Đoàn cơ sở Sở Văn hóa, Thể thao và Du lịch", 50),
        ("Đoàn cơ sở Sở Khoa học và Công nghệ", 33), ("Đoàn cơ sở Sở Xây dựng", 29),
        ("Đoàn cơ sở Sở Công Thương", 44), ("Đoàn cơ sở Sở Nông nghiệp", 51),
        ("Đoàn cơ sở Sở Giao thông vận tải", 58), ("Đoàn cơ sở Sở Kế hoạch và Đầu tư", 36),
        ("Đoàn cơ sở Sở Tài nguyên và Môi trường", 61), ("Đoàn cơ sở Bảo hiểm xã hội", 27),
        ("Đoàn cơ sở Cục Thuế thành phố", 45),
    ]
    branches = [
        ("Chi đoàn cơ sở Thành Đoàn Cần Thơ", 24),
        ("Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6", 18),
        ("Chi đoàn cơ sở Ban Tuyên giáo Thành ủy", 12), ("Chi đoàn cơ sở Ban Dân vận Thành ủy", 9),
        ("Chi đoàn cơ sở Ủy ban Mặt trận Tổ quốc thành phố", 14),
        ("Chi đoàn cơ sở Hội Liên hiệp Phụ nữ thành phố", 11),
        ("Chi đoàn cơ sở Hội Nông dân thành phố", 8), ("Chi đoàn cơ sở Liên đoàn Lao động", 16),
        ("Chi đoàn cơ sở Báo Cần Thơ", 21), ("Chi đoàn cơ sở Sở Ngoại vụ", 10),
        ("Chi đoàn cơ sở Sở Thông tin và Truyền thông", 19),
        ("Chi đoàn cơ sở Thanh tra thành phố", 7),
    ]
    units = [create_unit(name=n, kind="grassroots", member_count=m, parent=bloc)
             for n, m in grassroots]
    units += [create_unit(name=n, kind="branch", member_count=m, parent=bloc)
              for n, m in branches]
    day = to_local(utcnow()) + timedelta(days=35)
    event = create_event(
        created_by=organizer, kind="forum", mode="in_person",
        title="Hội nghị tọa đàm định hướng xây dựng hình mẫu thanh niên thời kỳ mới gắn với "
              "phong trào 3 trách nhiệm",
        theme="“Phát huy hiệu quả vai trò trách nhiệm, tiên phong, gương mẫu xây dựng hình mẫu "
              "thanh niên thời kỳ mới đáp ứng yêu cầu nhiệm vụ trong thời đại chuyển đổi số”",
        starts_at=_at(day, 13, 30), ends_at=_at(day, 17),
        venue="Hội trường Trung tâm Dịch vụ việc làm thanh niên Cần Thơ",
        venue_address="Số 41 đường CMT8, phường An Hòa, quận Ninh Kiều, thành phố Cần Thơ",
        nomination_deadline=_at(day - timedelta(days=12), 16),
        host_unit=units[len(grassroots)])
    items = _agenda(event, _at(day, 13, 30), [
        ("Tuyên bố lý do, giới thiệu đại biểu", 10, "Ban Tổ chức"),
        ("Báo cáo đề dẫn", 20, "Đồng chí Bí thư Đoàn Khối"),
        ("Báo cáo chuyên đề xây dựng hình mẫu thanh niên thời kỳ mới", 30,
         "Đồng chí Báo cáo viên"),
        ("Các đơn vị tham luận", 60, ""),
        ("Phát biểu của đại diện Ban Thường vụ Đảng ủy Khối, đại biểu, khách mời", 30, ""),
        ("Đồng chí Bí thư Đoàn Khối kết luận Hội nghị", 15, "Bí thư Đoàn Khối"),
        ("Bế mạc Hội nghị, chụp ảnh lưu niệm", 15, ""),
    ])
    for unit, title in (
        (units[4], "Mô hình “Cán bộ đoàn trách nhiệm” trong ngành y tế"),
        (units[5], "Cán bộ Đoàn trẻ tiên phong chuyển đổi số trong trường học"),
        (units[len(grassroots)], "Tác phong, lề lối công tác của cán bộ Đoàn cơ quan Thành Đoàn"),
        (units[len(grassroots) + 1], "Thanh niên vùng 6 với chất lượng và phát triển thị trường"),
    ):
        add_contribution(items[3], unit=unit, title=title)
    save_letter_head(event, superior_body="Thành đoàn Cần Thơ",
                     issuing_body="BCH Đoàn Khối cơ quan Dân Chính Đảng", number="121-GM/ĐTN",
                     place="Cần Thơ", signer_on_behalf="TM. BAN THƯỜNG VỤ",
                     signer_title="BÍ THƯ", signer_name=names())
    set_quota_rules(event, [
        {"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": 2},
        {"unit_kind": "branch", "min_members_exclusive": 0, "seats": 1},
        {"unit_kind": "grassroots", "min_members_exclusive": 50, "seats": 3},
    ])
    apply_quota_rules(event, scope=bloc)
    create_missing_nomination_links(event)
    for unit in units[:8]:
        nominate(event, unit, full_name=names(), position="Bí thư Đoàn cơ sở")
    for organization in ("Thường trực Thành Đoàn Cần Thơ",
                         "Ban Tuyên giáo Đảng ủy Khối cơ quan Dân Chính Đảng",
                         "Đảng ủy Thành Đoàn Cần Thơ",
                         "Đảng ủy Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"):
        add_attendee(event, category="guest", full_name=names(), position="Lãnh đạo",
                     organization=organization)
    for organization in ("Báo Cần Thơ", "Đài Phát thanh và Truyền hình thành phố Cần Thơ"):
        add_attendee(event, category="press", full_name=names(), position="Phóng viên",
                     organization=organization)
    return event


IDEAS = [
    ("idea", "Số hóa hồ sơ đoàn viên bằng mã QR", "Chuyển đổi số"),
    ("idea", "Chatbot giải đáp thủ tục hành chính cho người dân", "Cải cách hành chính"),
    ("initiative", "Phần mềm theo dõi công văn đến của Chi đoàn", "Chuyển đổi số"),
    ("idea", "Ngày thứ Bảy văn minh công sở", "Văn hóa công sở"),
    ("idea", "Tổ thanh niên tình nguyện hướng dẫn dịch vụ công trực tuyến",
     "Cải cách hành chính"),
    ("initiative", "Mẫu báo cáo nhanh hoạt động Đoàn trên bảng tính dùng chung",
     "Công tác Đoàn, Hội"),
    ("idea", "Góc sách điện tử cho cán bộ trẻ", "Giáo dục, đào tạo"),
    ("idea", "Thu gom pin cũ tại cơ quan", "Môi trường"),
    ("idea", "Tuyến đường thanh niên an toàn giao thông", "An toàn giao thông"),
    ("initiative", "Quy trình tiếp nhận ý kiến đoàn viên qua mã QR", "Chuyển đổi số"),
]


def load_plans(organizer, event, names: _Names) -> None:
    """Seed 004's preparation plan for the Cần Thơ forum (one task late, in red), and a
    year's programme in the spirit of seed 003 for the same bloc, with invented ideas."""
    from .plans import services as plans
    from .units.models import Unit

    hosts = db.session.query(Unit).filter(Unit.name.in_((
        "Chi đoàn cơ sở Thành Đoàn Cần Thơ",
        "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"))) \
        .order_by(Unit.name).all()
    host, cohost = (hosts[0], hosts[1]) if "Thành Đoàn" in hosts[0].name else (hosts[1],
                                                                                 hosts[0])
    tasks = plans.apply_template(event, plans.ensure_builtin_templates(), host_unit=host,
                                 cohost_unit=cohost, office_user=organizer)
    plans.set_task_status(tasks[0], "done")
    plans.set_task_status(tasks[1], "in_progress")
    late_unit = db.session.query(Unit).filter_by(name="Đoàn cơ sở Sở Y tế").one()
    plans.add_task(event, title="Gửi danh sách đoàn viên tham dự và bài tham luận dự kiến",
                   deliverable="list", owner_unit=late_unit,
                   due_at=_at(to_local(utcnow()) - timedelta(days=2), 17),
                   note="Đơn vị chưa gửi, Văn phòng đã nhắc qua nhóm Zalo.")
    for unit, mailbox in ((host, "cd.thanhdoan"), (cohost, "cd.vung6"),
                          (late_unit, "dcs.soyte")):
        plans.set_unit_contact(unit, email=f"{mailbox}@example.vn", name=names())

    bloc = event.host_unit.parent
    year = to_local(utcnow()).year
    programme = plans.create_programme(title=f"Chương trình công tác năm {year}", year=year,
                                       created_by=organizer, scope=bloc)
    this_quarter = (to_local(event.starts_at).month - 1) // 3 + 1
    for q in range(1, 5):
        plans.add_planned_meeting(
            programme, title=f"Đối thoại giữa Thường trực Đảng ủy Khối với đoàn viên, "
                             f"thanh niên quý {('I', 'II', 'III', 'IV')[q - 1]}",
            kind="dialogue", period_kind="quarter", period=q,
            event=event if q == this_quarter and to_local(event.starts_at).year == year
            else None)
    plans.add_planned_meeting(programme, title="Diễn đàn “Tuổi trẻ sáng tạo”", kind="forum",
                              period_kind="month", period=9)
    plans.set_target_rules(programme, [
        {"metric": "ideas", "unit_kind": "grassroots", "min_members_exclusive": 0, "amount": 4},
        {"metric": "ideas", "unit_kind": "grassroots", "min_members_exclusive": 50,
         "amount": 6},
        {"metric": "ideas", "unit_kind": "branch", "min_members_exclusive": 0, "amount": 2},
        {"metric": "initiatives", "unit_kind": "grassroots", "min_members_exclusive": 0,
         "amount": 1},
        {"metric": "delegates", "unit_kind": "grassroots", "min_members_exclusive": 0,
         "amount": 2},
    ])
    plans.apply_target_rules(programme)
    links = plans.ensure_links(programme)
    rng = random.Random(2021)
    start = from_local(datetime(year, 1, 1))
    span = max((utcnow() - start).total_seconds(), 3600)
    for n, (kind, title, field) in enumerate(IDEAS * 2):
        link = links[rng.randrange(len(links))]
        plans.submit_idea(link, kind=kind, title=title if n < len(IDEAS) else f"{title} (mở rộng)",
                          description="Ý tưởng do đoàn viên đề xuất qua hộp thư sáng kiến.",
                          field=field, author_name=names(),
                          at=start + timedelta(seconds=rng.uniform(0, span)))


def load_demo(*, admin_password: str) -> str:
    """Create the demo accounts, units and both meetings; returns a summary."""
    admin, organizer, secretary, gate = _staff(admin_password)
    names = _Names(2021)
    events = [load_tay_ninh(organizer, names), load_can_tho(organizer, names)]
    load_plans(organizer, events[1], names)
    for event in events:
        assign_event_role(event, secretary, "moderator")
        assign_event_role(event, gate, "gate")
    return (f"Demo loaded: {len(events)} events; accounts {admin.username}, "
            f"{organizer.username}, {secretary.username}, {gate.username} "
            f"(password: {admin_password}).")
