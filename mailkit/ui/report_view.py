"""Report view: the styled status table with filters by company and status, export buttons
(xlsx, csv, html) and the plots (status per company, trend across audit runs).

The table is the Styler of `mailkit.reports.style` rendered to HTML in a widget, so it looks the
same live, in a saved page and in the HTML export.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ipywidgets as w
import pandas as pd

from mailkit import report_export, report_plots, reports
from mailkit.inventory import Inventory
from mailkit.ui.base import Panel, busy, escape, labelled
from mailkit.workspace import Workspace

FORMATS = ("xlsx", "csv", "html")
#: What the table shows unless "all columns" is ticked (the exports always have every column).
VIEW_COLUMNS = ["company", "email", "auth", "status", "cause", "remedy", "two_step", "last_check"]


class ReportView(Panel):
    """Every account's latest status, filterable, exportable, plotted."""

    title_key = "report_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 export_dir: Path | None = None):
        self.frame = pd.DataFrame()
        self.shown = pd.DataFrame()
        self.exported: list[Path] = []
        super().__init__(workspace, lang=lang)
        self.export_dir = Path(export_dir) if export_dir else self.workspace.home / "reports"
        self.refresh()

    def build(self) -> list[w.Widget]:
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="420px")))
        self.status = labelled(w.Dropdown(options=[], layout=w.Layout(width="420px")))
        self.reload = w.Button(icon="refresh")
        self.all_columns = w.Checkbox(value=False, indent=False)
        self.all_columns.observe(lambda _: self.render(), "value")
        self.table = w.HTML()
        self.exports = {fmt: w.Button(icon="download") for fmt in FORMATS}
        self.plot_company = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.plot_trend = w.Image(format="png", layout=w.Layout(max_width="900px"))
        for picker in (self.company, self.status):
            picker.observe(lambda _: self.render(), "value")
        self.reload.on_click(self.on_reload)
        for fmt, button in self.exports.items():
            button.on_click(lambda b, fmt=fmt: self.on_export(b, fmt))
        return [w.HBox([self.company, self.status, self.reload]), self.all_columns, self.table,
                w.HBox(list(self.exports.values())), self.plot_company, self.plot_trend]

    def relabel(self) -> None:
        self.company.description = self.t("company")
        self.status.description = self.t("status")
        self.reload.description = self.t("refresh")
        self.all_columns.description = self.t("all_columns")
        for fmt, button in self.exports.items():
            button.description = self.t("export", fmt=fmt)
        if hasattr(self, "export_dir"):
            self.refresh()

    def refresh(self) -> None:
        """Read the latest status of every account again and redraw."""
        self.frame = reports.status(self.workspace, lang="en")
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

    def filtered(self) -> pd.DataFrame:
        frame = self.frame
        if self.company.value:
            frame = frame[frame["company"] == self.company.value]
        if self.status.value:
            frame = frame[frame["status"] == self.status.value]
        return frame

    def render(self) -> None:
        self.shown = self.filtered()
        if self.frame.empty or (self.frame["status"] == "").all():
            self.alert.info(self.t("no_results"))
        columns = list(self.shown.columns) if self.all_columns.value else VIEW_COLUMNS
        styler = reports.style(reports.localize(self.shown[columns], self.lang))
        styler = styler.set_table_styles([{"selector": "td", "props": "vertical-align: top; min-width: 7em"},
                                          {"selector": "td, th", "props": "padding: 2px 8px"}])
        self.table.value = styler.set_table_attributes('class="dataframe mailkit-report"').to_html()

    def plot(self) -> None:
        if not report_plots.matplotlib_available() or self.frame.empty:
            return
        companies = reports.by_company(frame=self.frame)
        self.plot_company.value = report_plots.png(report_plots.status_by_company(companies))
        self.plot_trend.value = report_plots.png(report_plots.trend(reports.history(self.workspace)))

    @busy
    def on_reload(self, _button: w.Button | None = None) -> None:
        self.refresh()

    @busy
    def on_export(self, _button: w.Button | None, fmt: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = report_export.export(self.export_dir / f"mailkit-report-{stamp}.{fmt}", self.workspace,
                                    lang=self.lang)
        self.exported.append(path)
        self.alert.show("success", self.t("exported", path=path),
                        extra_html=f" <code class='mailkit-export'>{escape(path.name)}</code>")
        return path


__all__ = ["FORMATS", "ReportView"]
