"""Responses that hand a stored file to the browser (shared by several packages' views)."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, make_response
from sqlalchemy import select

from .extensions import db


def contribution_download(contribution):
    """A contribution's uploaded text as an attachment (never rendered inline), with its
    original (Vietnamese) file name."""
    from .events.models import Contribution
    from .events.services import DOCUMENT_TYPES

    data = db.session.scalar(select(Contribution.document).where(
        Contribution.id == contribution.id))
    if not data or contribution.document_type not in DOCUMENT_TYPES:
        abort(404)
    response = make_response(data)
    response.mimetype = DOCUMENT_TYPES[contribution.document_type]
    ascii_name = f"tham-luan-{contribution.id}.{contribution.document_type}"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(contribution.document_name)}")
    response.headers["Cache-Control"] = "private, no-store"
    return response
