"""mailkit's exceptions: third-party errors are mapped to these at one boundary.

    MailkitError
    ├── UsageError                  bad input from the admin (exit code 2); names the field and the fix
    │   └── ValidationError         one field of one row/record is invalid
    ├── NotFoundError               no such company/account (exit code 2)
    ├── SecretStoreError            no usable keyring backend, or it refused (exit code 2)
    ├── OAuthError                  consent/refresh/revoke failed; carries a Status
    └── NetworkError                a connection-level failure, classified by mailkit.diagnose
        ├── DNSFailure              (also OSError) the host name did not resolve
        ├── ConnectionRefusedFailure
        ├── TimeoutFailure          (also TimeoutError) a step took longer than its deadline
        ├── TLSFailure              handshake or certificate error; wrong TLS mode for the port
        ├── ConnectionLostFailure   the server hung up mid-conversation
        └── ReplyError              the server refused a step (.code, .reply); the checks end on it
"""

from __future__ import annotations

from mailkit.status import Status


class MailkitError(Exception):
    """Base of every error mailkit raises on purpose."""

    exit_code = 2


class UsageError(MailkitError):
    """Bad input from the admin; the message says what to do."""


class ValidationError(UsageError):
    """One field of one record is invalid."""

    def __init__(self, field: str, reason: str, *, row: int | None = None, value: str | None = None):
        self.field, self.reason, self.row, self.value = field, reason, row, value
        where = f"row {row}: " if row is not None else ""
        super().__init__(f"{where}{field}: {reason}")


class NotFoundError(MailkitError):
    """A company or account that is not in the inventory."""


class SecretStoreError(MailkitError):
    """The keyring cannot be used; the message says which backend to choose."""


class OAuthError(MailkitError):
    """An OAuth step failed; `.status` is the contract status that describes it."""

    def __init__(self, message: str, status: Status = Status.UNKNOWN):
        self.status = status
        super().__init__(message)


class NetworkError(MailkitError):
    """A failure talking to a mail server; `step` names where (dns, tcp, tls, ehlo, auth, send)."""

    exit_code = 1

    def __init__(self, message: str, *, step: str = "", detail: str = ""):
        self.step, self.detail = step, detail
        super().__init__(message)


class DNSFailure(NetworkError, OSError):
    """The server's host name did not resolve."""


class ConnectionRefusedFailure(NetworkError, ConnectionRefusedError):
    """Nothing listens on that host and port, or a firewall refused."""


class TimeoutFailure(NetworkError, TimeoutError):
    """A step did not finish within its deadline."""


class TLSFailure(NetworkError):
    """TLS handshake or certificate verification failed."""

    def __init__(self, message: str, *, step: str = "tls", detail: str = "", wrong_mode: bool = False):
        self.wrong_mode = wrong_mode
        super().__init__(message, step=step, detail=detail)


class ConnectionLostFailure(NetworkError, ConnectionError):
    """The server closed the connection in the middle of a conversation."""


class ReplyError(NetworkError):
    """The server refused: its reply was not the one the step needed (`.code`: the SMTP reply code, None for
    IMAP; `.reply`: its text; `detail`: the line a step shows)."""

    def __init__(self, code: int | None, message: str, *, step: str = "", command: str = "", detail: str = ""):
        self.code, self.reply, self.command = code, message, command
        super().__init__(f"{code} {message}" if code is not None else message, step=step, detail=detail)


__all__ = [
    "ConnectionLostFailure",
    "ConnectionRefusedFailure",
    "DNSFailure",
    "MailkitError",
    "NetworkError",
    "NotFoundError",
    "OAuthError",
    "ReplyError",
    "SecretStoreError",
    "TLSFailure",
    "TimeoutFailure",
    "UsageError",
    "ValidationError",
]
