"""A sandbox started again on the same state dir is the same Google: its OAuth client, grants and tokens survive.

Google's tokens do not die when a server restarts; a workspace that consented keeps working. The
last test is the newcomer's path: `mailkit demo`, then its own "try one account" lines pasted
as they are, which restart the sandbox on the demo's state.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import sys
from pathlib import Path

import requests

from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.sandbox.grants import GRANTS_FILE
from mailkit.sandbox.runner import CLIENT_CONFIG_FILE, SandboxThread
from tests import demo_hints
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import ACCOUNTS, EXPECTED_SEND, SandboxSMTP, access_token, xoauth2

LIVE = "citas.tallerruiz@gmail.com"
REVOKED = "avisos.tallerruiz@gmail.com"
REDIRECT = "http://127.0.0.1:8080/"
#: The demo's OAuth accounts and what they are after it (avisos@: the user removed mailkit's access).
DEMO_OAUTH = {"citas.tallerruiz@gmail.com": "ok", "facturacion@ferreteria-delnorte.example": "ok",
              "avisos.tallerruiz@gmail.com": "oauth_reauth_required"}


def xoauth2_reply(sandbox: SandboxThread, email: str, token: str) -> int:
    client = SandboxSMTP(sandbox).secure(sandbox)
    try:
        code, _ = client.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(email, token).encode()).decode())
        return code
    finally:
        client.close()


def refresh(sandbox: SandboxThread, refresh_token: str) -> requests.Response:
    """The token endpoint's refresh, with the client of the sandbox's client_config.json."""
    installed = json.loads((sandbox.state_dir / CLIENT_CONFIG_FILE).read_text())["installed"]
    return requests.post(sandbox.info["http"] + "/token", timeout=10, verify=sandbox.info["ca_cert"],
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token,
                               "client_id": installed["client_id"], "client_secret": installed["client_secret"]})


def test_restart_on_the_same_state_dir_keeps_client_grants_and_tokens(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with SandboxThread(ACCOUNTS, state) as first:
        client = json.loads((state / CLIENT_CONFIG_FILE).read_text())["installed"]
        code = first.grants.issue_code(LIVE, first.client_id, (MAIL_SCOPE,), REDIRECT)
        grant = first.grants.redeem_code(code, first.client_id, REDIRECT, "")
        assert not isinstance(grant, str)
        live_access = first.grants.issue_access_token(grant).token
        revoked_access = access_token(first, REVOKED)
        first.grants.revoke_account(REVOKED)
        assert xoauth2_reply(first, LIVE, live_access) == 235
    for name in (GRANTS_FILE, CLIENT_CONFIG_FILE):
        assert stat.S_IMODE(os.stat(state / name).st_mode) == 0o600, name

    with SandboxThread(ACCOUNTS, state) as second:
        again = json.loads((state / CLIENT_CONFIG_FILE).read_text())["installed"]
        assert (again["client_id"], again["client_secret"]) == (client["client_id"], client["client_secret"])
        assert again["token_uri"] == second.info["http"] + "/token"  # the new port, the same client
        assert xoauth2_reply(second, LIVE, live_access) == 235
        assert second.grants.lookup_access_token(revoked_access) is None
        refreshed = refresh(second, grant.refresh_token)
        assert refreshed.status_code == 200, refreshed.text
        assert xoauth2_reply(second, LIVE, refreshed.json()["access_token"]) == 235
    with SandboxThread(ACCOUNTS, state) as third:  # what the second one issued is kept too
        assert third.grants.lookup_access_token(refreshed.json()["access_token"]) is not None


def test_a_revoked_grant_and_an_expired_token_stay_so_after_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with SandboxThread(ACCOUNTS, state) as first:
        code = first.grants.issue_code(REVOKED, first.client_id, (MAIL_SCOPE,), REDIRECT)
        revoked = first.grants.redeem_code(code, first.client_id, REDIRECT, "")
        expired = access_token(first, LIVE)
        first.grants.revoke_token(revoked.refresh_token)  # type: ignore[union-attr]
        first.grants.expire_access_tokens(LIVE)
    with SandboxThread(ACCOUNTS, state) as second:
        reply = refresh(second, revoked.refresh_token)  # type: ignore[union-attr]
        assert reply.status_code == 400 and reply.json()["error"] == "invalid_grant"
        assert second.grants.lookup_access_token(expired) is None
    assert expired not in (state / GRANTS_FILE).read_text()  # dead access tokens are not kept


def test_an_unreadable_grants_file_is_an_empty_start_not_a_crash(tmp_path: Path, caplog) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / GRANTS_FILE).write_text('{"grants": [{"email": 1}]')
    with caplog.at_level(logging.WARNING, logger="mailkit.sandbox.grants"), SandboxThread(ACCOUNTS, state) as box:
        assert xoauth2_reply(box, LIVE, access_token(box, LIVE)) == 235
    assert "starting with none" in caplog.text
    assert json.loads((state / GRANTS_FILE).read_text())["grants"][0]["email"] == LIVE


def test_the_demos_try_one_account_lines_pasted_as_they_are_find_its_oauth_accounts_ok(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PYTHONIOENCODING": "utf-8"}
    for name in ("MAILKIT_HOME", "MAILKIT_SANDBOX", "MAILKIT_LANG"):
        env.pop(name, None)
    demo = run_mailkit("demo", "--no-progress", home=tmp_path / "ws", timeout=120, env=env)
    assert demo.returncode == 0, demo.stderr
    steps = demo_hints.next_steps(demo.stdout)
    sandbox_step = next(s for s in steps if s.background)
    check_step = next(s for s in steps if "check" in s.args)
    mailkit = [sys.executable, "-m", "mailkit"]

    process, info = demo_hints.start(sandbox_step, mailkit, env, cwd=tmp_path)
    try:
        assert Path(check_step.env["MAILKIT_SANDBOX"]) == Path(info["state_dir"]) / "sandbox.json"
        verbatim = demo_hints.run(check_step, mailkit, env, cwd=tmp_path)
        assert demo_hints.status_of(verbatim.stdout) == "ok", verbatim.stdout + verbatim.stderr
        assert verbatim.returncode == 0
        for email, expected in DEMO_OAUTH.items():  # the same line for the demo's other OAuth accounts
            argv = list(check_step.argv)
            argv[argv.index("check") + 1] = email
            done = demo_hints.run(demo_hints.Step(argv, check_step.env), mailkit, env, cwd=tmp_path)
            assert demo_hints.status_of(done.stdout) == expected, (email, done.stdout)
        assert "revoked" in done.stdout.lower()  # avisos@: the cause names what really happened
    finally:
        demo_hints.stop(process)

    # The demo again on the same workspace: its sandbox now remembers the consents of the first run.
    again = run_mailkit("demo", "--no-progress", home=tmp_path / "ws", timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    rows = {line.split()[1]: line.split()[2] for line in again.stdout.splitlines()
            if len(line.split()) > 2 and line.split()[1] in EXPECTED_SEND}
    assert rows == EXPECTED_SEND
