"""Send-as addresses of a Workspace domain's users: the sandbox's Gmail API `sendAs.list` as Google answers it, and
`mailkit workspace users --send-as` reading it for every user with a token minted by the domain's delegation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mailkit.google_workspace import parse_send_as
from mailkit.oauth.scopes import DIRECTORY_SCOPE
from mailkit.sandbox.runner import SandboxThread
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import access_token

DOMAIN = "envios.example"
ADMIN, FACTURAS, ANA = f"admin@{DOMAIN}", f"facturas@{DOMAIN}", f"ana@{DOMAIN}"
ACCOUNTS = f"""
[[account]]
email = "{ADMIN}"
workspace = true
admin = true
two_step = true

[[account]]
email = "{FACTURAS}"
workspace = true
display_name = "Facturación"
send_as = ["cobranza@{DOMAIN}", "avisos@{DOMAIN}"]

[[account]]
email = "{ANA}"
workspace = true
"""


@pytest.fixture
def envios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    accounts = tmp_path / "envios.toml"
    accounts.write_text(ACCOUNTS, encoding="utf-8")
    with SandboxThread(accounts, tmp_path / "sandbox") as running:
        monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
        yield running


def send_as(sandbox: SandboxThread, user_id: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{sandbox.info['http']}/gmail/v1/users/{user_id}/settings/sendAs", headers=headers,
                        verify=str(sandbox.state_dir / sandbox.info["ca_cert"]), timeout=10)


def test_the_sandbox_lists_a_mailboxs_own_addresses_for_its_own_token(envios: SandboxThread) -> None:
    token = access_token(envios, FACTURAS)
    for user_id in (FACTURAS, "me"):
        answer = send_as(envios, user_id, token)
        assert answer.status_code == 200
        items = answer.json()["sendAs"]
        assert [(i["sendAsEmail"], i.get("isPrimary", False), i.get("verificationStatus")) for i in items] == [
            (FACTURAS, True, None), (f"cobranza@{DOMAIN}", False, "accepted"), (f"avisos@{DOMAIN}", False, "accepted")]
        assert items[0]["displayName"] == "Facturación"


def test_the_sandbox_refuses_as_gmail_does(envios: SandboxThread) -> None:
    assert send_as(envios, FACTURAS, None).status_code == 401
    denied = send_as(envios, FACTURAS, access_token(envios, ANA))
    assert denied.status_code == 403 and denied.json()["error"]["message"] == f"Delegation denied for {ANA}"
    scoped = send_as(envios, FACTURAS, access_token(envios, FACTURAS, (DIRECTORY_SCOPE,)))
    assert scoped.status_code == 403
    assert scoped.json()["error"]["message"] == "Request had insufficient authentication scopes."


def test_workspace_users_send_as_reads_every_user_with_delegation(envios: SandboxThread, workspace) -> None:
    home, key = workspace.home, envios.state_dir / "service_account.json"
    refused = run_mailkit("workspace", "users", DOMAIN, "--send-as", home=home)
    assert refused.returncode == 2 and f"mailkit workspace connect {DOMAIN}" in refused.stderr
    connected = run_mailkit("workspace", "connect", DOMAIN, "--service-account", str(key), "--check", ANA,
                            "--admin", ADMIN, home=home)
    assert connected.returncode == 0, connected.stdout + connected.stderr
    done = run_mailkit("workspace", "users", DOMAIN, "--send-as", "--json", home=home)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert {u["email"]: u["send_as"] for u in body["users"]} == {
        ADMIN: [], ANA: [], FACTURAS: [f"cobranza@{DOMAIN}", f"avisos@{DOMAIN}"]}
    assert body["send_as_failures"] == {}
    shown = run_mailkit("workspace", "users", DOMAIN, "--send-as", home=home)
    assert shown.returncode == 0
    line = next(x for x in shown.stdout.splitlines() if x.startswith(FACTURAS))
    assert line.endswith(f"| cobranza@{DOMAIN}, avisos@{DOMAIN}")


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                       max_size=4), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(body=json_values | st.fixed_dictionaries({"sendAs": st.lists(json_values | st.fixed_dictionaries(
    {"sendAsEmail": st.text(max_size=20), "isPrimary": json_values, "verificationStatus": json_values}),
    max_size=4)}))
def test_any_answer_parses_without_a_crash_and_keeps_only_addresses(body: object) -> None:
    found = parse_send_as(body)
    assert all("@" in a.address and isinstance(a.verification, str) for a in found)
    assert all(a.verification == "" for a in found if a.primary)
