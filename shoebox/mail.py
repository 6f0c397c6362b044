"""Outgoing mail: SMTP when SMTP_SERVER is set, else the log (so a newcomer can still reset a password)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage

from shoebox.config import Settings

log = logging.getLogger(__name__)


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.MAIL_FROM
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text mail now; errors are logged, never shown to the requester."""
    message = build_message(settings, to, subject, body)
    if not settings.SMTP_SERVER:
        log.warning("SMTP_SERVER is not set; this mail was not sent:\n%s", message.as_string())
        return
    try:
        with _connect(settings) as smtp:
            if settings.SMTP_USERNAME:
                smtp.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail to %s through %s:%s", to, settings.SMTP_SERVER, settings.SMTP_PORT)


def send_mail_later(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send in the background, so a reply takes as long whether or not a mail goes out."""
    threading.Thread(target=send_mail, args=(settings, to, subject, body), daemon=True).start()


def _connect(settings: Settings) -> smtplib.SMTP:
    if settings.SMTP_USE_SSL:
        return smtplib.SMTP_SSL(settings.SMTP_SERVER, settings.SMTP_PORT, timeout=20,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.SMTP_SERVER, settings.SMTP_PORT, timeout=20)
    if settings.SMTP_USE_TLS:
        smtp.starttls(context=ssl.create_default_context())
    return smtp
