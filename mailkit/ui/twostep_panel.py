"""2-Step Verification panel: each account's 2SV state with where it came from, a check (the
Directory for Workspace domains, a sign-in probe otherwise), and the guided manual confirmation
(turn 2SV on, create an app password — the steps Firmao's help gives, with links to Google's pages).
"""

from __future__ import annotations

import html

import ipywidgets as w

from mailkit import twostep
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.providers import is_google
from mailkit.ui.base import Panel, busy, escape, fill, labelled, table_html
from mailkit.workspace import Workspace

LINKS = {
    "security": "https://myaccount.google.com/security",
    "twostep": "https://myaccount.google.com/signinoptions/two-step-verification",
    "apppw": "https://myaccount.google.com/apppasswords",
    "admin": "https://admin.google.com/ac/security/2sv",
}


class TwoStepPanel(Panel):
    """2SV per account of one company (or all), with the Directory check and manual confirmation."""

    title_key = "twostep_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, company: str | None = None):
        self.results: list[twostep.TwoStepStatus] = []
        super().__init__(workspace, lang=lang)
        self.refresh(company)

    def build(self) -> list[w.Widget]:
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="520px")))
        self.check = w.Button(button_style="primary")
        self.table = w.HTML()
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="520px")))
        self.steps = w.HTML()
        self.state = labelled(w.ToggleButtons(options=["on", "off"], value="on"))
        self.confirmed_by = labelled(w.Text(layout=w.Layout(width="420px")))
        self.confirm = w.Button(button_style="success")
        self.company.observe(lambda _: self.refresh_table(), "value")
        self.account.observe(lambda _: self.show_steps(), "value")
        self.check.on_click(self.on_check)
        self.confirm.on_click(self.on_confirm)
        self.manual = w.VBox([self.account, self.steps, self.state, self.confirmed_by, self.confirm])
        return [self.company, self.check, self.table, w.HTML("<hr>"), self.manual]

    def relabel(self) -> None:
        self.company.description = self.t("company")
        self.check.description = self.t("check_twostep")
        self.account.description = self.t("account")
        self.state.description = self.t("status")
        self.confirmed_by.description = self.t("confirmed_by")
        self.confirm.description = self.t("confirm_manual")
        self.refresh_table()
        self.show_steps()

    def refresh(self, company: str | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            companies = inventory.companies()
        self.company.options = [(self.t("all"), "")] + [(f"{c.name} ({c.slug})", c.slug) for c in companies]
        slugs = [c.slug for c in companies]
        self.company.value = company if company in slugs else ""
        self.refresh_table()

    def _accounts(self, inventory: Inventory) -> list[Account]:
        return [a for a in inventory.accounts(self.company.value or None) if is_google(a.provider)]

    def refresh_table(self) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = self._accounts(inventory)
            known = {s.email: s for s in twostep.stored_all(inventory)}
        fill(self.account, [(f"{a.email} ({a.company})", a.email) for a in accounts])
        if not accounts:
            self.table.value = f"<i>{escape(self.t('no_accounts'))}</i>"
            return
        headers = [self.t(k) for k in ("email", "company", "twostep_title", "source")] + ["", ""]
        rows = []
        for account in accounts:
            found = known.get(account.email)
            state = self.t(f"twostep_{found.state}") if found else self.t("twostep_unknown")
            rows.append([account.email, account.company, state, found.source if found else "",
                         (found.confirmed_by or "") if found else "", found.detail if found else ""])
        self.table.value = table_html(headers, rows, css_class="mailkit-twostep")

    def show_steps(self) -> None:
        email = self.account.value or "…"
        items = [self.t(f"step_{n}", email=html.escape(email), **LINKS) for n in (1, 2, 3, 4)]
        with Inventory.open(self.workspace) as inventory:
            found = inventory.find_account(email) if self.account.value else None
        if found is not None and found.provider == "workspace":
            items.append(self.t("step_ws", **LINKS))
        steps = "".join(f"<li>{item}</li>" for item in items)
        self.steps.value = (f"<details open class='mailkit-manual-steps'><summary>{escape(self.t('manual_steps'))}"
                            f"</summary><ol>{steps}</ol></details>")

    @busy
    async def on_check(self, _button: w.Button | None = None) -> list[twostep.TwoStepStatus]:
        with Inventory.open(self.workspace) as inventory:
            accounts = self._accounts(inventory)
            if not accounts:
                raise UsageError(self.t("no_accounts"))
            self.results = await twostep.check_twostep(inventory, accounts, workspace=self.workspace)
        self.refresh_table()
        on = sum(1 for s in self.results if s.state == "on")
        self.alert.info(f"{self.t('twostep_title')}: {on}/{len(self.results)} {self.t('twostep_on')}")
        return self.results

    @busy
    def on_confirm(self, _button: w.Button | None = None) -> None:
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        with Inventory.open(self.workspace) as inventory:
            twostep.confirm_manually(inventory, self.account.value, self.state.value, self.confirmed_by.value)
        self.refresh_table()
        self.alert.success(self.t("confirmed", email=self.account.value))


__all__ = ["LINKS", "TwoStepPanel"]
