"""Each notebook's heading and introduction, from the catalogue, in the workspace's remembered language.

A notebook's own markdown would stay English whatever the admin picked; instead its first cell is
`intro("04_bulk_test_send")`, which shows the step's title (the same words as the app's navigation) and a
few sentences, and follows the language when it is changed in any panel. In Voilà the call is hidden; in
JupyterLab it is one short line.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from mailkit.app.steps import TITLES
from mailkit.i18n import N_, text
from mailkit.ui.base import code_spans, introduced
from mailkit.ui.language import language_of
from mailkit.workspace import Workspace

#: What each notebook (or a part of one, after "#") says under its heading.
INTROS: dict[str, str] = {
    "00_start_here": N_("mailkit sets up, checks and audits the Gmail / Google Workspace accounts your client "
                        "companies' software sends mail through. Below: whether this is sandbox mode (a local "
                        "Gmail, sample companies, nothing leaves this machine) or Google mode (your OAuth client "
                        "is registered), every company's accounts at a glance, what to do next, and a link to "
                        "each step. The language you pick in any panel is remembered for this workspace."),
    "01_company_setup": N_("Add a company, then its accounts: type the email and the provider, servers and ports "
                           "are filled in (a Google Workspace domain is recognised from its MX records)."),
    "02_gmail_oauth": N_("Choose the account, press the button, open the link, choose the same account in the "
                         "browser and leave every box ticked; the panel says whether the consent is usable and "
                         "what to do if not."),
    "03_two_step_and_app_passwords": N_("App passwords exist only while 2-Step Verification is on: check it first "
                                        "(Workspace domains are read from the Directory), then paste the "
                                        "16-letter app password; it is tested with a sign-in before it is "
                                        "stored."),
    "04_bulk_test_send": N_("Choose companies (“All companies” selects every one) and accounts, then start: each "
                            "account signs in (and sends a test message if ticked); the table fills as results "
                            "arrive and every result is kept for the report."),
    "05_status_report": N_("Every account's latest status with the cause and the fix, per company; filter, "
                           "download as Excel, CSV or HTML, and see the plots. Before any check has run, the panel "
                           "offers “Run the audit now” (a sign-in check of every account)."),
    "05_status_report#domains": N_("The mail authentication of the company domains (MX, SPF, DKIM, DMARC): "
                                   "“Check domains” asks DNS and shows each finding with the record to publish; "
                                   "download the findings as Excel or CSV."),
    "06_troubleshooting": N_("Pick an account and run the checks: DNS, TCP, TLS, EHLO, sign-in, test send and "
                             "IMAP, each with a tick or a cross, the transcript of the conversation, and the cause "
                             "and remedy of the first failure."),
    "07_microsoft_365": N_("Microsoft is retiring basic authentication (signing in with the mailbox's password) for "
                           "sending through Microsoft 365 (SMTP AUTH): from the end of December 2026 it is off by "
                           "default, so every business program that sends invoices with a mailbox's password stops "
                           "sending that day. The way out is OAuth 2.0: someone signs in once at Microsoft as the "
                           "mailbox, and mailkit keeps the permission Microsoft grants, never the password. Below, "
                           "every Microsoft 365 mailbox, worst first: blocked already, will break (a password that "
                           "still works today) or ready (OAuth), with what to do for each."),
    "07_microsoft_365#connect": N_("Choose a Microsoft 365 mailbox, press “Connect with Microsoft” and sign in at "
                                   "Microsoft's page as that mailbox. On a server without a browser, `mailkit oauth "
                                   "login EMAIL --device-code` shows a code to type at Microsoft's page from any "
                                   "computer. The tenant's app registration in Microsoft Entra is done once (the "
                                   "README gives the steps)."),
    "08_workspace_domains": N_("Connect a client's Google Workspace domain once, with domain-wide delegation: its "
                               "mailboxes then sign in with no consent per user. Follow the Admin-console steps, "
                               "upload the service-account key (it goes to keyring, never to a file) or connect "
                               "without a key through a signer, then import the domain's users and review their app "
                               "passwords and third-party tokens."),
}
#: Headings of the parts that are not a whole step (a step's heading is its title in the navigation).
PART_TITLES: dict[str, str] = {"05_status_report#domains": N_("Domains"),
                               "07_microsoft_365#connect": N_("Connect a mailbox with Microsoft")}
#: The home page's heading (its navigation title is just "Home").
HOME_TITLE = N_("mailkit — start here")


def heading(key: str, lang: str) -> str:
    """The heading of a notebook (`04_bulk_test_send`) or of a part of one (`05_status_report#domains`)."""
    if key in PART_TITLES:
        return text(lang, PART_TITLES[key])
    if key == "00_start_here":
        return text(lang, HOME_TITLE)
    return text(lang, TITLES[key + ".ipynb"])


class Intro(w.HTML):
    """A notebook's heading and introduction, relabelled whenever the workspace's language changes."""

    def __init__(self, key: str, workspace: Workspace):
        if key not in INTROS:
            raise KeyError(f"no introduction for {key!r}; known: {', '.join(INTROS)}")
        super().__init__()
        self.key = key
        introduced(workspace, key)  # the panel below leaves out its own title: the heading shows once
        self.shared_language = language_of(workspace)
        self.shared_language.observe(self._changed, "lang")
        self.add_class("mailkit-intro")
        self.render(self.shared_language.lang)

    def render(self, lang: str) -> None:
        level = "h3" if "#" in self.key else "h2"
        body = code_spans(html.escape(text(lang, INTROS[self.key])))
        self.lang = lang
        self.value = (f"<{level} style='margin:4px 0 6px 0'>{html.escape(heading(self.key, lang))}</{level}>"
                      f"<p style='line-height:1.45;max-width:1100px;margin:0 0 8px 0'>{body}</p>")

    def _changed(self, change: dict[str, Any]) -> None:
        self.render(change["new"])

    def close(self) -> None:
        self.shared_language.unobserve(self._changed, "lang")
        super().close()

    def __repr__(self) -> str:  # what a plain-text front end shows instead of the widget
        return f"{heading(self.key, self.lang)}\n\n{text(self.lang, INTROS[self.key])}"


def intro(key: str, workspace: Workspace | None = None) -> Intro:
    """The heading and introduction of notebook `key`, in the language of its workspace (the session's: the
    notebook is got ready first, as its next cell would)."""
    if workspace is None:
        from mailkit.ui.session import start

        workspace = start().workspace
    return Intro(key, workspace)


__all__ = ["HOME_TITLE", "INTROS", "Intro", "heading", "intro"]
