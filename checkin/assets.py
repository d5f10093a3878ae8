"""Static files for slow phones: versioned URLs cached for a year, compressed once.

- Every ``url_for("static", filename=…)`` gets ``?v=<first 10 hex of the file's SHA-256>``;
  a request carrying the current hash is answered with
  ``Cache-Control: public, max-age=31536000, immutable`` — a phone never asks again until
  the file changes, and then its URL changes with it. Without ``v`` (or with an old one)
  the usual ``no-cache`` + ETag revalidation applies.
- Text responses (HTML, CSS, JS, JSON, SVG) are compressed by Flask-Compress (zstd,
  brotli or gzip, whichever the browser prefers). A versioned static file is compressed
  once per encoding and kept in memory (:class:`StaticCompressionCache`): the hall's
  server does not deflate hls.js again for every phone.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, request

YEAR = 365 * 24 * 3600


class StaticVersions:
    """Content hashes of static files, recomputed when a file's mtime or size changes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.known: dict[str, tuple[tuple[int, int], str]] = {}

    def __call__(self, filename: str) -> str | None:
        path = os.path.join(self.folder, filename)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        hit = self.known.get(filename)
        if hit is not None and hit[0] == key:
            return hit[1]
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                digest.update(chunk)
        version = digest.hexdigest()[:10]
        self.known[filename] = (key, version)
        return version


class StaticCompressionCache:
    """Flask-Compress's cache backend: keeps compressed bodies of versioned static files
    only (their content never changes under a URL); anything else is compressed per
    response, as it may differ every time."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.lock = threading.Lock()

    @staticmethod
    def key(req) -> str:
        if req.endpoint == "static" and req.args.get("v"):
            return f"static:{req.path}?v={req.args['v']}"
        return ""  # not kept: see get/set

    def get(self, key: str) -> bytes | None:
        return self.store.get(key) if ";static:" in key else None

    def set(self, key: str, value: bytes) -> None:
        if ";static:" in key:
            with self.lock:
                if len(self.store) > 512:
                    self.store.clear()
                self.store[key] = value


def init_app(app: Flask) -> None:
    from .extensions import compress

    versions = StaticVersions(app.static_folder)
    cache = StaticCompressionCache()
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml"])
    app.config.setdefault("COMPRESS_CACHE_BACKEND", lambda: cache)
    app.config.setdefault("COMPRESS_CACHE_KEY", StaticCompressionCache.key)
    app.config.setdefault("COMPRESS_STREAMS", False)  # downloads (PDF, Excel) stay as they are
    compress.init_app(app)
    compress_types = set(app.config["COMPRESS_MIMETYPES"])

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = versions(values["filename"])
            if version:
                values["v"] = version

    @app.after_request  # registered after Flask-Compress's, so it runs before it
    def static_cache(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args["v"] == versions(filename):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            if response.status_code == 200 and response.mimetype in compress_types:
                # A file is sent as a stream; as bytes, Flask-Compress compresses it once
                # (then takes it from the cache) instead of per response.
                response.direct_passthrough = False
                response.make_sequence()
        return response
