"""A one-line pointer from a remedy to the notebook panel that does the same thing with a button.

The diagnosis catalogue speaks of CLI commands (`mailkit oauth login EMAIL`); in a notebook the
admin may rather press the button that does it. The catalogue stays as it is: the hint is found
from the command named in the remedy (the same in every language) and added next to it.

The button depends on the provider: a Microsoft 365 mailbox's `mailkit oauth login` is "Connect with
Microsoft" (07_microsoft_365), and its remedies' mention of `mailkit secret set` points to no Google
app-password form.
"""

from __future__ import annotations

from mailkit.ui.actions import step_title
from mailkit.ui.base import code_spans, escape
from mailkit.ui.i18n_ui import t

#: Command named in a remedy -> the hint's label key. First match per panel wins (the more precise first).
COMMANDS = (
    ("mailkit oauth login", "hint_oauth"),
    ("mailkit secret set", "hint_apppw"),
    ("mailkit audit --concurrency", "hint_concurrency"),
    ("mailkit audit", "hint_bulk"),
)

#: The step (notebook) each hint points to: named by its title, linked.
STEPS = {"hint_oauth": "02_gmail_oauth.ipynb", "hint_oauth_microsoft": "07_microsoft_365.ipynb",
         "hint_apppw": "03_two_step_and_app_passwords.ipynb", "hint_bulk": "04_bulk_test_send.ipynb",
         "hint_concurrency": "04_bulk_test_send.ipynb"}
#: A Microsoft 365 mailbox's hint instead of Google's ("" for none: app passwords are Google's way).
MICROSOFT_HINTS = {"hint_oauth": "hint_oauth_microsoft", "hint_apppw": ""}
#: Providers whose mailboxes connect with Microsoft (as mailkit.ui.actions.MICROSOFT).
MICROSOFT = frozenset({"microsoft365"})


def hint_keys(remedy: str, provider: str | None = None) -> list[str]:
    """The hint keys a remedy calls for, one per panel, in the order of COMMANDS (Microsoft's for its mailboxes)."""
    keys: list[str] = []
    for command, key in COMMANDS:
        if command in remedy and not (key == "hint_bulk" and "hint_concurrency" in keys):
            keys.append(key)
    if provider in MICROSOFT:
        keys = [found for key in keys if (found := MICROSOFT_HINTS.get(key, key))]
    return keys


def _hints(remedy: str, lang: str, here: str, provider: str | None) -> tuple[list[str], list[str]]:
    """The "press … above" line (for the panel showing the remedy) and the other panels' keys."""
    keys = hint_keys(remedy, provider)
    if provider in MICROSOFT:
        here = MICROSOFT_HINTS.get(here, here)
    lines = [t(f"{here}_here", lang)] if here and here in keys else []
    return lines, [key for key in keys if key != here]


def remedy_hint(remedy: str, lang: str, *, here: str = "", provider: str | None = None) -> str:
    """The hint line for a remedy ("" when it names no such command), as text: each step by its title.

    `here` is the key of the panel showing the remedy: that pointer becomes "press … above". `provider` is the
    account's: a Microsoft 365 mailbox is pointed to "Connect with Microsoft".
    """
    lines, others = _hints(remedy, lang, here, provider)
    if others:
        parts = [f"{step_title(STEPS[key], lang)}, {t(key, lang)}" for key in others]
        lines.append(f"{t('hint_prefix', lang)} {'; '.join(parts)}.")
    return " ".join(lines)


def hint_html(hint: str) -> str:
    """A hint as its own `.mailkit-hint` line ("" for no hint)."""
    return f"<span class='mailkit-hint'>→ {escape(hint)}</span>" if hint else ""


def remedy_html(remedy: str, lang: str, *, here: str = "", provider: str | None = None) -> str:
    """The remedy, escaped, its `commands` as code, followed by its hint line, each step a link named by its
    title (the same links JupyterLab and the app resolve beside the notebook)."""
    lines, others = _hints(remedy, lang, here, provider)
    parts = [escape(line) for line in lines]
    if others:
        links = [f"<a class='mailkit-step-link' href='{escape(STEPS[key])}' target='_blank'>"
                 f"{escape(step_title(STEPS[key], lang))}</a>, {escape(t(key, lang))}" for key in others]
        parts.append(f"{escape(t('hint_prefix', lang))} {'; '.join(links)}.")
    hint = f"<span class='mailkit-hint'>→ {' '.join(parts)}</span>" if parts else ""
    return f"{code_spans(escape(remedy))}{hint}"


__all__ = ["COMMANDS", "MICROSOFT_HINTS", "STEPS", "hint_html", "hint_keys", "remedy_hint", "remedy_html"]
