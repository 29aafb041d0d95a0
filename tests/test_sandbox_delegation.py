"""The sandbox's domain-wide delegation: `[[delegation]]` tables per domain, client ID and scope, and the token
endpoint's answers to a service account's JWT bearer grant, over a real HTTPS socket with google-auth."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import google.auth.transport.requests as ga_requests
import pytest
import requests
import trustme
from google.auth import exceptions as ga_exceptions
from google.oauth2 import service_account

from mailkit.errors import UsageError
from mailkit.oauth.scopes import DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.accounts import load_accounts
from mailkit.sandbox.delegation import OWN, DelegationTable, load_delegations
from mailkit.sandbox.grants import GrantRegistry
from mailkit.sandbox.http import HttpSide
from mailkit.sandbox.http_keys import DELEGATED_SCOPES
from mailkit.sandbox.runner import default_accounts_file

SOL = "constructora-sol.example"
LUNA = "hotel-luna.example"
OTHER_CLIENT = "104857600000000000042"
UNAUTHORIZED = {"error": "unauthorized_client",
                "error_description": "Client is unauthorized to retrieve access tokens using this method, or client "
                                     "not authorized for any of the scopes requested."}

ACCOUNTS = f"""
[[account]]
email = "facturas@{SOL}"
workspace = true

[[account]]
email = "admin@{SOL}"
workspace = true
admin = true

[[account]]
email = "recepcion@{LUNA}"
workspace = true

[[account]]
email = "someone@gmail.com"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.toml"
    path.write_text(ACCOUNTS + text, encoding="utf-8")
    return path


def table(tmp_path: Path, text: str) -> DelegationTable:
    path = write(tmp_path, text)
    return load_delegations(path, load_accounts(path))


# --- the tables --------------------------------------------------------------------------------------
def test_without_tables_the_own_service_account_has_every_workspace_domain(tmp_path):
    delegations = table(tmp_path, "")
    assert delegations.default
    assert delegations.scopes_for(SOL, "own", "own") == DELEGATED_SCOPES
    assert delegations.scopes_for(LUNA, "own", "own") == DELEGATED_SCOPES
    assert delegations.scopes_for(SOL, OTHER_CLIENT, "own") == frozenset()
    assert delegations.scopes_for("gmail.com", "own", "own") == frozenset()


def test_tables_delegate_per_domain_client_id_and_scope(tmp_path):
    delegations = table(tmp_path, f"""
[[delegation]]
domain = "{SOL}"
scopes = ["{MAIL_SCOPE}"]

[[delegation]]
domain = "{LUNA}"
client_id = "{OTHER_CLIENT}"
scopes = ["{MAIL_SCOPE}", "{DIRECTORY_SCOPE}"]
""")
    assert not delegations.default
    assert delegations.allows(SOL, "own", "own", [MAIL_SCOPE])
    assert not delegations.allows(SOL, "own", "own", [MAIL_SCOPE, DIRECTORY_SCOPE])
    assert not delegations.allows(LUNA, "own", "own", [MAIL_SCOPE])  # LUNA trusts another client only
    assert delegations.allows(LUNA, OTHER_CLIENT, "own", [DIRECTORY_SCOPE])


def test_revoke_and_grant_change_it_while_it_runs(tmp_path):
    delegations = table(tmp_path, "")
    delegations.revoke(SOL)
    assert not delegations.allows(SOL, "own", "own", [MAIL_SCOPE])
    assert delegations.allows(LUNA, "own", "own", [MAIL_SCOPE])  # the other domains keep the default
    delegations.grant(SOL, [DIRECTORY_SCOPE], client_id=OWN)
    assert delegations.scopes_for(SOL, "own", "own") == {DIRECTORY_SCOPE}


@pytest.mark.parametrize(("text", "words"), [
    (f'[[delegation]]\ndomain = "{SOL}"\nscopes = []\n', ["delegation #1 (constructora-sol.example)", "scopes"]),
    (f'[[delegation]]\ndomain = "{SOL}"\nscope = ["{MAIL_SCOPE}"]\n', ["delegation #1", "unknown key(s) scope"]),
    ('[[delegation]]\nscopes = ["x"]\n', ["delegation #1 (no domain)", "`domain` is required"]),
    (f'[[delegation]]\ndomain = "nowhere.example"\nscopes = ["{MAIL_SCOPE}"]\n',
     ["delegation #1 (nowhere.example)", "no Workspace account"]),
    ('[[delegation]]\ndomain = "gmail.com"\nscopes = ["x"]\n', ["no Workspace account"]),
    (f'[[delegation]]\ndomain = "{SOL}"\nclient_id = 42\nscopes = ["x"]\n', ["`client_id` must be text"]),
    (f'[[delegation]]\ndomain = "{SOL}"\nscopes = ["a"]\n[[delegation]]\ndomain = "{SOL}"\nscopes = ["b"]\n',
     ["delegation #2", "second entry for the same client ID"]),
    (f'[delegation]\ndomain = "{SOL}"\n', ["[[delegation]] tables"]),
])
def test_a_bad_table_is_one_clear_error_naming_it(tmp_path, text, words):
    with pytest.raises(UsageError) as caught:
        table(tmp_path, text)
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path / "accounts.toml") in message
    assert all(word in message for word in words), message


def test_the_accounts_reader_still_ignores_delegation_tables(tmp_path):
    path = write(tmp_path, f'[[delegation]]\ndomain = "{SOL}"\nscopes = ["{MAIL_SCOPE}"]\n')
    assert set(load_accounts(path)) == {f"facturas@{SOL}", f"admin@{SOL}", f"recepcion@{LUNA}", "someone@gmail.com"}


def test_the_shipped_accounts_file_keeps_the_default():
    path = default_accounts_file()
    assert load_delegations(path, load_accounts(path)).default


# --- the token endpoint, over HTTPS, with google-auth -------------------------------------------------
@pytest.fixture
def side(tmp_path, monkeypatch):
    """The sandbox's HTTPS side with SOL delegated the mail scope only and LUNA delegated to another client."""
    path = write(tmp_path, f"""
[[delegation]]
domain = "{SOL}"
scopes = ["{MAIL_SCOPE}"]

[[delegation]]
domain = "{LUNA}"
client_id = "{OTHER_CLIENT}"
scopes = ["{MAIL_SCOPE}"]
""")
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they beat a Session's `verify`
        monkeypatch.delenv(name, raising=False)
    accounts = load_accounts(path)
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(server_ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    side = HttpSide(accounts, GrantRegistry(), client_id="1-x.apps.googleusercontent.com", client_secret="s3cr3t-x",
                    ssl_context=server_ctx, state_dir=tmp_path, delegations=load_delegations(path, accounts))
    asyncio.run(side.start())
    yield side
    asyncio.run(side.stop())


def mint(side: HttpSide, subject: str, scopes: list[str]) -> service_account.Credentials:
    creds = service_account.Credentials.from_service_account_file(str(side.service_account_file), scopes=scopes,
                                                                  subject=subject)
    session = requests.Session()
    session.verify = str(side.state_dir / "ca.pem")
    creds.refresh(ga_requests.Request(session))
    return creds


def refusal(side: HttpSide, subject: str, scopes: list[str]) -> dict:
    with pytest.raises(ga_exceptions.RefreshError) as caught:
        mint(side, subject, scopes)
    return caught.value.args[1]


def test_a_delegated_scope_gives_the_mailbox_its_own_token(side):
    creds = mint(side, f"facturas@{SOL}", [MAIL_SCOPE])
    access = side.grants.lookup_access_token(creds.token)
    assert access is not None and access.grant.email == f"facturas@{SOL}" and access.grant.scopes == (MAIL_SCOPE,)
    assert not access.grant.refresh_token


def test_a_scope_not_delegated_is_unauthorized_client_as_google_words_it(side):
    assert refusal(side, f"admin@{SOL}", [DIRECTORY_SCOPE]) == UNAUTHORIZED
    assert refusal(side, f"admin@{SOL}", [MAIL_SCOPE, DIRECTORY_SCOPE]) == UNAUTHORIZED


def test_a_domain_that_trusts_another_client_id_refuses_this_one(side):
    assert refusal(side, f"recepcion@{LUNA}", [MAIL_SCOPE]) == UNAUTHORIZED
    side.context.delegations.grant(LUNA, [MAIL_SCOPE], client_id=side.context.service_account.client_id)
    assert mint(side, f"recepcion@{LUNA}", [MAIL_SCOPE]).token


def test_a_revoked_delegation_refuses_the_next_token(side):
    assert mint(side, f"facturas@{SOL}", [MAIL_SCOPE]).token
    side.context.delegations.revoke(SOL)
    assert refusal(side, f"facturas@{SOL}", [MAIL_SCOPE]) == UNAUTHORIZED


def test_an_unknown_subject_is_invalid_grant_and_a_consumer_one_unauthorized(side):
    assert refusal(side, f"nadie@{SOL}", [MAIL_SCOPE]) == {"error": "invalid_grant",
                                                           "error_description": "Invalid email or User ID"}
    assert refusal(side, "someone@gmail.com", [MAIL_SCOPE]) == UNAUTHORIZED
