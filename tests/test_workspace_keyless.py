"""Keyless domain-wide delegation, end to end on the sandbox: a reseller's own admin (the signer) consents once to
Google Cloud, `mailkit workspace connect --keyless` reads the service account from IAM and proves the delegation,
audits sign every grant through IAM Credentials signBlob, and no service-account key exists anywhere mailkit
writes. A signer without the role, without the consent, or that loses the role later is told what to change."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from mailkit.google_workspace import SIGNER, has_signer
from mailkit.google_workspace.keyless import (
    SIGNER_API_OFF,
    SIGNER_DENIED,
    SIGNER_SCOPE,
    UNKNOWN_SERVICE_ACCOUNT,
    iam_refusal,
)
from mailkit.google_workspace.keys import has_key
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth import ConsentFlow
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.runner import SandboxThread
from mailkit.status import Status
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import shared_secrets

CLIENT = "panaderia-sur.example"
RESELLER = "mayorista-ti.example"
SIGNER_EMAIL = f"ops@{RESELLER}"
INTERN = f"becario@{RESELLER}"
USERS = [f"{name}@{CLIENT}" for name in ("ventas", "facturas", "compras")]
ADMIN = f"admin@{CLIENT}"


def accounts_file(path: Path) -> Path:
    users = "".join(f'[[account]]\nemail = "{email}"\nworkspace = true\n\n' for email in USERS)
    path.write_text(f"""{users}
[[account]]
email = "{ADMIN}"
workspace = true
admin = true
two_step = true

[[account]]
email = "{SIGNER_EMAIL}"
workspace = true
two_step = true
token_creator = true

[[account]]
email = "{INTERN}"
workspace = true
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keyless")
    with SandboxThread(accounts_file(folder / "accounts.toml"), folder / "state") as running:
        yield running


@pytest.fixture
def env(sandbox, monkeypatch):
    yield shared_secrets(sandbox, monkeypatch)
    _set_token_creator(sandbox, SIGNER_EMAIL, True)


@pytest.fixture
def inventory(workspace):
    with Inventory.open(workspace) as inv:
        inv.upsert_company(Company("sur", "Panadería del Sur"))
        for email in USERS:
            inv.upsert_account(build_account(email, "sur", provider_key="workspace", auth="oauth2"))
        yield inv


def service_account(sandbox) -> dict:
    return json.loads((sandbox.state_dir / "service_account.json").read_text(encoding="utf-8"))


def consent(workspace, email: str) -> None:
    with ConsentFlow(email, workspace, purpose=SIGNER) as flow:
        result = flow.complete_from_url(approve(flow.authorization_url))
    assert result.ok, result.message


def _set_token_creator(sandbox, email: str, value: bool) -> None:
    sandbox.accounts[email] = dataclasses.replace(sandbox.accounts[email], token_creator=value)


def mailkit(workspace, env, *args: str):
    return run_mailkit(*args, home=workspace.home, env=env, timeout=120)


# --- the command line ------------------------------------------------------------------------------
def test_a_domain_connected_keyless_audits_with_no_key_anywhere(inventory, workspace, env, sandbox) -> None:
    sa = service_account(sandbox)
    consent(workspace, SIGNER_EMAIL)
    assert has_signer(workspace, SIGNER_EMAIL)
    done = mailkit(workspace, env, "workspace", "connect", CLIENT, "--keyless", sa["client_email"], "--signer",
                   SIGNER_EMAIL, "--admin", ADMIN, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    outcome = json.loads(done.stdout)
    assert (outcome["ok"], outcome["client_id"], outcome["service_account"]) == (True, sa["client_id"],
                                                                               sa["client_email"])
    [row] = json.loads(mailkit(workspace, env, "workspace", "status", "--json").stdout)
    assert (row["domain"], row["signer"], row["client_id"], row["admin"]) == (CLIENT, SIGNER_EMAIL, sa["client_id"],
                                                                              ADMIN)
    shown = mailkit(workspace, env, "--lang", "es", "workspace", "status").stdout
    assert f"sin clave: Google firma cuando lo pide {SIGNER_EMAIL}" in shown
    assert not has_key(workspace, CLIENT)  # nothing was put in keyring for the domain

    audit = mailkit(workspace, env, "audit", "--company", "sur", "--send-test", "--json", "--no-progress")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    results = json.loads(audit.stdout)["results"]
    assert {r["email"]: (r["status"], r["token_source"]) for r in results} == {
        email: ("ok", "delegation") for email in USERS}
    assert sorted(m.recipients[0] for m in sandbox.messages) == sorted(USERS)
    users = mailkit(workspace, env, "workspace", "users", CLIENT, "--json")  # the Directory, keyless too
    assert users.returncode == 0, users.stderr
    assert {u["email"] for u in json.loads(users.stdout)["users"]} >= set(USERS)
    _no_key_written(workspace.home, sandbox, sa)
    gone = mailkit(workspace, env, "workspace", "disconnect", CLIENT)
    assert gone.returncode == 0 and "it was keyless, so there was no key to delete" in gone.stdout


def _no_key_written(home: Path, sandbox, sa: dict) -> None:
    """The service account's private key is in no file of the workspace nor in the secrets mailkit kept."""
    needles = [line for line in sa["private_key"].splitlines() if len(line) > 40]
    places = [p for p in home.rglob("*") if p.is_file()] + [sandbox.state_dir / "sandbox-secrets.json"]
    for path in places:
        data = path.read_bytes().decode("utf-8", "replace")
        assert not any(n in data for n in needles), path
        assert "service_account_key" not in data or path.suffix != ".json", path


def test_a_signer_without_the_role_is_told_which_role_to_grant(inventory, workspace, env, sandbox) -> None:
    sa = service_account(sandbox)
    consent(workspace, INTERN)
    done = mailkit(workspace, env, "workspace", "connect", CLIENT, "--keyless", sa["client_email"], "--signer", INTERN)
    assert done.returncode == 1, done.stdout + done.stderr
    said = done.stderr
    assert "iam.serviceAccounts.get" in said and "Service Account Token Creator" in said
    assert f"IAM & Admin → Service accounts → {sa['client_email']} → Permissions → Grant access" in said
    assert f"New principals: {INTERN}" in said
    assert json.loads(mailkit(workspace, env, "workspace", "status", "--json").stdout) == []


def test_a_role_taken_away_later_turns_checks_into_signer_denied(inventory, workspace, env, sandbox) -> None:
    sa = service_account(sandbox)
    consent(workspace, SIGNER_EMAIL)
    assert mailkit(workspace, env, "workspace", "connect", CLIENT, "--keyless", sa["client_email"], "--signer",
                   SIGNER_EMAIL).returncode == 0
    _set_token_creator(sandbox, SIGNER_EMAIL, False)
    done = mailkit(workspace, env, "check", USERS[0], "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    result = result[0] if isinstance(result, list) else result
    assert result["status"] == Status.DELEGATION_UNAUTHORIZED.value
    assert "Service Account Token Creator" in json.dumps(result, ensure_ascii=False)


@pytest.mark.parametrize(("args", "words"), [
    (["--keyless", "sa@p.iam.gserviceaccount.com"], "--keyless and --signer go together"),
    (["--signer", SIGNER_EMAIL, "--service-account", "k.json"], "--keyless and --signer go together"),
    ([], "give either --service-account"),
    (["--keyless", "sa@p.iam.gserviceaccount.com", "--signer", "nadie@example.com"],
     "run `mailkit workspace signer nadie@example.com` first"),
])
def test_bad_options_are_one_line_and_exit_2(inventory, workspace, env, args: list[str], words: str) -> None:
    done = mailkit(workspace, env, "workspace", "connect", CLIENT, *args)
    lines = [line for line in done.stderr.splitlines() if line and not line.startswith("sandbox mode")]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert words in lines[0]


def test_the_signer_is_forgotten_on_request(workspace, env) -> None:
    consent(workspace, SIGNER_EMAIL)
    done = mailkit(workspace, env, "workspace", "signer", SIGNER_EMAIL, "--forget")
    assert done.returncode == 0, done.stderr
    assert not has_signer(workspace, SIGNER_EMAIL)
    again = mailkit(workspace, env, "workspace", "signer", SIGNER_EMAIL, "--forget")
    assert again.returncode == 2


def test_a_signer_consent_through_a_testing_client_warns_of_its_end(workspace, env, sandbox) -> None:
    from datetime import UTC, datetime

    from mailkit.google_workspace.signer import testing_warning
    from mailkit.oauth.clients import active_client

    fingerprint = active_client(workspace).fingerprint
    assert testing_warning(workspace, SIGNER_EMAIL, fingerprint) == ""  # nothing declared: nothing to say
    said = mailkit(workspace, env, "oauth", "client", sandbox.info["client_config"], "--testing")
    assert said.returncode == 0, said.stderr
    warning = testing_warning(workspace, SIGNER_EMAIL, fingerprint, "es", now=datetime(2026, 12, 1, tzinfo=UTC))
    assert "2026-12-08" in warning and f"--domain {RESELLER} --internal" in warning and "Atención" in warning


# --- Google's refusals, word by word ---------------------------------------------------------------
def _answer(status: int, body: dict) -> SimpleNamespace:
    return SimpleNamespace(status_code=status, reason="", json=lambda: body)


def _iam_error(status: int, message: str, state: str, reason: str = "") -> dict:
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                "domain": "googleapis.com"}] if reason else []
    return {"error": {"code": status, "message": message, "status": state, "details": details}}


@pytest.mark.parametrize(("status", "body", "reason", "words"), [
    (403, _iam_error(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED",
                     "ACCESS_TOKEN_SCOPE_INSUFFICIENT"), SIGNER_SCOPE, "leave the Google Cloud box ticked"),
    (403, _iam_error(403, "IAM Service Account Credentials API has not been used in project 1234 before or it is "
                          "disabled.", "PERMISSION_DENIED", "SERVICE_DISABLED"), SIGNER_API_OFF,
     "enable the IAM Service Account Credentials API"),
    (403, _iam_error(403, "Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist).",
                     "PERMISSION_DENIED", "IAM_PERMISSION_DENIED"), SIGNER_DENIED,
     "roles/iam.serviceAccountTokenCreator"),
    (404, _iam_error(404, "Unknown service account", "NOT_FOUND"), UNKNOWN_SERVICE_ACCOUNT, "check the address"),
])
def test_each_iam_refusal_names_its_fix(status: int, body: dict, reason: str, words: str) -> None:
    error = iam_refusal(_answer(status, body), SIGNER_EMAIL, "sa@p.iam.gserviceaccount.com",
                        "iam.serviceAccounts.signBlob")
    assert error.reason == reason and words in str(error)
    assert error.status is Status.DELEGATION_UNAUTHORIZED


def test_a_refused_keyless_grant_points_at_the_service_account_not_a_key() -> None:
    from google.auth.exceptions import RefreshError

    from mailkit.google_workspace.delegation import refused
    from mailkit.google_workspace.keyless import KeylessServiceAccount

    account = KeylessServiceAccount("sa@p.iam.gserviceaccount.com", "1234567890", SIGNER_EMAIL)
    exc = RefreshError("invalid_grant: Invalid JWT Signature.", {"error": "invalid_grant",
                                                                 "error_description": "Invalid JWT Signature."})
    error = refused(exc, account, USERS[0], ("https://mail.google.com/",))
    assert error.reason == UNKNOWN_SERVICE_ACCOUNT and "--keyless" in str(error) and "JSON key" not in str(error)
