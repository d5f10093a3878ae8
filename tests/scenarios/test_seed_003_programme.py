"""Seed 003 — a bloc union's programme for 2021: not one meeting but the year around them.

The product serves it by running each meeting (here a periodic dialogue between the party
committee and youth, then a forum where youth propose initiatives) and by per-unit
minimums on submissions (the idea bank's quota of ideas per unit). Question numbers
start at #1 in each meeting. People are invented.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tests.scenarios.conftest import Organizer, Secretary, soon, wall

UNITS = ["Đoàn cơ sở Sở Nông nghiệp và Phát triển Nông thôn", "Đoàn cơ sở Sở Y tế",
         "Chi đoàn Sở Tư pháp", "Đoàn cơ sở Công ty Điện lực Trà Vinh"]


def numbers(organizer, event) -> list[int]:
    html = organizer.get(f"/events/{event}/questions").get_data(as_text=True)
    return sorted(int(n) for n in re.findall(r'aria-label="#(\d+)"', html))


def test_seed_003_a_year_of_meetings_with_minimums_per_unit(app, people):
    organizer = Organizer(app, "bantochuc")
    bloc = organizer.unit("Đoàn Khối các cơ quan và Doanh nghiệp tỉnh Trà Vinh", "district")
    units = {name: organizer.unit(name, "grassroots", bloc, 40) for name in UNITS}

    meetings = []
    for title, kind, minimum, offset in [
            ("Đối thoại giữa Thường trực Đảng ủy Khối với đoàn viên, thanh niên quý II/2021",
             "dialogue", 2, 60),
            ("Diễn đàn thanh niên đề xuất ý tưởng, sáng kiến năm 2021", "forum", 3, 120)]:
        start = soon(offset)
        event = organizer.event(title=title, kind=kind, starts_at=wall(start),
                                ends_at=wall(start + timedelta(hours=2)), host_unit_id=bloc,
                                quotas_enabled=False,
                                theme="Tuổi trẻ Đoàn Khối các cơ quan và doanh nghiệp đồng "
                                      "hành cùng thanh niên khởi nghiệp, lập nghiệp")
        organizer.post(f"/events/{event}/dialogue", {
            "topics": "Khởi nghiệp\nChuyển đổi số\nMôi trường", "agencies": "",
            "unit_deadline": wall(start - timedelta(minutes=10)),
            "unit_minimum": minimum, "speaking_seconds": "180", "max_length": "500"})
        for unit_id in units.values():
            organizer.links(event, unit_id)
        meetings.append((event, minimum))

    # Units send ideas; one unit is short of the idea bank's minimum in each meeting.
    for event, minimum in meetings:
        links = organizer.link_paths(event)
        for n, name in enumerate(UNITS):
            secretary = Secretary(app, links[name])
            secretary.name(f"Bí thư {n} ({event})", "Bí thư")
            for k in range(minimum if n else minimum - 1):
                secretary.send(f"Ý tưởng {k + 1} của {name}", kind="idea",
                               nonce=f"e{event}-u{n}-{k}")
        total = sum(minimum if n else minimum - 1 for n in range(len(UNITS)))
        assert numbers(organizer, event) == list(range(1, total + 1))  # #1 in each meeting
        counts = organizer.page(f"/events/{event}/questions")
        assert f"{UNITS[0]} {minimum - 1} {minimum}" in counts
        assert f"{UNITS[1]} {minimum} {minimum}" in counts
        report = organizer.report_csv(event, "dialogue")
        assert report.count("Ý tưởng") >= total
