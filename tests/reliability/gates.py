"""A gate process for the load tests: posts its share of scans over keep-alive HTTP
connections, alternating between the server processes, and reports what it got back.
Imports nothing of the application (it runs in a fresh process)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlsplit


def gate_process(urls: list[str], path: str, device: str, plan: list[tuple[str, str]],
                 connections: int, out) -> None:
    """Send every ``(token, nonce)`` of ``plan`` once; put ``(statuses, results,
    latencies, errors, (first request, last answer))`` (wall-clock seconds) on ``out``."""
    statuses: dict[int, int] = {}
    results: dict[str, int] = {}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        target = urlsplit(urls[n % len(urls)])
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {device}"}
        for token, nonce in plan[n::connections]:
            body = json.dumps({"token": token, "nonce": nonce})
            for _attempt in range(5):  # a 503 or a dropped connection: send it again
                start = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                    with lock:
                        errors.append(repr(exc))
                    continue
                elapsed = time.perf_counter() - start
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    latencies.append(elapsed)
                if response.status == 503:
                    # As the gate page does: keep the scan, wait, send it again (on a new
                    # connection: the server does not keep an idle one that long).
                    conn.close()
                    time.sleep(float(response.getheader("Retry-After") or 1))
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                    continue
                if response.status == 200:
                    result = json.loads(data)["result"]
                    with lock:
                        results[result] = results.get(result, 0) + 1
                break
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    began = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((statuses, results, latencies, errors, (began, time.time())))
