"""Fault injection for the sandbox's mail servers: slow replies, stalls, dropped and reset connections.

A network that misbehaves is what timeouts, retries and the `timeout` / `connection_lost` /
`tls_error` statuses exist for; these switches let tests and benchmarks produce it on demand.
One `Faults` object is shared by every listener of a sandbox and read on each reply, so a test
can change it while the sandbox runs (`sandbox.faults.latency_ms = 200`), and `mailkit sandbox
--fault SPEC` sets it at start.

Spec strings (the CLI's `--fault`):
    latency=MS            wait MS milliseconds before every SMTP, IMAP and HTTP reply
    stall=POINT:SECONDS   say nothing for SECONDS at POINT (see STALL_POINTS)
    drop-data             hang up in the middle of a message (SMTP DATA/BDAT)
    tls-reset             reset the connection during the TLS handshake (465, 587 STARTTLS, 993)
    directory-rate=N      answer an admin's Directory requests beyond N a second with Google's quota answer
                          (403 userRateLimitExceeded), as Google does past the project's per-user quota
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields

from mailkit.errors import UsageError

#: Where a stall can happen: before the reply that each name stands for.
STALL_POINTS = frozenset({
    "greeting",      # before the 220 / `* OK Gimap ready` greeting
    "ehlo",          # before the EHLO/HELO reply
    "starttls",      # before `220 2.0.0 Ready to start TLS`
    "auth",          # before the final reply to AUTH (SMTP) or LOGIN/AUTHENTICATE (IMAP)
    "mail",          # before the reply to MAIL FROM
    "rcpt",          # before the reply to RCPT TO
    "data",          # before `354  Go ahead`
    "message",       # before the reply to the end of the message
    "select",        # before the reply to IMAP SELECT/EXAMINE
})


@dataclass
class Faults:
    """What to break; every field off means a well-behaved server."""

    latency_ms: int = 0
    stall_at: str = ""
    stall_seconds: float = 0.0
    drop_in_data: bool = False
    tls_reset: bool = False
    directory_per_second: int = 0  # 0: no quota

    def stall(self, point: str, seconds: float) -> None:
        """Stop answering for `seconds` at `point` (one of STALL_POINTS)."""
        if point not in STALL_POINTS:
            raise UsageError(f"unknown stall point {point!r}; choose one of {', '.join(sorted(STALL_POINTS))}")
        if seconds <= 0:
            raise UsageError("a stall needs a positive number of seconds")
        self.stall_at, self.stall_seconds = point, float(seconds)

    def clear(self) -> None:
        """Back to a well-behaved server."""
        for f in fields(self):
            setattr(self, f.name, f.default)

    def apply(self, spec: str) -> None:
        """Switch one fault on from its spec string (the CLI's `--fault`)."""
        name, _, value = spec.strip().partition("=")
        name = name.strip().lower().replace("_", "-")
        if name == "latency":
            self.latency_ms = _whole_number(spec, value, "milliseconds")
        elif name == "stall":
            point, _, seconds = value.partition(":")
            self.stall(point.strip().lower(), _seconds(spec, seconds or "30"))
        elif name in ("drop-data", "drop-in-data") and not value:
            self.drop_in_data = True
        elif name == "tls-reset" and not value:
            self.tls_reset = True
        elif name == "directory-rate":
            self.directory_per_second = _whole_number(spec, value, "requests a second")
        else:
            raise UsageError(f"unknown fault {spec!r}; use latency=MS, stall=POINT:SECONDS, drop-data, tls-reset or "
                             "directory-rate=N")

    def reply_delay(self) -> float:
        """The per-reply latency in seconds, read at each reply (the HTTP side sleeps it in its thread)."""
        return max(0, self.latency_ms) / 1000

    async def before_reply(self) -> None:
        """The per-reply latency."""
        delay = self.reply_delay()
        if delay:
            await asyncio.sleep(delay)

    async def at(self, point: str) -> None:
        """Stall here if this is the chosen point."""
        if self.stall_at == point and self.stall_seconds > 0:
            await asyncio.sleep(self.stall_seconds)


def _whole_number(spec: str, value: str, unit: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise UsageError(f"fault {spec!r}: {value!r} is not a whole number of {unit}") from None
    if number < 0:
        raise UsageError(f"fault {spec!r}: {unit} cannot be negative")
    return number


def _seconds(spec: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"fault {spec!r}: {value!r} is not a number of seconds") from None


__all__ = ["STALL_POINTS", "Faults"]
