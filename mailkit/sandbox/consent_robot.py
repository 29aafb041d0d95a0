"""A scripted browser for the sandbox's consent page: what a person does with a mouse, done over
HTTP so the quick start can authorise its sample accounts without a browser.

It only ever talks to the sandbox (refuses other hosts) and returns the URL the browser would
end on, which `ConsentFlow.complete_from_url` finishes like a pasted URL.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from mailkit.endpoints import http_session, sandbox_info
from mailkit.errors import UsageError
from mailkit.oauth.clients import PAGE_ERRORS, page_error


class _ConsentForm(HTMLParser):
    """Collects the consent form's hidden fields and scope checkboxes."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: list[tuple[str, str]] = []
        self.scopes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "").lower() == "post":
            self.action = values.get("action", "")
        if tag == "input" and values.get("type") == "hidden":
            self.hidden.append((values.get("name", ""), values.get("value", "")))
        if tag == "input" and values.get("name") == "scope":
            self.scopes.append(values.get("value", ""))


def approve(authorization_url: str, *, untick: tuple[str, ...] = (), cancel: bool = False,
            timeout: float = 15.0) -> str:
    """Open the consent page, untick some scopes (or cancel), submit; the redirect URL Google would send."""
    info = sandbox_info()
    if info is None or not authorization_url.startswith((info.http, info.pages_base)):
        raise UsageError("the consent robot only works against the sandbox (MAILKIT_SANDBOX)")
    with http_session() as session:
        page = session.get(authorization_url, timeout=timeout)
        refused = page_error(page.text)
        if refused is not None:
            login_hint = dict(parse_qsl(urlsplit(authorization_url).query)).get("login_hint", "the account")
            raise UsageError(PAGE_ERRORS[refused].format(email=login_hint))
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        if not form.action:
            raise UsageError(f"no consent form at {urlsplit(authorization_url).path}: {page.text[:200]}")
        fields = [*form.hidden, *(("scope", s) for s in form.scopes if s not in untick)]
        fields.append(("action", "deny" if cancel else "allow"))
        answer = session.post(urljoin(page.url, form.action), data=fields, allow_redirects=False, timeout=timeout)
    location = answer.headers.get("Location", "")
    if answer.status_code not in (302, 303) or not location:
        raise UsageError(f"the sandbox did not redirect after consent (HTTP {answer.status_code})")
    return location
