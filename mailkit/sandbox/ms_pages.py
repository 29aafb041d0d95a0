"""The HTML of the sandbox's Microsoft sign-in pages: account picker, consent ("Permissions requested"),
device-code entry, and errors (`AADSTS...`).

They keep the contract of the Google pages (DESIGN.md) so the same consent robot and browser tests
work: `input[name=scope]`, `#consent-continue`, `#consent-cancel`, `#consent-account`,
`#switch-account`, `button[data-email]`. Everything interpolated is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from mailkit.oauth.scopes import MS_IMAP_SCOPE, MS_OFFLINE_SCOPE, MS_SMTP_SEND_SCOPE
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.http_core import APP_NAME

#: Microsoft's words for each permission on its consent page.
MS_SCOPE_LABELS = {
    MS_SMTP_SEND_SCOPE: "Send emails from mailboxes using SMTP AUTH.",
    MS_IMAP_SCOPE: "Read and write access to mailboxes via IMAP.",
    MS_OFFLINE_SCOPE: "Maintain access to data you have given it access to",
    "openid": "Sign you in",
    "profile": "View your basic profile",
    "email": "View your email address",
}
_CSS = ("body{font:15px 'Segoe UI',sans-serif;background:#f2f2f2;margin:0}"
        ".card{background:#fff;width:min(92vw,440px);margin:6vh auto;padding:44px;box-shadow:0 2px 6px #0003}"
        "ul{list-style:none;padding:0}li{margin:.5em 0}button{font:inherit;padding:.4em 1.2em;margin-right:.5em}"
        ".primary{background:#0067b8;color:#fff;border:0}.small{color:#666;font-size:12px}")


def ms_layout(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<style>{_CSS}</style></head><body><main class="card"><div class="brand">Microsoft</div>{body}'
            f'<p class="small">{escape(APP_NAME)} &middot; a local stand-in for Microsoft; nothing leaves this '
            f"machine</p></main></body></html>")


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items() if v)


def ms_consent_page(account: SandboxAccount, scopes: list[str], hidden: Mapping[str, str], action: str,
                    switch_url: str) -> str:
    """"Permissions requested": one ticked checkbox per requested permission, Accept / Cancel."""
    items = "".join(
        f'<li><label><input type="checkbox" name="scope" value="{escape(s)}" checked> '
        f"{escape(MS_SCOPE_LABELS.get(s, s))} <span class=small>{escape(s)}</span></label></li>" for s in scopes)
    body = (f'<p id="consent-account">{escape(account.email)}</p>'
            f'<a id="switch-account" href="{escape(switch_url)}">Use another account</a>'
            f"<h1>Permissions requested</h1><p><b>{escape(APP_NAME)}</b> needs permission to:</p>"
            f'<form method="post" action="{escape(action)}">{_hidden(hidden)}<ul>{items}</ul>'
            f"<p class=small>Accepting these permissions means that you allow this app to use your data as "
            f"specified in their terms of service and privacy statement.</p>"
            f'<button id="consent-continue" class="primary" type="submit" name="action" value="allow">Accept</button>'
            f'<button id="consent-cancel" type="submit" name="action" value="deny">Cancel</button></form>')
    return ms_layout("Permissions requested", body)


def ms_chooser_page(accounts: Iterable[SandboxAccount], hidden: Mapping[str, str], action: str) -> str:
    """"Pick an account": every Microsoft mailbox of the sandbox as a `button[data-email]`."""
    buttons = "".join(
        f'<li><button type="submit" name="authuser" value="{escape(a.email)}" data-email="{escape(a.email)}">'
        f"{escape(a.display_name or a.email)} <span class=small>{escape(a.email)}</span></button></li>"
        for a in sorted(accounts, key=lambda a: a.email))
    body = (f"<h1>Pick an account</h1><p>to continue to <b>{escape(APP_NAME)}</b></p>"
            f'<form method="get" action="{escape(action)}">{_hidden(hidden)}<ul>{buttons}</ul></form>')
    return ms_layout("Sign in to your account", body)


def ms_device_page(message: str = "") -> str:
    """"Enter code": where a person types the code a device-code sign-in showed them."""
    note = f'<p id="error-code">{escape(message)}</p>' if message else ""
    body = (f"<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>{note}"
            f'<form method="get" action="/devicelogin"><input name="otc" placeholder="Code">'
            f'<button class="primary" type="submit">Next</button></form>')
    return ms_layout("Enter code", body)


def ms_message_page(heading: str, message: str, status_code: str = "") -> str:
    """A plain page: a finished device sign-in, or an `AADSTS...` error."""
    code = f'<p id="error-code">{escape(status_code)}</p>' if status_code else ""
    return ms_layout(heading, f"<h1>{escape(heading)}</h1><p>{escape(message)}</p>{code}")


__all__ = ["MS_SCOPE_LABELS", "ms_chooser_page", "ms_consent_page", "ms_device_page", "ms_layout",
           "ms_message_page"]
