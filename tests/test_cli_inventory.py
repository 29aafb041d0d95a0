"""The `mailkit` command as an admin runs it: a real subprocess, a real SQLite file, a real
encrypted file keyring. Exit codes and messages are part of the contract."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_mailkit

SECRET_ENV = {"MAILKIT_KEYRING_PASSPHRASE": "cli test passphrase",
              "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture
def home(tmp_path):
    return tmp_path / "ws"


def test_init_company_account_list(home):
    assert run_mailkit("init", home=home).returncode == 0
    added = run_mailkit("company", "add", "ferreteria-delnorte", "--name", "Ferretería del Norte",
                        "--tax-id", "FNO150315QX2", home=home)
    assert added.returncode == 0 and "added: ferreteria-delnorte" in added.stdout
    account = run_mailkit("account", "add", " Facturacion@Ferreteria-DelNorte.example ", "--company",
                          "ferreteria-delnorte", "--provider", "workspace", "--auth", "app-password",
                          "--tag", "invoices", home=home)
    assert account.returncode == 0, account.stderr
    listed = json.loads(run_mailkit("account", "list", "--json", home=home).stdout)
    assert listed[0]["email"] == "Facturacion@ferreteria-delnorte.example"
    assert (listed[0]["smtp_host"], listed[0]["imap_host"], listed[0]["auth"]) == (
        "smtp.gmail.com", "imap.gmail.com", "app_password")
    companies = json.loads(run_mailkit("company", "list", "--json", home=home).stdout)
    assert companies[0]["name"] == "Ferretería del Norte" and companies[0]["accounts"] == 1


def test_user_mistakes_exit_2_with_a_message_and_no_traceback(home):
    run_mailkit("init", home=home)
    missing = run_mailkit("account", "add", "a@gmail.com", "--company", "nope", home=home)
    assert missing.returncode == 2
    assert "no company 'nope'" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_mailkit("company", "add", "x", home=home)
    assert bad.returncode == 2 and "--name" in bad.stderr
    unknown = run_mailkit("check", "ghost@gmail.com", home=home)
    assert unknown.returncode == 2 and "no account" in unknown.stderr


def test_help_for_every_group(home):
    for group in ([], ["company"], ["account"], ["secret"]):
        result = run_mailkit(*group, "--help", home=home)
        assert result.returncode == 0 and "Usage" in result.stdout


def test_secret_set_reads_stdin_and_leaks_nowhere(home):
    env = SECRET_ENV
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=env)
    run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=home, env=env)
    run_mailkit("account", "add", "facturas.lupita@gmail.com", "--company", "lupita", "--auth", "app-password",
                home=home, env=env)
    outputs = []
    stored = run_mailkit("secret", "set", "facturas.lupita@gmail.com", "--no-test", "--json",
                         input="qwhk pznr tvbe lmsa\n", home=home, env=env)
    outputs.append(stored)
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["stored"] is True
    for args in (["account", "list", "--json"], ["company", "list"], ["account", "export", str(home / "x.csv")],
                 ["secret", "clear", "facturas.lupita@gmail.com"]):
        outputs.append(run_mailkit(*args, home=home, env=env))
    everything = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file() and p.suffix != ".cfg")
    everything += "".join(o.stdout + o.stderr for o in outputs).encode()
    for form in (b"qwhk pznr tvbe lmsa", b"qwhkpznrtvbelmsa", b"cXdoa3B6bnJ0dmJlbG1zYQ"):
        assert form not in everything
    assert "cleared app_password" in outputs[-1].stdout


def test_secret_set_rejects_a_bad_app_password_before_storing(home):
    env = SECRET_ENV
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=env)
    run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=home, env=env)
    run_mailkit("account", "add", "a@gmail.com", "--company", "lupita", "--auth", "app-password", home=home, env=env)
    result = run_mailkit("secret", "set", "a@gmail.com", "--no-test", input="Lupita-2019!\n", home=home, env=env)
    assert result.returncode == 2 and "app_password" in result.stderr
    assert "Lupita-2019!" not in result.stderr + result.stdout


def test_secret_set_without_any_keyring_says_what_to_choose(home):
    run_mailkit("init", home=home)
    run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=home)
    run_mailkit("account", "add", "a@gmail.com", "--company", "lupita", "--auth", "app-password", home=home)
    result = run_mailkit("secret", "set", "a@gmail.com", "--no-test", input="abcdefghijklmnop\n", home=home,
                         env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 2
    assert "no usable keyring backend" in result.stderr and "cryptfile" in result.stderr


def test_oauth_account_secret_set_points_to_oauth_login(home):
    run_mailkit("init", home=home)
    run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=home)
    run_mailkit("account", "add", "a@gmail.com", "--company", "lupita", "--auth", "oauth2", home=home)
    result = run_mailkit("secret", "set", "a@gmail.com", input="x\n", home=home)
    assert result.returncode == 2 and "mailkit oauth login a@gmail.com" in result.stderr


def test_account_remove_takes_its_secrets_along(home):
    env = SECRET_ENV
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=env)
    run_mailkit("company", "add", "lupita", "--name", "Abarrotes Lupita", home=home, env=env)
    run_mailkit("account", "add", "a@gmail.com", "--company", "lupita", "--auth", "app-password", home=home, env=env)
    run_mailkit("secret", "set", "a@gmail.com", "--no-test", input="abcd efgh ijkl mnop\n", home=home, env=env)
    removed = run_mailkit("account", "remove", "a@gmail.com", "--json", home=home, env=env)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == {"removed": "a@gmail.com", "secrets_cleared": ["app_password"]}
    assert json.loads(run_mailkit("account", "list", "--json", home=home, env=env).stdout) == []
    run_mailkit("account", "add", "a@gmail.com", "--company", "lupita", "--auth", "app-password", home=home, env=env)
    cleared = run_mailkit("secret", "clear", "a@gmail.com", home=home, env=env)
    assert "no secret stored for a@gmail.com" in cleared.stdout


def test_cli_start_leaves_heavy_modules_unloaded():
    """`mailkit --help` must start quickly: keyring, the SMTP engine and pandas load only for the commands
    that use them."""
    import subprocess
    import sys

    probe = ("import sys, mailkit.cli; print(' '.join(m for m in ('keyring', 'mailkit.secrets.store', "
             "'mailkit.checks.smtp', 'pandas', 'openpyxl', 'requests') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []


def test_account_add_moves_an_account_only_with_move(home):
    run_mailkit("init", home=home)
    for slug in ("uno", "dos"):
        run_mailkit("company", "add", slug, "--name", slug.title(), home=home)
    run_mailkit("account", "add", "a@gmail.com", "--company", "uno", home=home)
    refused = run_mailkit("account", "add", "a@gmail.com", "--company", "dos", home=home)
    assert refused.returncode == 2 and "--move" in refused.stderr
    moved = run_mailkit("account", "add", "a@gmail.com", "--company", "dos", "--move", home=home)
    assert moved.returncode == 0, moved.stderr
    assert "updated" in moved.stdout and "in dos" in moved.stdout
    listed = json.loads(run_mailkit("account", "list", "--json", home=home).stdout)
    assert [row["company"] for row in listed] == ["dos"]
