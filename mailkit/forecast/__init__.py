"""The health forecast: what will break in each account and when (a Testing client's 7-day tokens, refresh
tokens unused for six months, access revoked, app passwords revoked by a password change, Microsoft's end of
basic authentication, a day's sending limit used up by test sends), each with its cause and remedy.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.forecast.engine import DEFAULT_DAYS, forecast
    from mailkit.forecast.facts import AccountFacts, gather
    from mailkit.forecast.items import KINDS, ForecastItem
    from mailkit.forecast.rules import BASIC_AUTH_RETIREMENT, RULES

_SOURCES: dict[str, list[str]] = {
    "engine": ["DEFAULT_DAYS", "forecast"],
    "facts": ["AccountFacts", "gather"],
    "items": ["KINDS", "ForecastItem"],
    "rules": ["BASIC_AUTH_RETIREMENT", "RULES"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["BASIC_AUTH_RETIREMENT", "DEFAULT_DAYS", "KINDS", "RULES", "AccountFacts", "ForecastItem", "forecast",
           "gather"]
