"""Reports from the audit store: pandas DataFrames (latest status, per company, history), written to
.xlsx / .csv / .html and plotted; the health forecast's "breaks soon" view.

The names below are imported from their modules on first use (`mailkit.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailkit.lazy import lazy_exports

if TYPE_CHECKING:
    from mailkit.reports.breaks_soon import forecast_frame
    from mailkit.reports.files import export, header
    from mailkit.reports.frames import STATUS_ORDER, by_company, english_name, history, localize, status, style
    from mailkit.reports.plots import matplotlib_available, png, status_by_company, trend

_SOURCES: dict[str, list[str]] = {
    "files": ["export", "header"],
    "breaks_soon": ["forecast_frame"],
    "frames": ["STATUS_ORDER", "by_company", "english_name", "history", "localize", "status", "style"],
    "plots": ["matplotlib_available", "png", "status_by_company", "trend"],
}

__getattr__, __dir__ = lazy_exports(__name__, _SOURCES)

__all__ = [
    "STATUS_ORDER", "by_company", "english_name", "export", "forecast_frame", "header", "history", "localize",
    "matplotlib_available", "png", "status", "status_by_company", "style", "trend"
]
