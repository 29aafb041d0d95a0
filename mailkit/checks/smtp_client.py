"""aiosmtplib's SMTP client on the socket the check's TCP step opened, with a redacted transcript.

aiosmtplib reads the replies (its parser, with its caps on a line and on a whole reply, and one deadline for a
whole reply however the server drips it), runs STARTTLS (plaintext a server sends after its 220 is discarded) and
MAIL/RCPT/DATA. mailkit adds what a check needs around it: every command and reply in the transcript (commands
that carry a credential shown as the check says), the server's first byte noticed before the greeting is read,
and server text made printable (aiosmtplib keeps undecodable bytes as surrogates).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiosmtplib import SMTP, SMTPResponse, SMTPResponseException, SMTPStatus
from aiosmtplib.protocol import SMTPProtocol
from aiosmtplib.typing import Default

from mailkit.checks.boundary import mapped, raw_reply
from mailkit.checks.stream import Address, Transcript, peer_of

#: A line that is not one of a reply (RFC 5321 4.2: a three-digit code, then a space, a hyphen or the line's end).
_BAD_LINE = re.compile(rb"^(?!\d{3}(?:[ -]|\r?\n))[^\n]*\n", re.MULTILINE)


def printable(text: str) -> str:
    """Server text with any undecodable byte (kept by aiosmtplib as a lone surrogate) shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if not text.isascii() else text


class TranscriptProtocol(SMTPProtocol):
    """aiosmtplib's protocol, adding each reply to the transcript and noticing when the server first speaks."""

    def __init__(self, transcript: Transcript, **kwargs: Any):
        super().__init__(**kwargs)
        self.transcript = transcript
        self.heard = asyncio.Event()  # the server sent something, or hung up
        self.closed = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.heard.set()
        super().data_received(data)

    def eof_received(self) -> bool:
        self.heard.set()
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.heard.set()
        self.closed.set()
        super().connection_lost(exc)

    def _read_response_from_buffer(self) -> SMTPResponse | None:
        """aiosmtplib's parser, and every line it took held to RFC 5321's shape: three digits, then a space, a
        hyphen or the line's end. It reads `int(line[:3])` alone, so `2350 ok` would pass for a 235."""
        before = bytes(self._buffer)
        response = super()._read_response_from_buffer()
        if response is not None:
            bad = _BAD_LINE.search(before, 0, len(before) - len(self._buffer))
            if bad is not None:
                shown = before[bad.start():bad.start() + 80].split(b"\n", 1)[0].decode("utf-8", "replace")
                raise SMTPResponseException(SMTPStatus.invalid_response.value,
                                            f"Malformed SMTP response line: {shown.rstrip()}")
        return response

    async def read_response(self, timeout: float | None = None) -> SMTPResponse:
        response = await super().read_response(timeout)
        message = printable(response.message)
        self.transcript.add("S:", raw_reply(response.code, message))
        return SMTPResponse(response.code, message)


class CheckClient(SMTP):
    """One SMTP connection for a check: aiosmtplib's client over the check's socket and TranscriptProtocol.

    `connect()` wraps the socket (with TLS when `use_tls`), calls `opened` (the check's TLS step or its
    first-byte probe), then reads the greeting. Methods raise aiosmtplib's and ssl's errors; the check maps them
    (`mailkit.checks.boundary`)."""

    def __init__(self, transcript: Transcript, address: Address,
                 opened: Callable[[CheckClient], Awaitable[None]], **kwargs: Any):
        super().__init__(start_tls=False, **kwargs)
        self.transcript, self.address, self._opened = transcript, address, opened
        self._shown: str | None = None
        self._made: tuple[TranscriptProtocol, asyncio.BaseTransport] | None = None  # kept past aiosmtplib's close()

    @property
    def tls(self) -> bool:
        return self.transport is not None and self.transport.get_extra_info("sslcontext") is not None

    async def _create_connection(self, timeout: float | None) -> SMTPResponse:
        """aiosmtplib's connection step on the check's socket: TLS (implicit) or plain, then the greeting."""
        protocol = TranscriptProtocol(self.transcript, loop=self.loop,
                                      connection_lost_callback=self._on_connection_lost)
        context = self.tls_context if self.use_tls else None
        with mapped("tls" if context else "tcp", seconds=timeout or 0, peer=peer_of(self.address), host=self.hostname):
            async with asyncio.timeout(timeout):
                self.transport, _ = await self.loop.create_connection(
                    lambda: protocol, sock=self.sock, ssl=context, server_hostname=self.hostname if context else None,
                    ssl_handshake_timeout=timeout if context else None)
        self.protocol, self._made = protocol, (protocol, self.transport)
        await self._opened(self)
        return await protocol.read_response(timeout=self.timeout)

    async def first_data(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the server's first byte (left for the greeting); True when it came."""
        if not isinstance(self.protocol, TranscriptProtocol) or self.protocol.heard.is_set():
            return True
        try:
            await asyncio.wait_for(self.protocol.heard.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def showing(self, shown: str) -> CheckClient:
        """Show the next command in the transcript as `shown` (it carries a credential)."""
        self._shown = shown
        return self

    async def execute_command(self, *args: bytes, timeout: float | Default | None = Default.token) -> SMTPResponse:
        shown, self._shown = self._shown, None
        self.transcript.add("C:", shown if shown is not None else b" ".join(args).decode("utf-8", "replace"))
        return await super().execute_command(*args, timeout=timeout)

    def cipher_note(self) -> str:
        cipher = self.get_transport_info("cipher")
        return f"TLS established ({cipher[1] if cipher else 'TLS'}, {cipher[0] if cipher else ''})"

    async def hang_up(self) -> None:
        """Close without raising; abort when the check itself is being stopped (Ctrl-C, a deadline)."""
        made, self._made = self._made, None
        self.close()
        if made is None:
            if self.sock is not None:
                self.sock.close()  # never wrapped in a transport: nothing else will close it
            return
        protocol, transport = made
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            transport.abort()
            return
        try:
            async with asyncio.timeout(2):
                await protocol.closed.wait()
        except TimeoutError:
            transport.abort()


__all__ = ["CheckClient", "TranscriptProtocol", "printable"]
