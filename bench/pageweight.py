"""First-load weight and LCP of a delegate's invitation page and of the gate page, in
Chromium on DevTools' "Slow 4G" with a 4× CPU slowdown.

    .venv/bin/python bench/pageweight.py [runs]      # default: 3 runs, the median printed

Prepares a throw-away SQLite database with the demo (the Tây Ninh dialogue, in person),
starts the production server (gunicorn, one gevent worker) and opens each page in a fresh
browser context (empty cache) of /usr/bin/chromium through Playwright. Network and CPU
are throttled over the DevTools protocol (Network.emulateNetworkConditions: 562.5 ms
latency, 180,000 B/s down, 84,375 B/s up — DevTools' Slow 4G; Emulation.setCPUThrottlingRate
4). Bytes are what went over the wire (the sum of ``encodedDataLength`` of every
response, headers included); LCP is the last ``largest-contentful-paint`` entry. A second
load in the same context shows what a returning phone transfers. The gate page is
measured before its camera starts. Each page is requested twice before (the server's
first requests compile templates).

Ratios: to the figures issue 14 measured the same way before this work (invitation page
482 KB, LCP 1.86 s; gate page 362 KB, LCP 3.5 s).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import urllib.request
from datetime import timedelta

from harness import ROOT, gunicorn  # bench/harness.py, beside this script

BEFORE = {"invitation": (482_000, 1.86), "gate": (362_000, 3.5)}
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000,
           "uploadThroughput": 84_375}
LCP_SCRIPT = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
"""


def prepare(db_url: str) -> tuple[str, str]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from checkin import create_app
    from checkin.attendance.services import make_device_token
    from checkin.attendees.invitations import active_invitations
    from checkin.demo import load_demo
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.types import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo(admin_password="checkin-demo")
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        event.starts_at = utcnow() - timedelta(minutes=10)
        event.ends_at = event.starts_at + timedelta(hours=3)
        db.session.commit()
        token = next(iter(active_invitations(event).values())).token
        return token, make_device_token(event, gate_name="Cổng 1")


def load(browser, url: str, cookies: list[dict]) -> list[tuple[int, float, int]]:
    """[(bytes, LCP s, requests)] for a first load and a second one in the same context."""
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  device_scale_factor=3, is_mobile=True, has_touch=True)
    if cookies:
        context.add_cookies(cookies)
    context.add_init_script(LCP_SCRIPT)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    sizes: dict[str, int] = {}
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    out = []
    for _ in range(2):
        sizes.clear()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(1500)  # late requests, the last LCP candidate
        out.append((sum(sizes.values()), page.evaluate("window.__lcp") / 1000, len(sizes)))
    context.close()
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    db_url = f"sqlite:///{tempfile.mkdtemp()}/pageweight.db"
    token, device = prepare(db_url)
    with gunicorn(db_url) as (_server, base), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        host = base.split("//")[1].split(":")[0]
        pages = {
            "invitation": (f"{base}/i/{token}", []),
            "gate": (f"{base}/gate", [{"name": "gate_device", "value": device,
                                       "domain": host, "path": "/"}]),
        }
        for url, cookies in pages.values():  # the server's first requests compile templates
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
            for _ in range(2):
                urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}))
        print(f"Chromium, Slow 4G (562.5 ms, 180 kB/s) + 4x CPU; median of {runs} runs; "
              f"load average {os.getloadavg()[0]:.2f}")
        for name, (url, cookies) in pages.items():
            results = [load(browser, url, cookies) for _ in range(runs)]
            first_bytes = statistics.median(r[0][0] for r in results)
            first_lcp = statistics.median(r[0][1] for r in results)
            again_bytes = statistics.median(r[1][0] for r in results)
            requests = results[0][0][2]
            before_bytes, before_lcp = BEFORE[name]
            print(f"  {name:10s} first load {first_bytes / 1000:6.1f} KB in {requests} "
                  f"requests, LCP {first_lcp:4.2f} s; returning {again_bytes / 1000:5.1f} KB"
                  f"   (ratio to before: bytes {first_bytes / before_bytes:.2f}, "
                  f"LCP {first_lcp / before_lcp:.2f})")
        browser.close()


if __name__ == "__main__":
    main()
