"""What a check is given and what it gives back, shared by the SMTP and IMAP checks (and the audit): the
credentials and deadlines it runs with, its steps, and its result with the diagnosis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from typing import Any

from mailkit.checks.tls import OTHER, WRONG_MODE, tls_kind_of_text
from mailkit.diagnose import Diagnosis
from mailkit.secrets.redaction import redact, remember_login
from mailkit.status import Status

TokenRefresher = Callable[[], Awaitable[str]]


@dataclass
class Timeouts:
    """Per-step deadlines in seconds. `first_byte`: how long a server may stay silent after the TCP connect
    before mailkit asks whether it waits for a TLS ClientHello (an implicit-TLS port used with STARTTLS)."""

    dns: float = 10.0
    first_byte: float = 3.0
    connect: float = 10.0
    tls: float = 15.0
    reply: float = 30.0
    data: float = 120.0

    def capped(self, limit: float) -> Timeouts:
        """Every deadline at most `limit` seconds (an audit's per-account deadline)."""
        return Timeouts(**{f.name: min(getattr(self, f.name), limit) for f in fields(self)})


@dataclass
class Credentials:
    """What to sign in with. `refresh` gets a new OAuth access token after a rejection."""

    mechanism: str  # XOAUTH2, PLAIN or LOGIN ("PASSWORD" = PLAIN if offered, else LOGIN)
    username: str
    secret: str
    refresh: TokenRefresher | None = None
    scopes: Callable[[], tuple[str, ...] | None] | None = None  # the OAuth grant's scopes, asked after a refusal
    source: str = ""  # where an OAuth access token came from: consent, delegation, microsoft ("" for a password)

    def __post_init__(self) -> None:
        remember_login(self.username, self.secret)

    def __repr__(self) -> str:
        return f"Credentials(mechanism={self.mechanism!r}, username={self.username!r}, secret=[redacted])"


@dataclass
class Step:
    """One stage of a check: a tick or a cross and a line of detail."""

    name: str
    ok: bool
    detail: str = ""
    duration_ms: int = 0

    def __post_init__(self) -> None:
        self.detail = redact(self.detail)  # often a server's words, which may echo a credential

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "duration_ms": self.duration_ms}


class Diagnosed:
    """What a check's result and an audit's result both read from their `diagnosis`."""

    diagnosis: Diagnosis

    @property
    def status(self) -> Status:
        return self.diagnosis.status

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def tls_kind(self) -> str:
        return tls_kind(self.diagnosis)


@dataclass
class CheckResult(Diagnosed):
    """Everything one check found; `to_dict` is the `--json` shape."""

    email: str
    protocol: str
    diagnosis: Diagnosis
    steps: list[Step] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    duration_ms: int = 0
    message_id: str | None = None
    check_id: str | None = None
    attempts: int = 1
    token_source: str = ""  # consent, delegation or microsoft for an OAuth sign-in ("" otherwise)

    def from_source(self, credentials: Credentials | None) -> CheckResult:
        """This result, noting where its credentials' token came from."""
        if credentials is not None and credentials.source:
            self.token_source = credentials.source
        return self

    @property
    def failed_step(self) -> str:
        return next((s.name for s in self.steps if not s.ok), "")

    def to_dict(self, lang: str = "en", **context: str) -> dict[str, Any]:
        context.setdefault("email", self.email)
        return {
            "email": self.email,
            "protocol": self.protocol,
            "status": self.status.value,
            "cause": self.diagnosis.cause(lang, **context),
            "remedy": self.diagnosis.remedy(lang, **context),
            "reply_code": self.diagnosis.code,
            "reply": self.diagnosis.raw,
            "step": self.failed_step,
            "tls_kind": self.tls_kind,
            "steps": [s.to_dict() for s in self.steps],
            "transcript": self.transcript,
            "duration_ms": self.duration_ms,
            "message_id": self.message_id,
            "check_id": self.check_id,
            "attempts": self.attempts,
            "token_source": self.token_source,
        }


def tls_kind(diagnosis: Diagnosis) -> str:
    """Which TLS failure a tls_error is (`mailkit.checks.tls.TLS_KINDS`); "" for any other status."""
    if diagnosis.status is not Status.TLS_ERROR:
        return ""
    if diagnosis.variant == WRONG_MODE:
        return WRONG_MODE
    return tls_kind_of_text(f"{diagnosis.detail} {diagnosis.raw}") or OTHER


__all__ = ["CheckResult", "Credentials", "Diagnosed", "Step", "Timeouts", "TokenRefresher", "tls_kind"]
