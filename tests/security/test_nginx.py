"""The application behind a real nginx with the configuration docs/deployment.md gives.

``scripts/ensure-nginx`` installs Debian's nginx (``make test`` runs it); the test starts
its own nginx on a free port with the documented ``location`` blocks, in front of
``gunicorn -k gevent -w 1`` with ``TRUSTED_PROXIES=127.0.0.1``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.security.conftest import ROOT, free_port
from tests.security.test_body_limits import Flood

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def documented_block() -> str:
    """The first nginx block of docs/deployment.md (one machine)."""
    text = (ROOT / "docs" / "deployment.md").read_text()
    return re.search(r"```nginx\n(.*?)```", text, re.S).group(1)


@pytest.fixture
def behind_nginx(tmp_path: Path, gunicorn_server):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: run scripts/ensure-nginx")
    app_host, app_port = gunicorn_server
    port = free_port()
    block = documented_block().replace("127.0.0.1:5000", f"{app_host}:{app_port}")
    for name in ("logs", "tmp"):
        (tmp_path / name).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/tmp/body;
    proxy_temp_path {tmp_path}/tmp/proxy;
    fastcgi_temp_path {tmp_path}/tmp/fastcgi;
    uwsgi_temp_path {tmp_path}/tmp/uwsgi;
    scgi_temp_path {tmp_path}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
{block}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"nginx did not start: {proc.stderr.read().decode()[:500]}")
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_documented_config_serves_the_app(behind_nginx):
    base = "http://{}:{}".format(*behind_nginx)
    assert requests.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
    page = requests.get(f"{base}/login", timeout=5)
    assert page.status_code == 200 and 'name="username"' in page.text


def test_nginx_refuses_a_large_body_before_the_app_sees_it(behind_nginx):
    flood = Flood(behind_nginx, "/login")
    try:
        status, seconds = flood.status()
    finally:
        flood.close()
    assert status == 413 and seconds < 1.0


def test_imports_may_be_larger_than_forms(behind_nginx):
    base = "http://{}:{}".format(*behind_nginx)
    body = b"x" * (2 * 1024 * 1024)  # over the forms' limit, under the imports'
    form = requests.post(f"{base}/login", data=body, timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    upload = requests.post(f"{base}/units/import", data=body, timeout=10, allow_redirects=False,
                           headers={"Content-Type": "application/octet-stream"})
    assert form.status_code == 413
    assert upload.status_code != 413  # nginx lets it through; the app asks for a sign-in
