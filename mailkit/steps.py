"""The steps of a check (DNS, TCP, TLS, EHLO/greeting, AUTH, send/select) as the admin sees them:
a tick or a cross and one line of detail. Shared by the SMTP and IMAP checks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mailkit.diagnose import Diagnosis
from mailkit.errors import NetworkError


@dataclass
class Step:
    """One stage of a check: a tick or a cross and a line of detail."""

    name: str
    ok: bool
    detail: str = ""
    duration_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "duration_ms": self.duration_ms}


class StopCheck(Exception):
    """Internal to a check: stop the conversation with this diagnosis."""

    def __init__(self, diagnosis: Diagnosis):
        self.diagnosis = diagnosis


class StepRecorder:
    """Runs awaited actions as named steps, recording a tick with its timing or tagging the failure."""

    steps: list[Step]

    async def _step(self, name: str, action: Callable[[], Awaitable[Any]], describe: Callable[[Any], str]) -> Any:
        started = time.monotonic()
        try:
            value = await action()
        except NetworkError as exc:
            exc.step = exc.step or name
            raise
        self.steps.append(Step(name, True, describe(value), int((time.monotonic() - started) * 1000)))
        return value

    def _fail_step(self, name: str, detail: str) -> None:
        self.steps.append(Step(name, False, detail))
