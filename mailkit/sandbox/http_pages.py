"""The HTML of the sandbox's Google-like pages: account chooser, consent, error pages and the index.

The element ids and names here are a contract for browser tests (DESIGN.md): `input[name=scope]`,
`#consent-continue`, `#consent-cancel`, `#consent-account`, `#switch-account`, `button[data-email]`.
Everything interpolated is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from mailkit.oauth.scopes import (
    CLOUD_PLATFORM_SCOPE,
    DIRECTORY_MANAGE_SCOPE,
    DIRECTORY_SCOPE,
    EMAIL_SCOPE,
    GMAIL_READONLY_SCOPE,
    GMAIL_SEND_SCOPE,
    MAIL_SCOPE,
    OPENID_SCOPE,
    PROFILE_SCOPE,
)
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.http_core import APP_NAME

EMAIL_LABEL = "See your primary Google Account email address"
SCOPE_LABELS = {
    MAIL_SCOPE: "Read, compose, send and permanently delete all your email from Gmail",
    "email": EMAIL_LABEL,
    EMAIL_SCOPE: EMAIL_LABEL,
    OPENID_SCOPE: "Associate you with your personal info on Google",
    "profile": "See your personal info, including any personal info you've made publicly available",
    PROFILE_SCOPE:
        "See your personal info, including any personal info you've made publicly available",
    GMAIL_SEND_SCOPE: "Send email on your behalf",
    GMAIL_READONLY_SCOPE: "View your email messages and settings",
    DIRECTORY_SCOPE:
        "See info about users on your domain",
    DIRECTORY_MANAGE_SCOPE:
        "View and manage the provisioning of users on your domain",
    CLOUD_PLATFORM_SCOPE:
        "See, edit, configure and delete your Google Cloud data and see the email address for your Google Account",
}

_CSS = """
*{box-sizing:border-box}
body{margin:0;padding:24px 0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f0f4f9;
 font-family:"Google Sans",Roboto,Arial,sans-serif;color:#1f1f1f}
.card{background:#fff;border-radius:28px;padding:36px 40px;width:min(92vw,560px);box-shadow:0 1px 3px rgba(0,0,0,.08)}
.brand{display:flex;align-items:center;gap:10px;font-size:14px;color:#444746;margin-bottom:24px}
.logo{font-weight:700;font-size:22px;color:#4285f4;font-family:Arial,sans-serif}
h1{font-size:28px;font-weight:400;margin:0 0 12px}
p{line-height:1.5;color:#444746}
.chip{display:inline-flex;align-items:center;gap:8px;border:1px solid #c4c7c5;border-radius:16px;
 padding:4px 12px 4px 4px;font-size:14px;margin:4px 0 16px}
.avatar{width:24px;height:24px;border-radius:50%;background:#0b57d0;color:#fff;display:inline-flex;
 align-items:center;justify-content:center;font-size:13px}
ul.scopes{list-style:none;padding:0;margin:16px 0;border-top:1px solid #e3e3e3}
ul.scopes li{border-bottom:1px solid #e3e3e3;padding:14px 4px}
ul.scopes label{display:flex;gap:14px;align-items:flex-start;cursor:pointer}
ul.scopes input{width:18px;height:18px;margin-top:2px;accent-color:#0b57d0}
.scope-url{display:block;font-size:12px;color:#747775}
.actions{display:flex;flex-direction:row-reverse;justify-content:flex-start;gap:12px;margin-top:24px}
.actions button{border-radius:20px;padding:10px 24px;font-size:14px;cursor:pointer;border:1px solid #747775;
 background:#fff;color:#0b57d0}
.actions button.primary{background:#0b57d0;border-color:#0b57d0;color:#fff}
a{color:#0b57d0;text-decoration:none}
.accounts{list-style:none;padding:0;margin:16px 0;border-top:1px solid #e3e3e3}
.accounts button{width:100%;display:flex;gap:14px;align-items:center;padding:12px 8px;background:none;
 border:0;border-bottom:1px solid #e3e3e3;cursor:pointer;text-align:left;font:inherit}
.accounts button:hover{background:#f8fafd}
.who{display:flex;flex-direction:column}.who small{color:#444746}
.error-code{font-weight:500;margin-top:20px}
details{margin-top:16px;font-size:13px;color:#444746}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e3e3}
code{font-size:13px}
footer{margin-top:28px;font-size:12px;color:#747775}
"""


def scope_label(scope: str, requested: Iterable[str]) -> str:
    """Google's wording for a scope. Alone with the mail scope, `openid` stands for the email address."""
    requested = set(requested)
    if scope == OPENID_SCOPE and not requested & {"email", EMAIL_SCOPE}:
        return EMAIL_LABEL
    return SCOPE_LABELS.get(scope) or "Use " + scope.rsplit("/", 1)[-1].replace(".", " ")


def layout(title: str, body: str, *, wide: bool = False, brand: str = "Sign in with Google") -> str:
    style = ' style="width:min(96vw,960px)"' if wide else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            f'<main class="card"{style}><div class="brand"><span class="logo">G</span>'
            f"<span>{escape(brand)}</span></div>{body}"
            f"<footer>{escape(APP_NAME)} &middot; a local stand-in for Google; nothing leaves this machine"
            f"</footer></main></body></html>")


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
                   for k, v in fields.items() if v)


def _avatar(account: SandboxAccount) -> str:
    return f'<span class="avatar">{escape((account.display_name or account.email)[:1].upper())}</span>'


def consent_page(account: SandboxAccount, scopes: list[str], hidden: Mapping[str, str], switch_url: str) -> str:
    """One ticked checkbox per requested scope; the form posts to /o/oauth2/approve."""
    items = "".join(
        f'<li><label><input type="checkbox" name="scope" value="{escape(s)}" checked>'
        f'<span>{escape(scope_label(s, scopes))}<span class="scope-url">{escape(s)}</span></span></label></li>'
        for s in scopes)
    body = (
        f"<h1>{escape(APP_NAME)} wants access to your Google Account</h1>"
        f'<div class="chip">{_avatar(account)}<span id="consent-account">{escape(account.email)}</span></div>'
        f' <a id="switch-account" href="{escape(switch_url)}">Switch account</a>'
        f'<form method="post" action="/o/oauth2/approve">{_hidden(hidden)}'
        f"<p>Select what <b>{escape(APP_NAME)}</b> can access</p><ul class=\"scopes\">{items}</ul>"
        f"<p><b>Make sure you trust {escape(APP_NAME)}.</b> You may be sharing sensitive info with this site "
        f"or app. You can always see or remove access in your Google Account.</p>"
        f'<div class="actions"><button id="consent-continue" class="primary" type="submit" name="action" '
        f'value="allow">Continue</button><button id="consent-cancel" type="submit" name="action" '
        f'value="deny">Cancel</button></div></form>')
    return layout(f"Sign in - Google Accounts - {APP_NAME}", body)


def chooser_page(accounts: Iterable[SandboxAccount], hidden: Mapping[str, str]) -> str:
    """Every sandbox account as a `button[data-email]`; choosing one reloads the flow for it."""
    buttons = "".join(
        f'<li><button type="submit" name="authuser" value="{escape(a.email)}" data-email="{escape(a.email)}">'
        f'{_avatar(a)}<span class="who"><span>{escape(a.display_name or a.email.split("@")[0])}</span>'
        f"<small>{escape(a.email)}</small></span></button></li>"
        for a in sorted(accounts, key=lambda a: a.email))
    body = (f"<h1>Choose an account</h1><p>to continue to <b>{escape(APP_NAME)}</b></p>"
            f'<form method="get" action="/o/oauth2/auth">{_hidden(hidden)}'
            f'<ul class="accounts">{buttons}</ul></form>')
    return layout("Sign in - Google Accounts", body)


def error_page(heading: str, message: str, error: str, details: Mapping[str, str] | None = None) -> str:
    """Google's "Access blocked" style page ending with `Error 400: <error>`."""
    rows = "".join(f"<li><code>{escape(k)}={escape(v)}</code></li>" for k, v in (details or {}).items() if v)
    more = f"<details open><summary>Request details</summary><ul>{rows}</ul></details>" if rows else ""
    body = (f"<h1>{escape(heading)}</h1><p>{escape(message)}</p>"
            f'<p class="error-code" id="error-code">{escape(error)}</p>{more}')
    return layout(heading, body)


def _kind(account: SandboxAccount) -> str:
    return "Microsoft 365" if account.microsoft else "Workspace" if account.workspace else "Gmail"


def index_page(base_url: str, endpoints: Iterable[tuple[str, str, str]],
               accounts: Iterable[SandboxAccount]) -> str:
    """What an admin sees at the base URL: the endpoints and the accounts (never their secrets)."""
    ends = "".join(f"<tr><td>{escape(m)}</td><td><code>{escape(base_url + p)}</code></td><td>{escape(d)}</td></tr>"
                   for m, p, d in endpoints)
    yes = {True: "yes", False: "-"}
    accs = "".join(
        f"<tr><td>{escape(a.email)}</td><td>{_kind(a)}</td>"
        f"<td>{yes[a.two_step]}</td><td>{yes[a.two_step_enforced]}</td><td>{yes[a.admin]}</td>"
        f"<td>{yes[a.oauth]}</td></tr>" for a in sorted(accounts, key=lambda a: (a.domain, a.email)))
    body = (f"<h1>{escape(APP_NAME)}: Google's OAuth and Directory endpoints</h1>"
            f"<table><tr><th>Method</th><th>URL</th><th>What</th></tr>{ends}</table><h2>Accounts</h2>"
            f"<table><tr><th>Email</th><th>Kind</th><th>2SV</th><th>2SV enforced</th><th>Admin</th>"
            f"<th>OAuth allowed</th></tr>{accs}</table>")
    return layout(APP_NAME, body, wide=True, brand="Google APIs, served locally")


__all__ = ["EMAIL_LABEL", "SCOPE_LABELS", "chooser_page", "consent_page", "error_page", "index_page",
           "layout", "scope_label"]
