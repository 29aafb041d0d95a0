"""OAuth connect panel: start an account's consent, show the link, count down, cancel, paste the
final address, and show what came of it (ok, scope missing, wrong account) with the remedy.

The wait runs as a task on the kernel's loop (a thread when there is none), so the kernel stays
free and Cancel works while the admin is in the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import sys
import time
import webbrowser
from typing import Any

import ipywidgets as w

from mailkit.diagnose import diagnosis_for
from mailkit.errors import UsageError
from mailkit.inventory import Inventory
from mailkit.models import Account
from mailkit.oauth_flow import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
from mailkit.oauth_store import GrantStore
from mailkit.ui.base import Panel, busy, escape, fill, labelled, schedule
from mailkit.ui.hints import remedy_html
from mailkit.workspace import Workspace


def kernel_is_local() -> bool:
    """True when a browser opened by the kernel appears in front of the admin (not over SSH, not in CI)."""
    if any(os.environ.get(name) for name in ("SSH_CONNECTION", "CI", "MAILKIT_NO_BROWSER")):
        return False
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def format_left(seconds: float) -> str:
    """'6:59' for a countdown."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


#: A turning ring drawn with CSS: an emoji (⏳) shows as an empty box where no emoji font is installed.
_SPINNER = ("<style>@keyframes mailkit-spin { to { transform: rotate(360deg); } }</style>"
            "<span class='mailkit-spinner' aria-hidden='true' style='display:inline-block;width:0.8em;"
            "height:0.8em;margin-right:0.45em;vertical-align:-0.1em;box-sizing:border-box;"
            "border:2px solid currentColor;border-right-color:transparent;border-radius:50%;"
            "animation:mailkit-spin 1s linear infinite'></span>")


def countdown_html(text: str) -> str:
    """The countdown line: the CSS ring, then `text` (escaped)."""
    return f"<span class='mailkit-countdown'>{_SPINNER}{escape(text)}</span>"


class OAuthPanel(Panel):
    """One OAuth 2.0 consent at a time, for the account chosen in the list."""

    title_key = "oauth_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None, email: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self.timeout = timeout
        self.open_browser = kernel_is_local() if open_browser is None else open_browser
        self.flow: ConsentFlow | None = None
        self.result: ConsentResult | None = None
        self.waiting: Any = None  # the wait for the browser: a task on the kernel's loop, else a thread
        super().__init__(workspace, lang=lang)
        self.refresh(select=email)

    def build(self) -> list[w.Widget]:
        self.account = labelled(w.Dropdown(options=[], layout=w.Layout(width="660px")))
        self.state = w.HTML()
        self.connect = w.Button(button_style="primary", icon="google", layout=w.Layout(width="auto"))
        self.cancel = w.Button(button_style="warning", disabled=True, layout=w.Layout(display="none"))
        self.link = w.HTML()
        self.countdown = w.HTML()
        self.paste_help = w.HTML()
        self.paste = labelled(w.Text(layout=w.Layout(width="660px")))
        self.finish = w.Button()
        pasting = w.HBox([self.paste, self.finish], layout=w.Layout(flex_flow="row wrap"))
        self.paste_box = w.VBox([self.paste_help, pasting], layout=w.Layout(display="none"))
        self.outcome = w.HTML()
        self.account.observe(lambda _: self.show_state(), "value")
        self.connect.on_click(self.on_connect)
        self.cancel.on_click(self.on_cancel)
        self.finish.on_click(self.on_finish)
        return [self.account, self.state, w.HBox([self.connect, self.cancel]), self.link, self.countdown,
                self.paste_box, self.outcome]

    def relabel(self) -> None:
        self.account.description = self.t("account")
        self.connect.description = self.t("connect")
        self.cancel.description = self.t("cancel")
        self.paste.description = self.t("paste_url")
        self.finish.description = self.t("finish")
        # mailkit's own words, not redacted: its example address shows `code=…`, which the redactor would mask
        self.paste_help.value = f"<small>{html.escape(self.t('paste_help'))}</small>"
        self.show_state()
        if self.result is not None:
            self.show_result(self.result)

    # --- accounts ----------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        with Inventory.open(self.workspace) as inventory:
            accounts = [a for a in inventory.accounts() if a.auth == "oauth2"]
        fill(self.account, [(f"{a.email} ({a.company})", a.email) for a in accounts], select)
        if not accounts:
            self.alert.info(self.t("no_accounts"))

    def selected(self) -> Account:
        if not self.account.value:
            raise UsageError(self.t("no_accounts"))
        with Inventory.open(self.workspace) as inventory:
            return inventory.account(self.account.value)

    def show_state(self) -> None:
        email = self.account.value
        if not email:
            self.state.value = ""
            return
        with Inventory.open(self.workspace) as inventory:
            facts = GrantStore(inventory).facts(email) if inventory.find_account(email) else None
        text = self.t("authorized_as", who=facts.authorized_email or email) if facts and facts.status == "ok" \
            else self.t("not_authorized") if facts is None else f"{facts.status}"
        self.state.value = f"<small class='mailkit-oauth-state'>{escape(self.t('oauth_state', state=text))}</small>"

    # --- the consent ---------------------------------------------------------------------
    @busy
    def on_connect(self, _button: w.Button | None = None) -> None:
        account = self.selected()
        if account.auth != "oauth2":
            raise UsageError(self.t("oauth_only", email=account.email, auth=account.auth))
        self._close_flow()
        self.result = None
        self.outcome.value = ""
        self.alert.clear()
        self.flow = ConsentFlow(account, self.workspace)
        url = self.flow.authorization_url
        opened = ""
        if self.open_browser:
            with contextlib.suppress(webbrowser.Error):
                opened = f" <small>{escape(self.t('oauth_opened'))}</small>" if webbrowser.open(url) else ""
        self.link.value = (f"<div class='mailkit-block'>{escape(self.t('oauth_open', email=account.email))}</div>"
                           f"<a class='mailkit-consent-link' href='{escape(url)}' target='_blank' "
                           f"rel='noopener' style='font-weight:600'>{escape(self.t('oauth_link'))} ↗</a>{opened}")
        self.paste.value = ""
        self.paste_box.layout.display = "flex"
        self.cancel.disabled, self.cancel.layout.display = False, ""
        self.connect.disabled = True
        self.held.add(self.connect)
        self.waiting = schedule(self._wait(self.flow), background=True)

    async def _wait(self, flow: ConsentFlow) -> ConsentResult:
        ticking = asyncio.ensure_future(self._tick(flow))
        try:
            result = await flow.wait(timeout=self.timeout)
        finally:
            ticking.cancel()
        if flow is self.flow:
            self.show_result(result)
        return result

    async def _tick(self, flow: ConsentFlow) -> None:
        deadline = time.monotonic() + self.timeout
        while not flow.done:
            left = format_left(deadline - time.monotonic())
            self.countdown.value = countdown_html(self.t("countdown", left=left))
            await asyncio.sleep(1)

    @busy
    def on_cancel(self, _button: w.Button | None = None) -> None:
        if self.flow is not None:
            self.show_result(self.flow.cancel())

    @busy
    async def on_finish(self, _button: w.Button | None = None) -> None:
        if self.flow is None:
            raise UsageError(self.t("connect"))
        flow = self.flow
        result = await asyncio.to_thread(flow.complete_from_url, self.paste.value)
        self.show_result(result)

    def show_result(self, result: ConsentResult) -> None:
        """Show how the consent ended, with the cause and remedy in the admin's language."""
        self.result = result
        self.countdown.value = ""
        self.cancel.disabled, self.cancel.layout.display = True, "none"
        self.held.discard(self.connect)
        self.connect.disabled = False
        self.paste_box.layout.display = "none"
        self.link.value = ""
        if result.ok:
            self.alert.success(self.t("oauth_ok", email=result.email, who=result.authorized_email or result.email))
            self.outcome.value = (f"<div class='mailkit-oauth-result' data-status='ok'>"
                                  f"<b>ok</b> — {escape(result.authorized_email or result.email)}</div>")
        else:
            diagnosis = diagnosis_for(result.status, raw=result.message)
            kind = "error" if result.outcome in {"scope_missing", "wrong_account", "error"} else "warning"
            self.alert.show(kind, result.message)
            remedy = remedy_html(diagnosis.remedy(self.lang, email=result.email), self.lang, here="hint_oauth")
            self.outcome.value = (
                f"<div class='mailkit-oauth-result mailkit-block' data-status='{escape(result.status)}'>"
                f"<b>{escape(result.status)}</b> ({escape(result.outcome)})"
                f"<br><b>{escape(self.t('cause'))}:</b> {escape(diagnosis.cause(self.lang))}"
                f"<br><b>{escape(self.t('remedy'))}:</b> {remedy}</div>")
        self.show_state()

    def _close_flow(self) -> None:
        if self.flow is not None and not self.flow.done:
            self.flow.cancel()
        self.flow = None

    def close(self) -> None:
        self._close_flow()
        super().close()


__all__ = ["OAuthPanel", "countdown_html", "format_left", "kernel_is_local"]
