"""The report's `oauth_client` column: each grant's client (short ID, whose) and its publishing status as far as
mailkit can tell — declared by the admin, seen in Google's token answers — with the day a Testing token ends."""

from __future__ import annotations

from typing import Any

from mailkit.i18n import N_, text
from mailkit.oauth.clients import grant_clients
from mailkit.workspace import Workspace

#: Publishing words, declared (`mailkit oauth client --testing/--internal/--published`) or seen.
PUBLISHING_WORDS = {"testing": N_("Testing"), "internal": N_("Internal"), "published": N_("published"),
         "no_limit": N_("no 7-day limit"), "limited": N_("time-limited tokens")}


def client_label(described: dict, lang: str) -> str:
    """One grant's client in words: `2222-taller (taller-ruiz) · declared: Testing · seen: Testing · ends …`."""
    if not described.get("client"):
        return ""
    parts = [f"{described['client']} ({described['client_owner'] or '-'})"]
    declared, seen = described["publishing_declared"], described["publishing_observed"]
    if declared:
        parts.append(text(lang, "declared: {status}", status=text(lang, PUBLISHING_WORDS[declared])))
    if seen in PUBLISHING_WORDS:
        parts.append(text(lang, "seen: {status}", status=text(lang, PUBLISHING_WORDS[seen])))
    if described["refresh_token_ends"]:
        parts.append(text(lang, "token ends {date}", date=described["refresh_token_ends"]))
    return " · ".join(parts)


def grant_client_labels(workspace: Workspace, frame: Any, lang: str) -> list[str]:
    """The column for a status frame's rows (`email`, `company`, `provider` and, in `oauth_client`, the grant's
    client fingerprint; empty for accounts without a grant)."""
    rows = list(zip(frame["email"], frame["company"], frame["provider"], frame["oauth_client"], strict=True))
    if not any(isinstance(fp, str) and fp for *_, fp in rows):
        return ["" for _ in rows]
    clients = grant_clients(workspace)
    return [client_label(clients.describe(fp, email, company, provider), lang) if isinstance(fp, str) and fp
            else "" for email, company, provider, fp in rows]


__all__ = ["PUBLISHING_WORDS", "client_label", "grant_client_labels"]
