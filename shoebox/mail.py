"""Outgoing mail: SMTP when SMTP_SERVER is set, else the log (so a newcomer can still reset a password)."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

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
    if not settings.SMTP_SERVER:
        # The text as written, not the encoded message: quoted-printable turns "=" into "=3D" and breaks
        # long lines, so a logged link would not work when copied.
        log.warning("SMTP_SERVER is not set; this mail was not sent.\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return
    message = build_message(settings, to, subject, body)
    try:
        with _connect(settings) as smtp:
            if settings.SMTP_USERNAME:
                smtp.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send mail to %s through %s:%s", to, settings.SMTP_SERVER, settings.SMTP_PORT)


class Outbox:
    """A few background threads for mail work, so a request hands it over and never waits for it.

    A reply then takes as long whether or not a mail goes out (or an account exists), and a flood of requests
    queues work here instead of starting a thread each.
    """

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shoebox-mail")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        """Run `work(*args)` soon in a background thread; its errors are logged."""
        future = self._pool.submit(work, *args)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._finished)

    def wait(self, timeout: float | None = None) -> None:
        """Block until everything submitted so far is done (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        futures.wait(pending, timeout)

    def _finished(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("background mail work failed", exc_info=future.exception())


def _connect(settings: Settings) -> smtplib.SMTP:
    if settings.SMTP_USE_SSL:
        return smtplib.SMTP_SSL(settings.SMTP_SERVER, settings.SMTP_PORT, timeout=20,
                                context=ssl.create_default_context())
    smtp = smtplib.SMTP(settings.SMTP_SERVER, settings.SMTP_PORT, timeout=20)
    if settings.SMTP_USE_TLS:
        smtp.starttls(context=ssl.create_default_context())
    return smtp
