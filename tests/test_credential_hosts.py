"""No credential goes to a host the admin did not name: every check path looks up exactly the inventory's host.

A custom account points at the sandbox's listeners through `localhost` (a name its certificate carries, and one
that sandbox mode does not reroute), so each path really signs in; every name mailkit resolves is recorded.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from mailkit.audit import AuditOptions, Selection, audit
from mailkit.checks.account import check_account
from mailkit.checks.imap import check_imap_account
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.twostep.state import probe
from tests.cli_helpers import run_mailkit

EMAIL = "facturas.lupita@gmail.com"  # a sandbox account; here reached as a custom server's mailbox
APP_PASSWORD = "qwhkpznrtvbelmsa"


@pytest.fixture
def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host name mailkit resolves (asyncio's getaddrinfo runs socket.getaddrinfo in a thread)."""
    names: list[str] = []
    real = socket.getaddrinfo

    def recording(host, *args, **kwargs):
        names.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    return names


def custom_account(sandbox, **imap: object):
    return build_account(EMAIL, "lupita", provider_key="custom", auth="app_password", smtp_host="localhost",
                         smtp_port=sandbox.info["smtp"]["port"], security="starttls", **imap)


@pytest.fixture
def inventory(workspace, sandbox_env):
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita"))
        yield inventory


def store(inventory, workspace, account) -> None:
    inventory.upsert_account(account)
    secret_store(workspace).set(account.email, SecretKind.APP_PASSWORD, APP_PASSWORD)


def test_smtp_check_and_audit_go_to_the_inventory_host_only(inventory, workspace, sandbox_env, looked_up):
    account = custom_account(sandbox_env)
    store(inventory, workspace, account)
    result = asyncio.run(check_account(account, workspace=workspace))
    assert result.status is Status.OK
    assert result.steps[0].detail.startswith("localhost -> ")
    assert f"connected to 127.0.0.1:{sandbox_env.info['smtp']['port']}" in "\n".join(result.transcript)
    summary = audit(workspace, Selection(emails=[EMAIL]), AuditOptions())
    assert summary.counts == {"ok": 1}
    assert set(looked_up) == {"localhost"}


def test_imap_check_goes_to_the_inventory_imap_host_in_the_said_mode(inventory, workspace, sandbox_env, looked_up):
    account = custom_account(sandbox_env, imap_host="localhost", imap_port=sandbox_env.info["imaps"]["port"],
                             imap_security="ssl")
    store(inventory, workspace, account)
    result = asyncio.run(check_imap_account(account, workspace=workspace))
    assert result.status is Status.OK, result.steps
    assert result.steps[0].detail.startswith("localhost -> ")
    assert set(looked_up) == {"localhost"}


@pytest.mark.parametrize("imap", [{}, {"imap_host": "localhost"}])
def test_imap_check_without_host_or_tls_mode_sends_nothing_anywhere(inventory, workspace, sandbox_env, looked_up, imap):
    account = custom_account(sandbox_env, **imap)
    store(inventory, workspace, account)
    result = asyncio.run(check_imap_account(account, workspace=workspace))
    assert result.status is Status.NOT_CONFIGURED
    assert [s.name for s in result.steps] == ["imap"]
    assert "--imap-security ssl|starttls" in result.steps[0].detail
    assert looked_up == []


def test_cli_check_imap_of_a_custom_account_without_imap_host(workspace, sandbox_env, looked_up):
    port = str(sandbox_env.info["smtp"]["port"])
    assert run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=workspace.home).returncode == 0
    added = run_mailkit("account", "add", EMAIL, "--company", "lupita", "--provider", "custom", "--auth",
                        "app-password", "--smtp-host", "localhost", "--smtp-port", port, home=workspace.home,
                        env={"MAILKIT_SANDBOX": str(sandbox_env.info_path)})
    assert added.returncode == 0, added.stderr
    done = run_mailkit("check", EMAIL, "--imap", "--json", home=workspace.home,
                       env={"MAILKIT_SANDBOX": str(sandbox_env.info_path)})
    assert '"imap.gmail.com' not in done.stdout and "-> 127.0.0.1" not in done.stdout.split('"imap"')[-1]
    assert "no IMAP host set" in done.stdout


def test_secret_set_and_the_2sv_probe_sign_in_at_the_inventory_host(inventory, workspace, sandbox_env, looked_up):
    from mailkit.secrets.apppasswords import set_account_secret

    account = custom_account(sandbox_env)
    inventory.upsert_account(account)
    outcome = set_account_secret(inventory, account, APP_PASSWORD, workspace=workspace)
    assert outcome.stored
    asyncio.run(probe(account, "not-the-password"))
    assert set(looked_up) == {"localhost"}
