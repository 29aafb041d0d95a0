"""A one-line pointer from a remedy to the notebook panel that does the same thing with a button.

The diagnosis catalogue speaks of CLI commands (`mailkit oauth login EMAIL`); in a notebook the
admin may rather press the button that does it. The catalogue stays as it is: the hint is found
from the command named in the remedy (the same in every language) and added next to it.

The button depends on the provider: a Microsoft 365 mailbox's `mailkit oauth login` is "Connect with
Microsoft" (07_microsoft_365), and its remedies' mention of `mailkit secret set` points to no Google
app-password form.
"""

from __future__ import annotations

from mailkit.ui.base import escape
from mailkit.ui.i18n_ui import t

#: Command named in a remedy -> the hint's label key. First match per panel wins (the more precise first).
COMMANDS = (
    ("mailkit oauth login", "hint_oauth"),
    ("mailkit secret set", "hint_apppw"),
    ("mailkit audit --concurrency", "hint_concurrency"),
    ("mailkit audit", "hint_bulk"),
)

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


def remedy_hint(remedy: str, lang: str, *, here: str = "", provider: str | None = None) -> str:
    """The hint line for a remedy ("" when it names no such command).

    `here` is the key of the panel showing the remedy: that pointer becomes "press … above". `provider` is the
    account's: a Microsoft 365 mailbox is pointed to "Connect with Microsoft".
    """
    keys = hint_keys(remedy, provider)
    if provider in MICROSOFT:
        here = MICROSOFT_HINTS.get(here, here)
    parts = [t(key, lang) for key in keys if key != here]
    lines = [t(f"{here}_here", lang)] if here and here in keys else []
    if parts:
        lines.append(f"{t('hint_prefix', lang)} {'; '.join(parts)}.")
    return " ".join(lines)


def hint_html(hint: str) -> str:
    """A hint as its own `.mailkit-hint` line ("" for no hint)."""
    return f"<span class='mailkit-hint'>→ {escape(hint)}</span>" if hint else ""


def remedy_html(remedy: str, lang: str, *, here: str = "", provider: str | None = None) -> str:
    """The remedy, escaped, followed by its hint in a `.mailkit-hint` line."""
    return f"{escape(remedy)}{hint_html(remedy_hint(remedy, lang, here=here, provider=provider))}"


__all__ = ["COMMANDS", "MICROSOFT_HINTS", "hint_html", "hint_keys", "remedy_hint", "remedy_html"]
