"""How often a scheduled audit runs: `30m`, `6h`, `1d` (also `90min`, `12 hours`, `2 days`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailkit.errors import UsageError

MINUTE, HOUR, DAY = 60, 3600, 86400
MIN_SECONDS = 5 * MINUTE  # more often than this would hammer Google's servers from one machine
MAX_SECONDS = 31 * DAY
_UNITS = {"m": MINUTE, "min": MINUTE, "mins": MINUTE, "minute": MINUTE, "minutes": MINUTE,
          "h": HOUR, "hr": HOUR, "hrs": HOUR, "hour": HOUR, "hours": HOUR,
          "d": DAY, "day": DAY, "days": DAY}
_FORM = re.compile(r"\s*(\d{1,6})\s*([a-z]+)\s*", re.I)


@dataclass(frozen=True)
class Interval:
    """A whole number of minutes between runs."""

    seconds: int

    @property
    def label(self) -> str:
        """The shortest way to say it: 30m, 6h, 1d, 90m."""
        for size, unit in ((DAY, "d"), (HOUR, "h")):
            if self.seconds % size == 0:
                return f"{self.seconds // size}{unit}"
        return f"{self.seconds // MINUTE}m"

    @property
    def systemd(self) -> str:
        """A systemd time span (systemd reads `m` as minutes too, but `min` cannot be mistaken for months)."""
        label = self.label
        return label[:-1] + "min" if label.endswith("m") else label


def parse_interval(text: str) -> Interval:
    """`6h` -> Interval(21600); anything else is a UsageError that says what is accepted."""
    found = _FORM.fullmatch(text or "")
    unit = _UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None:
        raise UsageError(f"--every {text!r}: give a number and a unit, e.g. 30m, 6h or 1d")
    seconds = int(found.group(1)) * unit
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise UsageError(f"--every {text!r}: choose between 5m and 31d")
    return Interval(seconds)


__all__ = ["Interval", "parse_interval"]
