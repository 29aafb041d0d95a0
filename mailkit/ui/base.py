"""What every mailkit panel shares: the alert area, the busy-button decorator, the language picker,
and running coroutines from button callbacks.

Inside Jupyter the kernel's event loop is already running, so a callback schedules its coroutine
as a task and returns at once (the kernel stays responsive, Cancel buttons work). Without a
running loop (headless tests, a plain script) the coroutine runs to the end before `click()`
returns, so a test can assert right after clicking.
"""

from __future__ import annotations

import asyncio
import functools
import html
import inspect
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import ipywidgets as w

from mailkit.diagnose_texts import status_label
from mailkit.errors import MailkitError
from mailkit.i18n import LANGS, resolve_lang
from mailkit.secrets import redact
from mailkit.ui.i18n_ui import LANGUAGE_NAMES, t
from mailkit.ui.language import language_of
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.ui")

T = TypeVar("T")

#: The description column of labelled fields: wide enough for the longest Spanish and Polish labels.
LABEL_WIDTH = "190px"
#: Where a note under a labelled field starts: past the label column and its margin.
FIELD_INDENT = f"calc({LABEL_WIDTH} + 8px)"

#: Shared look of every panel, scoped to `.mailkit-panel`: buttons as wide as their label, readable line
#: spacing in HTML blocks (ipywidgets gives them the 28px line height of an input), visible links.
STYLESHEET = """<style>
.mailkit-panel .jupyter-button, .mailkit-panel .widget-button, .mailkit-panel .widget-toggle-button {
  width: auto; min-width: var(--jp-widgets-inline-width-short, 148px); max-width: 100%; align-self: flex-start; }
.mailkit-panel .widget-html-content table, .mailkit-panel .widget-html-content ol,
.mailkit-panel .widget-html-content ul, .mailkit-panel .widget-html-content details,
.mailkit-panel .mailkit-block { line-height: 1.4; }
.mailkit-panel .widget-html-content a { color: var(--jp-content-link-color, #0b57d0); text-decoration: underline; }
.mailkit-panel .mailkit-scroll { overflow-x: auto; max-width: 100%; }
.mailkit-panel table.mailkit-table { border-collapse: collapse; }
.mailkit-panel table.mailkit-table td { vertical-align: top; }
.mailkit-panel .mailkit-hint { display: block; color: #0b57d0; font-size: 92%; margin-top: 2px; }
.mailkit-panel .mailkit-status-code { color: #757575; font-size: 85%; font-weight: normal; font-family: monospace; }
</style>"""

_STYLES = {
    "info": ("#0b57d0", "#e8f0fe"),
    "success": ("#146c2e", "#e6f4ea"),
    "warning": ("#7a4a00", "#fef7e0"),
    "error": ("#b3261e", "#fce8e6"),
}


def escape(text: object) -> str:
    """Redacted and HTML-escaped: the only way text from mailkit or a server reaches an HTML widget."""
    return html.escape(redact(text))


def code_spans(escaped: str) -> str:
    """`command` spans of already escaped text as <code>: the catalogue marks commands with backticks, which a
    reader should not see."""
    return re.sub(r"`([^`<>]+)`", r"<code>\1</code>", escaped)


def soft_breaks(text: object) -> str:
    """Escaped like `escape`, with line-break chances after "@" and "_" so an address or a status word
    wraps at a sensible place in a narrow column instead of mid-word."""
    return escape(text).replace("@", "@<wbr>").replace("_", "_<wbr>")


def status_html(status: str, lang: str, *, code: bool = True) -> str:
    """A status as an admin reads it (its label in `lang`), the contract word as the tooltip and, with `code`, as
    small grey text beside it: the words to understand, the code to match with the CLI's output."""
    label = f"<span class='mailkit-status' title='{escape(status)}'>{escape(status_label(status, lang))}</span>"
    return f"{label} <span class='mailkit-status-code'>{escape(status)}</span>" if code else label


class Alert(w.HTML):
    """A panel's message area. Text is always redacted; `kind` and `text` are kept for tests."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.kind, self.text = "", ""
        self.add_class("mailkit-alert")

    def show(self, kind: str, text: str, *, extra_html: str = "") -> None:
        self.kind, self.text = kind, redact(text)
        color, background = _STYLES[kind]
        self.value = (f"<div class='mailkit-alert-{kind}' style='color:{color};background:{background};"
                      f"padding:6px 10px;border-radius:6px;margin:4px 0;white-space:pre-wrap;line-height:1.4'>"
                      f"{code_spans(html.escape(self.text))}{extra_html}</div>")

    def info(self, text: str) -> None:
        self.show("info", text)

    def success(self, text: str) -> None:
        self.show("success", text)

    def warning(self, text: str) -> None:
        self.show("warning", text)

    def error(self, text: str) -> None:
        self.show("error", text)

    def clear(self) -> None:
        self.kind, self.text, self.value = "", "", ""


def schedule(coro: Coroutine[Any, Any, T], *, background: bool = False) -> asyncio.Task[T] | threading.Thread | T:
    """Run a coroutine from a callback: a task on the running loop (Jupyter), else now.

    `background=True` without a running loop runs it in a daemon thread instead, for waits that
    must not block the caller (the OAuth consent); the thread is returned.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if background:
            thread = threading.Thread(target=asyncio.run, args=(coro,), name="mailkit-ui", daemon=True)
            thread.start()
            return thread
        return asyncio.run(coro)
    return loop.create_task(coro)


def busy(method: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a button callback into: disable the button, show "working…", run, report errors.

    Errors mailkit raises on purpose become a message in the panel's alert (redacted, no
    traceback); anything else is shown too and then re-raised so it is not hidden. The method
    belongs to a panel, or to a view inside one that names it as `.panel` (the consent box).
    """

    @functools.wraps(method)
    def wrapper(self: Any, button: w.Button | None = None, *args: Any) -> Any:
        panel: Panel = self if isinstance(self, Panel) else self.panel
        panel.alert_near(button)
        restore = _working(button, panel.t("working"), panel.held)
        try:
            result = method(self, button, *args)
        except Exception as exc:
            restore()
            panel.report_error(exc)
            return None
        if not inspect.isawaitable(result):
            restore()
            return result
        scheduled = schedule(_guarded(panel, result, restore))
        if isinstance(scheduled, asyncio.Task):
            panel.task = scheduled  # the latest background work, for callers that want to await it
        return scheduled

    return wrapper


async def _guarded(panel: Panel, awaitable: Awaitable[Any], restore: Callable[[], None]) -> Any:
    try:
        return await awaitable
    except Exception as exc:
        panel.report_error(exc)
        return None
    finally:
        restore()


def _working(button: w.Button | None, label: str, held: set[w.Button]) -> Callable[[], None]:
    """Disable the button and show a spinner; the function that puts it back (enabled unless held)."""
    if button is None:
        return lambda: None
    description, icon = button.description, button.icon
    button.disabled, button.description, button.icon = True, label, "spinner"

    def restore() -> None:
        button.disabled, button.icon = button in held, icon
        if button.description == label:
            button.description = description

    return restore


#: The introductions shown so far, as (workspace home, intro key): a step's intro already shows its heading, so
#: the panel it introduces leaves out its own title (each step's title once). One kernel runs one notebook.
_INTRODUCED: set[tuple[str, str]] = set()


def introduced(workspace: Workspace, key: str) -> None:
    """Note that the intro `key` (`04_bulk_test_send`, `05_status_report#domains`) shows in `workspace`."""
    _INTRODUCED.add((str(workspace.home), key))


class Panel(w.VBox):
    """Base of every panel: a title, a language picker, the body, the alert area.

    The language is the workspace's (`mailkit.ui.language`) unless `lang` is given; the picker changes it
    for every panel of the workspace and remembers it.

    Subclasses build their widgets in `build()` (returning the body's children) and set their
    texts in `relabel()`, which runs again whenever the language changes.
    """

    title_key = ""
    #: The intros that head this panel in a notebook (see `introduced`): after one of them, no title of its own.
    intros: tuple[str, ...] = ()

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None):
        from mailkit.ui.session import current_workspace

        self.workspace = workspace or current_workspace()
        self.shared_language = language_of(self.workspace)
        self.lang = resolve_lang(lang) if lang else self.shared_language.lang
        self.task: Any = None
        self.held: set[w.Button] = set()  # buttons that stay disabled after their callback (a wait goes on)
        self.alert = Alert()
        self._slots: dict[w.Button, w.Box] = {}  # where the alert shows after a button's click (see `beside`)
        self._bottom = w.VBox()
        self.title = w.HTML()
        self.language = w.Dropdown(options=[(LANGUAGE_NAMES[code], code) for code in LANGS], value=self.lang,
                                   layout=w.Layout(width="130px"))
        self.language.observe(self._language_changed, "value")
        self.shared_language.observe(self._shared_language_changed, "lang")
        header = w.HBox([self.title, self.language], layout=w.Layout(justify_content="space-between",
                                                                       align_items="center"))
        super().__init__([header, *self.build(), self._bottom], layout=w.Layout(max_width="1280px"))
        next(iter(self._slots.values()), self._bottom).children = (self.alert,)
        self.add_class("mailkit-panel")
        self._relabel_all()

    def build(self) -> list[w.Widget]:
        return []

    def relabel(self) -> None:
        """Set every label from the current language."""

    def beside(self, *buttons: w.Button) -> w.VBox:
        """The buttons in a row with the panel's messages right under them once one is clicked: where the admin
        looks after a click, not at the bottom of a long panel."""
        slot = w.VBox()
        for button in buttons:
            self._slots[button] = slot
        return w.VBox([w.HBox(list(buttons), layout=w.Layout(flex_flow="row wrap")), slot])

    def alert_near(self, button: w.Button | None) -> None:
        """Move the alert under `button` (when `beside` placed it), emptied of the previous click's message."""
        slot = self._slots.get(button) if button is not None else None
        if slot is None or self.alert in slot.children:
            return
        for other in (*self._slots.values(), self._bottom):
            if self.alert in other.children:
                other.children = ()
        self.alert.clear()
        slot.children = (self.alert,)

    def t(self, key: str, **fields: object) -> str:
        return t(key, self.lang, **fields)

    def set_lang(self, lang: str) -> None:
        self.language.value = resolve_lang(lang)

    def _language_changed(self, change: dict[str, Any]) -> None:
        self.lang = change["new"]
        self._relabel_all()
        self.shared_language.choose(self.lang)  # every other panel of the workspace follows, and it is remembered

    def _shared_language_changed(self, change: dict[str, Any]) -> None:
        self.language.value = change["new"]

    def close(self) -> None:
        """Stop listening to the workspace's language (a closed panel is relabelled no more)."""
        self.shared_language.unobserve(self._shared_language_changed, "lang")
        super().close()

    def _relabel_all(self) -> None:
        self.title.value = STYLESHEET if self.introduced else \
            f"{STYLESHEET}<h3 style='margin:4px 0'>{html.escape(self.t(self.title_key))}</h3>"
        self.relabel()

    @property
    def introduced(self) -> bool:
        """An intro above already shows this step's heading."""
        return any((str(self.workspace.home), key) in _INTRODUCED for key in self.intros)

    def report_error(self, exc: BaseException) -> None:
        """Show an error in the alert; re-raise what is not a mailkit error (a bug must not hide)."""
        if isinstance(exc, MailkitError):
            self.alert.error(str(exc))
            return
        self.alert.error(self.t("unexpected", error=f"{type(exc).__name__}: {exc}"))
        log.error("unexpected error in %s: %s", type(self).__name__, redact(exc))
        raise exc


def fill(dropdown: w.Dropdown, options: list[tuple[str, str]], wanted: str | None = None) -> None:
    """Set a dropdown's options and keep `wanted` (or the current value) selected, else the first option.

    ipywidgets 8 leaves nothing selected when the options change under a value.
    """
    keep = wanted or dropdown.value
    dropdown.options = options
    values = [value for _, value in options]
    dropdown.value = keep if keep in values else (values[0] if values else None)


def account_options(inventory: Any, accounts: list[Any], *extra: str) -> list[tuple[str, str]]:
    """A dropdown's (label, email) options: the address with its company's name (not its id) and `extra`
    words, e.g. the sign-in method."""
    names = {c.slug: c.name for c in inventory.companies()}
    return [(f"{a.email} ({', '.join([names.get(a.company, a.company), *extra])})", a.email) for a in accounts]


def labelled(widget: w.Widget, width: str = LABEL_WIDTH) -> w.Widget:
    """A description column wide enough for Spanish and Polish labels; never wider than the notebook."""
    widget.style.description_width = width
    widget.layout.max_width = "100%"
    return widget


def table_html(headers: list[str], rows: list[list[str]], *, css_class: str = "mailkit-table") -> str:
    """A small HTML table that scrolls sideways rather than overflow; cells are escaped (and redacted) here."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style='padding:2px 8px'>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<div class='mailkit-scroll'><table class='mailkit-table {css_class}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


__all__ = ["FIELD_INDENT", "LABEL_WIDTH", "STYLESHEET", "Alert", "Panel", "account_options", "busy", "code_spans",
           "escape", "fill", "introduced", "labelled", "schedule", "soft_breaks", "status_html", "table_html"]
