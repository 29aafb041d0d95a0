"""App passwords: normalising, one message per usual mistake (en/es/pl), test before storing, rotation."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest

from mailkit.errors import ValidationError
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.secrets.apppasswords import (
    MESSAGES,
    AppPasswordError,
    diagnose_app_password,
    message,
    normalize_app_password,
    secret_age_days,
    set_account_secret,
    validate_as_you_type,
)
from mailkit.secrets.store import SecretKind, secret_store
from tests.cli_helpers import run_mailkit

GOOD = "qwhk pznr tvbe lmsa"  # facturas.lupita@gmail.com's app password in the sandbox
EMAIL = "facturas.lupita@gmail.com"

#: Each usual mistake -> the problem it must be reported as.
MISTAKES = {
    "": "empty",
    "   ": "empty",
    "Recupera-2020!": "account_password",
    "qwhk pznr tvbe lms": "short",
    "qwhk pznr tvbe lmsaa": "long",
    "qwhk pznr tvbe lm5a": "digit",
    "123456": "verification_code",
    "contrasenadelacuentadelaempresa": "not_app_password",
}


@pytest.fixture
def inventory(workspace):
    with Inventory.open(workspace) as inv:
        inv.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inv.upsert_account(build_account(EMAIL, "lupita", provider_key="gmail", auth="app_password"))
        yield inv


@pytest.mark.parametrize("raw", ["qwhk pznr tvbe lmsa", "QWHK-PZNR-TVBE-LMSA", "qwhkpznrtvbelmsa",
                                 " qwhk\tpznr\ntvbe lmsa ", "QwHk.PzNr_TvBe·LmSa"])
def test_normalised_to_16_lower_case_letters(raw):
    assert normalize_app_password(raw) == "qwhkpznrtvbelmsa"


@pytest.mark.parametrize(("raw", "problem"), MISTAKES.items())
def test_each_usual_mistake_is_named(raw, problem):
    with pytest.raises(AppPasswordError) as caught:
        normalize_app_password(raw)
    assert caught.value.problem == problem
    assert isinstance(caught.value, ValidationError) and caught.value.field == "app_password"
    if raw.strip():
        assert raw.strip() not in str(caught.value)  # the secret never goes into the message


def test_every_mistake_has_its_own_message():
    texts = {}
    for raw in MISTAKES:
        with pytest.raises(AppPasswordError) as caught:
            normalize_app_password(raw)
        texts[caught.value.problem] = caught.value.reason
    assert len(set(texts.values())) == len(texts) == len(set(MISTAKES.values()))
    assert texts["short"].startswith("15 letters") and texts["long"].startswith("17 letters")
    assert "account password" in texts["account_password"]
    assert "'5'" in texts["digit"] and "'s'" in texts["digit"] and "character 15" in texts["digit"]


def test_the_account_password_itself_is_caught_even_when_it_is_letters_only():
    found = diagnose_app_password("Ventasventasvent", account_password="Ventasventasvent")
    assert found == ("same_as_password", {})


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_messages_are_translated(lang):
    for problem in MESSAGES:
        facts = {"n": 15, "pos": 3, "digit": "0", "letter": "o"}
        assert message(problem, lang, **facts) != message(problem, "en", **facts)
    with pytest.raises(AppPasswordError, match="15" if lang == "es" else "15 liter"):
        normalize_app_password("qwhk pznr tvbe lms", lang=lang)


def test_validate_as_you_type_never_raises():
    assert validate_as_you_type("") == (False, message("empty", "en"))
    assert validate_as_you_type("qwhk pz") == (False, "6 of 16 letters")
    assert validate_as_you_type("qwhk pznr tvbe lmsa")[0] is True
    assert validate_as_you_type("qwhk pznr tvbe lmsaxy")[1].startswith("18 letters")
    assert "digit '0'" in validate_as_you_type("qwhk pznr tvbe lm0a")[1]
    assert validate_as_you_type("Recupera-2020!", "es")[1] == message("account_password", "es")
    assert validate_as_you_type("qwhk", "pl") == (False, "4 z 16 liter")
    for weird in (None, 12345, b"bytes", "\x00\x01", "ąęółżź" * 3, string.punctuation):
        ok, text = validate_as_you_type(weird, "xx")  # type: ignore[arg-type]
        assert ok is False and text


def test_a_mistake_is_refused_before_anything_is_sent_or_stored(inventory, workspace):
    account = inventory.account(EMAIL)
    with pytest.raises(AppPasswordError, match="digit"):
        set_account_secret(inventory, account, "qwhk pznr tvbe lm0a", workspace=workspace)  # no sandbox needed
    assert secret_store(workspace).get(EMAIL, SecretKind.APP_PASSWORD) is None
    assert inventory.secret_facts(EMAIL) == {}


def test_tested_then_stored_with_its_date(sandbox_env, inventory, workspace):
    outcome = set_account_secret(inventory, inventory.account(EMAIL), "QWHK-PZNR-TVBE-LMSA", workspace=workspace)
    assert outcome.stored and outcome.status == "ok" and not outcome.replaced
    assert secret_store(workspace).get(EMAIL, SecretKind.APP_PASSWORD) == "qwhkpznrtvbelmsa"
    facts = inventory.secret_facts(EMAIL)["app_password"]
    assert facts["set_at"] == outcome.set_at and facts["verified_at"]
    assert secret_age_days(inventory, EMAIL) == 0
    later = datetime.fromisoformat(facts["set_at"]) + timedelta(days=40, hours=1)
    assert secret_age_days(inventory, EMAIL, now=later) == 40
    assert secret_age_days(inventory, EMAIL, kind="password") is None


def test_rotation_keeps_the_old_one_when_the_new_one_fails(sandbox_env, inventory, workspace):
    account = inventory.account(EMAIL)
    set_account_secret(inventory, account, GOOD, workspace=workspace)
    set_at = inventory.secret_facts(EMAIL)["app_password"]["set_at"]
    outcome = set_account_secret(inventory, account, "abcd efgh ijkl mnop", workspace=workspace)
    assert not outcome.stored and outcome.kept_previous
    assert outcome.status == "bad_credentials"
    assert "The stored one was kept" in outcome.message and "abcdefghijklmnop" not in outcome.message
    assert secret_store(workspace).get(EMAIL, SecretKind.APP_PASSWORD) == "qwhkpznrtvbelmsa"
    assert inventory.secret_facts(EMAIL)["app_password"]["set_at"] == set_at


def test_rotation_replaces_a_revoked_one_once_the_new_one_signs_in(sandbox_env, inventory, workspace):
    account = inventory.account(EMAIL)
    set_account_secret(inventory, account, "zxcv bnml asdf ghjk", test=False, workspace=workspace)  # revoked
    old = inventory.secret_facts(EMAIL)["app_password"]
    assert old["verified_at"] is None
    outcome = set_account_secret(inventory, account, GOOD, workspace=workspace)
    assert outcome.stored and outcome.replaced and "replaced" in outcome.message
    assert secret_store(workspace).get(EMAIL, SecretKind.APP_PASSWORD) == "qwhkpznrtvbelmsa"
    assert inventory.secret_facts(EMAIL)["app_password"]["verified_at"]


def test_the_stored_account_password_pasted_as_app_password_is_named(sandbox_env, workspace):
    with Inventory.open(workspace) as inv:
        inv.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inv.upsert_account(build_account("recuperacion.lupita@gmail.com", "lupita", provider_key="gmail",
                                         auth="app_password"))
        secret_store(workspace).set("recuperacion.lupita@gmail.com", SecretKind.PASSWORD, "Recupera-2020!")
        with pytest.raises(AppPasswordError) as caught:
            set_account_secret(inv, inv.account("recuperacion.lupita@gmail.com"), "Recupera-2020!",
                               workspace=workspace)
    assert caught.value.problem == "same_as_password"


def test_cli_secret_set_rejects_a_digit_with_its_message(workspace, inventory):
    done = run_mailkit("secret", "set", EMAIL, input="qwhk pznr tvbe lm0a\n", home=workspace.home,
                       env={"MAILKIT_LANG": "es"})
    assert done.returncode == 2
    assert "dígito '0'" in done.stderr and "letra 'o'" in done.stderr
    assert "lm0a" not in done.stderr + done.stdout


def test_timestamps_are_utc(inventory):
    inventory.record_secret_set(EMAIL, "app_password")
    assert datetime.fromisoformat(inventory.secret_facts(EMAIL)["app_password"]["set_at"]).tzinfo == UTC
