"""Every `--json` output is strict JSON (no NaN, no Infinity): what a script in any language can parse.

The commands are found by walking the CLI, so a new command with `--json` fails here until it is run below.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailkit.assets import SAMPLE_INVENTORY, asset_path
from tests.cli_helpers import run_mailkit

LUPITA = "facturas.lupita@gmail.com"
APP_PASSWORD = "qwhk pznr tvbe lmsa"  # its fake app password in the sandbox


def refuse_constant(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


def commands_with_json() -> set[str]:
    """'account list', 'report', ...: every command whose options include --json."""
    import typer.main

    from mailkit.cli import app

    found: set[str] = set()

    def walk(command, prefix: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{prefix} {name}".strip())
        if any("--json" in getattr(p, "opts", ()) for p in getattr(command, "params", ())):
            found.add(prefix)

    walk(typer.main.get_command(app), "")
    return found


def invocations(tmp_path: Path, sandbox) -> list[tuple[str, list[str], str]]:
    """(command, arguments, stdin) in an order that makes each meaningful; never-checked accounts included."""
    out = tmp_path / "accounts.csv"
    return [
        ("init", ["init"], ""),
        ("account import", ["account", "import", str(asset_path(SAMPLE_INVENTORY))], ""),
        ("company add", ["company", "add", "acme", "--name", "Acme"], ""),
        ("company list", ["company", "list"], ""),
        ("account add", ["account", "add", "x@nowhere.invalid", "--company", "acme"], ""),
        ("account list", ["account", "list"], ""),
        ("account detect", ["account", "detect"], ""),
        ("account export", ["account", "export", str(out)], ""),
        ("secret set", ["secret", "set", LUPITA], APP_PASSWORD + "\n"),
        ("check", ["check", LUPITA, "--imap"], ""),
        ("audit", ["audit", "--company", "abarrotes-lupita"], ""),
        ("report", ["report"], ""),
        ("domains check", ["domains", "check", "--timeout", "1", "--deadline", "2"], ""),
        ("twostep check", ["twostep", "check", "--company", "abarrotes-lupita"], ""),
        ("twostep confirm", ["twostep", "confirm", LUPITA, "--state", "on", "--by", "Ana"], ""),
        ("twostep setup", ["twostep", "setup", "--admin", "admin@ferreteria-delnorte.example", "--no-test",
                           "--service-account", str(sandbox.state_dir / "service_account.json")], ""),
        ("workspace users", ["workspace", "users", "ferreteria-delnorte.example"], ""),
        ("workspace app-passwords", ["workspace", "app-passwords", "ferreteria-delnorte.example"], ""),
        ("workspace tokens", ["workspace", "tokens", "ferreteria-delnorte.example", "--all-scopes"], ""),
        ("oauth client", ["oauth", "client", sandbox.info["client_config"]], ""),
        ("oauth login", ["oauth", "login", "citas.tallerruiz@gmail.com", "--no-browser", "--timeout", "1"], ""),
        ("oauth status", ["oauth", "status"], ""),
        ("oauth clients", ["oauth", "clients"], ""),
        ("oauth revoke", ["oauth", "revoke", "citas.tallerruiz@gmail.com"], ""),
        ("secret clear", ["secret", "clear", LUPITA], ""),
        ("account remove", ["account", "remove", "x@nowhere.invalid"], ""),
        ("schedule install", ["schedule", "install", "--every", "6h", "--via", "print"], ""),
        ("schedule status", ["schedule", "status"], ""),
        ("forecast", ["forecast", "--days", "30"], ""),
        ("digest via", ["digest", "via", LUPITA], ""),
        ("digest sender", ["digest", "sender", "zamowienia.nowak@gmail.com", "--auth", "app-password", "--provider",
                           "gmail"], "poiu lkjh mnbv qwer\n"),
        ("sandbox age", ["sandbox", "age", "recuperacion.lupita@gmail.com", "--published"], ""),  # it has no grants
        ("workspace connect", ["workspace", "connect", "ferreteria-delnorte.example", "--service-account",
                               str(sandbox.state_dir / "service_account.json"), "--check",
                               "facturacion@ferreteria-delnorte.example"], ""),
        ("workspace status", ["workspace", "status"], ""),
        ("workspace signer", ["workspace", "signer", "ops@mayorista-ti.example", "--no-browser", "--timeout", "1"],
         ""),
    ]


@pytest.fixture
def silent_dns(dns_server):
    return dns_server("silent")


def test_every_json_output_is_strict(tmp_path, sandbox_env, silent_dns):
    home = tmp_path / "ws"
    env = {"MAILKIT_SANDBOX": str(sandbox_env.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "MAILKIT_NAMESERVER": silent_dns.address}
    planned = invocations(tmp_path, sandbox_env)
    assert {name for name, _, _ in planned} == commands_with_json(), "run every command that has --json here"
    for name, args, stdin in planned:
        done = run_mailkit(*args, "--json", home=home, input=stdin, env=env, timeout=90)
        assert done.returncode in (0, 1), f"{name}: exit {done.returncode}: {done.stderr}"
        try:
            json.loads(done.stdout, parse_constant=refuse_constant)
        except ValueError as exc:
            pytest.fail(f"`mailkit {name} --json` printed no strict JSON ({exc}): {done.stdout[:300]}")
    report = json.loads(run_mailkit("report", "--json", home=home, env=env).stdout)
    never_checked = next(a for a in report["accounts"] if a["email"] == "sklep.nowak@gmail.com")
    assert never_checked["last_ok"] is None and never_checked["reply_code"] is None
