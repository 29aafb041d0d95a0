"""The same status gets Google's, Microsoft's or a neutral cause and remedy by the account's provider;
app-password format rules apply only where the provider has that format."""

from __future__ import annotations

import re

import pytest

from mailkit.diagnose import Diagnosis, texts_for
from mailkit.diagnose_texts import MICROSOFT, NEUTRAL, TEXTS
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.providers import PROVIDERS
from mailkit.secrets.apppasswords import (
    AppPasswordError,
    has_google_format,
    normalize_secret,
    set_account_secret,
    validate_as_you_type,
)
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status

LANGS = ("en", "es", "pl")
PROVIDER_KEYS = [*PROVIDERS, "zoho-mail", None]
KEYS = sorted({key for table in (TEXTS, NEUTRAL, MICROSOFT) for key in table})
GOOGLE = re.compile(r"google|gmail|myaccount|apppasswords|16 (?:letters|letras|liter)|nslookup smtp\.gmail"
                    r"|587 or 465 for gmail", re.I)
LEFTOVER = re.compile(r"[{}]|\[\[|\]\]|  |\( *\)|\s[,;:]|\s\.(?:\s|$)")
CONTEXT = {"email": "facturas@acme.com.mx", "company": "Acme SA de CV", "host": "mail.acme.com.mx", "port": 587}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("provider", PROVIDER_KEYS)
def test_every_status_provider_and_language_has_a_text(key: str, provider: str | None) -> None:
    status, _, variant = key.partition(":")
    diagnosis = Diagnosis(Status(status), variant=variant)
    for lang in LANGS:
        for context in ({}, CONTEXT):
            cause = diagnosis.cause(lang, provider=provider, **context)
            remedy = diagnosis.remedy(lang, provider=provider, **context)
            assert len(cause) > 20 and len(remedy) > 10 and cause != remedy
            assert not LEFTOVER.search(cause + " " + remedy), (cause, remedy)
            if provider not in {None, "gmail", "workspace"}:
                assert not GOOGLE.search(cause + " " + remedy), (provider, key, lang, cause, remedy)


def test_no_status_is_missing_from_any_provider() -> None:
    for status in Status:
        for provider in PROVIDER_KEYS:
            assert set(texts_for(status.value, "", provider)) == set(LANGS)


@pytest.mark.parametrize("table", [NEUTRAL, MICROSOFT], ids=["neutral", "microsoft"])
def test_provider_tables_are_translated_and_not_copy_pasted(table: dict) -> None:
    for lang in LANGS:
        causes = [entry[lang][0] for entry in table.values()]
        assert len(set(causes)) == len(causes)
        if lang != "en":
            assert all(entry[lang] != entry["en"] for entry in table.values())


def test_bad_password_on_a_custom_server_points_to_the_provider_not_google() -> None:
    remedy = Diagnosis(Status.BAD_CREDENTIALS).remedy("en", provider="custom", email="a@acme.mx")
    assert "check the password with the mail provider" in remedy.lower()
    assert "`mailkit secret set a@acme.mx`" in remedy
    assert "apppasswords" in Diagnosis(Status.BAD_CREDENTIALS).remedy("en", provider="gmail")
    assert "apppasswords" in Diagnosis(Status.BAD_CREDENTIALS).remedy("en", provider="workspace")


def test_microsoft_gets_microsofts_steps() -> None:
    remedy = Diagnosis(Status.AUTH_MECHANISM_UNSUPPORTED).remedy("en", provider="microsoft365", email="a@b.mx")
    assert "Set-CASMailbox" in remedy and "`mailkit oauth login a@b.mx`" in remedy
    assert "smtp.office365.com" in Diagnosis(Status.DNS_ERROR).remedy("es", provider="m365")
    assert Diagnosis(Status.TIMEOUT).cause("en", provider="microsoft365") == \
        Diagnosis(Status.TIMEOUT).cause("en", provider="custom")  # no Microsoft text: the neutral one


def test_custom_dns_and_refused_remedies_name_the_accounts_host() -> None:
    assert "`nslookup mail.acme.com.mx`" in Diagnosis(Status.DNS_ERROR).remedy("en", provider="custom", **CONTEXT)
    assert "`nslookup HOST`" in Diagnosis(Status.DNS_ERROR).remedy("en", provider="custom")
    assert "587 or 465 for Gmail" in Diagnosis(Status.CONNECTION_REFUSED).remedy("en", provider="gmail")


def test_dict_view_passes_the_provider_through() -> None:
    data = Diagnosis(Status.APP_PASSWORD_REQUIRED).to_dict("pl", provider="custom", email="a@b.pl")
    assert "Google" not in data["cause"] + data["remedy"] and "a@b.pl" in data["remedy"]


# --- app-password format only where the provider has one ----------------------------------------

@pytest.mark.parametrize(("provider", "google"), [("gmail", True), ("workspace", True), ("custom", False),
                                                  ("microsoft365", False), (None, False)])
def test_only_google_has_the_16_letter_format(provider: str | None, google: bool) -> None:
    assert has_google_format(provider) is google


def test_a_custom_servers_app_password_is_taken_as_typed() -> None:
    fastmail_style = "4g7x2k9m5q8w3r6t"  # letters and digits: Google's rule would call it the account password
    assert normalize_secret(f" {fastmail_style} ", "custom") == fastmail_style
    assert normalize_secret("Kompl3x!Pass word", "custom") == "Kompl3x!Pass word"
    with pytest.raises(AppPasswordError) as caught:
        normalize_secret("   ", "custom", lang="es")
    assert caught.value.problem == "empty_secret" and "Google" not in str(caught.value)
    with pytest.raises(AppPasswordError) as caught:
        normalize_secret(fastmail_style, "gmail")
    assert caught.value.problem == "account_password"
    assert normalize_secret("QWHK-PZNR-TVBE-LMSA", "workspace") == "qwhkpznrtvbelmsa"


def test_typing_on_a_custom_server_is_not_judged_by_googles_rule() -> None:
    ok, said = validate_as_you_type("4g7x2k9m5q8w3r6t", "es", provider="custom")
    assert ok and "formato fijo" in said and "16" not in said
    assert validate_as_you_type("", "pl", provider="custom")[0] is False
    assert validate_as_you_type("4g7x2k9m5q8w3r6t", "en", provider="gmail")[0] is False


def test_a_custom_accounts_app_password_is_stored_as_typed(workspace) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        inventory.upsert_account(build_account("facturas@acme.com.mx", "acme", provider_key="custom",
                                               auth="app_password", smtp_host="mail.acme.com.mx"))
        gmail = build_account("x@gmail.com", "acme", provider_key="gmail", auth="app_password")
        inventory.upsert_account(gmail)
        account = inventory.account("facturas@acme.com.mx")
        outcome = set_account_secret(inventory, account, "4g7x2k9m5q8w3r6t", test=False, workspace=workspace)
        assert outcome.stored
        assert secret_store(workspace).get(account.email, SecretKind.APP_PASSWORD) == "4g7x2k9m5q8w3r6t"
        with pytest.raises(AppPasswordError):
            set_account_secret(inventory, inventory.account("x@gmail.com"), "4g7x2k9m5q8w3r6t", test=False,
                               workspace=workspace)


# --- the account's provider reaches what the admin reads: check, audit, report, secret set -------

SECRET_ENV = {"MAILKIT_KEYRING_PASSPHRASE": "provider test passphrase",
              "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_check_audit_and_report_speak_of_the_accounts_provider(tmp_path) -> None:
    import csv
    import json

    from tests.cli_helpers import run_mailkit

    home, port = tmp_path / "ws", _closed_port()
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=SECRET_ENV)
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home, env=SECRET_ENV)
    for email, provider in (("facturas@acme.com.mx", "custom"), ("ventas@acme.com.mx", "workspace")):
        added = run_mailkit("account", "add", email, "--company", "acme", "--provider", provider, "--auth",
                            "password", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--security",
                            "starttls", *(["--allow-insecure"] if provider == "workspace" else []),
                            home=home, env=SECRET_ENV)  # a Workspace account on a local server: on purpose
        assert added.returncode == 0, added.stderr
        stored = run_mailkit("secret", "set", email, "--no-test", input="Kompl3x-pass\n", home=home, env=SECRET_ENV)
        assert stored.returncode == 0, stored.stderr
    custom = json.loads(run_mailkit("check", "facturas@acme.com.mx", "--json", home=home, env=SECRET_ENV).stdout)
    google = json.loads(run_mailkit("check", "ventas@acme.com.mx", "--json", home=home, env=SECRET_ENV).stdout)
    assert custom["status"] == google["status"] == "connection_refused"
    assert not GOOGLE.search(custom["cause"] + custom["remedy"]) and "587" in custom["remedy"]
    assert "Gmail" in google["remedy"]
    printed = run_mailkit("check", "facturas@acme.com.mx", home=home, env=SECRET_ENV)
    assert "remedy:" in printed.stdout and not GOOGLE.search(printed.stdout)

    audit = run_mailkit("audit", "--json", home=home, env=SECRET_ENV)
    rows = {row["email"]: row for row in json.loads(audit.stdout)["results"]}
    assert not GOOGLE.search(rows["facturas@acme.com.mx"]["remedy"])
    assert "Gmail" in rows["ventas@acme.com.mx"]["remedy"]
    report = run_mailkit("report", "--output", str(tmp_path / "r.csv"), home=home, env=SECRET_ENV)
    assert report.returncode in (0, 1), report.stderr
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as handle:
        table = {row["email"]: row for row in csv.DictReader(handle)}
    assert not GOOGLE.search(table["facturas@acme.com.mx"]["cause"] + table["facturas@acme.com.mx"]["remedy"])
    assert "Gmail" in table["ventas@acme.com.mx"]["remedy"]


def test_secret_set_takes_a_custom_servers_app_password_as_typed(tmp_path) -> None:
    from tests.cli_helpers import run_mailkit

    home = tmp_path / "ws"
    run_mailkit("init", "--keyring", "cryptfile", home=home, env=SECRET_ENV)
    run_mailkit("company", "add", "acme", "--name", "Acme", home=home, env=SECRET_ENV)
    run_mailkit("account", "add", "a@acme.com.mx", "--company", "acme", "--provider", "custom", "--auth",
                "app-password", "--smtp-host", "mail.acme.com.mx", home=home, env=SECRET_ENV)
    run_mailkit("account", "add", "b@gmail.com", "--company", "acme", "--auth", "app-password", home=home,
                env=SECRET_ENV)
    custom = run_mailkit("secret", "set", "a@acme.com.mx", "--no-test", input="4g7x2k9m5q8w3r6t\n", home=home,
                         env=SECRET_ENV)
    assert custom.returncode == 0, custom.stderr
    gmail = run_mailkit("secret", "set", "b@gmail.com", "--no-test", input="4g7x2k9m5q8w3r6t\n", home=home,
                        env=SECRET_ENV)
    assert gmail.returncode == 2 and "4g7x2k9m5q8w3r6t" not in gmail.stdout + gmail.stderr


def test_the_app_password_form_judges_only_googles_format(workspace) -> None:
    from mailkit.ui import AppPasswordForm

    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        inventory.upsert_account(build_account("a@acme.com.mx", "acme", provider_key="custom", auth="app_password",
                                               smtp_host="mail.acme.com.mx"))
        inventory.upsert_account(build_account("b@gmail.com", "acme", provider_key="gmail", auth="app_password"))
    custom = AppPasswordForm(workspace, email="a@acme.com.mx", lang="en")
    custom.secret.value = "4g7x2k9m5q8w3r6t"
    assert "mailkit-apppw-ok" in custom.feedback.value and "16" not in custom.feedback.value
    google = AppPasswordForm(workspace, email="b@gmail.com", lang="en")
    google.secret.value = "4g7x2k9m5q8w3r6t"
    assert "mailkit-apppw-hint" in google.feedback.value


def test_the_troubleshooter_and_bulk_panel_speak_of_the_accounts_provider(workspace) -> None:
    from mailkit.ui import BulkPanel, TroubleshootWizard

    port = _closed_port()
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("acme", "Acme"))
        for email, provider in (("facturas@acme.com.mx", "custom"), ("ventas@acme.com.mx", "workspace")):
            inventory.upsert_account(build_account(email, "acme", provider_key=provider, auth="password",
                                                   smtp_host="127.0.0.1", smtp_port=port, security="starttls",
                                                   allow_insecure=provider == "workspace"))
            secret_store(workspace).set(email, SecretKind.PASSWORD, "Kompl3x-pass")
    wizard = TroubleshootWizard(workspace, email="facturas@acme.com.mx", lang="es")
    wizard.run.click()
    assert "data-status='connection_refused'" in wizard.verdict.value
    assert not GOOGLE.search(wizard.verdict.value)
    wizard.account.value = "ventas@acme.com.mx"
    wizard.run.click()
    assert "Gmail" in wizard.verdict.value

    bulk = BulkPanel(workspace, companies=["acme"], lang="pl")
    bulk.start.click()
    groups = bulk.table.body.value.split("<tr class='mailkit-group'")[1:]  # a group's cause and remedy, its rows
    rows = {name: group for group in groups for name in ("facturas", "ventas")
            if re.search(rf"{name}@(?:<wbr>)?acme\.com\.mx", group)}
    assert set(rows) == {"facturas", "ventas"}
    assert not GOOGLE.search(rows["facturas"]) and "Gmail" in rows["ventas"]


def test_the_server_that_answered_outranks_the_inventory_provider() -> None:
    from mailkit.diagnose import classify_reply, spoken_provider

    google = classify_reply(535, "535-5.7.8 Username and Password not accepted. For more information, go to\n"
                                 "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1sm2 - gsmtp")
    assert "apppasswords" in google.remedy("en", provider="custom")  # a "custom" account on smtp.gmail.com
    microsoft = classify_reply(535, "5.7.139 Authentication unsuccessful, the user credentials were incorrect. "
                                    "[PH0PR07CA0004.namprd07.prod.outlook.com]")
    assert "outlook.office.com" in microsoft.remedy("en")  # no provider given: the reply says Microsoft
    plain = classify_reply(535, "5.7.8 Error: authentication failed: authentication failure")
    assert plain.remedy("en", provider="custom") == Diagnosis(Status.BAD_CREDENTIALS).remedy("en", provider="zoho")
    assert spoken_provider("421 4.7.0 Try again later, closing connection. (EHLO) o24sm3 - gsmtp") == "workspace"
    assert spoken_provider("535 5.7.139 ... Visit https://aka.ms/smtp_auth_disabled") == "microsoft365"
    assert spoken_provider("NO [AUTHENTICATIONFAILED] Authentication failed.") is None
