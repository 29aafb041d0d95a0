"""Sandbox time travel: make an account's OAuth grants and app passwords N days old, mark its grants as issued
by an OAuth client in Testing, or change its password N days ago — so what Google does to old credentials
(GMAIL_FACTS.md: Testing tokens die after 7 days, unused ones after six months, a password change revokes
app passwords and Gmail-scoped tokens) can be tried for real.

A running sandbox takes the change at `POST /sandbox/age` on its HTTPS side (what `mailkit sandbox age`
and tests use); a stopped one has it written into its state folder, read again when it starts.
"""

from __future__ import annotations

import json
import math
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mailkit.errors import UsageError
from mailkit.sandbox.grants import GRANTS_FILE, GrantRegistry
from mailkit.sandbox.http_core import HttpContext, Request, Response, json_response

AGE_PATH = "/sandbox/age"


@dataclass(frozen=True)
class Aging:
    """What to do to one account; None leaves that part alone."""

    email: str
    days: float | None = None
    testing: bool | None = None
    password_changed_days: float | None = None

    def __post_init__(self) -> None:
        if "@" not in self.email:
            raise UsageError(f"{self.email!r} is not an email address")
        for name in ("days", "password_changed_days"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0 <= value <= 36500):
                raise UsageError(f"{name.replace('_', ' ')} must be between 0 and 36500, not {value}")
        if self.days is None and self.testing is None and self.password_changed_days is None:
            raise UsageError("nothing to change: give --days, --testing/--published or --password-changed")

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "days": self.days, "testing": self.testing,
                "password_changed_days": self.password_changed_days}

    @classmethod
    def from_request(cls, req: Request) -> Aging:
        def number(name: str) -> float | None:
            text = req.get(name)
            return float(text) if text not in ("", "null", "None") else None

        testing = req.get("testing").lower()
        return cls(req.get("email"), number("days"), {"true": True, "false": False}.get(testing),
                   number("password_changed_days"))

    def apply(self, grants: GrantRegistry) -> int:
        return grants.age_account(self.email, self.days, testing=self.testing,
                                  password_changed_days=self.password_changed_days)


def age_endpoint(ctx: HttpContext, req: Request) -> Response:
    """POST /sandbox/age (form fields email, days, testing=true|false, password_changed_days): the grants aged."""
    try:
        aging = Aging.from_request(req)
    except (UsageError, ValueError) as exc:
        return json_response({"error": "invalid_request", "error_description": str(exc)}, 400)
    if ctx.account(aging.email) is None:
        return json_response({"error": "not_found", "error_description": f"no sandbox account {aging.email}"}, 404)
    return json_response({"email": aging.email.lower(), "grants": aging.apply(ctx.grants)})


def age(aging: Aging, state_dir: Path) -> tuple[int, bool]:
    """Age an account of the sandbox whose state is in `state_dir`: through its HTTPS side when it is running
    (its sandbox.json is there), else in its stored grants. (grants aged, whether a running sandbox took it)."""
    info = state_dir / "sandbox.json"
    if info.exists():
        return _post(aging, json.loads(info.read_text(encoding="utf-8")), state_dir), True
    if not state_dir.is_dir():
        raise UsageError(f"no sandbox state in {state_dir}: start `mailkit sandbox` there once, or give "
                         "--state-dir")
    return aging.apply(GrantRegistry(path=state_dir / GRANTS_FILE)), False


def _post(aging: Aging, info: dict[str, Any], state_dir: Path) -> int:
    fields = {k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
              for k, v in aging.to_dict().items()}
    body = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in fields.items()).encode()
    context = ssl.create_default_context(cafile=str(state_dir / info["ca_cert"]))
    request = urllib.request.Request(info["http"].rstrip("/") + AGE_PATH, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as reply:
            return int(json.loads(reply.read())["grants"])
    except urllib.error.HTTPError as exc:
        detail = json.loads(exc.read() or b"{}").get("error_description", exc.reason)
        raise UsageError(f"the sandbox refused: {detail}") from exc
    except OSError as exc:
        raise UsageError(f"the sandbox at {info['http']} does not answer ({exc}); is it still running? Remove "
                         f"{state_dir / 'sandbox.json'} if it is not") from exc


__all__ = ["AGE_PATH", "Aging", "age", "age_endpoint"]
