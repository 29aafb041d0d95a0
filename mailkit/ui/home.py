"""The home page (00_start_here): the fleet's health at a glance and the way to each step.

Per company: how many accounts sign in, how many need attention, how many were never checked;
what to do next (the fixes the broken accounts call for, counted, each with the step that does it);
when the last check ran; and links to the seven notebooks. The links are relative `.ipynb` addresses,
which JupyterLab (`/lab/tree/…`) and Voilà (`/voila/render/…`) both resolve beside this notebook.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import ipywidgets as w

from mailkit.app.steps import TITLES
from mailkit.audit_store import AuditStore
from mailkit.forecast import ForecastItem, forecast
from mailkit.i18n import text
from mailkit.inventory import Inventory
from mailkit.ui.actions import ACTIONS, actions_for, step_title
from mailkit.ui.base import Panel, code_spans, escape
from mailkit.workspace import Workspace

#: The steps in the order an admin works, with the label key of each.
STEPS = (("01_company_setup.ipynb", "step_01"), ("02_gmail_oauth.ipynb", "step_02"),
         ("03_two_step_and_app_passwords.ipynb", "step_03"), ("04_bulk_test_send.ipynb", "step_04"),
         ("05_status_report.ipynb", "step_05"), ("06_troubleshooting.ipynb", "step_06"),
         ("07_microsoft_365.ipynb", "step_07"))
#: The step shown only when some account is on Google Workspace (a domain to connect with delegation).
WORKSPACE_STEP = "08_workspace_domains.ipynb"

#: How far ahead "Breaks soon" looks, in days.
SOON_DAYS = 14


@dataclass
class CompanyHealth:
    """One company's accounts by their latest status."""

    slug: str
    name: str
    ok: int = 0
    broken: int = 0
    unchecked: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.broken + self.unchecked


@dataclass
class FleetHealth:
    """Every company's health, the fixes the broken accounts call for (action key -> accounts), the last check."""

    companies: list[CompanyHealth] = field(default_factory=list)
    todo: Counter[str] = field(default_factory=Counter)
    last_check: str | None = None
    soon: list[ForecastItem] = field(default_factory=list)
    workspace_accounts: int = 0  # accounts on Google Workspace: the Workspace domains step is offered

    def count(self, what: str) -> int:
        return sum(getattr(c, what) for c in self.companies)


def fleet_health(workspace: Workspace) -> FleetHealth:
    """Read the inventory and each account's latest result: companies with problems first."""
    with Inventory.open(workspace) as inventory:
        companies = {c.slug: CompanyHealth(c.slug, c.name) for c in inventory.companies()}
        accounts = [(inventory.account_id(a.email), a) for a in inventory.accounts()]
    store = AuditStore.open(workspace)
    try:
        latest = store.latest_statuses()
        last = store.conn.execute("SELECT MAX(checked_at) FROM results").fetchone()[0]
    finally:
        store.close()
    health = FleetHealth(last_check=last, soon=forecast(workspace, days=SOON_DAYS),
                         workspace_accounts=sum(1 for _, a in accounts if a.provider == "workspace"))
    for account_id, account in accounts:
        company = companies[account.company]
        status = latest.get(account_id)
        if status is None:
            company.unchecked += 1
        elif status == "ok":
            company.ok += 1
        else:
            company.broken += 1
            fixes = actions_for(status, account.auth, account.provider)
            health.todo[fixes[0] if fixes else "troubleshoot"] += 1
    health.companies = sorted(companies.values(), key=lambda c: (-c.broken, -c.unchecked, c.name.lower()))
    return health


class HomePage(Panel):
    """Fleet health, what to do next, the last check and the steps, in the workspace's language."""

    title_key = "home_title"
    intros = ("00_start_here",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None):
        self.health = FleetHealth()
        super().__init__(workspace, lang=lang)
        self.refresh()

    def build(self) -> list[w.Widget]:
        self.summary = w.HTML()
        self.table = w.HTML()
        self.next = w.HTML()
        self.soon = w.HTML()
        self.steps = w.HTML()
        self.reload = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.reload.on_click(lambda _: self.refresh())
        return [self.summary, self.table, self.next, self.soon, self.steps, self.reload]

    def relabel(self) -> None:
        self.reload.description = self.t("refresh")
        self.show()

    def refresh(self) -> None:
        """Read the fleet again and redraw."""
        self.health = fleet_health(self.workspace)
        self.show()

    def show(self) -> None:
        health = self.health
        when = (health.last_check or "")[:16].replace("T", " ")
        last = self.t("home_last_audit", when=when) if when else self.t("home_never")
        summary = self.t("home_accounts", total=health.count("total"), companies=len(health.companies),
                         ok=health.count("ok"), broken=health.count("broken"), unchecked=health.count("unchecked"))
        self.summary.value = f"<div class='mailkit-block mailkit-home-summary'>{escape(summary)} {escape(last)}</div>"
        self.table.value = self._table() if health.companies else f"<i>{escape(self.t('no_accounts'))}</i>"
        self.next.value = self._next()
        self.soon.value = self._soon()
        links = "".join(f"<li>{_link(nb, self.lang, self.t(key))}</li>" for nb, key in STEPS)
        if health.workspace_accounts:
            links += f"<li>{_link(WORKSPACE_STEP, self.lang, text(self.lang, TITLES[WORKSPACE_STEP]))}</li>"
        self.steps.value = f"<h4>{escape(self.t('home_steps'))}</h4><ol class='mailkit-home-steps'>{links}</ol>"

    def _table(self) -> str:
        headers = [self.t(k) for k in ("company", "accounts", "col_ok", "col_broken", "col_unchecked")]
        head = "".join(f"<th style='text-align:left;padding:2px 10px'>{escape(h)}</th>" for h in headers)
        rows = []
        for c in self.health.companies:
            color = "#b3261e" if c.broken else "#7a4a00" if c.unchecked else "#146c2e"
            cells = [escape(c.name), str(c.total), str(c.ok), f"<b style='color:{color}'>{c.broken}</b>"
                     if c.broken else "0", str(c.unchecked)]
            rows.append(f"<tr data-company='{escape(c.slug)}'>"
                        + "".join(f"<td style='padding:2px 10px'>{cell}</td>" for cell in cells) + "</tr>")
        return (f"<div class='mailkit-scroll'><table class='mailkit-table mailkit-home'><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table></div>")

    def _next(self) -> str:
        items = []
        for key, count in self.health.todo.most_common():
            what = self.t("home_next_item", count=count, what=self.t(ACTIONS[key].label))
            items.append(f"<li data-action='{key}'>{escape(what)} — {_link(ACTIONS[key].notebook, self.lang)}</li>")
        if self.health.count("unchecked"):
            items.append(f"<li data-action='check'>{escape(self.t('home_check_first'))} "
                         f"{_link('04_bulk_test_send.ipynb', self.lang)} · "
                         f"{_link('05_status_report.ipynb', self.lang)}</li>")
        if not items:
            items = [f"<li>{escape(self.t('home_all_ok'))}</li>"] if self.health.companies else []
        return f"<h4>{escape(self.t('home_next'))}</h4><ul class='mailkit-home-next'>{''.join(items)}</ul>"

    def _soon(self) -> str:
        """The forecast by company name, soonest problem first, each with its remedy."""
        items = self.health.soon
        if not items:
            return (f"<h4>{escape(self.t('home_soon'))}</h4>"
                    f"<p class='mailkit-home-soon'>{escape(self.t('home_soon_none', days=SOON_DAYS))}</p>")
        by_company: dict[str, list[ForecastItem]] = {}
        for item in sorted(items, key=lambda i: i.when):
            by_company.setdefault(item.company_name or item.company, []).append(item)
        groups = []
        for name, group in sorted(by_company.items(), key=lambda kv: (kv[1][0].when, kv[0].lower())):
            rows = "".join(
                f"<li data-kind='{escape(i.kind)}' data-email='{escape(i.email)}'><b>{escape(i.email)}</b>: "
                f"{escape(i.title(self.lang))} — {escape(i.headline(self.lang))}"
                f"<br>{code_spans(escape(i.cause(self.lang)))}"
                f"<br><i>{escape(self.t('remedy'))}:</i> {code_spans(escape(i.remedy(self.lang)))}</li>"
                for i in group)
            groups.append(f"<li data-company='{escape(group[0].company)}'><b>{escape(name)}</b><ul>{rows}</ul></li>")
        return (f"<h4>{escape(self.t('home_soon'))}</h4>"
                f"<ul class='mailkit-block mailkit-home-soon'>{''.join(groups)}</ul>")


def _link(notebook: str, lang: str, label: str = "") -> str:
    """A relative link to a notebook beside this one (works in JupyterLab and in Voilà), named `label` or by the
    step's title (never the file's name)."""
    return (f"<a class='mailkit-step-link' href='{escape(notebook)}' target='_blank'>"
            f"{escape(label or step_title(notebook, lang))}</a>")


__all__ = ["SOON_DAYS", "STEPS", "WORKSPACE_STEP", "CompanyHealth", "FleetHealth", "HomePage", "fleet_health"]
