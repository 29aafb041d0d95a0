"""App-password form: a masked field checked as the admin types, then "test and save".

The secret lives in the widget only until the button is pressed: the value is taken and the
field cleared before the sign-in starts, so nothing sits in the kernel or the page afterwards.
A failed sign-in stores nothing and keeps the previous secret.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from mailkit.diagnose_texts import status_label
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.secrets import SecretOutcome, set_account_secret_async, validate_as_you_type
from mailkit.ui.actions import ActionBar, actions_for
from mailkit.ui.base import FIELD_INDENT, Panel, account_options, busy, escape, fill, labelled
from mailkit.ui.i18n_ui import t
from mailkit.ui.setup_form import auth_word
from mailkit.workspace import Workspace

SECRET_AUTH = ("app_password", "password")


class AppPasswordForm(Panel):
    """Enter, test and store an app password (or, for old setups, an account password)."""

    title_key = "apppw_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, email: str | None = None):
        self.outcome: SecretOutcome | None = None
        self._auths: dict[str, str] = {}
        self._companies: dict[str, str] = {}
        self._providers: dict[str, str] = {}
        super().__init__(workspace, lang=lang)
        self.refresh(select=email)

    def build(self) -> list[w.Widget]:
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.secret = labelled(w.Password(placeholder="abcd efgh ijkl mnop", continuous_update=True,
                                          layout=w.Layout(width="450px")))
        self.feedback = w.HTML()
        self.save = w.Button(button_style="primary")
        self.secret.observe(self._typed, "value")
        self.account.observe(lambda _: self._typed({"new": self.secret.value}), "value")
        self.save.on_click(self.on_save)
        self.actions = ActionBar(self)
        return [self.account, self.secret, self.feedback, self.beside(self.save), self.actions]

    def relabel(self) -> None:
        self.account.description = self.t("account")
        self.secret.description = self.t("app_password")
        self.save.description = self.t("test_and_save")
        self.refresh(select=self.account.value)  # the sign-in methods in the options are words of this language
        self.actions.relabel()
        self._typed({"new": self.secret.value})

    def refresh(self, select: str | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = [a for a in inventory.accounts() if a.auth in SECRET_AUTH]
        self._auths = {a.email: a.auth for a in accounts}
        self._providers = {a.email: a.provider for a in accounts}  # only Google's have a known format
        self._companies = {a.email: a.company for a in accounts}
        with Inventory.open(self.workspace) as inventory:
            options = [option for a in accounts
                       for option in account_options(inventory, [a], auth_word(a.auth, self.lang))]
        fill(self.account, options, select)

    def _typed(self, change: dict[str, Any]) -> None:
        """Say what is wrong with the text as it is typed; never echo it."""
        text = change["new"] or ""
        if self._auths.get(self.account.value or "") == "password":
            note = escape(self.t("password_account"))
            self.feedback.value = f"<small style='margin-left:{FIELD_INDENT}'>{note}</small>"
            return
        if not text:
            self.feedback.value = ""
            return
        ok, message = validate_as_you_type(text, self.lang, self._providers.get(self.account.value or ""))
        color = "#146c2e" if ok else "#7a4a00"
        # mailkit's own words, never the input: not redacted (prose like "password: create" would be masked)
        self.feedback.value = (f"<small class='mailkit-apppw-{'ok' if ok else 'hint'}' style='color:{color};"
                               f"margin-left:{FIELD_INDENT}'>{html.escape(message)}</small>")

    @busy
    async def on_save(self, _button: w.Button | None = None) -> SecretOutcome:
        raw = self.secret.value
        self.secret.value = ""  # used once, then gone from the widget (and from any saved page state)
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        with Inventory.open(self.workspace) as inventory:
            account = inventory.account(self.account.value)
            outcome = await set_account_secret_async(inventory, account, raw, workspace=self.workspace,
                                                     lang=self.lang)
        del raw
        self.outcome = outcome
        self.actions.clear()
        if outcome.stored:
            self.alert.success(stored_text(outcome, self.lang))
        else:
            said = refusal_text(outcome, self.lang, self._providers.get(outcome.email))
            refused = self.t("apppw_refused", email=outcome.email, status=status_label(outcome.status, self.lang))
            self.alert.error(f"{refused}\n{said}")
            fixes = form_fixes(outcome.status, self._auths.get(outcome.email), self._providers.get(outcome.email))
            self.actions.show(fixes, outcome.email, self._companies.get(outcome.email, ""),
                              self._auths.get(outcome.email) or "")
        return outcome


def form_fixes(status: str, auth: str | None, provider: str | None = None) -> list[str]:
    """The fixes beside a refused app password: not this form again; a refused one calls for 2SV (no app password
    without it) or a look step by step rather than the same sign-in again; a Microsoft 365 mailbox, OAuth."""
    fixes = [key for key in actions_for(status, auth, provider) if key != "app_password"]
    if status == "bad_credentials" and "oauth_microsoft" not in fixes:
        fixes = ["twostep", "troubleshoot"]
    return fixes


def stored_text(outcome: SecretOutcome, lang: str) -> str:
    """The sign-in worked and the secret is stored: said in the admin's language, with whether it replaced one."""
    said = t("apppw_stored", lang, email=outcome.email)
    return f"{said} {t('apppw_replaced', lang)}" if outcome.replaced else said


def refusal_text(outcome: SecretOutcome, lang: str, provider: str | None = None) -> str:
    """Why the sign-in failed and what to do in this form, in the admin's language: the cause, then the form's
    own next step (never the CLI's `mailkit secret set`: the fixes below name the steps and offer the command
    as a copy), then "the stored one was kept"."""
    from mailkit.diagnose import diagnosis_for

    try:
        diagnosis = diagnosis_for(outcome.status)
    except ValueError:  # a status this mailkit does not know: the library's words, as they are
        return outcome.message
    parts = [diagnosis.cause(lang, email=outcome.email, provider=provider)]
    if outcome.kind == "app_password" and outcome.status == "app_password_required":
        parts.append(t("apppw_same_as_password", lang).capitalize() + ".")
    if outcome.status in _FORM_NEXT:
        parts.append(t(_FORM_NEXT[outcome.status], lang))
    if outcome.kept_previous:
        parts.append(t("kept_previous", lang))
    return " ".join(parts)


#: What to do in this very form after a refusal, by status (the others: the fixes offered below).
_FORM_NEXT = {"bad_credentials": "apppw_next_new", "app_password_required": "apppw_next_twostep"}


__all__ = ["AppPasswordForm", "form_fixes", "refusal_text", "stored_text"]
