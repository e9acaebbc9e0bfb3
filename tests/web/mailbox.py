"""A real SMTP server on localhost (aiosmtpd) that keeps every message it receives, for the tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

CODE = re.compile(r"\b(\d{6})\b")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class Mailbox:
    """The SMTP server and what it received. ``port`` goes into ``Settings.mail_port``."""

    def __init__(self) -> None:
        self.port = free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return list(self._collector.messages)

    def clear(self) -> None:
        with self._collector.lock:
            self._collector.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last_code(self, address: str, timeout: float = 5.0, after: int = 0) -> str:
        """The 6-digit code in the latest message to ``address``, waiting up to ``timeout`` s until more than
        ``after`` messages reached that address (mail may be sent in the background)."""
        deadline = time.monotonic() + timeout
        while True:
            received = self.to(address)
            if len(received) > after:
                match = CODE.search(received[-1].get_content())
                assert match, f"no 6-digit code in the message to {address}"
                return match.group(1)
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {address} within {timeout} s")
            time.sleep(0.02)
