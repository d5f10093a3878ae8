"""Fan-out and joins: our server against a plain Node socket.io server, in the same run.

    .venv/bin/python bench/fanout.py [clients ...]      # default: 1000

Needs Node and, once, ``npm install`` in bench/node (its package.json; node_modules is
not committed) — the script runs it if missing.

For each N: prepares a throw-away SQLite database with a dialogue in progress (a dozen
approved and answered questions in Vietnamese: a realistic ~4 KB public state), N
invited delegates (their phones), starts the production server (gunicorn, one gevent
worker), and connects N Socket.IO clients (asyncio, in a separate process) over
WebSocket that **offer permessage-deflate as phone browsers do**, each following its own
invitation. Then the chair approves one more question over HTTP and every client times
the "dialogue" message that carries it. The same clients then do the same against
bench/node/server.js, which receives the very message our server sent and broadcasts it.

Prints, for both servers: last/p50/p99 delivery, server CPU per join (connect + follow)
and per phone for the broadcast (the worker's user + system time from /proc), the
message's bytes, whether compression was negotiated, RSS; and the ratios.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from harness import ROOT, gunicorn  # bench/harness.py, beside this script

NODE_DIR = ROOT / "bench" / "node"
TICK = os.sysconf("SC_CLK_TCK")

QUESTIONS = [
    "Doanh nghiệp nơi em làm việc thường xuyên tăng ca đến 22 giờ, thanh niên công nhân không "
    "còn thời gian tham gia sinh hoạt Chi đoàn. Tỉnh đoàn có kiến nghị gì với doanh nghiệp?",
    "Nhà trọ gần khu công nghiệp giá thuê tăng mạnh, nhiều bạn phải ở ghép 5–6 người một "
    "phòng. Đề nghị Tỉnh đoàn phối hợp xây dựng thiết chế văn hóa và nhà ở cho công nhân.",
    "Con em công nhân không có chỗ gửi trẻ khi bố mẹ làm ca đêm. Có mô hình nhóm trẻ nào "
    "được Đoàn hỗ trợ không ạ?",
    "Đề nghị mở lớp bồi dưỡng kỹ năng số, tin học văn phòng miễn phí vào Chủ nhật cho đoàn "
    "viên làm việc tại các doanh nghiệp FDI.",
    "Việc chuyển sinh hoạt Đoàn khi thanh niên chuyển nơi làm việc còn phức tạp, mất nhiều "
    "thời gian. Có thể làm trên ứng dụng được không?",
    "Chi hội thanh niên khu dân cư thiếu kinh phí hoạt động; đề nghị hướng dẫn cách vận "
    "động nguồn lực xã hội hóa đúng quy định.",
    "Nhiều bạn trẻ muốn khởi nghiệp nhưng không tiếp cận được vốn vay ưu đãi. Quỹ hỗ trợ "
    "thanh niên khởi nghiệp của tỉnh giải ngân như thế nào?",
    "Đề nghị tổ chức các giải thể thao, văn nghệ giữa các doanh nghiệp vào dịp cuối năm để "
    "thanh niên công nhân giao lưu, gắn bó hơn.",
    "Làm thế nào để phát triển đảng viên trong thanh niên công nhân ở doanh nghiệp tư nhân?",
    "Thanh niên công nhân gặp tai nạn lao động thường không biết quyền lợi bảo hiểm của "
    "mình. Đoàn có thể phối hợp Công đoàn tuyên truyền không?",
    "Đề nghị có chính sách hỗ trợ học nghề, nâng cao tay nghề cho công nhân trẻ lớn tuổi.",
    "Tuyến xe buýt đến khu công nghiệp chưa phù hợp giờ tan ca. Đề nghị kiến nghị điều chỉnh.",
]


def prepare(db_url: str, clients: int) -> tuple[int, list[str], int]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from checkin import create_app
    from checkin.attendance.services import check_in
    from checkin.attendees.invitations import active_invitation
    from checkin.attendees.services import add_attendee
    from checkin.auth.services import create_user
    from checkin.dialogue.services import approve, ask, mark_answered, set_agenda
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.types import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        event = db.session.scalars(select(Event)).first()
        if event is None:
            from checkin.events.services import create_event

            create_user(username="chair", password="fanout-bench", full_name="Chủ trì",
                        role="admin")
            event = create_event(created_by=None, title="Đối thoại — bench", kind="dialogue",
                                 starts_at=utcnow() - timedelta(minutes=10))
        people = [add_attendee(event, category="guest", full_name=f"Đại biểu {i}")
                  for i in range(clients)]
        for person in people[:len(QUESTIONS)]:
            check_in(event, active_invitation(person).token)
        set_agenda(event, questions_open=True)
        for i, text in enumerate(QUESTIONS):
            question = approve(ask(event, people[i % len(people)], text=text))
            if i % 3 == 0:
                mark_answered(question)
        question = ask(event, people[0], text="Đề nghị Tỉnh đoàn cho biết lộ trình hỗ trợ "
                                               "thanh niên công nhân học tiếp lên cao đẳng.")
        return event.id, [active_invitation(p).token for p in people], question.id


async def run_clients(url: str, tokens: list[str], ready, go, out) -> None:
    import socketio

    received: list[float] = []
    payloads: list[str] = []
    clients = []
    negotiated = []
    sentinel = asyncio.Event()

    async def one(token: str) -> None:
        # Phones' browsers offer permessage-deflate; so does this client.
        client = socketio.AsyncClient(reconnection=False,
                                      websocket_extra_options={"compress": 15})
        done = False

        @client.on("dialogue")
        async def on_dialogue(state):
            nonlocal done
            if not done and go.is_set():
                done = True
                received.append(time.time())
                if not payloads:
                    payloads.append(json.dumps(state, ensure_ascii=False))
                if len(received) == len(tokens):
                    sentinel.set()

        await client.connect(url, transports=["websocket"], wait_timeout=30)
        await client.call("follow", {"token": token}, timeout=60)
        clients.append(client)
        if not negotiated:
            ws = getattr(client.eio, "ws", None)
            negotiated.append(bool(getattr(ws, "compress", 0)))

    start = time.perf_counter()
    for first in range(0, len(tokens), 100):  # connect in waves, as a hall fills up
        await asyncio.gather(*(one(t) for t in tokens[first:first + 100]))
    ready.put((len(clients), time.perf_counter() - start, negotiated[:1] == [True]))
    while not go.is_set():
        await asyncio.sleep(0.01)
    try:
        await asyncio.wait_for(sentinel.wait(), timeout=60)
    except TimeoutError:
        pass
    out.put((received, payloads[0] if payloads else ""))
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def client_process(url, tokens, ready, go, out) -> None:
    asyncio.run(run_clients(url, tokens, ready, go, out))


def cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def worker_of(arbiter: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def drive(base: str, pid: int, tokens: list[str], trigger) -> dict:
    """Connect the phones to ``base``, call ``trigger()`` and time the deliveries."""
    ctx = multiprocessing.get_context("spawn")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    idle = rss_mb(pid)
    cpu0 = cpu(pid)
    proc = ctx.Process(target=client_process, args=(base, tokens, ready, go, out))
    proc.start()
    connected, connect_s, compressed = ready.get(timeout=600)
    time.sleep(0.5)
    cpu1 = cpu(pid)
    loaded = rss_mb(pid)
    go.set()
    start = time.time()
    trigger()
    received, payload = out.get(timeout=120)
    cpu2 = cpu(pid)
    proc.join(timeout=60)
    delays = sorted((t - start) * 1000 for t in received) or [float("nan")]
    q = statistics.quantiles(delays, n=100) if len(delays) > 1 else delays * 99
    return {"connected": connected, "received": len(received), "last": delays[-1],
            "p50": q[49], "p99": q[98], "join_ms": (cpu1 - cpu0) * 1000 / max(1, connected),
            "fan_us": (cpu2 - cpu1) * 1e6 / max(1, connected), "payload": payload,
            "compressed": compressed, "idle": idle, "loaded": loaded, "connect_s": connect_s}


def node_server() -> subprocess.Popen:
    if not (NODE_DIR / "node_modules" / "socket.io").exists():
        subprocess.run([shutil.which("npm") or "npm", "install", "--no-audit", "--no-fund",
                        "--silent"], cwd=NODE_DIR, check=True)
    proc = subprocess.Popen(["node", "server.js"], cwd=NODE_DIR, stdout=subprocess.PIPE,
                            text=True)
    proc.port = int(proc.stdout.readline())
    return proc


def measure(n: int) -> None:
    import requests

    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/fanout.db"
    event_id, tokens, question_id = prepare(db_url, n)
    with gunicorn(db_url, "--worker-connections", "10000") as (server, base):
        time.sleep(1)
        pid = worker_of(server.pid)
        chair = requests.Session()
        page = chair.get(f"{base}/login").text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        chair.post(f"{base}/login", data={"username": "chair", "password": "fanout-bench",
                                          "csrf_token": csrf})
        console = chair.get(f"{base}/events/{event_id}/console").text
        token = re.search(r'"csrf": "([^"]+)"', console).group(1)

        def approve() -> None:
            response = chair.post(
                f"{base}/events/{event_id}/questions/{question_id}/approve",
                headers={"X-CSRFToken": token, "Accept": "application/json"})
            assert response.json()["ok"], response.text

        ours = drive(base, pid, tokens, approve)
    node = node_server()
    try:
        node_base = f"http://127.0.0.1:{node.port}"
        message = ours["payload"].encode()

        def emit() -> None:
            requests.post(f"{node_base}/emit", data=message,
                          headers={"Content-Type": "application/json"})

        ref = drive(node_base, node.pid, tokens, emit)
    finally:
        node.terminate()
        node.wait(timeout=10)
    size = len(ours["payload"].encode())
    escaped = len(json.dumps(json.loads(ours["payload"] or "{}")).encode())
    print(f"\n{n} phones, load average {os.getloadavg()[0]:.2f}; dialogue message "
          f"{size} B as sent (UTF-8; {escaped} B with \\u escapes)")
    for name, r in (("checkin (gunicorn gevent)", ours), ("Node socket.io 4", ref)):
        print(f"  {name:26s} {r['received']:5d}/{r['connected']} received  last "
              f"{r['last']:7.1f} ms  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
              f"join {r['join_ms']:5.2f} ms CPU  broadcast {r['fan_us']:6.1f} µs CPU/phone  "
              f"deflate negotiated: {'yes' if r['compressed'] else 'no'}  "
              f"RSS {r['idle']:.0f} → {r['loaded']:.0f} MB")
    print(f"  ratio checkin / Node: last delivery {ours['last'] / ref['last']:.2f}, "
          f"join CPU {ours['join_ms'] / max(ref['join_ms'], 1e-3):.2f}, broadcast CPU "
          f"{ours['fan_us'] / max(ref['fan_us'], 1e-3):.2f}")


def main() -> None:
    import resource

    # Each client is a socket on both sides: lift the usual 1,024 open-file limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    for n in [int(a) for a in sys.argv[1:]] or [1000]:
        measure(n)


if __name__ == "__main__":
    main()
