"""Reports from the audit store: pandas DataFrames (latest status, per company, history, Microsoft 365's
basic-auth readiness), written to .xlsx / .csv / .html and plotted; the health forecast's "breaks soon" view.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.reports.breaks_soon import forecast_frame
    from mailkit.reports.files import export, header
    from mailkit.reports.frames import HEADERS, STATUS_ORDER, by_company, english_name, history, localize, status, style
    from mailkit.reports.plots import matplotlib_available, png, status_by_company, trend
    from mailkit.reports.readiness import RETIREMENT, readiness_frame, readiness_word, summary

_SOURCES: dict[str, list[str]] = {
    "breaks_soon": ["forecast_frame"],
    "files": ["export", "header"],
    "frames": ["by_company", "english_name", "HEADERS", "history", "localize", "status", "STATUS_ORDER", "style"],
    "plots": ["matplotlib_available", "png", "status_by_company", "trend"],
    "readiness": ["readiness_frame", "readiness_word", "RETIREMENT", "summary"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = ["HEADERS", "RETIREMENT", "STATUS_ORDER", "by_company", "english_name", "export", "forecast_frame", "header",
    "history", "localize", "matplotlib_available", "png", "readiness_frame", "readiness_word", "status",
    "status_by_company", "style", "summary", "trend"]
