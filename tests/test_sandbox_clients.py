"""The sandbox with ordinary mail clients an admin already has: msmtp over XOAUTH2 and with an app
password (Debian package `msmtp`, installed by .ci/run)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.sandbox_fixtures import access_token

pytestmark = pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp is not installed (Debian `msmtp`)")

MESSAGE = "From: {sender}\nTo: cliente@example.com\nSubject: {subject}\n\nFactura adjunta.\n"


def run_msmtp(tmp_path, sandbox, sender: str, auth: str, secret: str, *,
              tls_starttls: bool) -> subprocess.CompletedProcess:
    listener = sandbox.info["smtp" if tls_starttls else "smtps"]
    config = tmp_path / "msmtprc"
    config.write_text(
        "account sandbox\n"
        f"host localhost\nport {listener['port']}\n"
        f"tls on\ntls_starttls {'on' if tls_starttls else 'off'}\ntls_trust_file {sandbox.info['ca_cert']}\n"
        f"auth {auth}\nuser {sender}\nfrom {sender}\n"
        f"passwordeval cat {tmp_path / 'secret'}\n"
        "account default : sandbox\n")
    config.chmod(0o600)
    (tmp_path / "secret").write_text(secret + "\n")
    return subprocess.run(["msmtp", "-C", str(config), "-t"], input=MESSAGE.format(sender=sender, subject=auth),
                          capture_output=True, text=True, timeout=30)


def test_msmtp_xoauth2_with_a_sandbox_token(tmp_path, sandbox_env):
    email = "facturacion@ferreteria-delnorte.example"
    done = run_msmtp(tmp_path, sandbox_env, email, "xoauth2", access_token(sandbox_env, email), tls_starttls=True)
    assert done.returncode == 0, done.stderr
    assert [m.message["Subject"] for m in sandbox_env.messages] == ["xoauth2"]


def test_msmtp_app_password_on_implicit_tls_and_a_wrong_one(tmp_path, sandbox_env):
    done = run_msmtp(tmp_path, sandbox_env, "facturas.lupita@gmail.com", "plain", "qwhkpznrtvbelmsa",
                     tls_starttls=False)
    assert done.returncode == 0, done.stderr
    wrong = run_msmtp(tmp_path, sandbox_env, "facturas.lupita@gmail.com", "plain", "aaaabbbbccccdddd",
                      tls_starttls=False)
    assert wrong.returncode != 0 and "5.7.8" in wrong.stderr and "BadCredentials" in wrong.stderr
