"""Outgoing e-mail, sent when the transaction that asked for it commits.

`send()` only queues: a rolled-back transaction sends nothing (a link to a row that was never
stored would be a broken promise). After the commit:

- with MAIL_SERVER set, the messages go out by SMTP in a background task (a green thread under
  eventlet, where smtplib's sockets yield): the request never waits for the mail server, and a
  failure is logged, never raised into the answer that was already decided;
- without it (`make run`, tests), each message is written to the log, so the console shows its
  link, and kept in the in-memory outbox `app.extensions["mail_outbox"]`, which tests read.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from forum.extensions import db, socketio

log = logging.getLogger(__name__)

OUTBOX = "mail_outbox"  # app.extensions key
OUTBOX_SIZE = 100  # the last messages kept when mail is not configured
QUEUED = "mail_queued"  # Session.info key: messages waiting for the commit
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    tls: str  # "starttls", "ssl" or "off"
    username: str
    password: str
    sender: str

    @classmethod
    def of(cls, config) -> SmtpSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            tls=config["MAIL_TLS"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            sender=config["MAIL_SENDER"],
        )


def init_app(app: Flask) -> None:
    if app.config["MAIL_TLS"] not in ("starttls", "ssl", "off"):
        raise RuntimeError("MAIL_TLS is one of starttls, ssl, off.")
    app.extensions[OUTBOX] = deque(maxlen=OUTBOX_SIZE)


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(QUEUED, []).append(Message(to, subject, body))


def link(endpoint: str, **values) -> str:
    """An absolute link for a message: on MAIL_BASE_URL when set, so a forged Host header
    cannot point a link elsewhere; else on the address the request came to."""
    base = current_app.config["MAIL_BASE_URL"]
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    messages = session.info.pop(QUEUED, None)
    if not messages:
        return
    config = current_app.config
    if config["MAIL_SERVER"]:
        socketio.start_background_task(_send_by_smtp, SmtpSettings.of(config), messages)
        return
    outbox = current_app.extensions[OUTBOX]
    for message in messages:
        # A warning, so it shows without any logging set up: the message was not sent.
        log.warning(
            "MAIL_SERVER is not set, so this message is shown here instead of sent:\n"
            "To: %s\nSubject: %s\n\n%s",
            message.to,
            message.subject,
            message.body,
        )
        outbox.append(message)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """Messages of a transaction that did not commit are dropped with it."""
    if transaction.parent is None:
        session.info.pop(QUEUED, None)


def _send_by_smtp(settings: SmtpSettings, messages: list[Message]) -> None:
    """Send over one SMTP connection; what a failure left unsent is logged (with no body: it
    may hold a link)."""
    try:
        if settings.tls == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.server,
                settings.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
        with smtp:
            if settings.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            while messages:
                smtp.send_message(_email(settings.sender, messages[0]))
                messages = messages[1:]
    except Exception:
        log.exception(
            "sending by SMTP failed, not sent: %s",
            ", ".join(f"{m.subject!r} to {m.to}" for m in messages),
        )


def _email(sender: str, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email
