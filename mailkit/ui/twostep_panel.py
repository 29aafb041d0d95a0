"""2-Step Verification panel: each account's 2SV state with where it came from, a check (the
Directory for Workspace domains, a sign-in probe otherwise), the Directory access (a Workspace
admin's own consent, run by the consent box the OAuth panel uses: link, countdown, cancel, paste),
and the guided manual confirmation (turn 2SV on, create an app password — the steps Firmao's
help gives, with links to Google's pages).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from collections.abc import Iterator
from typing import Any

import ipywidgets as w

from mailkit import twostep
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account, normalize_email
from mailkit.oauth import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult, DirectoryGrantStore
from mailkit.providers import is_google
from mailkit.twostep import DIRECTORY_ADMIN, DirectoryError, confirm_admin_oauth, directory_settings
from mailkit.ui.base import Panel, account_options, busy, escape, fill, labelled
from mailkit.ui.consent_box import ConsentBox, ConsentHost
from mailkit.ui.i18n_ui import LABELS, t
from mailkit.ui.setup_form import translated_errors
from mailkit.workspace import Workspace

LINKS = {
    "security": "https://myaccount.google.com/security",
    "twostep": "https://myaccount.google.com/signinoptions/two-step-verification",
    "apppw": "https://myaccount.google.com/apppasswords",
    "admin": "https://admin.google.com/ac/security/2sv",
}


class TwoStepPanel(ConsentHost, Panel):
    """2SV per account of one company (or all), with the Directory check and manual confirmation."""

    title_key = "twostep_title"
    intros = ("03_two_step_and_app_passwords",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, company: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self.results: list[twostep.TwoStepStatus] = []
        self.consent: ConsentResult | None = None
        self.connect_admin = w.Button(button_style="info", icon="google", layout=w.Layout(width="auto"))
        self.consent_box = ConsentBox(self, self.connect_admin, self.show_consent, timeout=timeout,
                                      open_browser=open_browser)
        box = self.consent_box  # its widgets under the names the panel always had
        self.cancel_admin, self.admin_link, self.countdown = box.cancel, box.link, box.countdown
        self.paste, self.paste_help, self.paste_box, self.finish = box.paste, box.paste_help, box.paste_box, box.finish
        self.companies: list[tuple[str, str]] = []  # (name, slug) of every company, for the list's options
        self._quiet = False  # set while options are rebuilt: the table is redrawn once, afterwards
        super().__init__(workspace, lang=lang)
        self.refresh(company)

    def build(self) -> list[w.Widget]:
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.check = w.Button(button_style="primary")
        self.table = w.HTML()
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.steps = w.HTML()
        self.state = labelled(w.ToggleButtons(options=[("on", "on"), ("off", "off")], value=None))  # nothing chosen
        self.state.add_class("widget-inline-hbox")  # the label beside the buttons, as a Dropdown's is
        self.confirmed_by = labelled(w.Text(layout=w.Layout(width="420px")))
        self.confirm = w.Button(button_style="success")
        self.company.observe(self._company_changed, "value")
        self.account.observe(lambda _: self.show_steps(), "value")
        self.check.on_click(self.on_check)
        self.confirm.on_click(self.on_confirm)
        self.manual = w.VBox([self.account, self.steps, self.state, self.confirmed_by, self.beside(self.confirm)])
        return [self.company, self.beside(self.check), self.table, w.HTML("<hr>"), self.build_directory(),
                w.HTML("<hr>"), self.manual]

    def build_directory(self) -> w.Widget:
        """The admin's own consent to read the Directory: address, connect and cancel, then the consent box."""
        self.admin = labelled(w.Text(placeholder="admin@example.com", layout=w.Layout(width="420px")))
        self.directory_state = w.HTML()
        self.connect_admin.on_click(self.on_connect_admin)
        connecting = w.HBox([self.admin, self.connect_admin, self.cancel_admin],
                            layout=w.Layout(flex_flow="row wrap"))  # a long button goes below, whole
        return w.VBox([self.directory_state, connecting, self.consent_box])

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Rebuild options without redrawing the table for each passing value."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _company_changed(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self.refresh_table()

    def _fill_choices(self, company: str | None = None) -> None:
        """The company list (with "(all)") and the on/off toggle in the panel's language, selections kept."""
        with self._quietly():
            fill(self.company, [(self.t("all"), "")] + [(name, slug) for name, slug in self.companies], company)
            chosen = self.state.value  # None until the admin picks: "on" is never assumed
            self.state.options = [(self.t("twostep_on"), "on"), (self.t("twostep_off"), "off")]
            self.state.value = chosen

    def relabel(self) -> None:
        self.company.description = self.t("company")
        self.check.description = self.t("check_twostep")
        self.admin.description = self.t("admin_email")
        self.connect_admin.description = self.t("connect_admin")
        self.consent_box.relabel()
        self.show_directory()
        self.account.description = self.t("account")
        self.state.description = self.t("status")
        self.confirmed_by.description = self.t("confirmed_by")
        self.confirm.description = self.t("confirm_manual")
        self._fill_choices()
        self.refresh_table()
        self.show_steps()

    def refresh(self, company: str | None = None) -> None:
        """Read the companies again; select `company` (else keep the selection, else "(all)")."""
        with Inventory.open(self.workspace) as inventory:
            self.companies = [(c.name, c.slug) for c in inventory.companies()]
        self._fill_choices(company)
        self.refresh_table()

    def _accounts(self, inventory: Inventory) -> list[Account]:
        return [a for a in inventory.accounts(self.company.value or None) if is_google(a.provider)]

    def refresh_table(self) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = self._accounts(inventory)
            known = {s.email: s for s in twostep.stored_all(inventory)}
            options = account_options(inventory, accounts)
        fill(self.account, options)
        if not accounts:
            self.table.value = f"<i>{escape(self.t('no_accounts'))}</i>"
            return
        names = dict((slug, name) for name, slug in self.companies)
        self.table.value = twostep_table([(a, known.get(a.email)) for a in accounts], names, self.lang)

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
        self.alert.info(self.t("twostep_summary", on=on, total=len(self.results)))
        return self.results

    def focus_account(self, email: str) -> None:
        """Open on one account's manual confirmation (the "Confirm 2-Step Verification" action)."""
        if email in [value for _, value in self.account.options]:
            self.account.value = email

    @busy
    def on_confirm(self, _button: w.Button | None = None) -> None:
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        if self.state.value is None:
            raise UsageError(self.t("choose_state_first"))
        if not self.confirmed_by.value.strip():
            raise UsageError(self.t("err_confirmed_by"))
        with Inventory.open(self.workspace) as inventory:
            twostep.confirm_manually(inventory, self.account.value, self.state.value, self.confirmed_by.value)
        self.refresh_table()
        self.state.value = None  # the next account's answer is chosen again, never carried over
        self.alert.success(self.t("confirmed", email=self.account.value))

    # --- Directory access: the admin's own consent -----------------------------------------
    def show_directory(self) -> None:
        """Which way the Directory is read: the service account's admins, the admins who consented."""
        settings = directory_settings(self.workspace)
        with Inventory.open(self.workspace) as inventory:
            consented = [g.admin_email for g in DirectoryGrantStore(inventory).all()]
        ways = [self.t("via_service_account", who=", ".join(settings.admins))] if (
            settings.service_account and settings.admins) else []
        ways += [self.t("via_admin_oauth", who=", ".join(consented))] if consented else []
        how = "; ".join(ways) or self.t("directory_none")
        self.directory_state.value = (f"<small class='mailkit-directory-state'>"
                                      f"{escape(self.t('directory_via', how=how))}</small>")
        if consented and not self.admin.value:
            self.admin.value = consented[0]

    @busy
    def on_connect_admin(self, _button: w.Button | None = None) -> None:
        with translated_errors(self.lang):
            admin = normalize_email(self.admin.value, "admin_email").lower()
        self.consent_box.close_flow()
        self.consent = None
        self.alert.clear()
        self.consent_box.start(ConsentFlow(admin, self.workspace, purpose=DIRECTORY_ADMIN),
                               self.t("admin_open", email=admin))

    async def show_consent(self, result: ConsentResult) -> None:
        """How the consent ended; when granted, the admin's own user is read to prove the access works."""
        self.consent = result
        if not result.ok:
            self.consent_box.show_refused(result)
        else:
            try:
                await asyncio.to_thread(confirm_admin_oauth, self.workspace, result.email)
            except DirectoryError as exc:
                self.alert.error(str(exc))
            else:
                self.alert.success(self.t("admin_ok", email=result.email, domain=result.email.rpartition("@")[2]))
        self.show_directory()


#: What each source's answer rests on, by (source, state); other pairs show the stored detail as the reply.
_DETAILS = {("directory", "on"): "detail_directory", ("directory", "off"): "detail_directory",
            ("directory_oauth", "on"): "detail_directory", ("directory_oauth", "off"): "detail_directory",
            ("signin_probe", "on"): "detail_probe_on", ("signin_probe", "off"): "detail_probe_off",
            ("app_password_signin", "on"): "detail_app_password_on",
            ("manual", "on"): "detail_manual", ("manual", "off"): "detail_manual"}
_CELL = "padding:3px 8px;vertical-align:top"


def source_word(source: str, lang: str) -> str:
    """"Sign-in test" for `signin_probe`: a source as words."""
    key = f"source_{source}"
    return t(key, lang) if key in LABELS else source


def detail_html(found: twostep.TwoStepStatus, lang: str) -> str:
    """Why the state is what it is, in `lang`; a server's own reply folded under "Reply", wrapped."""
    key = _DETAILS.get((found.source, found.state))
    said = escape(t(key, lang)) if key else escape(t("detail_unknown", lang))
    if key is None and found.detail:
        said += (f"<details><summary><small>{escape(t('detail_reply', lang))}</small></summary>"
                 f"<small style='overflow-wrap:anywhere'>{escape(found.detail)}</small></details>")
    return said


def twostep_table(rows: list[tuple[Account, twostep.TwoStepStatus | None]], names: dict[str, str], lang: str) -> str:
    """The 2SV table: named columns, company names, states and sources as words, the detail wrapped."""
    headers = [t(k, lang) for k in ("email", "company", "twostep_title", "source", "confirmed_by", "col_checked_at",
                                    "col_detail")]
    head = "".join(f"<th style='text-align:left;{_CELL}'>{escape(h)}</th>" for h in headers)
    body = []
    for account, found in rows:
        state = found.state if found else "unknown"
        cells = [escape(account.email), escape(names.get(account.company, account.company)),
                 escape(t(f"twostep_{state}", lang)), escape(source_word(found.source, lang)) if found else "",
                 escape(found.confirmed_by or "") if found else "",
                 escape((found.checked_at or "")[:16].replace("T", " ")) if found else "",
                 detail_html(found, lang) if found else ""]
        tds = "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in cells[:-1])
        tds += f"<td style='{_CELL};min-width:260px;max-width:480px;white-space:normal'>{cells[-1]}</td>"
        body.append(f"<tr data-state='{state}' data-source='{escape(found.source) if found else ''}'>{tds}</tr>")
    return (f"<div class='mailkit-scroll'><table class='mailkit-table mailkit-twostep'><thead><tr>{head}</tr>"
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


__all__ = ["LINKS", "TwoStepPanel", "detail_html", "source_word", "twostep_table"]
