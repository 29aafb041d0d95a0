"""The digest mail, for real: `mailkit audit --digest-to` in a subprocess against the sandbox, the mail read from
the sandbox's mailstore, its HTML rendered in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from mailkit.digest import DigestContent, build_message
from mailkit.digest.changes import Change
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.store import load_bundle
from mailkit.sandbox.aging import Aging, age
from mailkit.sandbox.runner import SandboxThread
from mailkit.workspace import Workspace
from tests.browser_fixtures import browser  # noqa: F401 - fixture
from tests.cli_helpers import run_mailkit
from tests.leak_scan import leaks, record, sandbox_secrets
from tests.test_audit import consent

APP = "facturas.lupita@gmail.com"
APP_PASSWORD = "qwhk pznr tvbe lmsa"
CITAS = "citas.tallerruiz@gmail.com"
AVISOS = "avisos.tallerruiz@gmail.com"
ADMIN = "admin@contadores.example"
ENV = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture
def fleet(tmp_path: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch):
    """Two companies in a sandbox of their own: an app password that works, an OAuth account that works and one
    whose grant the user revoked."""
    keyring.set_keyring(fail.Keyring())  # as in the subprocesses: secrets in the sandbox's file store
    running = SandboxThread(None, tmp_path / "sandbox")
    running.start()
    monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Facturas Lupita"))
        inventory.upsert_company(Company("taller", "Taller Ruiz"))
        inventory.upsert_account(build_account(APP, "lupita", provider_key="gmail", auth="app-password"))
        inventory.upsert_account(build_account(CITAS, "taller", provider_key="gmail", auth="oauth2"))
        inventory.upsert_account(build_account(AVISOS, "taller", provider_key="gmail", auth="oauth2"))
    run_mailkit("secret", "set", APP, "--no-test", input=APP_PASSWORD + "\n", home=workspace.home,
                env={**ENV, "MAILKIT_SANDBOX": str(running.info_path)})
    consent(running, workspace, CITAS)
    consent(running, workspace, AVISOS)
    running.grants.revoke_account(AVISOS)
    yield running
    running.stop()


def _audit(ws: Workspace, sandbox: SandboxThread, *args: str, lang: str = "en"):
    done = run_mailkit("--lang", lang, "audit", "--no-progress", "--json", "--digest-to", ADMIN, *args,
                       home=ws.home, env={**ENV, "MAILKIT_SANDBOX": str(sandbox.info_path)})
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _digests(sandbox: SandboxThread) -> list:
    return [m for m in sandbox.messages if ADMIN in m.recipients]


def _secrets(ws: Workspace) -> set[str]:
    tokens = {t for e in (CITAS, AVISOS) if (b := load_bundle(ws, e)) for t in (b.refresh_token, b.access_token)}
    return sandbox_secrets() | {t for t in tokens if t}


def test_the_digest_arrives_once_per_change_in_the_admins_language(fleet, workspace):
    first = _audit(workspace, fleet, lang="es")
    assert first["digest"]["state"] == "sent" and first["digest"]["via"] in (APP, CITAS)
    (mail,) = _digests(fleet)
    record("digest mail", mail.raw.decode("utf-8", "replace"))
    assert not leaks([("digest mail", mail.raw.decode("utf-8", "replace"))], _secrets(workspace))
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "mailkit: 1 recién rotas, 0 arregladas, 0 por romperse"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Taller Ruiz" in plain and "Recién rotas" in plain and AVISOS in plain and "oauth_reauth_required" in plain
    assert "mailkit oauth login" in plain  # the remedy, as the report words it
    assert '<section class="company" data-company="taller"><h2>Taller Ruiz</h2>' in html
    assert "Facturas Lupita" not in plain  # nothing changed there: no section

    again = _audit(workspace, fleet)  # nothing changed: nothing sent
    assert again["digest"]["state"] == "nothing_changed" and len(_digests(fleet)) == 1
    forced = _audit(workspace, fleet, "--digest-always", "--digest-attach")
    assert forced["digest"]["state"] == "sent" and len(_digests(fleet)) == 2
    attached = _digests(fleet)[-1].message
    assert attached.get_content_type() == "multipart/mixed"
    (xlsx,) = list(attached.iter_attachments())
    assert xlsx.get_filename() == "mailkit-report.xlsx" and xlsx.get_content().startswith(b"PK")

    age(Aging(APP, days=40, password_changed_days=3), fleet.state_dir)  # the app password is revoked
    broke = _audit(workspace, fleet)
    assert broke["digest"] == {"state": "sent", "to": ADMIN, "via": CITAS, "status": "ok", "detail": ""}
    latest = _digests(fleet)[-1].message
    plain = latest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert latest["Subject"] == "mailkit: 1 newly broken, 0 fixed, 0 breaking soon"
    assert "Facturas Lupita\n===============\nNewly broken:\n  ✗ facturas.lupita@gmail.com: bad_credentials" in plain
    assert APP_PASSWORD not in latest.as_string() and not leaks([("digest", latest.as_string())], _secrets(workspace))


def test_a_digest_with_no_account_to_send_through_says_so(fleet, workspace):
    fleet.grants.revoke_account(CITAS)
    workspace.set_setting("digest.via", AVISOS)  # the admin's choice is used even when it is broken
    done = _audit(workspace, fleet)
    assert done["digest"]["state"] == "failed" and done["digest"]["status"] == "oauth_reauth_required"
    assert not _digests(fleet)
    workspace.set_setting("digest.via", "nobody@example.com")
    refused = run_mailkit("audit", "--digest-to", ADMIN, home=workspace.home,
                          env={**ENV, "MAILKIT_SANDBOX": str(fleet.info_path)})
    assert refused.returncode == 2 and "digest.via" in refused.stderr
    bad = run_mailkit("audit", "--digest-to", "not-an-address", home=workspace.home, env=ENV)
    assert bad.returncode == 2 and "--digest-to" in bad.stderr


def test_the_admins_own_smtp_account_sends_it(fleet, workspace):
    """`mailkit digest sender`: the admin's own account (not in the inventory), its password in the secret store."""
    own = "zamowienia.nowak@gmail.com"
    env = {**ENV, "MAILKIT_SANDBOX": str(fleet.info_path)}
    set_up = run_mailkit("digest", "sender", own, "--auth", "app-password", "--provider", "gmail",
                         input="poiu lkjh mnbv qwer\n", home=workspace.home, env=env)
    assert set_up.returncode == 0 and "sign-in ok" in set_up.stdout, set_up.stderr
    assert "poiu" not in workspace.settings_path.read_text(encoding="utf-8")
    done = _audit(workspace, fleet)
    assert done["digest"]["via"] == own and done["digest"]["state"] == "sent", done["digest"]
    assert _digests(fleet)[-1].message["From"].addresses[0].addr_spec == own
    chosen = run_mailkit("digest", "via", CITAS, home=workspace.home, env=env)
    assert chosen.returncode == 0 and workspace.setting("digest.via") == CITAS
    forced = _audit(workspace, fleet, "--digest-always")
    assert forced["digest"]["via"] == CITAS


def _content() -> DigestContent:
    return DigestContent(7, 3, 1, [Change(AVISOS, "taller", "Taller Ruiz <b>&", "ok", "oauth_reauth_required"),
                                   Change(APP, "lupita", "Facturas Lupita", "bad_credentials", "ok")])


def test_the_html_escapes_what_it_shows_and_the_plain_part_matches():
    message = build_message(_content(), sender=CITAS, to=ADMIN, lang="pl",
                            texts={AVISOS: ("<script>x</script>", "mailkit oauth login")})
    html = message.get_body(("html",)).get_content()
    assert "<script>x" not in html and "&lt;script&gt;" in html and "Taller Ruiz &lt;b&gt;&amp;" in html
    plain = message.get_body(("plain",)).get_content()
    assert "Naprawione" in plain and "było bad_credentials, teraz ok" in plain


@pytest.mark.browser
def test_the_digest_html_renders_in_chromium(fleet, workspace, tmp_path, browser):  # noqa: F811
    _audit(workspace, fleet)
    html = _digests(fleet)[-1].message.get_body(("html",)).get_content()
    page = browser.new_page(viewport={"width": 900, "height": 600})
    try:
        page.set_content(html, wait_until="load")
        shot = tmp_path / "digest.png"
        page.screenshot(path=str(shot), full_page=True)
        assert "Taller Ruiz" in page.inner_text("body") and page.locator("section.company h2").count() == 1
        assert page.locator("h3.broken").evaluate("e => getComputedStyle(e).color") == "rgb(176, 0, 32)"
    finally:
        page.close()
    from PIL import Image

    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert image.size[0] == 900 and high - low > 100  # not blank: dark text on a light page
    assert sum(image.histogram()[:128]) > 500  # pixels of text


def test_the_scheduled_job_carries_the_digest_and_mails_it(fleet, workspace):
    env = {**ENV, "MAILKIT_SANDBOX": str(fleet.info_path)}
    printed = run_mailkit("schedule", "install", "--every", "6h", "--via", "print", "--digest-to", ADMIN,
                          "--digest-attach", home=workspace.home, env=env)
    assert printed.returncode == 0, printed.stderr
    assert f"schedule run --digest-to {ADMIN} --digest-attach" in printed.stdout
    ran = run_mailkit("schedule", "run", "--digest-to", ADMIN, "--digest-attach", home=workspace.home, env=env)
    assert ran.returncode == 0, ran.stderr
    (mail,) = _digests(fleet)
    assert mail.message.get_content_type() == "multipart/mixed" and "Taller Ruiz" in mail.raw.decode()
    log = (workspace.home / "logs" / "schedule.log").read_text(encoding="utf-8")
    assert f"digest sent to {ADMIN} through" in log
    again = run_mailkit("schedule", "run", "--digest-to", ADMIN, home=workspace.home, env=env)
    assert again.returncode == 0 and len(_digests(fleet)) == 1
    assert "digest not sent to admin@contadores.example: nothing changed" in (
        workspace.home / "logs" / "schedule.log").read_text(encoding="utf-8")
    refused = run_mailkit("schedule", "install", "--every", "6h", "--via", "print", "--digest-attach",
                          home=workspace.home, env=env)
    assert refused.returncode == 2 and "--digest-to" in refused.stderr
