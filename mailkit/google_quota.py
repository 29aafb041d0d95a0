"""Google APIs' quota and passing errors, and the wait before asking again (Google's truncated exponential backoff).

Listing a 300-user domain's app passwords asks the Directory once per user; done in parallel it can pass the
project's per-user quota (2,400 queries a minute by default), and Google then answers 403 `userRateLimitExceeded`
(or `rateLimitExceeded`/`quotaExceeded`, or 429). Those and 5xx answers pass: the request is sent again after
1, 2, 4, 8, 16 s (plus up to a second of jitter, or the server's Retry-After), at most MAX_WAIT each. A 403 for
any other reason (not an admin, a missing scope) is final and is never retried.

    from mailkit.google_quota import Backoff, send_with_backoff
    response = send_with_backoff(lambda: session.get(url), Backoff())
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: The `errors[].reason` values of a quota answer (Admin SDK limits page; Gmail API usage limits).
RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"})
#: Statuses that pass whatever the body says: Too Many Requests and the server's own failures.
PASSING_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The longest single wait, in seconds (Google's guidance: a maximum backoff of 32 or 64 s).
MAX_WAIT = 32.0


def error_of(response: Any) -> dict[str, Any]:
    """The `error` object of a googleapis.com error body (`{}` when the body is not one)."""
    try:
        error = response.json().get("error", {})
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def error_reasons(response: Any) -> set[str]:
    """The reasons a googleapis.com error body gives: `errors[].reason` (the older APIs, e.g. the Directory's
    `userRateLimitExceeded`) and `details[].reason` (google.rpc.ErrorInfo, e.g. IAM's `IAM_PERMISSION_DENIED`)."""
    error = error_of(response)
    items = [*_listed(error.get("errors")), *_listed(error.get("details"))]
    return {str(e.get("reason")) for e in items if isinstance(e, dict) and e.get("reason")}


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def is_rate_limited(response: Any) -> bool:
    """A quota answer: 429, or a 403 whose reason is a rate or quota limit."""
    return response.status_code == 429 or (response.status_code == 403 and bool(error_reasons(response) & RATE_REASONS))


def passes(response: Any) -> bool:
    """Worth asking again: a quota answer or a 5xx."""
    return response.status_code in PASSING_STATUSES or is_rate_limited(response)


def retry_after(response: Any) -> float | None:
    """The server's Retry-After in seconds, when it gives a number."""
    value = str(getattr(response, "headers", {}).get("Retry-After") or "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


@dataclass
class Backoff:
    """How often and how long to wait: `attempts` requests in all, the n-th wait `base`·2ⁿ plus jitter."""

    attempts: int = 6
    base: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, response: Any) -> float:
        """The wait after the `attempt`-th answer (0-based): Retry-After when given, else 2ⁿ·base + jitter."""
        told = retry_after(response)
        if told is not None:
            return min(MAX_WAIT, told)
        return min(MAX_WAIT, self.base * 2 ** attempt + random.uniform(0, self.base))


def send_with_backoff(send: Callable[[], Any], backoff: Backoff) -> Any:
    """`send()` until its answer does not pass or the attempts are spent; the last answer either way.
    `send` raises for network failures as it would alone (those are the caller's to word)."""
    for attempt in range(max(1, backoff.attempts)):
        response = send()
        if attempt == backoff.attempts - 1 or not passes(response):
            return response
        backoff.sleep(backoff.delay(attempt, response))
    return response  # pragma: no cover - the loop always returns


__all__ = ["MAX_WAIT", "PASSING_STATUSES", "RATE_REASONS", "Backoff", "error_of", "error_reasons", "is_rate_limited",
           "passes", "retry_after", "send_with_backoff"]
