"""A real SMTP server on 127.0.0.1 (aiosmtpd) that the site sends its account emails to, through Django's SMTP
backend, and the links read back out of the messages received: the `mailbox` fixture (tests/conftest.py)."""

import email
import re
import socket
import threading

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    def wait(self, address: str, count: int = 1, timeout: float = 30) -> list:
        """The messages to `address`, once there are `count` of them (a background task sends some)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.to(address)) >= count, timeout=timeout)
        return self.to(address)

    def last_link(self, address: str) -> str:
        """The link in the newest message to `address` (waiting for one to arrive)."""
        found = self.wait(address)
        assert found, f"no message to {address}; got {[m['X-Envelope-To'] for m in self.messages]}"
        body = found[-1].get_payload(decode=True).decode()
        [link] = re.findall(r"https?://\S+", body)
        return link


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(settings):
    """Every email the site sends in this test, received over SMTP by a server on 127.0.0.1."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://testserver"
    yield box
    controller.stop()


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")
