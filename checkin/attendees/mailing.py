"""Sending invitations by e-mail: resumable, never twice unless asked.

Each message is a row in ``email_deliveries``: created *pending*, claimed as
*sending* by one sender (an atomic UPDATE, so two senders never take the same
row), then *sent* or *failed* with the server's answer. A batch cut short by a
crash or a lost connection resumes with the rows still pending. A row left in
*sending* by a crash is reported as interrupted and not resent automatically:
the message may have left.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from ..extensions import db
from ..i18n import format_when
from ..types import utcnow
from .invitations import active_invitations, invitation_url
from .models import Attendee, EmailDelivery, Invitation
from .qr import qr_png


@dataclass
class QueueResult:
    queued: int = 0
    no_address: int = 0
    already_sent: int = 0
    already_queued: int = 0


def queue_invitations(event, people: list[Attendee], *, by_user=None,
                      resend: bool = False) -> QueueResult:
    """Put each person's current invitation in the outbox.

    People without an e-mail address are counted, not queued. Someone who already
    received their current invitation is skipped unless ``resend``.
    """
    invitations = active_invitations(event)
    deliveries = db.session.scalars(select(EmailDelivery).where(
        EmailDelivery.event_id == event.id))
    sent = {(d.attendee_id, d.invitation_id) for d in deliveries if d.status in
            ("sent", "sending")}
    waiting = {d.attendee_id for d in db.session.scalars(select(EmailDelivery).where(
        EmailDelivery.event_id == event.id, EmailDelivery.status == "pending"))}
    result = QueueResult()
    for person in people:
        invitation = invitations.get(person.id)
        if not person.email or invitation is None:
            result.no_address += 1
        elif person.id in waiting:
            result.already_queued += 1
        elif (person.id, invitation.id) in sent and not resend:
            result.already_sent += 1
        else:
            db.session.add(EmailDelivery(event_id=event.id, attendee_id=person.id,
                                         invitation_id=invitation.id, address=person.email,
                                         requested_by_id=by_user.id if by_user else None))
            result.queued += 1
    db.session.commit()
    return result


def build_message(event, person: Attendee, invitation: Invitation) -> EmailMessage:
    """The invitation e-mail, in Vietnamese: text, HTML, and the QR code inline."""
    url = invitation_url(invitation)
    cid = make_msgid(domain="checkin")
    with force_locale("vi"):
        context = {"event": event, "person": person, "url": url, "when":
                   format_when(event.starts_at), "qr_cid": cid[1:-1]}
        text = render_template("attendees/email/invitation.txt", **context)
        html = render_template("attendees/email/invitation.html", **context)
    message = EmailMessage()
    message["Subject"] = f"Giấy mời: {event.title}"
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = person.email
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message.get_payload()[1].add_related(qr_png(url, scale=8), "image", "png", cid=cid,
                                         filename="ma-qr-thu-moi.png")
    return message


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"],
                                              timeout=cfg["MAIL_TIMEOUT"],
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    return smtp


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    stopped: str = ""


def send_pending(event, *, progress=None) -> SendResult:
    """Send the event's pending invitations, one committed result per person.

    A refused recipient fails alone and the batch goes on; a lost connection stops
    the batch (the rest stay pending, to be resumed). ``progress(done, total)`` hears
    about each message, between commits.
    """
    result = SendResult()
    pending = db.session.scalars(select(EmailDelivery.id).where(
        EmailDelivery.event_id == event.id, EmailDelivery.status == "pending")
        .order_by(EmailDelivery.id)).all()
    if not pending:
        return result
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        result.stopped = _reason(exc)
        return result
    try:
        for done, delivery_id in enumerate(pending):
            if progress is not None:
                progress(done, len(pending))
            claimed = db.session.execute(
                update(EmailDelivery).where(EmailDelivery.id == delivery_id,
                                            EmailDelivery.status == "pending")
                .values(status="sending", attempts=EmailDelivery.attempts + 1)
                .execution_options(synchronize_session=False))
            db.session.commit()
            if claimed.rowcount != 1:
                continue  # another sender took it
            delivery = db.session.get(EmailDelivery, delivery_id)
            db.session.refresh(delivery)
            invitation = db.session.get(Invitation, delivery.invitation_id)
            try:
                smtp.send_message(build_message(event, delivery.attendee, invitation))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                    smtplib.SMTPSenderRefused) as exc:
                delivery.status, delivery.error = "failed", _reason(exc)
                result.failed += 1
            except (OSError, smtplib.SMTPException) as exc:
                delivery.status, delivery.error = "failed", _reason(exc)
                result.failed += 1
                result.stopped = _reason(exc)
                db.session.commit()
                break
            else:
                delivery.status, delivery.error, delivery.sent_at = "sent", "", utcnow()
                result.sent += 1
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def _reason(exc: Exception) -> str:
    """The SMTP server's answer ("550 mailbox unavailable"), or the error, for the report."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(exc.recipients.values()))
        return f"{code} {_text(message)}"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"[:500]
    return (str(exc) or exc.__class__.__name__)[:500]


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def delivery_report(event) -> list[tuple[Attendee, EmailDelivery]]:
    """The latest delivery per person, newest first."""
    latest: dict[int, EmailDelivery] = {}
    for d in db.session.scalars(select(EmailDelivery).where(EmailDelivery.event_id == event.id)
                                .order_by(EmailDelivery.id)):
        latest[d.attendee_id] = d
    people = {a.id: a for a in db.session.scalars(select(Attendee).where(
        Attendee.id.in_(latest)))} if latest else {}
    return [(people[aid], d) for aid, d in sorted(latest.items(), key=lambda kv: -kv[1].id)
            if aid in people]
