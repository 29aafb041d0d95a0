"""The consent box: the part of a panel that runs one OAuth consent — the link to Google's page
(opened when the kernel is local), a countdown, a Cancel button shown only while waiting, the
paste-the-final-address fallback, and the wait itself.

The OAuth panel (an account's mail consent) and the 2SV panel (a Workspace admin's Directory
consent) both use it: each builds its `ConsentFlow`, hands it to `start()`, and hears how it ended
through `on_result`. The wait runs as a task on the kernel's loop (a thread when there is none),
so the kernel stays free and Cancel works while the admin is in the browser; the result is shown
by that wait alone, whether the browser, a paste, Cancel or the timeout ended it.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import inspect
import os
import re
import sys
import time
import webbrowser
from collections.abc import Awaitable, Callable
from typing import Any

import ipywidgets as w

from mailkit.errors import UsageError
from mailkit.oauth import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
from mailkit.ui.base import Panel, busy, escape, labelled, schedule
from mailkit.ui.i18n_ui import t

#: What a panel does with the result: show it (may be a coroutine, e.g. to prove the access works).
ResultHandler = Callable[[ConsentResult], Awaitable[None] | None]
#: Endings the admin has to fix (an error in the alert); a cancel or a timeout is only a warning.
FAILED_OUTCOMES = frozenset({"scope_missing", "wrong_account", "error"})


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


class ConsentBox(w.VBox):
    """Link, countdown and paste box of one consent at a time, and the wait for its result.

    `connect` is the panel's button that starts a consent: it stays disabled while one is waited
    for. `cancel` is not among the box's children, so the panel can put it beside `connect`.
    """

    def __init__(self, panel: Panel, connect: w.Button, on_result: ResultHandler, *,
                 timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self.panel, self.connect, self.on_result = panel, connect, on_result
        self.timeout = timeout
        self.open_browser = kernel_is_local() if open_browser is None else open_browser
        self.flow: ConsentFlow | None = None
        self.waiting: Any = None  # the wait for the browser: a task on the kernel's loop, else a thread
        self.cancel = w.Button(button_style="warning", disabled=True, layout=w.Layout(display="none"))
        self.link, self.countdown, self.paste_help = w.HTML(), w.HTML(), w.HTML()
        self.paste = labelled(w.Text(layout=w.Layout(width="660px")))
        self.finish = w.Button()
        wrap = w.Layout(flex_flow="row wrap")  # a button too long for the row goes below, whole, rather than shrink
        self.paste_box = w.VBox([self.paste_help, w.HBox([self.paste, self.finish], layout=wrap)],
                                layout=w.Layout(display="none"))
        self.cancel.on_click(self.on_cancel)
        self.finish.on_click(self.on_finish)
        super().__init__([self.link, self.countdown, self.paste_box])

    def t(self, key: str, **fields: object) -> str:
        return self.panel.t(key, **fields)

    def relabel(self) -> None:
        """The labels in the panel's language; the panel calls it from its own `relabel()`."""
        self.cancel.description = self.t("cancel")
        self.paste.description = self.t("paste_url")
        self.finish.description = self.t("finish")
        # mailkit's own words, not redacted: its example address shows `code=…`, which the redactor would mask
        self.paste_help.value = f"<small>{html.escape(self.t('paste_help'))}</small>"

    # --- one consent -------------------------------------------------------------------------
    def start(self, flow: ConsentFlow, prompt: str, *, link_label: str = "") -> None:
        """Show `prompt` and the link of `flow` (named `link_label`, Google's consent page by default), then wait
        for it without blocking the kernel."""
        previous, self.flow = self.flow, flow  # the newer consent is current before the older one ends
        if previous is not None and not previous.done:
            previous.cancel()
        url = flow.authorization_url
        opened = ""
        if self.open_browser:
            with contextlib.suppress(webbrowser.Error):
                opened = f" <small>{escape(self.t('oauth_opened'))}</small>" if webbrowser.open(url) else ""
        label = link_label or self.t("oauth_link")
        self.link.value = (f"<div class='mailkit-block'>{escape(prompt)}</div>"
                           f"<a class='mailkit-consent-link' href='{escape(url)}' target='_blank' "
                           f"rel='noopener' style='font-weight:600'>{escape(label)} ↗</a>{opened}")
        self.paste.value = ""
        self.paste_box.layout.display = "flex"
        self.cancel.disabled, self.cancel.layout.display = False, ""
        self.panel.held.discard(self.cancel)
        self.connect.disabled = True
        self.panel.held.add(self.connect)
        self.waiting = schedule(self._wait(flow), background=True)

    async def _wait(self, flow: ConsentFlow) -> ConsentResult:
        ticking = asyncio.ensure_future(self._tick(flow))
        try:
            result = await flow.wait(timeout=self.timeout)
        finally:
            ticking.cancel()
        if flow is self.flow:  # not a consent replaced by a newer one
            self._stopped()
            try:
                shown = self.on_result(result)
                if inspect.isawaitable(shown):
                    await shown
            except Exception as exc:
                self.panel.report_error(exc)
        return result

    async def _tick(self, flow: ConsentFlow) -> None:
        deadline = time.monotonic() + self.timeout
        while not flow.done:
            left = format_left(deadline - time.monotonic())
            self.countdown.value = countdown_html(self.t("countdown", left=left))
            await asyncio.sleep(1)

    def _stopped(self) -> None:
        """Nothing waits any more: no link, countdown, Cancel or paste box; the connect button back."""
        self.link.value = self.countdown.value = ""
        self.cancel.disabled, self.cancel.layout.display = True, "none"
        self.panel.held.add(self.cancel)  # held: the end of the Cancel click (busy) must not enable it again
        self.paste_box.layout.display = "none"
        self.panel.held.discard(self.connect)
        self.connect.disabled = False

    @busy
    def on_cancel(self, _button: w.Button | None = None) -> None:
        if self.flow is not None:
            self.flow.cancel()  # the wait ends and shows it

    @busy
    async def on_finish(self, _button: w.Button | None = None) -> None:
        if self.flow is None:
            raise UsageError(self.connect.description)  # "press Connect first", in the panel's words
        await self.flow.acomplete_from_url(self.paste.value)  # the wait ends and shows it

    def show_refused(self, result: ConsentResult) -> None:
        """A consent that did not succeed, in the panel's alert and language: an error to fix, a warning for a
        timeout or a refusal on Google's page, a neutral note for the admin's own Cancel."""
        kind = "error" if result.outcome in FAILED_OUTCOMES else "info" if result.outcome == "cancelled" \
            else "warning"
        self.panel.alert.show(kind, refused_text(result, self.panel.lang))


    def close_flow(self) -> None:
        """Cancel a consent still waited for (its port is freed) and forget it."""
        flow, self.flow = self.flow, None  # no longer current before it ends: its wait shows nothing
        if flow is not None and not flow.done:
            flow.cancel()


def refused_text(result: ConsentResult, lang: str) -> str:
    """How a consent ended, in `lang`: mailkit's own sentence per ending; a server's error quoted as it came."""
    if result.outcome in {"cancelled", "timeout", "denied", "wrong_account", "scope_missing"}:
        boxes = ", ".join(re.findall(r"'([^']+)'", result.message.partition(";")[0])) or "?"
        return t(f"consent_{result.outcome}", lang, email=result.email, who=result.authorized_email or "?",
                 boxes=boxes)
    return t("consent_error", lang, message=result.message)


class ConsentHost:
    """For a panel with a consent box: the consent's `flow` and `waiting` read as the panel's own,
    and closing the panel cancels a consent still waited for (its port is freed)."""

    consent_box: ConsentBox

    @property
    def flow(self) -> ConsentFlow | None:
        return self.consent_box.flow

    @property
    def waiting(self) -> Any:
        """The wait for the browser: a task on the kernel's loop, else a thread."""
        return self.consent_box.waiting

    def close(self) -> None:
        self.consent_box.close_flow()
        super().close()  # type: ignore[misc]  # the panel's


__all__ = ["FAILED_OUTCOMES", "ConsentBox", "ConsentHost", "countdown_html", "format_left", "kernel_is_local",
           "refused_text"]
