"""Fixes as actions: what a status calls for, as buttons that open the panel that fixes it.

The diagnosis catalogue words a remedy for every reader (the CLI included), so it names commands.
In a panel the admin gets, beside that text, one button per fix — set an app password, connect
with Google (or Microsoft), confirm 2SV, move the account, retry — which opens the fixing panel right
there, already on the account; a link to that step, named by its title; and the CLI command as a secondary
"copy command". `actions_for` is the one mapping from a status to its fixes, used by every panel.

The fixes depend on the provider: a Microsoft 365 mailbox has no app password to set nor Google's 2-Step
Verification to confirm; its one way forward is "Connect with Microsoft" (OAuth 2.0), whose command is the
device-code sign-in, which works from a server as well as from a laptop.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from mailkit.app.steps import TITLES
from mailkit.i18n import text
from mailkit.status import Status
from mailkit.ui.base import code_spans, escape
from mailkit.ui.i18n_ui import t

if TYPE_CHECKING:
    from mailkit.ui.base import Panel
    from mailkit.workspace import Workspace


@dataclass(frozen=True)
class Action:
    """One fix: its button's label key, the notebook of that step, and the same fix as a CLI command."""

    key: str
    label: str
    notebook: str
    command: str
    kind: str = ""  # the fix it is a variant of ("oauth" for Microsoft's connection): a panel's own way applies
    switch: str = ""  # the command first moving an account that signs in another way onto this fix's method

    @property
    def does(self) -> str:
        return self.kind or self.key


ACTIONS: dict[str, Action] = {
    action.key: action for action in (
        Action("app_password", "act_app_password", "03_two_step_and_app_passwords.ipynb",
               "mailkit secret set {email}"),
        Action("oauth", "act_oauth", "02_gmail_oauth.ipynb", "mailkit oauth login {email}",
               switch="mailkit account add {email} --company {company} --auth oauth2"),
        Action("oauth_microsoft", "act_oauth_microsoft", "07_microsoft_365.ipynb",
               "mailkit oauth login {email} --device-code", kind="oauth",
               switch="mailkit account add {email} --company {company} --provider microsoft365 --auth oauth2"),
        Action("twostep", "act_twostep", "03_two_step_and_app_passwords.ipynb",
               "mailkit twostep confirm {email} --state on --by NAME"),
        Action("move", "act_move", "01_company_setup.ipynb", "mailkit account add {email} --company {company} --move"),
        Action("retry", "act_retry", "06_troubleshooting.ipynb", "mailkit check {email}"),
        Action("troubleshoot", "act_troubleshoot", "06_troubleshooting.ipynb", "mailkit check {email} --transcript"),
    )
}

#: Status -> the fixes, most likely first. A secret's fix depends on how the account signs in: "secret" stands
#: for an app password (app_password / password accounts) or a Google connection (oauth2 accounts).
_BY_STATUS: dict[str, tuple[str, ...]] = {
    Status.OK: (),
    Status.BAD_CREDENTIALS: ("secret", "retry"),
    Status.APP_PASSWORD_REQUIRED: ("app_password", "twostep", "oauth"),
    Status.WEB_LOGIN_REQUIRED: ("retry",),
    Status.OAUTH_TOKEN_INVALID: ("retry", "oauth"),
    Status.OAUTH_REAUTH_REQUIRED: ("oauth",),
    Status.OAUTH_SCOPE_MISSING: ("oauth",),
    Status.OAUTH_WRONG_ACCOUNT: ("oauth",),
    Status.NOT_CONFIGURED: ("secret",),
    Status.KEYRING_ERROR: ("retry",),
    Status.RATE_LIMITED: ("retry",),
    Status.QUOTA_EXCEEDED: ("retry",),
    Status.TIMEOUT: ("retry",),
    Status.CONNECTION_LOST: ("retry",),
    Status.CONNECTION_REFUSED: ("troubleshoot",),
    Status.DNS_ERROR: ("troubleshoot",),
    Status.PROVIDER_NOT_DETECTED: ("retry",),
    # Microsoft refusing a password as a password: OAuth is the way out; the admin's step is in the remedy text
    Status.SMTP_AUTH_DISABLED: ("oauth", "retry"),
    Status.SECURITY_DEFAULTS: ("oauth", "retry"),
    Status.BASIC_AUTH_DISABLED: ("oauth", "retry"),
    Status.TENANT_BLOCKED: ("troubleshoot",),
    # the Workspace admin's step in the Admin console is in the remedy text; checking again is the fix after it
    Status.DELEGATION_UNAUTHORIZED: ("retry",),
}
#: An OAuth account refused this way needs no new consent: SMTP AUTH is off for OAuth too, so once the admin
#: turns it on, checking again is the fix.
_BY_STATUS_OAUTH: dict[str, tuple[str, ...]] = {Status.SMTP_AUTH_DISABLED: ("retry",)}
#: Providers whose connection is Microsoft's (the same set as mailkit.oauth.microsoft.MICROSOFT_PROVIDERS).
MICROSOFT = frozenset({"microsoft365"})
#: Fixes that are Google's alone: a Microsoft 365 mailbox moves to OAuth instead.
_GOOGLE_ONLY = frozenset({"app_password", "twostep"})
#: Consent endings that are nobody's fault (the admin's own Cancel, no answer in time): a neutral note, no fix.
NEUTRAL_OUTCOMES = frozenset({"cancelled", "timeout"})


def actions_for(status: str, auth: str | None = None, provider: str | None = None) -> tuple[str, ...]:
    """The fixes for a status, as ACTIONS keys; statuses not listed get "troubleshoot".

    With the account's provider, a Microsoft 365 mailbox gets "Connect with Microsoft" where a Google account
    gets "Connect with Google", and never an app password or 2SV to fix.
    """
    microsoft = provider in MICROSOFT
    keys = (_BY_STATUS_OAUTH.get(status) if auth == "oauth2" else None) or _BY_STATUS.get(status, ("troubleshoot",))
    secret = "oauth" if auth == "oauth2" or microsoft else "app_password"
    resolved = [secret if key == "secret" else key for key in keys]
    if (auth == "oauth2" or microsoft) and resolved:  # no app password to set nor Google's 2SV to confirm
        resolved = [key for key in resolved if key not in _GOOGLE_ONLY] or ["oauth"]
    if microsoft:
        resolved = ["oauth_microsoft" if key == "oauth" else key for key in resolved]
    return tuple(dict.fromkeys(resolved))


def command_for(key: str, email: str, company: str = "COMPANY", auth: str | None = None) -> str:
    """The CLI command doing the same fix; for an account signing in another way (a password mailbox moving to
    OAuth), the command switching it first, on the line before."""
    action, fields = ACTIONS[key], {"email": email, "company": company or "COMPANY"}
    first = action.switch.format(**fields) + "\n" if action.switch and auth and auth != "oauth2" else ""
    return first + action.command.format(**fields)


def step_title(notebook: str, lang: str) -> str:
    """A step as the admin knows it: its title in the app's navigation, in `lang` (never the file's name)."""
    return text(lang, TITLES[notebook]) if notebook in TITLES else notebook.removesuffix(".ipynb")


def remedy_text_html(remedy: str) -> str:
    """A remedy escaped for HTML with its `command` spans as <code> (the catalogue marks them with backticks)."""
    return code_spans(escape(remedy))


#: Opens an action's panel: (workspace, lang, email, company) -> the panel.
Opener = Callable[["Workspace", str, str, str], "Panel"]


def _open_app_password(workspace: Workspace, lang: str, email: str, company: str) -> Panel:
    from mailkit.ui.app_password_form import AppPasswordForm

    return AppPasswordForm(workspace, lang=lang, email=email)


def _open_oauth(workspace: Workspace, lang: str, email: str, company: str) -> Panel:
    from mailkit.ui.oauth_panel import OAuthPanel

    return OAuthPanel(workspace, lang=lang, email=email)


def _open_twostep(workspace: Workspace, lang: str, email: str, company: str) -> Panel:
    from mailkit.ui.twostep_panel import TwoStepPanel

    panel = TwoStepPanel(workspace, lang=lang, company=company or None)
    panel.focus_account(email)
    return panel


def _open_troubleshoot(workspace: Workspace, lang: str, email: str, company: str) -> Panel:
    from mailkit.ui.troubleshoot import TroubleshootWizard

    return TroubleshootWizard(workspace, lang=lang, email=email)


def _open_retry(workspace: Workspace, lang: str, email: str, company: str) -> Panel:
    wizard = _open_troubleshoot(workspace, lang, email, company)
    wizard.run.click()  # retrying is running the checks again
    return wizard


OPENERS: dict[str, Opener] = {"app_password": _open_app_password, "oauth": _open_oauth,
                              "oauth_microsoft": _open_oauth,  # the OAuth panel asks Microsoft for its mailboxes
                              "twostep": _open_twostep, "retry": _open_retry, "troubleshoot": _open_troubleshoot}


class ActionBar(w.VBox):
    """The fixes of one status for one account: a button each, the notebook links, "copy command", and the area
    where the fixing panel opens.

    `here` lets the panel showing the bar do a fix itself (the OAuth panel connects again rather than open a
    second OAuth panel); `move` is the setup form's own action and always comes through `here`.
    """

    def __init__(self, panel: Panel, *, here: dict[str, Callable[[], Any]] | None = None):
        self.panel = panel
        self.here = dict(here or {})
        self.fixes: tuple[str, ...] = ()
        self.email, self.company, self.auth = "", "", ""
        self.buttons: dict[str, w.Button] = {}
        self.row = w.HBox(layout=w.Layout(flex_flow="row wrap", grid_gap="6px"))
        self.links = w.HTML()
        self.opened = w.VBox()
        self.fixing: Panel | None = None
        super().__init__([self.row, self.links, self.opened])
        self.add_class("mailkit-actions")

    def show(self, keys: tuple[str, ...] | list[str], email: str, company: str = "", auth: str = "") -> None:
        """Offer `keys` for the account (nothing for an empty tuple); a fixing panel already open is closed
        unless the same fixes are offered again (a relabel). `auth` is the account's sign-in method, for the
        commands (moving a password account to OAuth switches it first)."""
        self.auth = auth
        if (tuple(keys), email, company) == (self.fixes, self.email, self.company) and self.buttons:
            self.relabel()
            return
        self.fixes, self.email, self.company = tuple(keys), email, company
        self.close_fixing()
        self.buttons = {}
        for key in self.fixes:
            button = w.Button(button_style="primary" if not self.buttons else "", icon=_ICONS.get(key, ""),
                              layout=w.Layout(width="auto"))
            button.add_class(f"mailkit-action-{key}")
            button.on_click(lambda _b, key=key: self.run(key))
            self.buttons[key] = button
        self.row.children = tuple(self.buttons.values())
        self.relabel()

    def clear(self) -> None:
        self.show((), "")

    def relabel(self) -> None:
        """Labels, links and commands in the panel's language (the panel calls it from its `relabel`)."""
        lang = self.panel.lang
        for key, button in self.buttons.items():
            button.description = t(ACTIONS[key].label, lang)
        self.links.value = self._links_html(lang) if self.fixes else ""

    def _links_html(self, lang: str) -> str:
        notebooks = dict.fromkeys(ACTIONS[key].notebook for key in self.fixes if ACTIONS[key].does not in self.here)
        links = " · ".join(f"<a class='mailkit-step-link' href='{escape(nb)}' target='_blank'>"
                           f"{escape(step_title(nb, lang))}</a>" for nb in notebooks)
        opened = f"<small>{escape(t('act_in_notebook', lang))} {links}</small>" if links else ""
        commands = "\n".join(command_for(key, self.email or "EMAIL", self.company, self.auth)
                             for key in self.fixes)
        copy = (f"<details class='mailkit-command'><summary><small>{escape(t('act_copy_command', lang))}</small>"
                f"</summary><code style='user-select:all;white-space:pre-wrap'>{escape(commands)}</code> "
                f"<button type='button' class='mailkit-copy' data-command='{html.escape(commands, quote=True)}' "
                f"onclick='navigator.clipboard &amp;&amp; navigator.clipboard.writeText(this.dataset.command)'>"
                f"{escape(t('act_copy', lang))}</button></details>")
        return f"<div class='mailkit-block'>{opened}{copy}</div>"

    def run(self, key: str) -> Panel | None:
        """Do the fix: the panel's own way (`here`), else open the fixing panel under the bar."""
        if ACTIONS[key].does in self.here:
            self.here[ACTIONS[key].does]()
            return None
        self.close_fixing()
        self.fixing = OPENERS[key](self.panel.workspace, self.panel.lang, self.email, self.company)
        self.opened.children = (self.fixing,)
        return self.fixing

    def close_fixing(self) -> None:
        if self.fixing is not None:
            self.fixing.close()  # a consent it still waits for is cancelled, its port freed
        self.fixing, self.opened.children = None, ()


_ICONS = {"app_password": "key", "oauth": "google", "oauth_microsoft": "windows", "twostep": "shield",
          "move": "exchange", "retry": "refresh", "troubleshoot": "stethoscope"}


__all__ = ["ACTIONS", "MICROSOFT", "NEUTRAL_OUTCOMES", "OPENERS", "Action", "ActionBar", "actions_for", "command_for",
           "remedy_text_html", "step_title"]
