"""Bulk test-send panel: choose companies and accounts, options, then watch a progress bar and a
table that fills as each result arrives; Stop ends the run cleanly (it can be resumed from the CLI).

The run is `mailkit.audit.Audit`, scheduled on the kernel's loop; results stream in through its
`on_result` callback, which only appends to the view. An account waiting to retry ("try again
later": 20 s by default) shows a row saying so through `on_retry`, until its result replaces it.
"""

from __future__ import annotations

import dataclasses

import ipywidgets as w

from mailkit.audit import (
    DEFAULT_CONCURRENCY,
    Audit,
    AuditOptions,
    AuditResult,
    AuditSummary,
    RetryNotice,
    Selection,
)
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.status import SEVERITY
from mailkit.ui.base import Panel, busy, escape, labelled, soft_breaks
from mailkit.ui.hints import remedy_html
from mailkit.workspace import Workspace

ROW_COLORS = {"ok": "#e6f4ea", "warning": "#fef7e0", "error": "#fce8e6"}
RETRY_COLOR = "#e8f0fe"  # a wait, not a verdict: the info blue of the alerts
CELL = "padding:3px 6px;overflow-wrap:anywhere;border-bottom:1px solid #fff"
#: Column widths: the cause and the remedy get the room, an address breaks rather than widen the table.
COLUMNS = (("company", "6em"), ("email", "10em"), ("status", "8em"), ("cause", "13em"), ("remedy", "19em"))


class BulkPanel(Panel):
    """Bulk sign-in checks and test sends across companies."""

    title_key = "bulk_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 companies: list[str] | None = None, audit_options: AuditOptions | None = None):
        self.audit_options = audit_options  # the pace (retry delays, deadline); the panel's choices go on top
        self.audit: Audit | None = None
        self.results: list[AuditResult] = []
        self.retries: list[RetryNotice] = []  # every retry of the run, in order
        self.retrying: dict[str, RetryNotice] = {}  # accounts waiting to retry, by email, until their result
        self.summary: AuditSummary | None = None
        super().__init__(workspace, lang=lang)
        self.refresh(companies)

    def build(self) -> list[w.Widget]:
        box = {"width": "440px", "height": "140px"}
        self.companies = labelled(w.SelectMultiple(options=[], layout=w.Layout(**box)), "90px")
        self.accounts = labelled(w.SelectMultiple(options=[], layout=w.Layout(**box)), "90px")
        self.all_companies = w.Button(icon="check-square", layout=w.Layout(margin="0 0 0 98px"))
        self.send_test = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"))
        self.attachments = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.concurrency = labelled(w.IntSlider(value=min(4, DEFAULT_CONCURRENCY), min=1, max=20))
        self.start = w.Button(button_style="primary", icon="paper-plane")
        self.stop = w.Button(button_style="danger", icon="stop", disabled=True)
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="460px"))
        self.progress_label = w.HTML()
        self.table = w.HTML()
        self.companies.observe(lambda _: self._fill_accounts(), "value")
        self.all_companies.on_click(lambda _: self.select_all())
        self.start.on_click(self.on_start)
        self.stop.on_click(self.on_stop)
        choose = w.HBox([w.VBox([self.companies, self.all_companies]), self.accounts],
                        layout=w.Layout(flex_flow="row wrap"))
        return [choose, w.HBox([self.send_test, self.attachments], layout=w.Layout(grid_gap="24px")),
                self.concurrency, w.HBox([self.start, self.stop]),
                w.HBox([self.progress, self.progress_label], layout=w.Layout(flex_flow="row wrap")), self.table]

    def relabel(self) -> None:
        self.companies.description = self.t("companies")
        self.accounts.description = self.t("accounts")
        self.all_companies.description = self.t("select_all")
        self.send_test.description = self.t("send_test")
        self.attachments.description = self.t("attachments")
        self.concurrency.description = self.t("concurrency")
        self.start.description = self.t("start")
        self.stop.description = self.t("stop")
        self._render()

    # --- choosing ------------------------------------------------------------------------
    def refresh(self, companies: list[str] | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            known = inventory.companies()
        self.companies.options = [(f"{c.name} ({c.slug})", c.slug) for c in known]
        slugs = [c.slug for c in known]
        chosen = [c for c in (companies or []) if c in slugs] or slugs[:1]
        self.companies.value = tuple(chosen)
        self._fill_accounts()

    def select_all(self) -> None:
        """Every company (and so every account) selected."""
        self.companies.value = tuple(value for _, value in self.companies.options)

    def _fill_accounts(self) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = [a for slug in self.companies.value for a in inventory.accounts(slug)]
        self.accounts.options = [(f"{a.email} ({a.auth})", a.email) for a in accounts]
        self.accounts.value = tuple(a.email for a in accounts)

    # --- running -------------------------------------------------------------------------
    @busy
    async def on_start(self, _button: w.Button | None = None) -> AuditSummary:
        emails = list(self.accounts.value)
        if not emails:
            raise UsageError(self.t("nothing_selected"))
        options = dataclasses.replace(self.audit_options or AuditOptions(), send_test=self.send_test.value,
                                      attachments=self.attachments.value, concurrency=self.concurrency.value,
                                      lang=self.lang)
        self.results, self.summary, self.retries, self.retrying = [], None, [], {}
        self.progress.max, self.progress.value = len(emails), 0
        self.audit = Audit(self.workspace, Selection(emails=emails), options, on_result=self._arrived,
                           on_retry=self._retrying)
        self.stop.disabled = False
        self._render()
        try:
            summary = await self.audit.run()
        finally:
            self.stop.disabled = True
            self.retrying.clear()  # a stopped run's waits end with it
            self._render()
        self.summary = summary
        done = len(self.results)
        if summary.state == "finished":
            ok = sum(1 for r in self.results if r.ok)
            self.alert.show("success" if ok == done else "warning",
                            self.t("bulk_done", ok=ok, bad=done - ok))
        else:
            self.alert.warning(self.t("bulk_stopped", done=done, total=len(emails)))
        return summary

    def _arrived(self, result: AuditResult) -> None:
        self.results.append(result)
        self.retrying.pop(result.email, None)
        self.progress.value = len(self.results)
        self._render()

    def _retrying(self, notice: RetryNotice) -> None:
        self.retries.append(notice)
        self.retrying[notice.email] = notice
        self._render()

    @busy
    def on_stop(self, _button: w.Button | None = None) -> None:
        if self.audit is not None:
            self.audit.stop()

    def _render(self) -> None:
        total = self.progress.max if self.results or self.audit else 0
        self.progress_label.value = (f"<span class='mailkit-progress'>"
                                     f"{escape(self.t('progress', done=len(self.results), total=total))}</span>")
        if not self.results and not self.retrying:
            self.table.value = ""
            return
        headers = "".join(f"<th style='text-align:left;padding:3px 6px;min-width:{width}'>{escape(self.t(k))}</th>"
                          for k, width in COLUMNS)
        rows = "".join(self._row(r) for r in self.results) + "".join(self._retry_row(n) for n in self.retrying.values())
        self.table.value = (f"<div class='mailkit-scroll'><table class='mailkit-table mailkit-bulk' style='width:100%;"
                            f"font-size:12px'><thead><tr>{headers}</tr></thead><tbody>{rows}</tbody></table></div>")

    def _row(self, result: AuditResult) -> str:
        color = ROW_COLORS[SEVERITY[result.status]]
        cells = [escape(result.company), soft_breaks(result.email), soft_breaks(result.status.value)]
        if not result.ok:
            cells += [escape(result.diagnosis.cause(self.lang, provider=result.provider)),
                      remedy_html(result.diagnosis.remedy(self.lang, email=result.email, provider=result.provider),
                                  self.lang,
                                  here="hint_concurrency")]
        else:
            cells += ["", ""]
        tds = "".join(f"<td style='{CELL}'>{c}</td>" for c in cells)
        return f"<tr data-status='{escape(result.status.value)}' style='background:{color}'>{tds}</tr>"

    def _retry_row(self, notice: RetryNotice) -> str:
        """An account waiting out a temporary refusal: "retrying in 20 s: rate_limited"."""
        seconds = f"{notice.delay:.0f}" if notice.delay >= 1 else f"{notice.delay:.1f}"
        text = self.t("retrying", seconds=seconds, status=notice.status.value)
        return (f"<tr class='mailkit-retry' data-retry='{escape(notice.status.value)}' "
                f"style='background:{RETRY_COLOR}'><td style='{CELL}'>{escape(notice.company)}</td>"
                f"<td style='{CELL}'>{soft_breaks(notice.email)}</td>"
                f"<td colspan='3' style='{CELL};font-style:italic'>{escape(text)}</td></tr>")


__all__ = ["BulkPanel"]
