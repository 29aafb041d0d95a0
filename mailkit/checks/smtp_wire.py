"""A small asyncio SMTP client core that keeps a redacted transcript; the stream underneath
(`mailkit.checks.stream`) maps every socket/ssl failure to mailkit's errors (errors.py).

It speaks just what a sign-in check and a test send need: greeting, EHLO, STARTTLS, AUTH
exchanges, MAIL/RCPT/DATA and QUIT, each with its own deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailkit.checks.stream import MAX_LINE, ReplyBudget, StreamConnection, Transcript, resolve
from mailkit.errors import NetworkError

#: RFC 5321 allows 512 bytes per reply line; a real EHLO answer has about 15 lines.
MAX_REPLY_LINES = 200
MAX_REPLY_BYTES = 64 * 1024


@dataclass
class Reply:
    """One SMTP reply: the code and its text lines (without the code prefixes)."""

    code: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def raw(self) -> str:
        """As the server sent it, with `code-` continuation prefixes."""
        last = len(self.lines) - 1
        return "\n".join(f"{self.code}{' ' if i == last else '-'}{line}" for i, line in enumerate(self.lines))

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400


class SMTPWire(StreamConnection):
    """One SMTP connection. Methods raise mailkit NetworkError subclasses only."""

    async def read_reply(self, step: str, timeout: float | None = None) -> Reply:
        """Read one (possibly multi-line) reply within one deadline and the caps on lines and bytes."""
        lines: list[str] = []
        code = 0
        budget = ReplyBudget(step, timeout or self.reply_timeout, lines=MAX_REPLY_LINES, size=MAX_REPLY_BYTES)
        while True:
            raw = await self.read_line(step, budget)
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.transcript.add("S:", line)
            if len(line) < 3 or not line[:3].isdigit():
                raise NetworkError(f"not an SMTP reply: {line[:80]!r}", step=step)
            if code and int(line[:3]) != code:
                raise NetworkError(f"a reply that changes its code midway ({code}, then {line[:3]})", step=step)
            code = int(line[:3])
            lines.append(line[4:])
            if len(line) == 3 or line[3] != "-":
                return Reply(code, lines)

    async def send_line(self, line: str, step: str, *, shown: str | None = None) -> None:
        """Write one command line; `shown` replaces it in the transcript (credentials)."""
        await self.send_raw((line + "\r\n").encode("utf-8"), step)
        self.transcript.add("C:", shown if shown is not None else line)

    async def command(self, line: str, step: str, *, shown: str | None = None, timeout: float | None = None) -> Reply:
        await self.send_line(line, step, shown=shown)
        return await self.read_reply(step, timeout)


def dot_stuff(message: bytes) -> bytes:
    """CRLF line endings, leading dots doubled, and the terminating CRLF.CRLF."""
    lines = message.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    body = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)
    return body + b"\r\n.\r\n"


__all__ = ["MAX_LINE", "Reply", "SMTPWire", "Transcript", "dot_stuff", "resolve"]
