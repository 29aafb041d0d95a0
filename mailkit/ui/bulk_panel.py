"""Bulk test-send panel: choose companies and accounts, options, then watch a progress bar, counters
and a grouped, paginated table that fills as each result arrives; Stop ends the run cleanly, lists
the accounts it left unchecked and offers Resume (the same run, finished without checking again).

The run is `mailkit.audit.Audit`, scheduled on the kernel's loop; results stream in through its
`on_result` callback, which puts one row in the table (`mailkit.ui.table`): the work per result does
not grow with the rows already shown, and redraws are batched. An account waiting to retry ("try
again later": 20 s by default) is listed above the table with a countdown that ticks each second,
until its result replaces it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable

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
from mailkit.diagnose_texts import status_label
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.status import SEVERITY
from mailkit.ui.base import Panel, busy, escape, labelled, soft_breaks
from mailkit.ui.setup_form import auth_word
from mailkit.ui.table import GroupedTable, Row, generic
from mailkit.workspace import Workspace

RETRY_COLOR = "#e8f0fe"  # a wait, not a verdict: the info blue of the alerts
#: Accounts listed by name while they wait to retry; the rest are counted (a rate limit can hold hundreds).
WAITING_SHOWN = 10
#: Accounts listed by name after a Stop; the rest are counted.
SKIPPED_SHOWN = 50
MAX_CONCURRENCY = 64


@dataclasses.dataclass
class Waiting:
    notice: RetryNotice
    until: float  # time.monotonic() when the retry starts


class BulkPanel(Panel):
    """Bulk sign-in checks and test sends across companies."""

    title_key = "bulk_title"
    intros = ("04_bulk_test_send",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 companies: list[str] | None = None, audit_options: AuditOptions | None = None):
        self.audit_options = audit_options  # the pace (retry delays, deadline); the panel's choices go on top
        self.audit: Audit | None = None
        self.results: list[AuditResult] = []
        self.retries: list[RetryNotice] = []  # every retry of the run, in order
        self.retrying: dict[str, Waiting] = {}  # accounts waiting to retry, by email, until their result
        self.summary: AuditSummary | None = None
        self.selected: list[str] = []  # the accounts of the run shown
        self.skipped: list[str] = []  # those a Stop left unchecked
        self._ticker: asyncio.Task[None] | None = None
        self.company_names: dict[str, str] = {}  # slug -> name: results carry the slug, people read the name
        super().__init__(workspace, lang=lang)
        self.refresh(companies)

    def build(self) -> list[w.Widget]:
        box = {"width": "440px", "height": "140px"}
        self.companies = labelled(w.SelectMultiple(options=[], layout=w.Layout(**box)), "90px")
        self.accounts = labelled(w.SelectMultiple(options=[], layout=w.Layout(**box)), "90px")
        self.all_companies = w.Button(icon="check-square", layout=w.Layout(margin="0 0 0 98px"))
        self.send_test = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"))
        self.attachments = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.concurrency = labelled(w.IntSlider(value=DEFAULT_CONCURRENCY, min=1, max=MAX_CONCURRENCY,
                                                layout=w.Layout(width="440px")), "90px")
        self.start = w.Button(button_style="primary", icon="paper-plane")
        self.stop = w.Button(button_style="danger", icon="stop", disabled=True)
        self.resume = w.Button(icon="play", layout=w.Layout(display="none"))
        self.progress = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="460px"))
        self.progress_label = w.HTML()
        self.outcome = w.HTML()  # the run's summary and what a Stop left unchecked, right under the buttons
        self.waiting = w.HTML()
        self.table = GroupedTable(lang=self.lang, here="hint_concurrency", css_class="mailkit-bulk")
        self.table.on_flush = self._progress
        self.companies.observe(lambda _: self._fill_accounts(), "value")
        self.all_companies.on_click(lambda _: self.select_all())
        self.start.on_click(self.on_start)
        self.stop.on_click(self.on_stop)
        self.resume.on_click(self.on_resume)
        choose = w.HBox([w.VBox([self.companies, self.all_companies]), self.accounts],
                        layout=w.Layout(flex_flow="row wrap"))
        return [choose, w.HBox([self.send_test, self.attachments], layout=w.Layout(grid_gap="24px")),
                self.concurrency, w.HBox([self.start, self.stop, self.resume]), self.outcome,
                w.HBox([self.progress, self.progress_label], layout=w.Layout(flex_flow="row wrap")),
                self.waiting, self.table]

    def relabel(self) -> None:
        self.companies.description = self.t("companies")
        self.accounts.description = self.t("accounts")
        self.all_companies.description = self.t("select_all")
        self.send_test.description = self.t("send_test")
        self.attachments.description = self.t("attachments")
        self.concurrency.description = self.t("concurrency")
        self.start.description = self.t("start")
        self.stop.description = self.t("stop")
        self.resume.description = self.t("resume")
        self.table.relabel(self.lang, [("company", self.t("company"), "8em"), ("email", self.t("email"), "14em"),
                                       ("detail", self.t("reply"), "16em")], draw=False)
        self.table.reset([self.row(r) for r in self.results])  # causes and remedies in the new language
        self._progress()
        self._show_waiting()

    # --- choosing ------------------------------------------------------------------------
    def refresh(self, companies: list[str] | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            known = inventory.companies()
        self.company_names = {c.slug: c.name for c in known}
        self.companies.options = [(c.name, c.slug) for c in known]
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
        self.accounts.options = [(f"{a.email} ({auth_word(a.auth, self.lang)})", a.email) for a in accounts]
        self.accounts.value = tuple(a.email for a in accounts)

    # --- running -------------------------------------------------------------------------
    def _options(self) -> AuditOptions:
        return dataclasses.replace(self.audit_options or AuditOptions(), send_test=self.send_test.value,
                                   attachments=self.attachments.value, concurrency=self.concurrency.value,
                                   lang=self.lang)

    @busy
    async def on_start(self, _button: w.Button | None = None) -> AuditSummary:
        emails = list(self.accounts.value)
        if not emails:
            raise UsageError(self.t("nothing_selected"))
        self.results, self.summary, self.retries, self.retrying = [], None, [], {}
        self.selected, self.skipped = emails, []
        self.alert.clear()  # the previous run's summary goes with it
        self.outcome.value = ""
        self.table.clear()
        self.progress.max, self.progress.value = len(emails), 0
        return await self._run(Audit(self.workspace, Selection(emails=emails), self._options(),
                                     on_result=self._arrived, on_retry=self._retrying))

    @busy
    async def on_resume(self, _button: w.Button | None = None) -> AuditSummary | None:
        """Finish the stopped run: the accounts it did not check, into the same table."""
        if self.summary is None or self.summary.run_id is None or self.summary.state == "finished":
            return None
        self.alert.clear()
        self.outcome.value = ""
        return await self._run(Audit(self.workspace, options=self._options(), resume=self.summary.run_id,
                                     on_result=self._arrived, on_retry=self._retrying))

    async def _run(self, audit: Audit) -> AuditSummary:
        self.audit = audit
        self.stop.disabled, self.start.disabled = False, True
        self.resume.layout.display = "none"
        self._progress()
        self._ticker = _start_ticker(self._show_waiting)
        try:
            summary = await audit.run()
        finally:
            if self._ticker is not None:
                self._ticker.cancel()
            self.stop.disabled, self.start.disabled = True, False
            self.retrying.clear()  # a stopped run's waits end with it
            self._show_waiting()
            self.table.flush()
            self._progress()
        self.summary = summary
        self._conclude(summary)
        return summary

    def _conclude(self, summary: AuditSummary) -> None:
        done = len(self.results)
        if summary.state == "finished":
            ok = sum(1 for r in self.results if r.ok)
            self.alert.show("success" if ok == done else "warning", self.t("bulk_done", ok=ok, bad=done - ok))
            self.outcome.value = ""
            return
        checked = {r.email for r in self.results}
        self.skipped = [e for e in self.selected if e not in checked]
        self.alert.warning(self.t("bulk_stopped", done=done, total=len(self.selected)))
        self.outcome.value = self._skipped_html()
        self.resume.layout.display = "" if self.skipped else "none"

    def _skipped_html(self) -> str:
        if not self.skipped:
            return ""
        names = ", ".join(soft_breaks(e) for e in self.skipped[:SKIPPED_SHOWN])
        more = len(self.skipped) - SKIPPED_SHOWN
        if more > 0:
            names += " " + escape(self.t("and_more", count=more))
        return (f"<details class='mailkit-skipped mailkit-block' open><summary>"
                f"{escape(self.t('skipped', count=len(self.skipped)))}</summary>"
                f"<div style='font-size:12px'>{names}</div></details>")

    def _arrived(self, result: AuditResult) -> None:
        """One result: the counters and, only if it lands on the page shown, that page (batched)."""
        self.results.append(result)
        if self.retrying.pop(result.email, None) is not None:
            self._show_waiting()
        self.table.add(self.row(result))  # the progress follows with the table's next (batched) redraw

    def row(self, result: AuditResult) -> Row:
        severity = SEVERITY[result.status]
        cause = remedy = ""
        if not result.ok:
            cause = generic(result.diagnosis.cause(self.lang, provider=result.provider), result.email)
            remedy = generic(result.diagnosis.remedy(self.lang, email=result.email, provider=result.provider),
                             result.email)
        company = self.company_names.get(result.company, result.company)
        return Row(result.email, company, result.status.value, severity, cause, remedy,
                   {"company": escape(company), "email": soft_breaks(result.email),
                    "detail": escape(result.diagnosis.raw[:160]) if not result.ok else ""},
                   provider=result.provider or "")

    def _retrying(self, notice: RetryNotice) -> None:
        self.retries.append(notice)
        self.retrying[notice.email] = Waiting(notice, time.monotonic() + notice.delay)
        self._show_waiting()

    @busy
    def on_stop(self, _button: w.Button | None = None) -> None:
        if self.audit is not None:
            self.audit.stop()

    def _progress(self) -> None:
        done = min(self.progress.max, len(self.results))
        if self.progress.value != done:
            self.progress.value = done
        total = self.progress.max if self.audit else 0
        value = (f"<span class='mailkit-progress'>"
                 f"{escape(self.t('progress', done=done, total=total))}</span>")
        if self.progress_label.value != value:
            self.progress_label.value = value

    def _show_waiting(self) -> None:
        """Accounts waiting to retry, each with the seconds left (called again every second while any wait)."""
        if not self.retrying:
            self.waiting.value = ""
            return
        now = time.monotonic()
        lines = [self._waiting_line(waiting, now) for waiting in list(self.retrying.values())[:WAITING_SHOWN]]
        more = len(self.retrying) - WAITING_SHOWN
        if more > 0:
            lines.append(f"<div>{escape(self.t('and_more', count=more))}</div>")
        self.waiting.value = (f"<div class='mailkit-waiting mailkit-block' style='background:{RETRY_COLOR};"
                              f"padding:4px 8px;border-radius:6px;font-size:12px'>{''.join(lines)}</div>")

    def _waiting_line(self, waiting: Waiting, now: float) -> str:
        """An account waiting out a temporary refusal: "retrying in 20 s: rate_limited"."""
        notice, left = waiting.notice, max(0.0, waiting.until - now)
        seconds = f"{left:.0f}" if left >= 1 else f"{left:.1f}"
        text = self.t("retrying", seconds=seconds, status=status_label(notice.status, self.lang))
        return (f"<div class='mailkit-retry' data-retry='{escape(notice.status.value)}'>"
                f"{escape(self.company_names.get(notice.company, notice.company))} · {soft_breaks(notice.email)}: "
                f"<i>{escape(text)}</i></div>")


def _start_ticker(tick: Callable[[], None], every: float = 1.0) -> asyncio.Task[None] | None:
    """Call `tick` every second on the running loop (the countdowns); None without a loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None

    async def ticking() -> None:
        while True:
            await asyncio.sleep(every)
            tick()

    return loop.create_task(ticking())


__all__ = ["BulkPanel"]
