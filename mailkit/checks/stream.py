"""One TCP/TLS stream to a mail server (SMTP or IMAP), with deadlines, a redacted transcript,
and every socket/ssl failure mapped to mailkit's errors (errors.py) at this one boundary.

The protocol modules (`smtp_wire`, `imap`) only parse lines; connecting, the TLS handshake,
reading and writing, and their failure modes are shared here.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
import time
from dataclasses import dataclass, field

from mailkit.errors import (
    ConnectionLostFailure,
    ConnectionRefusedFailure,
    DNSFailure,
    NetworkError,
    TimeoutFailure,
    TLSFailure,
)
from mailkit.secrets.redaction import redact

MAX_LINE = 8192
#: What one reply may hold before mailkit stops listening: an EHLO has ~15 lines, a SELECT ~10; a
#: server past these caps is flooding, not answering. Each protocol passes its own.
MAX_REPLY_LINES = 1000
MAX_REPLY_BYTES = 1 << 20
#: A line in the transcript is cut after this many characters (after redaction, so no secret is cut in two).
SHOWN_LINE = 1000


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
            raise TimeoutFailure(self.timeout_message(), step=self.step)
        return left

    def timeout_message(self) -> str:
        if self.lines:
            return f"the server's reply did not end within {self.seconds:g} s ({self.lines} lines so far)"
        return f"the server did not answer within {self.seconds:g} s"

    def spend(self, data: bytes, *, line: bool = True) -> None:
        """Count what was read; NetworkError once the reply holds more lines or bytes than allowed."""
        self.lines += int(line)
        self.bytes += len(data)
        if self.lines > self.max_lines or self.bytes > self.max_bytes:
            raise NetworkError(f"the server's reply went past {self.max_lines} lines or {self.max_bytes} bytes: "
                               "it is not answering the protocol", step=self.step)

#: The kinds of TLS failure mailkit tells apart (stored with each result, shown by `mailkit report`).
WRONG_MODE, UNTRUSTED_ISSUER, HOSTNAME_MISMATCH, EXPIRED, OTHER = (
    "wrong_mode", "untrusted_issuer", "hostname_mismatch", "expired", "other")
TLS_KINDS = (WRONG_MODE, UNTRUSTED_ISSUER, HOSTNAME_MISMATCH, EXPIRED, OTHER)

# OpenSSL's X509_V_ERR_* codes (stable since OpenSSL 1.0) -> kind.
_VERIFY_CODES = {9: EXPIRED, 10: EXPIRED, 2: UNTRUSTED_ISSUER, 18: UNTRUSTED_ISSUER, 19: UNTRUSTED_ISSUER,
                 20: UNTRUSTED_ISSUER, 21: UNTRUSTED_ISSUER, 62: HOSTNAME_MISMATCH, 63: HOSTNAME_MISMATCH,
                 64: HOSTNAME_MISMATCH}
# The same facts in OpenSSL's words, for errors that arrive as text only (a stored reply, a wrapped error).
_KIND_WORDS = (
    (EXPIRED, re.compile(r"certificate (?:has )?expired|not yet valid|\bexpired\b", re.I)),
    (HOSTNAME_MISMATCH, re.compile(r"hostname mismatch|ip address mismatch|doesn't match|does not match"
                                   r"|not valid for|hostname_mismatch", re.I)),
    (UNTRUSTED_ISSUER, re.compile(r"unable to get (?:local )?issuer|self[- ]signed|unable to verify the first"
                                  r"|untrusted|untrusted_issuer", re.I)),
)
# A handshake that got plain text back (an SMTP/IMAP greeting) instead of a TLS record.
_PLAIN_TEXT_REASONS = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                                 "HTTP_REQUEST", "UNKNOWN_PROTOCOL", "UNEXPECTED_RECORD"})


def verify_kind(exc: ssl.SSLCertVerificationError) -> str:
    """The kind of a certificate verification failure, by OpenSSL's code, else by its words."""
    return _VERIFY_CODES.get(exc.verify_code) or tls_kind_of_text(str(exc.verify_message or exc)) or OTHER


def tls_kind_of_text(text: str) -> str:
    """The kind named or described in an error text (a certificate problem), or "" when none is."""
    return next((kind for kind, words in _KIND_WORDS if words.search(text or "")), "")


def plain_text_answer(exc: ssl.SSLError) -> bool:
    """True when a TLS handshake failed because the server answered without TLS."""
    reason = str(exc.reason or "").upper()
    return reason in _PLAIN_TEXT_REASONS or "WRONG_VERSION_NUMBER" in str(exc).upper() \
        or "record layer" in str(exc).lower()


@dataclass
class Transcript:
    """The conversation as the admin may see it: every line redacted, secrets never stored."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, direction: str, text: str) -> None:
        stamp = f"{(time.monotonic() - self.started) * 1000:7.0f}ms"
        for line in text.splitlines() or [""]:
            shown = redact(line)
            if len(shown) > SHOWN_LINE:
                shown = f"{shown[:SHOWN_LINE]}... ({len(shown) - SHOWN_LINE} more characters)"
            self.lines.append(f"{stamp} {direction} {shown}")

    def note(self, text: str) -> None:
        self.add("*", text)


async def resolve(host: str, port: int, timeout: float) -> list[tuple]:
    """getaddrinfo with a deadline; DNSFailure when the name does not resolve."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except TimeoutError as exc:
        raise DNSFailure(f"DNS lookup of {host} took longer than {timeout:g} s", step="dns") from exc
    except socket.gaierror as exc:
        raise DNSFailure(f"{host} does not resolve ({exc.strerror or exc})", step="dns") from exc
    if not infos:
        raise DNSFailure(f"{host} has no address", step="dns")
    return infos


class StreamConnection:
    """One connection. Methods raise mailkit NetworkError subclasses only."""

    def __init__(self, transcript: Transcript | None = None, *, reply_timeout: float = 30.0):
        self.transcript = transcript or Transcript()
        self.reply_timeout = reply_timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.tls = False
        self.peer = ""
        self.address: tuple | None = None  # (family, sockaddr) of the address that answered
        self._early: asyncio.Future[bytes] | None = None  # a line being read before anyone asked for it

    async def connect(self, addresses: list[tuple], timeout: float) -> None:
        """TCP connect to the first address that answers."""
        last: Exception | None = None
        for family, _type, _proto, _canon, sockaddr in addresses:
            try:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(sockaddr[0], sockaddr[1], family=family, limit=MAX_LINE * 4), timeout)
                self.peer = f"{sockaddr[0]}:{sockaddr[1]}"
                self.address = (family, sockaddr)
                self.transcript.note(f"connected to {self.peer}")
                return
            except TimeoutError as exc:
                last = TimeoutFailure(f"no answer from {sockaddr[0]}:{sockaddr[1]} within {timeout:g} s "
                                      "(a firewall may drop the port)", step="tcp")
                last.__cause__ = exc
            except ConnectionRefusedError as exc:
                last = ConnectionRefusedFailure(f"{sockaddr[0]}:{sockaddr[1]} refused the connection", step="tcp")
                last.__cause__ = exc
            except OSError as exc:
                last = ConnectionRefusedFailure(f"cannot reach {sockaddr[0]}:{sockaddr[1]}: {exc}", step="tcp")
                last.__cause__ = exc
        raise last or ConnectionRefusedFailure("no address to connect to", step="tcp")

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str, timeout: float) -> None:
        """TLS handshake on the open connection (implicit TLS, or after STARTTLS).

        A failure is a TLSFailure whose `detail` is its kind (TLS_KINDS): a plain-text answer is the wrong
        TLS mode (the port expects STARTTLS), a certificate error is untrusted, mismatched or expired."""
        if self.writer is None:
            raise ConnectionLostFailure("not connected", step="tls")
        try:
            await asyncio.wait_for(self.writer.start_tls(context, server_hostname=server_hostname), timeout)
        except TimeoutError as exc:
            raise TimeoutFailure(f"TLS handshake did not finish within {timeout:g} s", step="tls") from exc
        except ssl.SSLCertVerificationError as exc:
            raise TLSFailure(f"certificate of {server_hostname} not trusted: {exc.verify_message}",
                             detail=verify_kind(exc)) from exc
        except ssl.SSLError as exc:
            if plain_text_answer(exc) and not self.tls:
                raise TLSFailure(f"{self.peer} answered the TLS handshake in plain text ({exc.reason or exc}): "
                                 "this port expects STARTTLS (use starttls)", detail=WRONG_MODE,
                                 wrong_mode=True) from exc
            raise TLSFailure(f"TLS handshake failed: {exc.reason or exc}", detail=OTHER,
                             wrong_mode=plain_text_answer(exc)) from exc
        except (ConnectionError, OSError, EOFError) as exc:
            raise TLSFailure(f"connection closed during the TLS handshake: {exc}", detail=OTHER) from exc
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

    async def speaks_tls(self, context: ssl.SSLContext, server_hostname: str, timeout: float) -> bool:
        """Does a TLS server answer a ClientHello on this connection's address? A second, short connection
        that sends nothing but the handshake (no credentials); verification stays on, and a certificate
        that fails it still proves the server speaks TLS."""
        if self.address is None:
            return False
        family, sockaddr = self.address
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
        try:
            data = await self._read(self.reader.readexactly(size) if self.reader else None, step, budget)
        except asyncio.IncompleteReadError as exc:
            raise ConnectionLostFailure("the server closed the connection", step=step) from exc
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
            return await asyncio.wait_for(pending, left)  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise TimeoutFailure(budget.timeout_message(), step=step) from exc
        except (ConnectionError, OSError, ssl.SSLError) as exc:
            raise ConnectionLostFailure(f"connection lost: {exc}", step=step) from exc
        except ValueError as exc:  # line longer than the reader's limit
            raise NetworkError(f"a reply line longer than {MAX_LINE * 4} bytes: the server is not answering the "
                               "protocol", step=step) from exc

    async def send_raw(self, data: bytes, step: str) -> None:
        if self.writer is None:
            raise ConnectionLostFailure("not connected", step=step)
        try:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.reply_timeout)
        except TimeoutError as exc:
            raise TimeoutFailure("the server stopped reading", step=step) from exc
        except (ConnectionError, OSError, ssl.SSLError) as exc:
            raise ConnectionLostFailure(f"connection lost while sending: {exc}", step=step) from exc

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


__all__ = ["EXPIRED", "HOSTNAME_MISMATCH", "MAX_LINE", "MAX_REPLY_BYTES", "MAX_REPLY_LINES", "OTHER", "TLS_KINDS",
           "UNTRUSTED_ISSUER", "WRONG_MODE", "ReplyBudget", "StreamConnection", "Transcript", "plain_text_answer",
           "resolve", "tls_kind_of_text", "verify_kind"]
