"""The domain findings as a DataFrame: one row per (domain, check), for the report sheet and notebooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.domains.findings import DomainReport
from mailkit.i18n import pgettext

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("companies", "domain", "provider", "check", "status", "found", "cause", "remedy", "publish at",
           "record to publish", "details")


def column_names(lang: str) -> dict[str, str]:
    """Each column's header for people, in `lang`."""
    return {
        "companies": pgettext(lang, "column", "companies"),
        "domain": pgettext(lang, "column", "domain"),
        "provider": pgettext(lang, "column", "provider"),
        "check": pgettext(lang, "column", "check"),
        "status": pgettext(lang, "column", "status"),
        "found": pgettext(lang, "column", "found"),
        "cause": pgettext(lang, "column", "cause"),
        "remedy": pgettext(lang, "column", "remedy"),
        "publish at": pgettext(lang, "column", "publish at"),
        "record to publish": pgettext(lang, "column", "record to publish"),
        "details": pgettext(lang, "column", "details"),
    }


def domains_frame(reports: list[DomainReport], lang: str = "en", *, translated_headers: bool = False
                  ) -> pd.DataFrame:
    """Rows of every finding with its cause and remedy in `lang`; English column names unless
    `translated_headers` (a sheet for people)."""
    import pandas as pd

    rows = [(", ".join(r.companies), r.domain, r.provider, f.check, f.status, " | ".join(f.found), f.cause(lang),
             f.remedy(lang), f.publish_name, f.publish, _details(f.details))
            for r in reports for f in r.findings]
    names = list(column_names(lang).values()) if translated_headers else list(COLUMNS)
    return pd.DataFrame(rows, columns=names)


def _details(details: dict) -> str:
    """`key=value; ...` with lists joined by commas: one readable cell."""
    shown = []
    for key, value in details.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}:{v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            value = ",".join(map(str, value))
        if value not in (None, ""):
            shown.append(f"{key}={value}")
    return "; ".join(shown)


__all__ = ["COLUMNS", "domains_frame"]
