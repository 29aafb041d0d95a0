"""The connection steps both checks share: the DNS lookup, the TCP connect (a socket each check then speaks
over), the probe that asks whether a silent port speaks TLS, the redacted transcript, and the stream IMAP reads
its lines from (SMTP reads through aiosmtplib). Failures leave as mailkit's errors (`mailkit.checks.boundary`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import dataclass, field

from mailkit.checks.boundary import mapped
from mailkit.checks.tls import plain_text_answer
from mailkit.errors import ConnectionLostFailure, ConnectionRefusedFailure, DNSFailure, NetworkError, TimeoutFailure
from mailkit.secrets.redaction import redact

MAX_LINE = 8192
#: What one reply may hold before mailkit stops listening: an EHLO has ~15 lines, a SELECT ~10; a
#: server past these caps is flooding, not answering. Each protocol passes its own.
MAX_REPLY_LINES = 1000
MAX_REPLY_BYTES = 1 << 20
#: A line in the transcript is cut after this many characters (after redaction, so no secret is cut in two).
SHOWN_LINE = 1000

Address = tuple[int, tuple]  # (family, sockaddr) of the address that answered


@dataclass
class Transcript:
    """The conversation as the admin may see it: every line redacted, secrets never stored."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, direction: str, text: str) -> None:
        """One command or reply, redacted as a whole (one pass of the redaction per reply, not one per line: about a
        quarter of a sign-in check's CPU is redaction), then kept line by line."""
        head = f"{(time.monotonic() - self.started) * 1000:7.0f}ms {direction} "
        for shown in redact(text).splitlines() or [""]:
            if len(shown) > SHOWN_LINE:
                shown = f"{shown[:SHOWN_LINE]}... ({len(shown) - SHOWN_LINE} more characters)"
            self.lines.append(head + shown)

    def note(self, text: str) -> None:
        self.add("*", text)


async def resolve(host: str, port: int, timeout: float) -> list[tuple]:
    """getaddrinfo with a deadline; DNSFailure when the name does not resolve. An address literal is answered
    at once (asyncio's getaddrinfo would hand even that to a worker thread)."""
    literal = address_literal(host, port)
    if literal is not None:
        return literal
    loop = asyncio.get_running_loop()
    with mapped("dns", seconds=timeout, host=host):
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        raise DNSFailure(f"{host} has no address", step="dns")
    return infos


def address_literal(host: str, port: int) -> list[tuple] | None:
    """getaddrinfo's answer for an IPv4/IPv6 address literal ("127.0.0.1", "::1", "[::1]"); None for a name."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, bare)
        except OSError:
            continue
        sockaddr = (bare, port) if family == socket.AF_INET else (bare, port, 0, 0)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]
    return None


async def open_socket(addresses: list[tuple], timeout: float) -> tuple[socket.socket, Address]:
    """A TCP connection to the first address that answers: the connected socket and that address."""
    loop = asyncio.get_running_loop()
    last: NetworkError | None = None
    for family, _type, proto, _canon, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM, proto)
        sock.setblocking(False)
        try:
            with mapped("tcp", seconds=timeout, peer=f"{sockaddr[0]}:{sockaddr[1]}"):
                async with asyncio.timeout(timeout):
                    await loop.sock_connect(sock, sockaddr)
        except NetworkError as exc:
            sock.close()
            last = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock, (family, sockaddr)
    raise last or ConnectionRefusedFailure("no address to connect to", step="tcp")


def peer_of(address: Address | None) -> str:
    return f"{address[1][0]}:{address[1][1]}" if address else ""


async def speaks_tls(address: Address | None, context: ssl.SSLContext, server_hostname: str,
                     timeout: float) -> bool:
    """Does a TLS server answer a ClientHello on this address? A second, short connection that sends nothing but
    the handshake (no credentials); verification stays on, and a certificate that fails it still proves the
    server speaks TLS."""
    if address is None:
        return False
    family, sockaddr = address
    writer = None
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(
            sockaddr[0], sockaddr[1], family=family, ssl=context, server_hostname=server_hostname,
            ssl_handshake_timeout=timeout), timeout)
        return True
    except ssl.SSLCertVerificationError:
        return True
    except ssl.SSLError as exc:  # a TLS alert is a TLS server too; plain text back is not
        return not plain_text_answer(exc)
    except (TimeoutError, ConnectionError, OSError, EOFError):
        return False
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(TimeoutError, ConnectionError, OSError, ssl.SSLError):
                await asyncio.wait_for(writer.wait_closed(), 1)


class ReplyBudget:
    """What one reply may cost: lines, bytes and seconds, counted from when mailkit starts reading it.

    One budget per reply, not per line: a server that drips a byte at a time, or sends a
    multi-line reply that never ends, runs out of the reply's deadline or caps instead of
    getting a fresh deadline with every line.
    """

    def __init__(self, step: str, seconds: float, *, lines: int = MAX_REPLY_LINES, size: int = MAX_REPLY_BYTES):
        self.step, self.seconds = step, seconds
        self.max_lines, self.max_bytes = lines, size
        self.ends = time.monotonic() + seconds
        self.lines = self.bytes = 0

    def remaining(self) -> float:
        """Seconds left; TimeoutFailure when the reply's deadline has passed."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise self.timeout()
        return left

    def timeout(self) -> TimeoutFailure:
        if self.lines:
            return TimeoutFailure(f"the server's reply did not end within {self.seconds:g} s ({self.lines} lines "
                                  "so far)", step=self.step)
        return TimeoutFailure(f"the server did not answer within {self.seconds:g} s", step=self.step)

    def spend(self, data: bytes, *, line: bool = True) -> None:
        """Count what was read; NetworkError once the reply holds more lines or bytes than allowed."""
        self.lines += int(line)
        self.bytes += len(data)
        if self.lines > self.max_lines or self.bytes > self.max_bytes:
            raise NetworkError(f"the server's reply went past {self.max_lines} lines or {self.max_bytes} bytes: "
                               "it is not answering the protocol", step=self.step)


class StreamConnection:
    """One line-oriented connection (IMAP) over a socket the TCP step opened. Raises NetworkError only."""

    def __init__(self, transcript: Transcript | None = None, *, reply_timeout: float = 30.0):
        self.transcript = transcript or Transcript()
        self.reply_timeout = reply_timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.tls = False
        self.address: Address | None = None
        self._early: asyncio.Future[bytes] | None = None  # a line being read before anyone asked for it

    @property
    def peer(self) -> str:
        return peer_of(self.address)

    async def attach(self, sock: socket.socket, address: Address) -> None:
        """Speak over the socket the TCP step connected (`open_socket`)."""
        self.address = address
        with mapped("tcp", peer=self.peer):
            self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=MAX_LINE * 4)

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str, timeout: float) -> None:
        """TLS handshake on the open connection (implicit TLS, or after STARTTLS)."""
        if self.writer is None:
            raise ConnectionLostFailure("not connected", step="tls")
        with mapped("tls", seconds=timeout, peer=self.peer, host=server_hostname):
            await asyncio.wait_for(self.writer.start_tls(context, server_hostname=server_hostname), timeout)
        self.tls = True
        cipher = self.writer.get_extra_info("cipher")
        self.transcript.note(f"TLS established ({cipher[1] if cipher else 'TLS'}, {cipher[0] if cipher else ''})")

    async def first_data(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the server's first line; True when it came (or the server hung up).

        The line stays for the next `read_line`: a slow greeter is waited for as before, the caller only
        learns early that the server is quiet (the sign of a port that expects a TLS ClientHello first)."""
        if self.reader is None:
            return True
        if self._early is None:
            self._early = asyncio.ensure_future(self.reader.readline())
        done, _ = await asyncio.wait({self._early}, timeout=timeout)
        return bool(done)

    async def read_line(self, step: str, budget: float | ReplyBudget) -> bytes:
        """One line as sent (with its CRLF), within the reply's budget (or a deadline in seconds for this
        line alone); ConnectionLostFailure when the server hung up. A line `first_data` already waited for
        is the first one read.

        Every line gives the event loop a turn: lines already buffered would otherwise be read without
        ever yielding, and no deadline, signal or other account could run meanwhile.
        """
        budget = budget if isinstance(budget, ReplyBudget) else ReplyBudget(step, budget)
        early, self._early = self._early, None
        raw = await self._read(early or (self.reader.readline() if self.reader else None), step, budget)
        if not raw:
            raise ConnectionLostFailure("the server closed the connection", step=step)
        budget.spend(raw)
        await asyncio.sleep(0)
        return raw

    async def read_exactly(self, size: int, step: str, budget: float | ReplyBudget) -> bytes:
        """`size` bytes (an IMAP literal); ConnectionLostFailure when the server hung up first."""
        budget = budget if isinstance(budget, ReplyBudget) else ReplyBudget(step, budget)
        if budget.bytes + size > budget.max_bytes:
            raise NetworkError(f"the server announced {size} bytes, more than a reply may hold "
                               f"({budget.max_bytes})", step=step)
        data = await self._read(self.reader.readexactly(size) if self.reader else None, step, budget)
        budget.spend(data, line=False)
        return data

    async def _read(self, pending: object, step: str, budget: ReplyBudget) -> bytes:
        if pending is None:
            raise ConnectionLostFailure("not connected", step=step)
        try:
            left = budget.remaining()
        except TimeoutFailure:
            if isinstance(pending, asyncio.Future):  # the line `first_data` was waiting for
                pending.cancel()
            else:
                getattr(pending, "close", lambda: None)()  # the coroutine never started
            raise
        try:
            with mapped(step, seconds=budget.seconds):
                return await asyncio.wait_for(pending, left)  # type: ignore[arg-type]
        except TimeoutFailure as exc:
            raise budget.timeout() from exc.__cause__

    async def send_raw(self, data: bytes, step: str) -> None:
        if self.writer is None:
            raise ConnectionLostFailure("not connected", step=step)
        with mapped(step, seconds=self.reply_timeout):
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.reply_timeout)

    async def close(self) -> None:
        """Close without raising: a check's outcome is already known by then."""
        if self._early is not None and not self._early.done():
            self._early.cancel()
        self._early = None
        if self.writer is None:
            return
        task = asyncio.current_task()
        if task is not None and task.cancelling():  # stopped (Ctrl-C, deadline): no goodbye, no waiting
            self.writer.transport.abort()
            self.writer = self.reader = None
            return
        self.writer.close()
        with contextlib.suppress(TimeoutError, ConnectionError, OSError, ssl.SSLError):
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        self.writer = self.reader = None


__all__ = ["MAX_LINE", "MAX_REPLY_BYTES", "MAX_REPLY_LINES", "ReplyBudget", "StreamConnection", "Transcript",
           "open_socket", "peer_of", "resolve", "speaks_tls"]
