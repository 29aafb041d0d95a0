"""Domains panel (05_status_report): the mail authentication (MX, SPF, DKIM, DMARC) of the company domains.

"Check domains" asks DNS for one company's domains (or every company's) without blocking the kernel (the check
runs as a task on Jupyter's loop, see `mailkit.ui.base.busy`), then shows one row per finding — status, cause,
the record to publish — and offers the findings as .xlsx or .csv to download, next to the button.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import ipywidgets as w
import pandas as pd

from mailkit.domains import DomainReport, check_domains_async, column_names, domains_frame
from mailkit.inventory import Inventory
from mailkit.ui.base import Panel, busy, code_spans, escape, fill, labelled
from mailkit.ui.download import download_link
from mailkit.ui.i18n_ui import LABELS
from mailkit.workspace import Workspace

FORMATS = ("xlsx", "csv")
#: The columns the table shows (the downloads have every column).
SHOWN = ("domain", "check", "status", "cause", "publish at", "record to publish")
_COLORS = {"ok": "#146c2e", "warning": "#7a4a00", "unchecked": "#7a4a00", "dns_error": "#b3261e",
           "missing": "#b3261e", "invalid": "#b3261e"}


class DomainsPanel(Panel):
    """Check the company domains' mail authentication and show each finding with the record to publish."""

    title_key = "domains_title"
    intros = ("05_status_report#domains",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 export_dir: Path | None = None):
        self.reports: list[DomainReport] = []
        self.frame = pd.DataFrame()
        self.exported: list[Path] = []
        super().__init__(workspace, lang=lang)
        self.export_dir = Path(export_dir) if export_dir else self.workspace.home / "reports"
        self.refresh()

    def build(self) -> list[w.Widget]:
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="380px")), "80px")
        self.check = w.Button(button_style="primary", icon="globe")
        self.check.on_click(self.on_check)
        self.exports = {fmt: w.Button(icon="download", disabled=True) for fmt in FORMATS}
        for fmt, button in self.exports.items():
            button.on_click(lambda b, fmt=fmt: self.on_export(b, fmt))
        self.export_note = w.HTML()
        self.table = w.HTML()
        return [self.company, self.beside(self.check, *self.exports.values()), self.export_note, self.table]

    def relabel(self) -> None:
        self.company.description = self.t("company")
        self.check.description = self.t("domains_check")
        for fmt, button in self.exports.items():
            button.description = fmt
        if self.reports:
            self.render()

    def refresh(self) -> None:
        """Read the companies again for the picker."""
        with Inventory.open(self.workspace) as inventory:
            companies = inventory.companies()
        fill(self.company, [(self.t("all"), "")] + [(c.name, c.slug) for c in companies], self.company.value or "")

    @busy
    async def on_check(self, _button: w.Button | None = None) -> list[DomainReport]:
        """Ask DNS about the chosen company's domains (all companies' when none is chosen)."""
        self.reports = await check_domains_async(self.workspace, self.company.value or None)
        self.render()
        problems = sum(not f.ok for r in self.reports for f in r.findings)
        if not self.reports:
            self.alert.info(self.t("domains_none"))
        elif problems:
            self.alert.warning(self.t("domains_done", domains=len(self.reports), problems=problems))
        else:
            self.alert.success(self.t("domains_done", domains=len(self.reports), problems=0))
        return self.reports

    def render(self) -> None:
        """One row per finding: status, cause and the record to publish, in the panel's language."""
        self.frame = domains_frame(self.reports, self.lang, translated_headers=True)
        for button in self.exports.values():
            button.disabled = not self.reports
        self.export_note.value = ""
        if not self.reports:
            self.table.value = ""
            return
        names = column_names(self.lang)
        head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(names[c])}</th>" for c in SHOWN)
        rows = []
        for report in self.reports:
            for finding in report.findings:
                color = _COLORS.get(finding.status, "#444")
                cells = [escape(report.domain), escape(finding.check),
                         f"<b style='color:{color}' title='{escape(finding.status)}'>"
                         f"{escape(self._word(finding.status))}</b>",
                         code_spans(escape(finding.cause(self.lang))), escape(finding.publish_name),
                         f"<code>{escape(finding.publish)}</code>" if finding.publish else ""]
                rows.append(f"<tr data-domain='{escape(report.domain)}' data-check='{escape(finding.check)}' "
                            f"data-status='{escape(finding.status)}'>"
                            + "".join(f"<td style='padding:2px 8px'>{cell}</td>" for cell in cells) + "</tr>")
        self.table.value = (f"<div class='mailkit-scroll'><table class='mailkit-table mailkit-domains'><thead><tr>"
                            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")

    def _word(self, status: str) -> str:
        """A finding's status in words ("Missing"), the machine word for one this panel does not know."""
        return self.t(f"finding_{status}") if f"finding_{status}" in LABELS else status

    @busy
    def on_export(self, _button: w.Button | None, fmt: str) -> Path:
        """Write the findings shown, in the workspace and as a download in the browser."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.export_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.export_dir / f"mailkit-domains-{stamp}.{fmt}"
        if fmt == "xlsx":
            self.frame.to_excel(path, index=False, sheet_name="Domains")
        else:
            self.frame.to_csv(path, index=False, encoding="utf-8-sig")
        self.exported.append(path)
        self.export_note.value = (f"<span class='mailkit-exported' style='color:#146c2e'>"
                                  f"{download_link(path, self.t('download', name=path.name))}</span>")
        return path


__all__ = ["DomainsPanel"]
