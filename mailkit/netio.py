"""One TCP/TLS stream to a mail server (SMTP or IMAP), with deadlines, a redacted transcript,
and every socket/ssl failure mapped to mailkit's errors (errors.py) at this one boundary.

The protocol modules (`smtp_wire`, `imap`) only parse lines; connecting, the TLS handshake,
reading and writing, and their failure modes are shared here.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from mailkit.redaction import redact

MAX_LINE = 8192


@dataclass
class Transcript:
    """The conversation as the admin may see it: every line redacted, secrets never stored."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, direction: str, text: str) -> None:
        stamp = f"{(time.monotonic() - self.started) * 1000:7.0f}ms"
        for line in text.splitlines() or [""]:
            self.lines.append(f"{stamp} {direction} {redact(line)}")

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

    async def connect(self, addresses: list[tuple], timeout: float) -> None:
        """TCP connect to the first address that answers."""
        last: Exception | None = None
        for family, _type, _proto, _canon, sockaddr in addresses:
            try:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(sockaddr[0], sockaddr[1], family=family, limit=MAX_LINE * 4), timeout)
                self.peer = f"{sockaddr[0]}:{sockaddr[1]}"
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
        """TLS handshake on the open connection (implicit TLS, or after STARTTLS)."""
        if self.writer is None:
            raise ConnectionLostFailure("not connected", step="tls")
        try:
            await asyncio.wait_for(self.writer.start_tls(context, server_hostname=server_hostname), timeout)
        except TimeoutError as exc:
            raise TimeoutFailure(f"TLS handshake did not finish within {timeout:g} s", step="tls") from exc
        except ssl.SSLCertVerificationError as exc:
            raise TLSFailure(f"certificate of {server_hostname} not trusted: {exc.verify_message}",
                             detail="certificate") from exc
        except ssl.SSLError as exc:
            wrong = "WRONG_VERSION_NUMBER" in str(exc).upper() or "record layer" in str(exc).lower()
            raise TLSFailure(f"TLS handshake failed: {exc.reason or exc}", wrong_mode=wrong) from exc
        except (ConnectionError, OSError, EOFError) as exc:
            raise TLSFailure(f"connection closed during the TLS handshake: {exc}", detail="reset") from exc
        self.tls = True
        cipher = self.writer.get_extra_info("cipher")
        self.transcript.note(f"TLS established ({cipher[1] if cipher else 'TLS'}, {cipher[0] if cipher else ''})")

    async def read_line(self, step: str, deadline: float) -> bytes:
        """One line as sent (with its CRLF); ConnectionLostFailure when the server hung up."""
        raw = await self._read(self.reader.readline() if self.reader else None, step, deadline)
        if not raw:
            raise ConnectionLostFailure("the server closed the connection", step=step)
        return raw

    async def read_exactly(self, size: int, step: str, deadline: float) -> bytes:
        """`size` bytes (an IMAP literal); ConnectionLostFailure when the server hung up first."""
        try:
            return await self._read(self.reader.readexactly(size) if self.reader else None, step, deadline)
        except asyncio.IncompleteReadError as exc:
            raise ConnectionLostFailure("the server closed the connection", step=step) from exc

    async def _read(self, pending: object, step: str, deadline: float) -> bytes:
        if pending is None:
            raise ConnectionLostFailure("not connected", step=step)
        try:
            return await asyncio.wait_for(pending, deadline)  # type: ignore[arg-type]
        except TimeoutError as exc:
            raise TimeoutFailure(f"the server did not answer within {deadline:g} s", step=step) from exc
        except (ConnectionError, OSError, ssl.SSLError) as exc:
            raise ConnectionLostFailure(f"connection lost: {exc}", step=step) from exc
        except ValueError as exc:  # line longer than the reader's limit
            raise NetworkError(f"reply line too long: {exc}", step=step) from exc

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
        if self.writer is None:
            return
        self.writer.close()
        with contextlib.suppress(TimeoutError, ConnectionError, OSError, ssl.SSLError):
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        self.writer = self.reader = None


__all__ = ["MAX_LINE", "StreamConnection", "Transcript", "resolve"]
