"""Report view: the styled status table with filters by company and status, export buttons
(xlsx, csv, html) and the plots (status per company, trend across audit runs). Before anything
has been checked it says so and offers "Run the audit now" (a sign-in check of every account).

The table is the Styler of `mailkit.reports.style` rendered to HTML in a widget, so it looks the
same live, in a saved page and in the HTML export; the view only adds column widths that fit a
notebook and, under a remedy that names a command, the panel that does it with a button.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ipywidgets as w
import pandas as pd

from mailkit import reports
from mailkit.audit import Audit, AuditOptions, AuditResult, AuditSummary, Selection
from mailkit.inventory import Inventory
from mailkit.ui.base import Panel, busy, escape, labelled, soft_breaks
from mailkit.ui.hints import remedy_html
from mailkit.workspace import Workspace

FORMATS = ("xlsx", "csv", "html")
#: What the table shows unless "all columns" is ticked (the exports always have every column).
VIEW_COLUMNS = ["company", "email", "auth", "status", "cause", "remedy", "two_step", "last_check"]
#: Widths that let the table fit a notebook beside JupyterLab's sidebar: the prose columns get the room.
TABLE_STYLES = [
    {"selector": "", "props": "border-collapse: collapse; line-height: 1.35; font-size: 12px; width: 100%"},
    {"selector": "td, th", "props": "padding: 3px 6px; vertical-align: top; text-align: left"},
    {"selector": "td", "props": "overflow-wrap: anywhere; border-bottom: 1px solid #e0e0e0"},
    {"selector": "th", "props": "border-bottom: 1px solid #9e9e9e"},
]
#: At least this wide (12px text): they add up to what fits beside the sidebar; wider screens share the rest.
COLUMN_WIDTHS = {"company": "5.5em", "email": "9.5em", "auth": "5em", "status": "7.5em", "cause": "11em",
                 "remedy": "15em", "two_step": "3em", "last_check": "6em"}
#: The table's short headings, shared with the other panels (label keys); other columns keep the report's.
VIEW_HEADERS = {"company": "company", "email": "email", "auth": "auth", "status": "status", "cause": "cause",
                "remedy": "remedy", "two_step": "col_two_step", "last_check": "col_last_check"}


class ReportView(Panel):
    """Every account's latest status, filterable, exportable, plotted."""

    title_key = "report_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 export_dir: Path | None = None, audit_options: AuditOptions | None = None):
        self.audit_options = audit_options  # how "Run the audit now" checks (default: sign-in only, every account)
        self.frame = pd.DataFrame()
        self.shown = pd.DataFrame()
        self.exported: list[Path] = []
        self.summary: AuditSummary | None = None
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
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.exports = {fmt: w.Button(icon="download") for fmt in FORMATS}
        image = {"format": "png", "layout": w.Layout(max_width="100%", width="900px", height="auto")}
        self.plot_company = w.Image(**image)
        self.plot_trend = w.Image(**image)
        for picker in (self.company, self.status):
            picker.observe(lambda _: self.render(), "value")
        self.reload.on_click(self.on_reload)
        self.run_audit.on_click(self.on_run_audit)
        for fmt, button in self.exports.items():
            button.on_click(lambda b, fmt=fmt: self.on_export(b, fmt))
        wrap = w.Layout(flex_flow="row wrap", align_items="center")
        return [w.HBox([self.company, self.status, self.reload], layout=wrap), self.all_columns, self.empty,
                self.table, w.HBox(list(self.exports.values()), layout=wrap), self.plot_company, self.plot_trend]

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
        self.company.options = [(self.t("all"), "")] + [(f"{c.name} ({c.slug})", c.slug) for c in companies]
        present = [s for s in reports.STATUS_ORDER if s in set(self.frame["status"])]
        self.status.options = [(self.t("all"), "")] + [(s, s) for s in present]
        self.company.value = keep_company if keep_company in dict(self.company.options).values() else ""
        self.status.value = keep_status if keep_status in present else ""
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
        frame = self.frame
        if self.company.value:
            frame = frame[frame["company"] == self.company.value]
        if self.status.value:
            frame = frame[frame["status"] == self.status.value]
        return frame

    def render(self) -> None:
        self.shown = self.filtered()
        self.empty.layout.display = "flex" if self.unchecked else "none"
        self.run_audit.layout.display = "none" if self.frame.empty else ""
        if self.unchecked:
            self._note(self.t("no_accounts" if self.frame.empty else "no_results"))
        columns = list(self.shown.columns) if self.all_columns.value else VIEW_COLUMNS
        localized = reports.localize(self.shown[columns], self.lang)
        styler = reports.style(localized).set_table_styles(TABLE_STYLES)
        headers = dict(zip(columns, localized.columns, strict=True))
        widths = {headers[c]: [{"selector": "", "props": f"min-width: {width}"}]
                  for c, width in COLUMN_WIDTHS.items() if c in headers}
        styler = styler.set_table_styles(widths, overwrite=False, axis=0)
        if not self.unchecked:  # when nothing is checked, the note above says what to do, once
            styler = styler.format(lambda text: remedy_html(str(text), self.lang), subset=[headers["remedy"]])
        styler = styler.format(soft_breaks, subset=[headers[c] for c in ("email", "status", "auth")])
        styler = styler.relabel_index([self.t(VIEW_HEADERS[c]) if c in VIEW_HEADERS else headers[c] for c in columns],
                                      axis=1)
        table = styler.set_table_attributes('class="dataframe mailkit-report"').to_html()
        self.table.value = f"<div class='mailkit-scroll'>{table}</div>"

    def _note(self, text: str) -> None:
        """The message above the empty table (what to do, then the audit's progress)."""
        self.empty_note.value = (f"<div class='mailkit-empty mailkit-block' style='color:#0b57d0;background:#e8f0fe;"
                                 f"padding:6px 10px;border-radius:6px;margin:4px 0'>{escape(text)}</div>")

    def plot(self) -> None:
        """Draw the plots; hidden while nothing has been checked (grey bars and no runs say nothing)."""
        for image in (self.plot_company, self.plot_trend):
            image.layout.display = "none" if self.unchecked else ""
        if not reports.matplotlib_available() or self.unchecked:
            return
        companies = reports.by_company(frame=self.frame)
        self.plot_company.value = reports.png(reports.status_by_company(companies))
        self.plot_trend.value = reports.png(reports.trend(reports.history(self.workspace)))

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
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the view's own folder, unlike `report -o`
        path = reports.export(self.export_dir / f"mailkit-report-{stamp}.{fmt}", self.workspace,
                                    lang=self.lang)
        self.exported.append(path)
        self.alert.show("success", self.t("exported", path=path),
                        extra_html=f" <code class='mailkit-export'>{escape(path.name)}</code>")
        return path


__all__ = ["FORMATS", "ReportView"]
