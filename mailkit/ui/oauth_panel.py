"""OAuth connect panel: start an account's consent, show the link, count down, cancel, paste the
final address, and show what came of it (ok, scope missing, wrong account) with the remedy.
A Microsoft 365 mailbox gets "Connect with Microsoft" and Microsoft's consent (msal, loopback redirect).

The link, countdown, Cancel, paste box and the wait are the consent box's
(`mailkit.ui.consent_box`), shared with the 2SV panel's admin consent; this panel picks the
account and explains the result.
"""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as w

from mailkit.diagnose import diagnosis_for
from mailkit.diagnose_texts import status_label
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.oauth import (
    DEFAULT_TIMEOUT,
    MICROSOFT_PROVIDERS,
    ConsentFlow,
    ConsentResult,
    GrantStore,
    MicrosoftConsentFlow,
)
from mailkit.providers import is_google
from mailkit.ui.actions import NEUTRAL_OUTCOMES, ActionBar, actions_for, remedy_text_html
from mailkit.ui.base import Panel, account_options, busy, escape, fill, labelled, status_html
from mailkit.ui.consent_box import ConsentBox, ConsentHost, countdown_html, format_left, kernel_is_local
from mailkit.ui.oauth_client_box import ClientBox
from mailkit.ui.setup_form import auth_word
from mailkit.workspace import Workspace


class OAuthPanel(ConsentHost, Panel):
    """One OAuth 2.0 consent at a time, for the account chosen in the list."""

    title_key = "oauth_title"
    intros = ("02_gmail_oauth", "07_microsoft_365#connect")

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, email: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self.result: ConsentResult | None = None
        self.moving = ""  # a mailbox on a password a fix opened the panel on: connecting moves it to OAuth 2.0
        self.connect = w.Button(button_style="primary", icon="google", layout=w.Layout(width="auto"))
        self.consent_box = ConsentBox(self, self.connect, self.show_result, timeout=timeout, open_browser=open_browser)
        box = self.consent_box  # its widgets under the names the panel always had
        self.cancel, self.link, self.countdown, self.finish = box.cancel, box.link, box.countdown, box.finish
        self.paste, self.paste_help, self.paste_box = box.paste, box.paste_help, box.paste_box
        super().__init__(workspace, lang=lang)
        self.refresh(select=email)

    def build(self) -> list[w.Widget]:
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.state = w.HTML()
        self.outcome = w.HTML()
        self.account.observe(lambda _: self.show_state(), "value")
        self.connect.on_click(self.on_connect)
        self.actions = ActionBar(self, here={"oauth": self.connect.click})
        self.clients = ClientBox(self)
        return [self.account, self.state, self.beside(self.connect, self.cancel), self.consent_box, self.outcome,
                self.actions, self.clients]

    def relabel(self) -> None:
        self.account.description = self.t("account")
        self._label_connect()
        self.consent_box.relabel()
        self.actions.relabel()
        self.clients.relabel()
        self.show_state()
        if self.result is not None:
            self.show_result(self.result)

    # --- accounts ----------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        """The OAuth 2.0 accounts, and the password one a fix asked for (Google's or Microsoft's), to move it."""
        with Inventory.open(self.workspace) as inventory:
            found = inventory.find_account(select) if select else None
            if found is not None and found.auth != "oauth2" and (is_google(found.provider)
                                                                 or found.provider in MICROSOFT_PROVIDERS):
                self.moving = found.email
            accounts = [a for a in inventory.accounts() if a.auth == "oauth2" or a.email == self.moving]
            options = account_options(inventory, accounts)
        fill(self.account, options, select)
        if not accounts:
            self.alert.info(self.t("no_accounts"))

    def selected(self) -> Account:
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        with Inventory.open(self.workspace) as inventory:
            return inventory.account(self.account.value)

    def _microsoft_selected(self) -> bool:
        with Inventory.open(self.workspace) as inventory:
            found = inventory.find_account(self.account.value) if self.account.value else None
        return found is not None and found.provider in MICROSOFT_PROVIDERS

    def _label_connect(self) -> None:
        """The button names whose sign-in page it opens: Google's, or Microsoft's for a Microsoft 365 mailbox."""
        microsoft = self._microsoft_selected()
        self.connect.description = self.t("connect_microsoft" if microsoft else "connect")
        self.connect.icon = "windows" if microsoft else "google"

    def show_state(self) -> None:
        self._label_connect()
        email = self.account.value
        if not email:
            self.state.value = ""
            return
        with Inventory.open(self.workspace) as inventory:
            facts = GrantStore(inventory).facts(email) if inventory.find_account(email) else None
        text = self.t("authorized_as", who=facts.authorized_email or email) if facts and facts.status == "ok" \
            else self.t("not_authorized") if facts is None else status_label(facts.status, self.lang)
        client = self.clients.account_line(email)
        self.state.value = (f"<small class='mailkit-oauth-state'>{escape(self.t('oauth_state', state=text))}"
                            + (f"<br><span class='mailkit-oauth-client-of'>{escape(client)}</span>" if client else "")
                            + "</small>")

    # --- the consent ---------------------------------------------------------------------
    @busy
    def on_connect(self, _button: w.Button | None = None) -> None:
        account = self.selected()
        if account.auth != "oauth2" and account.email != self.moving:
            raise UsageError(self.t("oauth_only", email=account.email, auth=auth_word(account.auth, self.lang)))
        self.consent_box.close_flow()
        self.result = None
        self.outcome.value = ""
        self.actions.clear()
        self.alert.clear()
        if account.provider in MICROSOFT_PROVIDERS:
            self.consent_box.start(MicrosoftConsentFlow(account, self.workspace),
                                   self.t("oauth_open_microsoft", email=account.email),
                                   link_label=self.t("oauth_link_microsoft"))
            return
        self.consent_box.start(ConsentFlow(account, self.workspace), self.t("oauth_open", email=account.email))

    def _switch_to_oauth(self, email: str) -> bool:
        """After the consent, the mailbox that signed in with a password signs in with OAuth 2.0 (as `mailkit account
        add EMAIL --auth oauth2` would set it); True when it was switched."""
        with Inventory.open(self.workspace) as inventory:
            account = inventory.find_account(email)
            if account is None or account.auth == "oauth2":
                return False
            inventory.upsert_account(replace(account, auth="oauth2"))
        return True

    def show_result(self, result: ConsentResult) -> None:
        """Show how the consent ended, with the cause and remedy in the admin's language."""
        self.result = result
        self.actions.clear()
        if result.ok:
            message = self.t("oauth_ok", email=result.email, who=result.authorized_email or result.email)
            if result.email == self.moving and self._switch_to_oauth(result.email):
                message += "\n" + self.t("oauth_moved", email=result.email)
            self.alert.success(message)
            self.outcome.value = (f"<div class='mailkit-oauth-result' data-status='ok'>"
                                  f"<b>{status_html('ok', self.lang)}</b> — "
                                  f"{escape(result.authorized_email or result.email)}</div>")
        elif result.outcome in NEUTRAL_OUTCOMES:  # the admin's own Cancel, or no answer in time: no fault, no remedy
            self.consent_box.show_refused(result)
            self.outcome.value = ""
        else:
            diagnosis = diagnosis_for(result.status, raw=result.message)
            self.consent_box.show_refused(result)
            provider = result.provider or None
            cause = diagnosis.cause(self.lang, email=result.email, provider=provider)
            remedy = remedy_text_html(diagnosis.remedy(self.lang, email=result.email, provider=provider))
            self.outcome.value = (
                f"<div class='mailkit-oauth-result mailkit-block' data-status='{escape(result.status)}'>"
                f"<b>{status_html(result.status, self.lang)}</b>"
                f"<br><b>{escape(self.t('cause'))}:</b> {escape(cause)}"
                f"<br><b>{escape(self.t('remedy'))}:</b> {remedy}</div>")
            self.actions.show(actions_for(result.status, "oauth2", provider), result.email)
        self.show_state()


__all__ = ["OAuthPanel", "countdown_html", "format_left", "kernel_is_local"]
