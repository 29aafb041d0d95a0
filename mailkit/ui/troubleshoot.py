"""Troubleshooting wizard: one account, every step of the conversation with a tick or a cross
(DNS, TCP, TLS, EHLO, AUTH, send, IMAP), the redacted transcript in a collapsible box, and the
cause and remedy of the first failure.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as w

from mailkit.checks import CheckResult, SendOptions, check_account, check_imap_account
from mailkit.diagnose_texts import status_label
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.secrets import redact
from mailkit.ui.actions import ActionBar, actions_for, remedy_text_html
from mailkit.ui.base import Panel, account_options, busy, escape, fill, labelled, status_html
from mailkit.ui.setup_form import auth_word
from mailkit.workspace import Workspace

STEPS = ("dns", "tcp", "tls", "ehlo", "auth", "send", "imap")
#: Engine step names shown under one of the wizard's steps.
ALIASES = {"connect": "tcp", "greeting": "tcp", "token": "auth", "quit": "send"}


@dataclass
class StepView:
    """One wizard line: passed (True), failed (False) or not run (None), with the last detail."""

    name: str
    ok: bool | None = None
    detail: str = ""


@dataclass
class Diagnosis:
    """What the wizard found: its lines, the results, and the failing result (if any)."""

    steps: dict[str, StepView] = field(default_factory=lambda: {name: StepView(name) for name in STEPS})
    results: list[CheckResult] = field(default_factory=list)

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        for step in result.steps:
            name = "imap" if result.protocol == "imap" else ALIASES.get(step.name, step.name)
            if name not in self.steps:
                continue
            view = self.steps[name]
            view.ok = step.ok if view.ok is None else (view.ok and step.ok)
            view.detail = step.detail
        if result.protocol == "imap":
            self.steps["imap"].ok = result.ok
            if not result.steps:
                self.steps["imap"].detail = status_label(result.status, self.lang)

    @property
    def failed(self) -> CheckResult | None:
        return next((r for r in self.results if not r.ok), None)


async def run_checks(account: object, workspace: Workspace, *, send: bool = False, send_to: str | None = None,
                     imap: bool = False, lang: str = "en") -> Diagnosis:
    """The SMTP check (with a test send when asked) and the IMAP check, as wizard lines."""
    found = Diagnosis()
    options = SendOptions(to=send_to or None, lang=lang) if send else None
    found.add(await check_account(account, workspace=workspace, send=options))  # type: ignore[arg-type]
    if imap:
        found.add(await check_imap_account(account, workspace=workspace))  # type: ignore[arg-type]
    return found


class TroubleshootWizard(Panel):
    """Pick an account, run every step, read what failed and what to do."""

    title_key = "trouble_title"
    intros = ("06_troubleshooting",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, email: str | None = None):
        self.found: Diagnosis | None = None
        self.provider: str | None = None  # the checked account's, for its provider's wording
        self.checked: tuple[str, str] = ("", "")  # the checked account's sign-in method and company
        super().__init__(workspace, lang=lang)
        self.refresh(select=email)

    def build(self) -> list[w.Widget]:
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.send = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.send_to = labelled(w.Text(placeholder="facturas@empresa.com", layout=w.Layout(width="450px",
                                                                                          display="none")))
        self.imap = w.Checkbox(value=True, indent=False, layout=w.Layout(width="auto"))
        self.run = w.Button(button_style="primary", icon="stethoscope")
        self.steps = w.HTML()
        self.verdict = w.HTML()
        self.transcript = w.Accordion(children=[])
        self.send.observe(lambda change: self._show_send_to(change["new"]), "value")
        self.run.on_click(self.on_run)
        self.actions = ActionBar(self, here={"retry": self.run.click, "troubleshoot": self.run.click})
        return [self.account, w.HBox([self.imap, self.send], layout=w.Layout(grid_gap="24px")), self.send_to,
                self.beside(self.run), self.steps, self.verdict, self.actions, self.transcript]

    def _show_send_to(self, sending: bool) -> None:
        """The recipient field only matters when a test message is sent."""
        self.send_to.layout.display = "" if sending else "none"

    def relabel(self) -> None:
        self.account.description = self.t("account")
        self.send.description = self.t("send_test")
        self.send_to.description = self.t("send_to")
        self.imap.description = self.t("check_imap")
        self.run.description = self.t("run_checks")
        self.refresh(select=self.account.value)  # the sign-in methods in the options are words of this language
        self.show()
        self.actions.relabel()

    def refresh(self, select: str | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = inventory.accounts()
            options = [option for a in accounts
                       for option in account_options(inventory, [a], auth_word(a.auth, self.lang))]
        fill(self.account, options, select)

    @busy
    async def on_run(self, _button: w.Button | None = None) -> Diagnosis:
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        with Inventory.open(self.workspace) as inventory:
            account = inventory.account(self.account.value)
        self.found, self.provider, self.checked = None, account.provider, (account.auth, account.company)
        self.show()
        self.found = await run_checks(account, self.workspace, send=self.send.value,
                                      send_to=self.send_to.value.strip(), imap=self.imap.value, lang=self.lang)
        self.show()
        return self.found

    def show(self) -> None:
        """Draw the step lines, the verdict and the transcripts for the last run."""
        found = self.found or Diagnosis()
        lines = "".join(self._line(view) for view in found.steps.values())
        self.steps.value = f"<ul class='mailkit-steps' style='list-style:none;padding-left:0'>{lines}</ul>"
        self.verdict.value = self._verdict(found) if self.found else ""
        failed = found.failed if self.found else None
        if failed is None:
            self.actions.clear()
        else:
            fixes = [key for key in actions_for(failed.status.value, self.checked[0], self.provider)
                     if key != "troubleshoot"]
            self.actions.show(fixes, failed.email, self.checked[1], self.checked[0])
        self.transcript.children = [w.HTML(f"<pre class='mailkit-transcript' style='white-space:pre-wrap;"
                                           f"overflow-wrap:anywhere;line-height:1.35;font-size:12px'>{escape(chr(10).join(r.transcript))}"
                                           "</pre>") for r in found.results]
        for index, result in enumerate(found.results):
            self.transcript.set_title(index, f"{self.t('transcript')} ({result.protocol.upper()})")
        self.transcript.selected_index = None

    def _line(self, view: StepView) -> str:
        mark, color, state = ("✔", "#146c2e", "ok") if view.ok else ("✘", "#b3261e", "failed") \
            if view.ok is False else ("–", "#777", "not-run")
        detail = escape(view.detail) if view.ok is not None else escape(self.t("not_run"))
        return (f"<li class='mailkit-step' data-step='{view.name}' data-state='{state}'>"
                f"<span style='color:{color};font-weight:700;display:inline-block;width:1.5em'>{mark}</span>"
                f"<b>{escape(self.t('step_' + view.name))}</b> <small style='color:#555'>{detail}</small></li>")

    def _verdict(self, found: Diagnosis) -> str:
        failed = found.failed
        if failed is None:
            email = self.account.value or ""
            return f"<div class='mailkit-verdict' data-status='ok' style='color:#146c2e'>" \
                   f"{escape(self.t('all_good', email=email))}</div>"
        diagnosis = failed.diagnosis
        raw = f"<br><code>{html.escape(redact(diagnosis.raw))}</code>" if diagnosis.raw else ""
        remedy = remedy_text_html(diagnosis.remedy(self.lang, email=failed.email, provider=self.provider))
        return (f"<div class='mailkit-verdict mailkit-block' data-status='{escape(failed.status.value)}' "
                "style='border-left:4px solid #b3261e;background:#fce8e6;padding:6px 10px;border-radius:4px;"
                "overflow-wrap:anywhere'>"
                f"<b>{escape(failed.protocol.upper())}: {status_html(failed.status.value, self.lang)}</b>{raw}"
                f"<br><b>{escape(self.t('cause'))}:</b> {escape(diagnosis.cause(self.lang, provider=self.provider))}"
                f"<br><b>{escape(self.t('remedy'))}:</b> {remedy}</div>")


__all__ = ["STEPS", "Diagnosis", "StepView", "TroubleshootWizard", "run_checks"]
