"""The report's "breaks soon" view: the health forecast (`mailkit.forecast`) as a DataFrame, one row per account
and reason, soonest first, with the cause and remedy in the report's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from mailkit.forecast import DEFAULT_DAYS, ForecastItem, forecast
from mailkit.i18n import pgettext, resolve_lang
from mailkit.workspace import Workspace

FORECAST_COLUMNS = ["company", "company_name", "email", "what", "breaks_at", "days_left", "broken", "cause",
                    "remedy", "kind"]


def forecast_headers(lang: str | None) -> dict[str, str]:
    """Each column's header in `lang` (msgctxt "column", as the other report views)."""
    return {
        "company": pgettext(lang, "column", "company"),
        "company_name": pgettext(lang, "column", "company_name"),
        "email": pgettext(lang, "column", "email"),
        "what": pgettext(lang, "column", "what breaks"),
        "breaks_at": pgettext(lang, "column", "breaks at"),
        "days_left": pgettext(lang, "column", "days left"),
        "broken": pgettext(lang, "column", "already broken"),
        "cause": pgettext(lang, "column", "cause"),
        "remedy": pgettext(lang, "column", "remedy"),
        "kind": pgettext(lang, "column", "kind"),
    }


def forecast_frame(workspace: Workspace | None = None, days: float = DEFAULT_DAYS, *, lang: str | None = None,
                   company: str | None = None, now: datetime | None = None,
                   items: list[ForecastItem] | None = None) -> pd.DataFrame:
    """What breaks within `days` (or already broke), English column names; `items`: a forecast already made."""
    now = now or datetime.now(UTC)
    chosen = resolve_lang(lang)
    if items is None:
        items = forecast(workspace or Workspace(), days, company=company, now=now)
    rows = [{"company": i.company, "company_name": i.company_name, "email": i.email, "what": i.title(chosen),
             "breaks_at": pd.Timestamp(i.when).tz_convert(UTC).tz_localize(None), "days_left": i.days_left(now),
             "broken": i.broken(now), "cause": i.cause(chosen), "remedy": i.remedy(chosen), "kind": i.kind}
            for i in items]
    return pd.DataFrame(rows, columns=FORECAST_COLUMNS)


__all__ = ["FORECAST_COLUMNS", "forecast_frame", "forecast_headers"]
