"""Mail that leaves only after the transaction that caused it commits.

``queue_mail(recipients, subject, body)`` puts a message in the session's outbox; the session's
``after_commit`` event sends the outbox through SMTP (``MAIL_SERVER``, ``MAIL_PORT``,
``MAIL_USE_TLS``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_SENDER``), and a rollback throws it
away, so nobody is told about something that did not happen.  Without ``MAIL_SERVER`` nothing is
queued.  A server that is down or refuses a message is logged, never raised: the data is already
committed and the next message may go through.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.extensions import db

log = logging.getLogger(__name__)
OUTBOX_KEY = "registry_outbox"
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Mail:
    recipients: tuple[str, ...]
    subject: str
    body: str


def mail_enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def queue_mail(recipients, subject: str, body: str, session: Session | None = None) -> bool:
    """Send this message after the current transaction commits; False when mail is off or nobody to tell."""
    recipients = tuple(sorted({address for address in recipients if address}))
    if not recipients or not mail_enabled():
        return False
    if session is None:
        session = db.session()
    session.info.setdefault(OUTBOX_KEY, []).append(Mail(recipients, str(subject), str(body)))
    return True


def send_now(messages: list[Mail]) -> int:
    """Deliver ``messages`` over one SMTP connection; returns how many were accepted."""
    if not messages or not mail_enabled():
        return 0
    config = current_app.config
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                          timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for mail in messages:
                message = EmailMessage()
                message["From"] = config.get("MAIL_SENDER") or "credit-registry@localhost"
                message["To"] = ", ".join(mail.recipients)
                message["Subject"] = mail.subject
                message.set_content(mail.body)
                try:
                    smtp.send_message(message)
                    sent += 1
                except smtplib.SMTPException as error:
                    log.warning("mail %r to %d recipients refused: %s", mail.subject, len(mail.recipients), error)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail server %s unreachable, %d messages not sent: %s",
                    config["MAIL_SERVER"], len(messages) - sent, error)
    return sent


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    messages = session.info.pop(OUTBOX_KEY, None)
    if messages:
        send_now(messages)


@event.listens_for(Session, "after_soft_rollback")
def _drop_outbox(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(OUTBOX_KEY, None)
