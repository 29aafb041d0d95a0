"""Write the reports to .xlsx, .csv or a standalone .html.

Excel gets what an accountant expects: one sheet per view, bold frozen header row, autofilter,
sensible column widths, real dates, status cells coloured by severity. Text that a spreadsheet
would run as a formula (a reply or a note starting with `=`, `+`, `-`, `@`) is kept as text.
CSV is UTF-8 with a BOM so Excel opens accents correctly. HTML embeds the styled tables and the
plots as base64 PNG, so the file can be mailed as it is.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mailkit.errors import UsageError
from mailkit.files import private_output
from mailkit.i18n import N_, gettext, normalize_lang
from mailkit.reports import frames as reports
from mailkit.sanitize import for_export
from mailkit.tabular.read import FORMULA_START, quote_formula
from mailkit.workspace import Workspace

#: Sheet (and HTML section) titles per view; English, the catalogue's message ids.
SHEETS = {"status": N_("Status"), "companies": N_("Companies"), "runs": N_("Runs"), "results": N_("Results"),
          "readiness": N_("Basic auth"),
          "forecast": N_("Breaks soon"), "domains": N_("Domains")}
TITLE = N_("mailkit report")
TIME_COLUMNS = frozenset({"last_ok", "last_check", "oauth_expires", "started_at", "finished_at", "checked_at",
                          "breaks_at"})
_HEADER_FILL = "DDDDDD"
_MAX_WIDTH = 60
#: Companies drawn by name in the HTML report's plot; the rest share one bar.
TOP_COMPANIES = 15


def views(workspace: Workspace | None = None, *, lang: str | None = None, last_runs: int = 30,
          company: str | None = None, statuses: Collection[str] | None = None, domains: bool = False
          ) -> dict[str, Any]:
    """The report views with English column names (exports localize the headers when writing): the four views,
    "forecast" (what breaks soon), the basic-auth readiness when there are Microsoft 365 mailboxes, and with
    `domains` the mail authentication of the company domains (opt-in: it asks DNS); with
    `company` (a slug) every view holds that company's accounts and results only; with `statuses` the accounts
    and results only of the accounts whose latest status is one of them (what a filtered view shows)."""
    from mailkit.reports.breaks_soon import forecast_frame
    from mailkit.reports.readiness import readiness_frame

    latest = reports.status(workspace, lang=lang, company=company).rename(columns=reports.english_name)
    results = reports.history(workspace, per_account=True, last_runs=last_runs, company=company)
    if statuses is not None:
        latest = latest[latest["status"].isin(list(statuses))].reset_index(drop=True)
        emails = set(latest["email"])
        results = results[results["email"].isin(emails)].reset_index(drop=True)
    frames = {
        "status": latest,
        "companies": reports.by_company(frame=latest),
        "runs": reports.history(workspace, company=company),
        "results": results,
        "forecast": forecast_frame(workspace, lang=lang, company=company),
    }
    readiness = readiness_frame(workspace, lang=lang, company=company).rename(columns=reports.english_name)
    if statuses is not None and not readiness.empty:
        readiness = readiness[readiness["email"].isin(emails)].reset_index(drop=True)
    if not readiness.empty:  # only where there are Microsoft 365 mailboxes
        frames["readiness"] = readiness
    if domains:
        from mailkit.domains import check_domains, domains_frame

        frames["domains"] = domains_frame(check_domains(workspace, company), normalize_lang(lang) or "en")
    return frames


def export(path: str | Path, workspace: Workspace | None = None, *, lang: str | None = None,
           last_runs: int = 30, company: str | None = None, statuses: Collection[str] | None = None,
           domains: bool = False) -> Path:
    """Write the report to `path` (0600, replaced whole); the format follows the suffix (.xlsx, .csv, .html);
    `domains` adds the company domains' mail authentication (a DNS check) as its own sheet.

    The folder must exist: a typo in a path is an error, not a new folder somewhere.
    """
    path = Path(path)
    writers = {".xlsx": to_xlsx, ".csv": to_csv, ".html": to_html, ".htm": to_html}
    writer = writers.get(path.suffix.lower())
    if writer is None:
        raise UsageError(f"{path.name}: choose a .xlsx, .csv or .html file for the report")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder; give a file name such as {path / 'report.xlsx'}")
    frames = views(workspace, lang=lang, last_runs=last_runs, company=company, statuses=statuses, domains=domains)
    with private_output(path) as temporary:
        writer(frames, temporary, lang=lang)
    return path


def _text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with control characters in its text cells shown escaped (a server's reply or a company name
    from a file may carry terminal escape sequences); other values untouched."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(lambda v: for_export(v) if isinstance(v, str) else v)
    return out


def header(column: str, lang: str | None) -> str:
    """The localized header; time columns say they are UTC."""
    from mailkit.domains import column_names
    from mailkit.reports.breaks_soon import forecast_headers

    name = reports.HEADERS.get(normalize_lang(lang) or "en", {}).get(column)
    if name is None and normalize_lang(lang):
        name = forecast_headers(lang).get(column) or column_names(lang).get(column)
    name = name or column
    return f"{name} (UTC)" if column in TIME_COLUMNS else name


def sheet_name(view: str, lang: str | None) -> str:
    """The title of a view's sheet in `lang` (the view's key when it has none)."""
    return gettext(lang, SHEETS[view]) if view in SHEETS else view


# --- Excel ---------------------------------------------------------------------------------
def to_xlsx(frames: dict[str, pd.DataFrame], path: Path, *, lang: str | None = None) -> None:
    """One sheet per view, ready for an accountant's Excel."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for key, frame in frames.items():
        _sheet(book.create_sheet(sheet_name(key, lang)), frame, lang)
    book.save(path)


def _sheet(sheet: Any, frame: pd.DataFrame, lang: str | None) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = list(frame.columns)
    sheet.append([header(c, lang) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for values in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in values])
    for index, column in enumerate(columns, start=1):
        _format_column(sheet, index, column, len(frame))
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(header(column, lang), frame[column])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(columns)))}{len(frame) + 1}"


def _format_column(sheet: Any, index: int, column: str, rows: int) -> None:
    from openpyxl.styles import PatternFill

    for (cell,) in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=index, max_col=index):
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"  # text, never a formula
        if column in TIME_COLUMNS:
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif column == "health":
            cell.number_format = "0%"
        elif column in ("status", "severity") and cell.value:
            color = reports.severity_css(cell.value).partition("#")[2]
            if color:
                cell.fill = PatternFill("solid", fgColor=color.upper())


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes faithfully: naive UTC datetimes, None for missing, clean text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NaT or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert(UTC) if stamp.tzinfo else stamp).tz_localize(None).to_pydatetime()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", for_export(value))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _width(title: str, values: pd.Series) -> float:
    sample = values.head(500).map(lambda v: len(str(v)) if v is not None and not _missing(v) else 0)
    longest = max([len(title), *sample.tolist()]) if len(sample) else len(title)
    return float(min(_MAX_WIDTH, max(8, longest + 2)))


def _missing(value: Any) -> bool:
    return not isinstance(value, str) and bool(pd.isna(value))


# --- CSV -----------------------------------------------------------------------------------
def to_csv(frames: dict[str, pd.DataFrame], path: Path, *, lang: str | None = None) -> None:
    """The status view as CSV, UTF-8 with BOM; formula-looking text is prefixed with a quote."""
    frame = _text_cells(frames["status"])
    for column in frame.columns:
        if column in TIME_COLUMNS:
            frame[column] = frame[column].map(lambda t: "" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M"))
        else:
            frame[column] = frame[column].map(quote_formula)
    frame.columns = [header(c, lang) for c in frame.columns]
    frame.to_csv(path, index=False, encoding="utf-8-sig")


# --- HTML ----------------------------------------------------------------------------------
_PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin-bottom: 2em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}
th {{ background: #eee; position: sticky; top: 0; }}
img {{ max-width: 100%; }}
.note {{ color: #666; }}
</style></head><body>
<h1>{title}</h1>
<p class="note">{generated}</p>
{body}
</body></html>
"""


def to_html(frames: dict[str, pd.DataFrame], path: Path, *, lang: str | None = None) -> None:
    """A standalone page: plots (base64 PNG) and the styled tables."""
    chosen = normalize_lang(lang) or "en"
    parts = [_plots_html(frames, chosen)]
    for key in ("forecast", "status", "companies", "runs", "readiness"):
        if key not in frames:
            continue
        table = _text_cells(frames[key]).rename(columns=lambda c: header(c, lang))
        parts.append(f"<h2>{html.escape(sheet_name(key, lang))}</h2>\n{reports.style(table).to_html()}")
    page = _PAGE.format(lang=chosen, title=html.escape(gettext(chosen, TITLE)), body="\n".join(parts),
                        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    path.write_text(page, encoding="utf-8")


def _plots_html(frames: dict[str, pd.DataFrame], lang: str) -> str:
    from mailkit.reports import plots as report_plots

    if not report_plots.matplotlib_available():
        return f'<p class="note">{html.escape(report_plots.MISSING)}</p>'
    images = []
    companies = report_plots.status_by_company(frames["companies"], top=TOP_COMPANIES, lang=lang)
    for figure in (companies, report_plots.trend(frames["runs"], lang=lang)):
        data = base64.b64encode(report_plots.png(figure)).decode("ascii")
        images.append(f'<img alt="plot" src="data:image/png;base64,{data}">')
    return "\n".join(images)


__all__ = ["SHEETS", "export", "header", "sheet_name", "to_csv", "to_html", "to_xlsx", "views"]
