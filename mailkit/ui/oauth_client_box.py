"""The OAuth panel's small "company's own client" box: pick a client JSON file and the company (or the whole
workspace) it is for, say its publishing status, register it (`mailkit.oauth.clients`); and a line on the
selected account's client. A company's own client — an Internal app in its own Workspace — avoids the 7-day
tokens and the 100 test users of one shared client in Testing."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from mailkit.errors import UsageError
from mailkit.i18n import N_, text
from mailkit.inventory import Inventory
from mailkit.oauth import (
    PUBLISHING_WORDS,
    GrantStore,
    client_label,
    declare_publishing,
    grant_clients,
    register_client,
    register_scoped_client,
    short_id,
)
from mailkit.ui.base import busy, escape, labelled
from mailkit.workspace import Workspace

TEXTS = {
    "file": N_("Client JSON"),
    "file_help": N_("path of the 'Desktop app' OAuth client JSON downloaded from Google Cloud console"),
    "for": N_("For"),
    "workspace": N_("every company (the workspace's client)"),
    "publishing": N_("Consent screen"),
    "unknown": N_("not said"),
    "register": N_("Register client"),
    "registered": N_("OAuth client {client} registered for {owner}: the consents of its accounts go to it."),
    "client_of": N_("OAuth client: {label}"),
}


class ClientBox(w.VBox):
    """Register a company's (or the workspace's) Google OAuth client from the panel; `panel` runs it (`busy`)."""

    def __init__(self, panel: Any):
        self.panel = panel
        self.file = labelled(w.Text(layout=w.Layout(width="660px")))
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="420px")))
        self.publishing = labelled(w.Dropdown(options=[], layout=w.Layout(width="420px")))
        self.register = w.Button(icon="key", layout=w.Layout(width="auto"))
        self.register.on_click(self.on_register)
        self.message = w.HTML()
        super().__init__([self.file, self.company, self.publishing, self.register, self.message])

    @property
    def lang(self) -> str:
        return self.panel.lang

    @property
    def workspace(self) -> Workspace:
        return self.panel.workspace

    def _t(self, key: str, **fields: object) -> str:
        return text(self.lang, TEXTS[key], **fields)

    def relabel(self) -> None:
        self.file.description, self.file.placeholder = self._t("file"), self._t("file_help")
        self.company.description, self.publishing.description = self._t("for"), self._t("publishing")
        self.register.description = self._t("register")
        with Inventory.open(self.workspace) as inventory:
            companies = [(f"{c.name} ({c.slug})", c.slug) for c in inventory.companies()]
        keep_company, keep_publishing = self.company.value, self.publishing.value
        self.company.options = [(self._t("workspace"), ""), *companies]
        self.company.value = keep_company if keep_company in dict(self.company.options).values() else ""
        self.publishing.options = [(self._t("unknown"), ""), *((text(self.lang, PUBLISHING_WORDS[k]), k)
                                                               for k in ("testing", "internal", "published"))]
        self.publishing.value = keep_publishing or ""

    @busy
    def on_register(self, _button: w.Button | None = None) -> None:
        path = self.file.value.strip()
        if not path:
            raise UsageError(self._t("file_help"))
        publishing = self.publishing.value or None
        if self.company.value:
            registered = register_scoped_client(self.workspace, path, company=self.company.value,
                                                publishing=publishing)
            client, owner = registered.client, registered.owner
        else:
            client, owner = register_client(self.workspace, path), self._t("workspace")
            if publishing:
                declare_publishing(self.workspace, client, publishing)
        self.message.value = (f"<span class='mailkit-oauth-client' data-client='{escape(client.client_id)}'>"
                              f"{escape(self._t('registered', client=short_id(client.client_id), owner=owner))}"
                              "</span>")

    def account_line(self, email: str) -> str:
        """The selected account's grant client in words ('' when it has no grant)."""
        with Inventory.open(self.workspace) as inventory:
            facts = GrantStore(inventory).facts(email) if inventory.find_account(email) else None
        if facts is None or not facts.client_fingerprint:
            return ""
        label = client_label(grant_clients(self.workspace).describe(facts.client_fingerprint, email), self.lang)
        return self._t("client_of", label=label) if label else ""


__all__ = ["TEXTS", "ClientBox"]
