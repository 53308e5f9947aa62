"""A real SMTP server on 127.0.0.1 (aiosmtpd in a thread) that keeps what it receives.

    def test_reply(smtp_sink):
        ...
        assert smtp_sink.messages[0]["Subject"] == "[IST-2026-0000001] ..."

The `smtp_sink` fixture (tests/conftest.py) also points Django's EMAIL_BACKEND at it.
"""

from __future__ import annotations

import socket
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.sink.lock:
            self.sink.attempts += 1
        if self.sink.refuse:
            return self.sink.refuse
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self.sink.lock:
            self.sink.sessions.add(session.peer)  # the client's address and port: one per connection
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.sink.mail_options.append(list(envelope.mail_options))
            self.sink.raw.append(envelope.original_content or envelope.content)
            self.sink.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Received messages (email.message.EmailMessage, policy.default) in arrival order."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.mail_options: list[list[str]] = []  # MAIL FROM parameters, e.g. BODY=8BITMIME
        self.raw: list[bytes] = []  # the messages as they came, for line-level checks
        self.refuse = ""  # e.g. "550 No such user" to make the server refuse every message
        self.attempts = 0  # DATA commands seen, refused ones included
        self.sessions: set = set()  # the SMTP connections messages were accepted on
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.mail_options.clear()
            self.raw.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return list(self.messages)

    @property
    def email_settings(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 10,
        }

    @property
    def url(self) -> str:
        """For a worker subprocess: EMAIL_URL=smtp://127.0.0.1:<port>."""
        return f"smtp://{self.host}:{self.port}"
