"""The Directory API's per-user quota, as the sandbox keeps it: how many requests each admin made in the last
second. Google counts queries per minute per user of the project (2,400 by default) and answers 403
`userRateLimitExceeded` past it; the sandbox's window is one second so that a test can pass it and see the backoff
recover within seconds (`mailkit sandbox --fault directory-rate=N`)."""

from __future__ import annotations

import threading
import time
from collections import deque

WINDOW_SECONDS = 1.0


class QueryWindow:
    """Requests per caller within the last WINDOW_SECONDS; thread-safe (the HTTP side answers from threads)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.refused = 0  # how many requests got the quota answer, for tests and benchmarks

    def admit(self, caller: str, per_second: int, now: float | None = None) -> bool:
        """Count this request of `caller`; False when it is over `per_second` (0: no quota). A refused request
        counts too, as Google's does: hammering on keeps the quota spent."""
        if per_second <= 0:
            return True
        moment = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(caller.lower(), deque())
            while seen and moment - seen[0] >= WINDOW_SECONDS:
                seen.popleft()
            seen.append(moment)
            if len(seen) <= per_second:
                return True
            self.refused += 1
            return False


__all__ = ["WINDOW_SECONDS", "QueryWindow"]
