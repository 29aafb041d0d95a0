"""The steps of a check (DNS, TCP, TLS, EHLO/greeting, AUTH, send/select) as the admin sees them:
a tick or a cross and one line of detail. Shared by the SMTP and IMAP checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mailkit.diagnose import Diagnosis, classify_exception, diagnosis_for
from mailkit.errors import NetworkError, OAuthError
from mailkit.secrets.redaction import redact, remember_login


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


class StopCheck(Exception):
    """Internal to a check: stop the conversation with this diagnosis."""

    def __init__(self, diagnosis: Diagnosis):
        self.diagnosis = diagnosis


class StepRecorder:
    """A check's conversation as named steps: each awaited action records a tick with its timing, and
    the first failure (a StopCheck, or a network error mapped by the catalogue) ends it."""

    steps: list[Step]
    wire: Any  # the connection; closed when the conversation ends
    transcript: Any  # the wire's transcript

    async def _converse(self) -> Diagnosis:
        raise NotImplementedError

    async def _outcome(self, port: int) -> tuple[Diagnosis, int]:
        """Run the conversation to its diagnosis, never raising for network faults; (diagnosis, ms)."""
        started = time.monotonic()
        try:
            diagnosis = await self._converse()
        except StopCheck as stop:
            diagnosis = stop.diagnosis
        except NetworkError as exc:
            self._fail_step(exc.step or "connect", str(exc))
            diagnosis = classify_exception(exc, step=exc.step, port=port)
        finally:
            await self.wire.close()
        return diagnosis, int((time.monotonic() - started) * 1000)

    async def _step(self, name: str, action: Callable[[], Awaitable[Any]], describe: Callable[[Any], str]) -> Any:
        started = time.monotonic()
        try:
            value = await action()
        except NetworkError as exc:
            exc.step = exc.step or name
            raise
        self.steps.append(Step(name, True, describe(value), int((time.monotonic() - started) * 1000)))
        return value

    async def _refresh_token(self, credentials: Any) -> None:
        """After the server refused an access token: a fresh one, once. A refresh token that no longer
        works (revoked, expired) ends the check with the OAuth error's status."""
        self.transcript.note("token refused: refreshing the access token once and retrying")
        try:
            credentials.secret = await credentials.refresh()
        except OAuthError as exc:
            self._fail_step("auth", str(exc))
            raise StopCheck(diagnosis_for(exc.status, raw=str(exc), step="auth")) from exc
        remember_login(credentials.username, credentials.secret)

    def _fail_step(self, name: str, detail: str) -> None:
        self.steps.append(Step(name, False, detail))
