"""What the sandbox's SMTP side accepted: kept in memory for tests and in a maildir for other processes.

It also keeps the per-account counters Gmail enforces (messages sent in the last 24 hours, the
`busy_replies` refusals already given), which the SMTP server reads before it says yes.
"""

from __future__ import annotations

import mailbox
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.faults import Faults
from mailkit.sandbox.grants import GrantRegistry

DAY = 24 * 3600


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the sandbox accepted, as the SMTP client handed it over."""

    account: str
    mail_from: str
    recipients: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    received: datetime
    path: Path | None = None

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))


class MailStore:
    """Thread-safe: the server's event loop writes, tests read from their own thread."""

    def __init__(self, root: Path):
        self.root = root
        self.messages: list[ReceivedMessage] = []
        self._lock = threading.Lock()
        self._sent: dict[str, list[float]] = {}
        self._busy_given: dict[str, int] = {}
        self.uid_validity = int(time.time())

    def accept(self, account: str, mail_from: str, recipients: list[str], raw: bytes,
               session_id: str = "") -> ReceivedMessage:
        """Keep a message: parse it, write it to `root/<account>/new/`, count it against the daily limit."""
        account = account.lower()
        now = time.time()
        message = BytesParser(policy=default_policy).parsebytes(raw)
        path = self._write_maildir(account, mail_from, recipients, raw, session_id)
        received = ReceivedMessage(account, mail_from, tuple(recipients), raw, message,  # type: ignore[arg-type]
                                   datetime.fromtimestamp(now, UTC), path)
        with self._lock:
            self.messages.append(received)
            self._sent.setdefault(account, []).append(now)
        return received

    def sent_last_day(self, account: str) -> int:
        """Messages this account sent in the last 24 hours (Gmail's limit is a rolling day)."""
        since = time.time() - DAY
        with self._lock:
            return sum(1 for stamp in self._sent.get(account.lower(), []) if stamp > since)

    def take_busy(self, account: str, allowed: int) -> bool:
        """True while this account still has `busy_replies` refusals to give (and uses one up)."""
        with self._lock:
            given = self._busy_given.get(account.lower(), 0)
            if given >= allowed:
                return False
            self._busy_given[account.lower()] = given + 1
            return True

    def inbox(self, email: str) -> list[ReceivedMessage]:
        """Messages addressed to this account (its IMAP INBOX)."""
        email = email.lower()
        with self._lock:
            return [m for m in self.messages if email in {r.lower() for r in m.recipients}]

    def clear(self) -> None:
        """Forget every message, in memory and on disk."""
        with self._lock:
            self.messages.clear()
            self.uid_validity += 1  # message numbers start again: IMAP clients must forget theirs
        shutil.rmtree(self.root, ignore_errors=True)

    def reset_counters(self) -> None:
        """Daily counts and busy refusals back to zero."""
        with self._lock:
            self._sent.clear()
            self._busy_given.clear()

    def _write_maildir(self, account: str, mail_from: str, recipients: list[str], raw: bytes,
                       session_id: str) -> Path:
        folder = self.root / account
        self.root.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(str(folder), create=True)
        stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S %z")
        trace = (f"Return-Path: <{mail_from}>\r\n"
                 f"X-Sandbox-Recipients: {', '.join(recipients)}\r\n"
                 f"Received: from client by smtp.gmail.com with ESMTPSA id {session_id}\r\n"
                 f"        for <{recipients[0] if recipients else ''}>; {stamp}\r\n").encode()
        key = box.add(trace + raw)
        return folder / "new" / key


@dataclass
class MailBackend:
    """What every SMTP and IMAP session of one sandbox shares."""

    accounts: dict[str, SandboxAccount]
    grants: GrantRegistry
    store: MailStore
    faults: Faults


__all__ = ["MailBackend", "MailStore", "ReceivedMessage"]
