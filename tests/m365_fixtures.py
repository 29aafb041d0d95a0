"""Fixtures for Microsoft 365: a sandbox on a mixed fleet (tests/data/m365_accounts.toml) and a workspace whose
inventory holds its mailboxes, plus a scripted browser for Microsoft's consent and device-code pages."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.flow import ConsentResult
from mailkit.oauth.microsoft import MicrosoftConsentFlow
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.workspace import Workspace
from tests.leak_scan import SECRETS

M365_ACCOUNTS = Path(__file__).parent / "data" / "m365_accounts.toml"
FACTURAS = "facturas@contoso-mx.example"
VENTAS = "ventas@contoso-mx.example"
LEGACY = "legacy@contoso-mx.example"
SMTPOFF = "smtpoff@contoso-mx.example"
DEFAULTS = "defaults@contoso-mx.example"
RETIRED = "retired@contoso-mx.example"
OAUTH_MAILBOXES = (FACTURAS, VENTAS)
PASSWORD_MAILBOXES = (LEGACY, SMTPOFF, DEFAULTS, RETIRED)
PASSWORDS = {a["email"]: a["password"] for a in tomllib.loads(M365_ACCOUNTS.read_text())["account"]}
SECRETS.update(PASSWORDS.values())  # the suite's leak scan looks for these too


@pytest.fixture(scope="module")
def m365(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxThread]:
    """One sandbox with Microsoft 365 mailboxes for the module."""
    with SandboxThread(M365_ACCOUNTS, tmp_path_factory.mktemp("m365")) as running:
        yield running


@pytest.fixture
def mws(workspace: Workspace, m365: SandboxThread, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace in sandbox mode whose inventory holds Contoso's mailboxes (OAuth ones and password ones)."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MAILKIT_SANDBOX", str(m365.info_path))
    m365.reset()
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("contoso", "Contoso MX"))
        for email in OAUTH_MAILBOXES:
            inventory.upsert_account(build_account(email, "contoso", provider_key="microsoft365", auth="oauth2"))
        for email in PASSWORD_MAILBOXES:
            inventory.upsert_account(build_account(email, "contoso", provider_key="microsoft365", auth="password"))
    for email in PASSWORD_MAILBOXES:
        secret_store(workspace).set(email, SecretKind.PASSWORD, PASSWORDS[email])
    return workspace


def account(ws: Workspace, email: str = FACTURAS):
    with Inventory.open(ws) as inventory:
        return inventory.account(email)


def arrive(location: str) -> requests.Response:
    """The browser follows Microsoft's redirect to mailkit's loopback receiver."""
    with requests.Session() as session:
        session.trust_env = False
        return session.get(location, timeout=10)


def browser_login(ws: Workspace, email: str = FACTURAS, *, pick: str | None = None, untick: tuple[str, ...] = (),
                  cancel: bool = False) -> ConsentResult:
    """A whole loopback consent: the page (for `pick` instead of the hinted mailbox), the redirect, the result."""
    flow = MicrosoftConsentFlow(account(ws, email), ws)
    url = flow.authorization_url
    if pick:
        url = url.replace(quote(email, safe=""), quote(pick, safe=""))
    arrive(approve(url, untick=untick, cancel=cancel))
    return flow.run(10)


__all__ = ["DEFAULTS", "FACTURAS", "LEGACY", "M365_ACCOUNTS", "OAUTH_MAILBOXES", "PASSWORDS", "PASSWORD_MAILBOXES",
           "RETIRED", "SMTPOFF", "VENTAS", "account", "arrive", "browser_login", "m365", "mws"]
