"""The edge: what every request must satisfy before a view sees it.

* **Body size per route, before the body is read.** Forms and JSON get a small limit
  (``MAX_BODY_FORM``); only views marked :func:`allow_upload` accept a spreadsheet
  (``MAX_BODY_UPLOAD``). A body announced larger is refused with 413 from its
  ``Content-Length`` alone, and the connection is then closed rather than drained: under
  gunicorn's gevent worker, reading (and discarding) 100 MB from a fast client keeps the
  worker busy, and every other client waits.
* **Text without NUL, integers the database can hold, JSON of sane depth.** PostgreSQL refuses
  NUL in text and ids beyond ``integer`` with an error that would become a 500; here
  they become a 400/422 that names the field. URL integers are bounded by the ``int``
  converter itself (a larger one is simply not a page: 404).
* **Transport headers.** HSTS when the site is served over HTTPS.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

#: Largest integer a JSON value may carry (PostgreSQL's ``bigint``, SQLite's INTEGER).
INT64_MAX = 2**63 - 1
#: Largest id: every id column is an ``integer``, 32 bits on PostgreSQL.
DB_INT_MAX = 2**31 - 1
#: Longest value a query string parameter may carry.
MAX_QUERY_VALUE = 2048
#: JSON nested deeper than this is refused before it is parsed.
MAX_JSON_DEPTH = 32


class DbIntConverter(IntegerConverter):
    """``<int:…>`` that matches only what an id column can hold (else: 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def db_int(value: object) -> int:
    """A whole number an id column can hold, from a form or query value, else
    ``ValueError``.

    For ``request.form.get(name, type=db_int)``: ASCII digits only ("²" and "٣" are
    digits to :meth:`str.isdigit`, not to us).
    """
    text = str(value).strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 10:
        raise ValueError(value)
    number = sign * int(digits)
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def allow_upload(view: Callable) -> Callable:
    """Mark a view that receives a file: it may take up to ``MAX_BODY_UPLOAD`` bytes."""
    view.max_body = "MAX_BODY_UPLOAD"  # type: ignore[attr-defined]
    return view


def body_limit(endpoint: str | None) -> int:
    """The largest body the view behind ``endpoint`` accepts."""
    config = current_app.config
    view = current_app.view_functions.get(endpoint or "")
    return int(config[getattr(view, "max_body", "MAX_BODY_FORM")])


def _refuse(status: int, code: str, message: str, field: str | None = None):
    errors = [{"field": field, "message": message}] if field else []
    if status in (411, 413):
        # Cheap on purpose: a flood of these must cost the loop next to nothing.
        return current_app.response_class(message, status=status, mimetype="text/plain")
    if request.path.startswith("/api/") or request.is_json or (
            request.accept_mimetypes.best == "application/json"):
        response = jsonify({"error": code, "message": message, "errors": errors})
        response.status_code = status
        return response
    text = f"{message} ({field})" if field else message
    return render_template("error.html", message=text, status=status), status


def _close_after_response() -> None:
    """Make the server close this connection once the answer is written, without
    reading the rest of the body: gunicorn would otherwise read and discard it all
    before the next request on the connection, holding the gevent loop meanwhile."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RD)
        except OSError:
            pass


def _json_depth(data: bytes) -> int:
    """How deep brackets nest in a JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _bad_json_value(value: object, path: str) -> tuple[str, str] | None:
    """The first value the database could not store: (field, problem)."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where, "nul"
        elif isinstance(item, bool) or item is None or isinstance(item, float):
            continue
        elif isinstance(item, int):
            if not -INT64_MAX <= item <= INT64_MAX:
                return where, "range"
        elif isinstance(item, dict):
            for key, sub in item.items():
                if "\x00" in key:
                    return f"{where}.{key!r}" if where else repr(key), "nul"
                stack.append((sub, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((sub, f"{where}[{i}]") for i, sub in enumerate(item))
    return None


def _check_request():
    limit = body_limit(request.endpoint)
    request.max_content_length = limit  # also bounds chunked bodies as they are read
    request.max_form_memory_size = min(limit, current_app.config["MAX_FORM_MEMORY_SIZE"])
    if request.content_length is None and _is_chunked():
        # A body without a length could go on for ever, and reading it only to find out
        # costs the loop time every other client waits for. Browsers, the gate app and
        # nginx (which buffers the body) all send a length.
        _close_after_response()
        return _refuse(411, "length_required", _("The request must state its length."))
    too_large = request.content_length is not None and request.content_length > limit
    if too_large:
        _close_after_response()
        return _refuse(413, "too_large", _("The request is too large (at most %(n)s KB).",
                                           n=limit // 1024))
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return _refuse(400, "invalid", _("This field contains a character that is not "
                                             "allowed."), field=name.replace("\x00", ""))
        if len(value) > MAX_QUERY_VALUE:  # a search, a filter, a path: never this long
            return _refuse(400, "invalid", _("At most %(n)d characters.", n=MAX_QUERY_VALUE),
                           field=name)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in request.form.items(multi=True):
                if "\x00" in name or "\x00" in value:
                    return _refuse(400, "invalid", _("This field contains a character that "
                                                     "is not allowed."),
                                   field=name.replace("\x00", ""))
        elif request.is_json:
            raw = request.get_data(cache=True)
            if _json_depth(raw) > MAX_JSON_DEPTH:
                return _refuse(422, "invalid", _("The JSON is nested too deeply."))
            data = request.get_json(silent=True)
            bad = _bad_json_value(data, "") if data is not None else None
            if bad is not None:
                field, problem = bad
                message = (_("This field contains a character that is not allowed.")
                           if problem == "nul" else _("This number is out of range."))
                return _refuse(422, "invalid", message, field=field or None)
    return None


def _is_chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _transport_headers(response):
    max_age = current_app.config.get("HSTS_MAX_AGE", 0)
    if max_age:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={int(max_age)}; includeSubDomains")
    if response.status_code == 413 or (_is_chunked() and request.content_length is None):
        # A chunked body may go on for ever: never let the server read out the rest.
        _close_after_response()
        response.headers["Connection"] = "close"
    return response


def init_app(app: Flask) -> None:
    """Install the converters (before any blueprint adds its routes) and the checks."""
    app.url_map.converters["int"] = DbIntConverter
    app.config.setdefault("MAX_BODY_FORM", 256 * 1024)
    app.config.setdefault("MAX_BODY_UPLOAD", 8 * 1024 * 1024)
    app.config.setdefault("MAX_FORM_MEMORY_SIZE", 500_000)
    # The largest of all, for Werkzeug's own checks outside a request's view.
    app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_BODY_FORM"],
                                           app.config["MAX_BODY_UPLOAD"])
    app.before_request(_check_request)
    app.after_request(_transport_headers)

    from .extensions import db, socketio

    @socketio.on_error_default
    def _socket_error(exc):  # every event gets an answer, even when its handler failed
        db.session.rollback()
        current_app.logger.exception("socket event failed")
        return {"ok": False, "error": "server_error"}
