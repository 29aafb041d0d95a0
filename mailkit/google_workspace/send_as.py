"""The addresses each user of a connected Workspace domain may send as, from the Gmail API
(`users.settings.sendAs.list`): the mailbox's own address and its custom "from" aliases — what an ERP's sender
address must be one of, or Gmail rewrites or refuses it.

Gmail lets a user read only their own settings, so each user's list is read with a token minted for that user by
the domain's delegation (the mail scope covers the call); the Directory's `aliases` are receive-only addresses and
say nothing about sending. A few users are read at once (Gmail's per-user quota is generous, the token endpoint's
less so), and a user whose list cannot be read gets the reason instead of ending the listing.

    from mailkit.google_workspace import list_send_as
    addresses = list_send_as(workspace, "client.example", ["ana@client.example"])
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from mailkit.endpoints import google_endpoints
from mailkit.errors import MailkitError, UsageError
from mailkit.google_quota import Backoff, send_with_backoff
from mailkit.google_workspace.delegation import DelegatedTokenSource, thread_session
from mailkit.google_workspace.domains import DelegatedDomain, connected_domain
from mailkit.secrets.redaction import redact
from mailkit.workspace import Workspace

#: Users read at once.
PARALLEL = 8


@dataclass(frozen=True)
class SendAsAddress:
    """One address a mailbox may put in From: (Gmail's SendAs resource, without its signature or SMTP relay)."""

    address: str
    display_name: str = ""
    primary: bool = False
    default: bool = False
    #: "accepted" or "pending" for a custom alias (Gmail sends a verification mail first); "" for the primary.
    verification: str = ""

    @property
    def usable(self) -> bool:
        return self.primary or self.verification == "accepted"


@dataclass
class SendAsListing:
    """Each user's send-as addresses, and why a user's could not be read."""

    domain: str
    addresses: dict[str, list[SendAsAddress]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def aliases_of(self, email: str) -> list[str]:
        """The usable addresses of `email` other than its own."""
        return [a.address for a in self.addresses.get(email.lower(), []) if a.usable and not a.primary]

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain,
                "send_as": {email: [vars(a) for a in items] for email, items in self.addresses.items()},
                "failures": dict(self.failures)}


def parse_send_as(body: object) -> list[SendAsAddress]:
    """Gmail's sendAs.list answer leniently: entries without an address are skipped, never a crash."""
    items = body.get("sendAs") if isinstance(body, dict) else None
    found = []
    for raw in items if isinstance(items, list) else []:
        if not isinstance(raw, dict) or "@" not in str(raw.get("sendAsEmail") or ""):
            continue
        found.append(SendAsAddress(
            address=str(raw["sendAsEmail"]).strip(), display_name=str(raw.get("displayName") or ""),
            primary=raw.get("isPrimary") is True, default=raw.get("isDefault") is True,
            verification=str(raw.get("verificationStatus") or "") if raw.get("isPrimary") is not True else ""))
    return found


def require_delegation(workspace: Workspace, domain: str) -> DelegatedDomain:
    """The domain's delegation; UsageError naming the command to connect it when there is none."""
    domain = domain.strip().lower()
    delegated = connected_domain(workspace, domain)
    if delegated is None:
        raise UsageError(f"send-as addresses are read with the domain's delegation: connect {domain} first with "
                         f"`mailkit workspace connect {domain} --service-account KEY.json`")
    return delegated


def list_send_as(workspace: Workspace, domain: str, emails: Iterable[str]) -> SendAsListing:
    """Each user's send-as addresses; UsageError when the domain is not connected with delegation."""
    domain = domain.strip().lower()
    delegated = require_delegation(workspace, domain)
    listing = SendAsListing(domain)
    users = sorted({e.strip().lower() for e in emails if e.strip()})
    base = google_endpoints().gmail_uri

    def one(email: str) -> tuple[str, list[SendAsAddress] | None, str]:
        try:
            token = DelegatedTokenSource(email, workspace, delegated).access_token_sync()
            answer = send_with_backoff(  # Gmail's per-user quota answers 429/403 rateLimitExceeded: wait, ask again
                lambda: thread_session().get(f"{base}/users/{quote(email)}/settings/sendAs",
                                             headers={"Authorization": f"Bearer {token}"}, timeout=30), Backoff())
            if answer.status_code != 200:
                return email, None, f"HTTP {answer.status_code}: {_message(answer)}"
            return email, parse_send_as(answer.json()), ""
        except MailkitError as exc:
            return email, None, str(exc)
        except (OSError, ValueError) as exc:  # requests' errors are OSErrors; a body that is no JSON a ValueError
            return email, None, redact(f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(PARALLEL, thread_name_prefix="mailkit-send-as") as pool:
        for email, found, why in pool.map(one, users):
            if found is None:
                listing.failures[email] = why
            else:
                listing.addresses[email] = found
    return listing


def _message(answer: Any) -> str:
    try:
        return redact(str(answer.json()["error"]["message"]))
    except (ValueError, KeyError, TypeError):
        return redact(answer.text[:200])


__all__ = ["PARALLEL", "SendAsAddress", "SendAsListing", "list_send_as", "parse_send_as", "require_delegation"]
