"""Report view: every account's latest status, grouped (problems first) and paginated, filtered by
company and status, with exports (xlsx, csv, html) that follow the filters and download in the
browser, and the plots (status per company, trend across audit runs), which follow them too. Before
anything has been checked it says so and offers "Run the audit now" (a sign-in check of every account).
Where there are Microsoft 365 mailboxes, a section lists those that will break when Microsoft retires basic
authentication (the readiness sheet of the exports), worst first, for the company chosen.

The table is `mailkit.ui.table.GroupedTable`: one page of rows at a time, the cause and remedy once
per group, company names rather than ids. The export files keep the styled full tables.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from mailkit import reports
from mailkit.audit import Audit, AuditOptions, AuditResult, AuditSummary, Selection
from mailkit.diagnose_texts import status_label
from mailkit.i18n import normalize_lang
from mailkit.inventory import Inventory
from mailkit.reports import HEADERS
from mailkit.status import SEVERITY, Status
from mailkit.ui.actions import step_title
from mailkit.ui.base import Panel, busy, escape, labelled, soft_breaks
from mailkit.ui.download import download_link
from mailkit.ui.i18n_ui import LABELS
from mailkit.ui.readiness_view import readiness_html
from mailkit.ui.setup_form import auth_word
from mailkit.ui.table import GroupedTable, Row, generic
from mailkit.workspace import Workspace

FORMATS = ("xlsx", "csv", "html")
#: The rows' columns unless "all columns" is ticked; status, cause and remedy head each group.
VIEW_COLUMNS = ["company_name", "email", "auth", "two_step", "last_check"]
#: Shown with "all columns" too (the exports always have every column).
EXTRA_COLUMNS = ["provider", "step", "reply_code", "reply", "tls_kind", "oauth_scopes", "oauth_expires",
                 "app_password_age_days", "app_passwords", "last_ok", "run_id"]
#: At least this wide (12px text).
COLUMN_WIDTHS = {"company_name": "8em", "email": "13em", "auth": "5em", "two_step": "3em", "last_check": "7em",
                 "reply": "16em"}
#: The table's short headings, shared with the other panels (label keys); other columns keep the report's.
VIEW_HEADERS = {"company_name": "company", "email": "email", "auth": "auth", "two_step": "col_two_step",
                "last_check": "col_last_check"}
PROBLEM_STATUSES = tuple(s.value for s in Status if SEVERITY[s] in ("error", "warning"))
#: Companies drawn by name in the plot; the rest share one bar.
TOP_COMPANIES = 15


class ReportView(Panel):
    """Every account's latest status, filterable, exportable, plotted."""

    title_key = "report_title"
    intros = ("05_status_report",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 export_dir: Path | None = None, audit_options: AuditOptions | None = None):
        self.audit_options = audit_options  # how "Run the audit now" checks (default: sign-in only, every account)
        self.frame = pd.DataFrame()
        self.shown = pd.DataFrame()
        self.exported: list[Path] = []
        self.summary: AuditSummary | None = None
        self._quiet = False  # set while refresh() moves the pickers: one redraw at its end
        super().__init__(workspace, lang=lang)
        self.export_dir = Path(export_dir) if export_dir else self.workspace.home / "reports"
        self.refresh()

    def build(self) -> list[w.Widget]:
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="380px")), "80px")
        self.status = labelled(w.Dropdown(options=[], layout=w.Layout(width="300px")), "80px")
        self.reload = w.Button(icon="refresh")
        self.run_audit = w.Button(button_style="primary", icon="play")
        self.empty_note = w.HTML()
        self.empty = w.VBox([self.empty_note, self.run_audit], layout=w.Layout(display="none", margin="0 0 6px 0"))
        self.all_columns = w.Checkbox(value=False, indent=False)
        self.all_columns.observe(lambda _: self.render(), "value")
        self.table = GroupedTable(lang=self.lang, css_class="mailkit-report")
        self.table.problems_only.observe(lambda _: self._filters_changed(), "value")
        self.exports = {fmt: w.Button(icon="download") for fmt in FORMATS}
        self.export_note = w.HTML()  # "Written: …" and the download link, next to the buttons
        image = {"format": "png", "layout": w.Layout(max_width="100%", width="900px", height="auto")}
        self.readiness = w.HTML()
        self.plot_company = w.Image(**image)
        self.plot_trend = w.Image(**image)
        for picker in (self.company, self.status):
            picker.observe(lambda _: self._filters_changed(), "value")
        self.reload.on_click(self.on_reload)
        self.run_audit.on_click(self.on_run_audit)
        for fmt, button in self.exports.items():
            button.on_click(lambda b, fmt=fmt: self.on_export(b, fmt))
        wrap = w.Layout(flex_flow="row wrap", align_items="center", grid_gap="6px")
        return [w.HBox([self.company, self.status, self.reload], layout=wrap),
                w.HBox([*self.exports.values(), self.export_note], layout=wrap), self.all_columns, self.empty,
                self.table, self.readiness, self.plot_company, self.plot_trend]

    def relabel(self) -> None:
        self.company.description = self.t("company")
        self.status.description = self.t("status")
        self.reload.description = self.t("refresh")
        self.run_audit.description = self.t("run_audit")
        self.all_columns.description = self.t("all_columns")
        for fmt, button in self.exports.items():
            button.description = self.t("export", fmt=fmt)
        if hasattr(self, "export_dir"):
            self.refresh()

    def refresh(self) -> None:
        """Read the latest status of every account again and redraw."""
        self.frame = self.read()
        with Inventory.open(self.workspace) as inventory:
            companies = inventory.companies()
        keep_company, keep_status = self.company.value, self.status.value
        self._quiet = True
        try:
            self.company.options = [(self.t("all"), "")] + [(c.name, c.slug) for c in companies]
            present = [s for s in reports.STATUS_ORDER if s in set(self.frame["status"])]
            self.status.options = [(self.t("all"), "")] + [(status_label(s, self.lang), s) for s in present]
            self.company.value = keep_company if keep_company in dict(self.company.options).values() else ""
            self.status.value = keep_status if keep_status in present else ""
        finally:
            self._quiet = False
        self._filters_changed()

    def _filters_changed(self) -> None:
        if not self._quiet:
            self.render()
            self.plot()

    def read(self) -> pd.DataFrame:
        """The latest status of every account: English column names, causes and remedies in the panel's language."""
        frame = reports.status(self.workspace, lang=self.lang)
        return frame.rename(columns={c: reports.english_name(str(c)) for c in frame.columns})

    @property
    def unchecked(self) -> bool:
        """Nothing has been checked yet (or there is no account at all)."""
        return self.frame.empty or bool((self.frame["status"] == "").all())

    def filtered(self) -> pd.DataFrame:
        """The accounts the filters on screen select (the table, the plots and the exports show these)."""
        frame = self.frame
        if self.company.value:
            frame = frame[frame["company"] == self.company.value]
        if self.status.value:
            frame = frame[frame["status"] == self.status.value]
        if self.table.problems_only.value:
            frame = frame[frame["status"].isin(PROBLEM_STATUSES)]
        return frame

    def statuses(self) -> list[str] | None:
        """The statuses the filters keep (None: every one), for the exports."""
        if self.status.value:
            return [self.status.value]
        return list(PROBLEM_STATUSES) if self.table.problems_only.value else None

    def render(self) -> None:
        self.shown = self.filtered()
        self.empty.layout.display = "flex" if self.unchecked else "none"
        self.run_audit.layout.display = "none" if self.frame.empty else ""
        if self.unchecked:
            self._note(self.t("no_accounts") if self.frame.empty else
                       self.t("no_results", step=step_title("04_bulk_test_send.ipynb", self.lang)))
        columns = VIEW_COLUMNS + (EXTRA_COLUMNS if self.all_columns.value else [])
        frame = self.frame[self.frame["company"] == self.company.value] if self.company.value else self.frame
        if self.status.value:
            frame = frame[frame["status"] == self.status.value]  # "problems only" is the table's own view
        self.table.relabel(self.lang, [(c, self._heading(c), COLUMN_WIDTHS.get(c, "4em")) for c in columns],
                           draw=False)
        self.table.reset(self._row(record, columns) for record in frame.to_dict("records"))
        self.readiness.value = self._readiness_html()

    def _readiness_html(self) -> str:
        """The Microsoft 365 mailboxes and whether each survives the basic-auth retirement ("" without any)."""
        return readiness_html(self.workspace, self.lang, self.company.value or None)

    def _heading(self, column: str) -> str:
        if column in VIEW_HEADERS:
            return self.t(VIEW_HEADERS[column])
        return HEADERS.get(normalize_lang(self.lang) or "en", {}).get(column, column)

    def _row(self, record: dict[str, Any], columns: list[str]) -> Row:
        email, status = str(record["email"]), str(record["status"] or "")
        cells = {c: _cell(record.get(c)) for c in columns}
        cells["email"] = soft_breaks(email)
        cells["auth"] = escape(auth_word(str(record.get("auth") or ""), self.lang))  # words, not `app_password`
        state = str(record.get("two_step") or "")
        if "two_step" in cells and f"twostep_{state}" in LABELS:
            cells["two_step"] = escape(self.t(f"twostep_{state}"))
        return Row(email, str(record["company_name"]), status, str(record["severity"] or ""),
                   generic(str(record["cause"] or ""), email, str(record["company_name"] or "")),
                   generic(str(record["remedy"] or ""), email, str(record["company_name"] or "")), cells,
                   provider=str(record.get("provider") or ""))

    def _note(self, text: str) -> None:
        """The message above the empty table (what to do, then the audit's progress)."""
        self.empty_note.value = (f"<div class='mailkit-empty mailkit-block' style='color:#0b57d0;background:#e8f0fe;"
                                 f"padding:6px 10px;border-radius:6px;margin:4px 0'>{escape(text)}</div>")

    def plot(self) -> None:
        """Draw the plots of the accounts the filters select; hidden while nothing has been checked."""
        for image in (self.plot_company, self.plot_trend):
            image.layout.display = "none" if self.unchecked else ""
        if not reports.matplotlib_available() or self.unchecked:
            return
        companies = reports.by_company(frame=self.shown)
        self.plot_company.value = reports.png(reports.status_by_company(
            companies, top=TOP_COMPANIES, others=self.t("others", count="{count}"), lang=self.lang))
        self.plot_trend.value = reports.png(reports.trend(reports.history(self.workspace,
                                                                          company=self.company.value or None),
                                                          lang=self.lang))

    @busy
    def on_reload(self, _button: w.Button | None = None) -> None:
        self.refresh()

    @busy
    async def on_run_audit(self, _button: w.Button | None = None) -> AuditSummary:
        """A sign-in check of every account (no test message), then the report again."""
        total = len(self.frame)
        done: list[AuditResult] = []

        def arrived(result: AuditResult) -> None:
            done.append(result)
            self._note(self.t("audit_running", done=len(done), total=total))

        self._note(self.t("audit_running", done=0, total=total))
        options = self.audit_options or AuditOptions(lang=self.lang)
        audit = Audit(self.workspace, Selection(), options, on_result=arrived)
        self.summary = await audit.run()
        self.refresh()
        ok = sum(1 for r in done if r.ok)
        self.alert.show("success" if ok == len(done) else "warning", self.t("bulk_done", ok=ok, bad=len(done) - ok))
        return self.summary

    @busy
    def on_export(self, _button: w.Button | None, fmt: str) -> Path:
        """Write the accounts the filters select, in the workspace and as a download in the browser."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the view's own folder, unlike `report -o`
        path = reports.export(self.export_dir / f"mailkit-report-{stamp}.{fmt}", self.workspace, lang=self.lang,
                              company=self.company.value or None, statuses=self.statuses())
        self.exported.append(path)
        self.export_note.value = (f"<span class='mailkit-exported' style='color:#146c2e'>"
                                  f"{download_link(path, self.t('download', name=path.name))} "
                                  f"<span style='font-size:11px'>{escape(self.t('exported', path=path))}</span></span>")
        return path


def _cell(value: object) -> str:
    """A report value as table text: times to the minute (UTC), missing values empty."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        return escape(pd.Timestamp(value).strftime("%Y-%m-%d %H:%M"))
    return escape(value)


__all__ = ["FORMATS", "ReportView"]
