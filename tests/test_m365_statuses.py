"""Microsoft 365's replies diagnosed: every reply of the sandbox's Exchange Online personality maps to its own
status (or Microsoft variant), worded for Microsoft with the admin-center or PowerShell step, in en/es/pl; and
`mailkit check` of the sandbox's flagged mailboxes says exactly that."""

from __future__ import annotations

import json
import string
import textwrap

import keyring
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backends import fail

from mailkit.diagnose import Diagnosis, classify_auth_failure, classify_reply
from mailkit.oauth.flow import ConsentResult
from mailkit.sandbox.outlook_replies import OUTLOOK_REPLIES
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import DEFAULTS, LEGACY, PASSWORDS, RETIRED, SMTPOFF, VENTAS, browser_login

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

S = Status
#: What each of Exchange Online's replies (outlook_replies.py) means. A new reply there must be added here.
EXPECTED: dict[str, tuple[Status, str]] = {
    "temporary_failure": (S.RATE_LIMITED, "temporary"), "starttls_first": (S.NOT_CONFIGURED, "anonymous"),
    "ready_for_tls": (S.OK, ""), "unrecognized_auth": (S.AUTH_MECHANISM_UNSUPPORTED, ""), "accepted": (S.OK, ""),
    "sender_ok": (S.OK, ""), "try_later_mail": (S.RATE_LIMITED, "temporary"), "recipient_ok": (S.OK, ""),
    "chunk_received": (S.OK, ""), "message_accepted": (S.OK, ""), "flushed": (S.OK, ""), "noop": (S.OK, ""),
    "closing": (S.OK, ""), "vrfy": (S.OK, ""), "help": (S.OK, ""), "invalid_recipient": (S.RECIPIENT_REJECTED, ""),
    "too_many_recipients": (S.RATE_LIMITED, "temporary"), "too_large": (S.MESSAGE_REJECTED, "size"),
    "auth_required": (S.NOT_CONFIGURED, "anonymous"), "bad_credentials": (S.BAD_CREDENTIALS, ""),
    "bad_token": (S.BAD_CREDENTIALS, "unexplained"), "smtp_auth_disabled": (S.SMTP_AUTH_DISABLED, ""),
    "security_defaults": (S.SECURITY_DEFAULTS, ""), "basic_auth_retired": (S.BASIC_AUTH_DISABLED, ""),
    "throttled": (S.RATE_LIMITED, ""), "app_password_required": (S.APP_PASSWORD_REQUIRED, "criteria"),
    "web_login_required": (S.APP_PASSWORD_REQUIRED, "criteria"), "send_as_denied": (S.SENDER_REJECTED, "send_as"),
    "daily_limit": (S.QUOTA_EXCEEDED, ""), "tenant_over_threshold": (S.TENANT_BLOCKED, ""),
    "tenant_ip_blocked": (S.TENANT_BLOCKED, "ip"),
}
#: The client's own protocol mistakes (EHLO first, bad syntax, commands out of order): mailkit never makes them,
#: and they say nothing about the account, so they stay `unknown` — but never `ok`.
PROTOCOL_ERRORS = {"ehlo_first", "syntax_in_parameters", "tls_already_active", "already_authenticated",
                   "auth_aborted", "cannot_decode", "nested_mail", "syntax_error", "mail_first", "rcpt_first",
                   "go_ahead", "unrecognized_command", "empty_helo"}
#: Statuses that say nothing specific about why a sign-in or a send failed.
GENERIC = {S.UNKNOWN, S.AUTH_MECHANISM_UNSUPPORTED}
FIELDS = {"octets": 1234, "message_id": "abc@contoso-mx.example", "account": VENTAS,
          "address": "jefe@contoso-mx.example"}
LANGS = ("en", "es", "pl")
server_names = st.builds(lambda pod, n, region: f"{pod}{n}PR01CA{n:04d}.{region}.prod.outlook.com",
                         st.text(string.ascii_uppercase, min_size=2, max_size=4), st.integers(0, 9999),
                         st.sampled_from(["namprd05", "eurprd04", "INDPRD01", "jpnprd01"]))


def test_every_outlook_reply_has_a_meaning_here() -> None:
    assert set(OUTLOOK_REPLIES) == set(EXPECTED) | PROTOCOL_ERRORS


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(EXPECTED)), sid=server_names, wrap=st.integers(20, 90), upper=st.booleans())
def test_every_outlook_reply_maps_to_its_status_however_it_is_wrapped(name: str, sid: str, wrap: int,
                                                                     upper: bool) -> None:
    """Any server name, any case, and the reply folded into continuation lines as a client may log it."""
    text = OUTLOOK_REPLIES[name].format(sid=sid, **FIELDS)
    text = text.upper() if upper else text
    code, rest = text[:3], text[4:]
    pieces = textwrap.wrap(rest, wrap, break_long_words=False, break_on_hyphens=False)  # servers break at spaces
    folded = "\r\n".join(f"{code}{'-' if i < len(pieces) - 1 else ' '}{piece}" for i, piece in enumerate(pieces))
    for reply in (text, folded):
        diagnosis = classify_reply(None, reply)
        assert (diagnosis.status, diagnosis.variant) == EXPECTED[name], (name, reply)


def test_refusals_are_never_generic_and_protocol_errors_never_ok() -> None:
    for name, (status, _) in EXPECTED.items():
        assert status not in GENERIC or name == "unrecognized_auth", name
    for name in PROTOCOL_ERRORS:
        assert classify_reply(None, OUTLOOK_REPLIES[name].format(sid="X", **FIELDS)).status is not S.OK, name


# --- provider-aware -------------------------------------------------------------------------------

def test_a_bare_535_5_7_3_is_microsofts_only_when_microsoft_said_it() -> None:
    bare = classify_reply(535, "5.7.3 Authentication unsuccessful")
    assert (bare.status, bare.variant) == (S.BAD_CREDENTIALS, "unexplained")
    microsoft = bare.cause("en", provider="microsoft365")
    assert "535 5.7.3" in microsoft and "multi-factor" in microsoft and "basic authentication is off" in microsoft
    assert "apppasswords" in bare.remedy("en", provider="gmail")  # Gmail's steps for a Gmail account
    assert "5.7.3" not in bare.cause("en", provider="gmail") + bare.cause("en", provider="custom")
    spoken = classify_reply(535, "5.7.3 Authentication unsuccessful [SGXP274CA0016.SGPP274.PROD.OUTLOOK.COM]")
    assert spoken.cause("en", provider="gmail") == microsoft  # the server that answered outranks the inventory


def test_a_refused_token_is_a_token_problem_but_smtp_auth_disabled_stays_itself() -> None:
    sid = "PH7PR17CA0021.namprd17.prod.outlook.com"
    token = classify_auth_failure(535, OUTLOOK_REPLIES["bad_token"].format(sid=sid), mechanism="XOAUTH2",
                                  challenge=None)
    assert (token.status, token.variant) == (S.OAUTH_TOKEN_INVALID, "")
    assert "SMTP.Send" in token.remedy("en", provider="microsoft365")
    disabled = classify_auth_failure(535, OUTLOOK_REPLIES["smtp_auth_disabled"].format(sid=sid),
                                     mechanism="XOAUTH2", challenge=None)
    assert disabled.status is S.SMTP_AUTH_DISABLED


@pytest.mark.parametrize(("reply", "status", "variant"), [
    ("550 5.7.705 Access denied, tenant has exceeded threshold", S.TENANT_BLOCKED, ""),
    ("550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", S.TENANT_BLOCKED, "ip"),
    ("550 5.7.708", S.TENANT_BLOCKED, "ip"),
    ("550 5.1.8 Access denied, bad outbound sender", S.SENDER_REJECTED, "restricted"),
    ("550 5.7.30", S.BASIC_AUTH_DISABLED, ""),
    ("550 5.7.60 SMTP; Client does not have permissions to send as this sender", S.SENDER_REJECTED, "send_as"),
    ("553 5.7.1 <a@b.mx>: Sender address rejected: not owned by user a@b.mx", S.SENDER_REJECTED, ""),
])
def test_microsofts_other_refusals(reply: str, status: Status, variant: str) -> None:
    diagnosis = classify_reply(None, reply)
    assert (diagnosis.status, diagnosis.variant) == (status, variant)


# --- the words ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "variant", "needles"), [
    (S.SMTP_AUTH_DISABLED, "", ["Set-CASMailbox -Identity a@contoso.mx -SmtpClientAuthenticationDisabled $false",
                                "$null", "Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
                                "`mailkit oauth login a@contoso.mx`", "--device-code"]),
    (S.SECURITY_DEFAULTS, "", ["Microsoft Entra", "`mailkit oauth login a@contoso.mx`", "--device-code"]),
    (S.BASIC_AUTH_DISABLED, "", ["550 5.7.30", "2026", "mailkit oauth client --microsoft",
                                 "`mailkit oauth login a@contoso.mx`"]),
    (S.TENANT_BLOCKED, "", ["5.7.705", "Microsoft Defender"]),
    (S.TENANT_BLOCKED, "ip", ["5.7.708", "onmicrosoft.com"]),
    (S.BAD_CREDENTIALS, "unexplained", ["535 5.7.3", "https://outlook.office.com", "mailkit oauth login"]),
    (S.NOT_CONFIGURED, "anonymous", ["530 5.7.57", "smtp.office365.com", "587", "STARTTLS"]),
    (S.SENDER_REJECTED, "send_as", ["554 5.2.252 SendAsDenied",
                                    "Add-RecipientPermission -Identity OTHER_ADDRESS -Trustee a@contoso.mx"]),
    (S.SENDER_REJECTED, "restricted", ["5.1.8", "Microsoft Defender", "24"]),
    (S.APP_PASSWORD_REQUIRED, "criteria", ["5.7.139", "Conditional Access", "mailkit oauth login"]),
    (S.OAUTH_WRONG_ACCOUNT, "", ["Microsoft", "mailkit oauth login a@contoso.mx"]),
    (S.NOT_CONFIGURED, "", ["Grant admin consent", "mailkit oauth login a@contoso.mx"]),
])
def test_microsoft_texts_name_the_exact_step_in_every_language(status: Status, variant: str,
                                                               needles: list[str]) -> None:
    diagnosis = Diagnosis(status, variant=variant)
    english = diagnosis.cause("en", provider="microsoft365") + diagnosis.remedy("en", provider="microsoft365",
                                                                                 email="a@contoso.mx")
    for needle in needles:
        assert needle in english, needle
    commands = [n for n in needles if n.startswith(("Set-", "Add-", "`mailkit", "$null"))]
    for lang in ("es", "pl"):
        text = diagnosis.cause(lang, provider="microsoft365") + diagnosis.remedy(lang, provider="microsoft365",
                                                                                email="a@contoso.mx")
        assert text != english and all(command in text for command in commands), (lang, text)
        assert "google" not in text.lower()


def test_a_microsoft_consent_result_speaks_of_microsoft(mws: Workspace) -> None:
    result = browser_login(mws, pick=VENTAS)
    assert result.provider == "microsoft365"
    data = result.to_dict("es")
    assert data["status"] == "oauth_wrong_account" and "Microsoft" in data["cause"]
    assert "Google" not in data["cause"] + data["remedy"]
    google = ConsentResult("a@gmail.com", "wrong_account", "picked b@gmail.com").to_dict("en")
    assert "Google" in google["cause"]


# --- `mailkit check` of the sandbox's flagged mailboxes, as an admin runs it ---------------------

def _check(ws: Workspace, sandbox: SandboxThread, email: str, lang: str) -> dict:
    env = {"MAILKIT_SANDBOX": str(sandbox.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "MAILKIT_LANG": lang}
    done = run_mailkit("check", email, "--json", home=ws.home, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("email", "status", "variant", "en_words", "es_words"), [
    (SMTPOFF, S.SMTP_AUTH_DISABLED, "", "SmtpClientAuthenticationDisabled $false", "heredar la configuración"),
    (DEFAULTS, S.SECURITY_DEFAULTS, "", "Manage security defaults", "valores predeterminados de seguridad"),
    (RETIRED, S.BASIC_AUTH_DISABLED, "", "mailkit oauth client --microsoft", "autenticación básica"),
])
def test_cli_check_of_each_flagged_mailbox_gives_its_status_cause_and_remedy(
        mws: Workspace, m365: SandboxThread, email: str, status: Status, variant: str, en_words: str,
        es_words: str) -> None:
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: the sandbox's file store holds the fake secrets
    secret_store(mws).set(email, SecretKind.PASSWORD, PASSWORDS[email])
    expected = Diagnosis(status, variant=variant)
    for lang, words in (("en", en_words), ("es", es_words)):
        data = _check(mws, m365, email, lang)
        assert data["status"] == status.value, data
        assert data["cause"] == expected.cause(lang, email=email, company="Contoso MX"), data["cause"]
        assert data["remedy"] == expected.remedy(lang, email=email, company="Contoso MX"), data["remedy"]
        assert words in data["remedy"] + data["cause"] and email in data["remedy"]
        assert PASSWORDS[email] not in json.dumps(data)


def test_cli_check_with_a_wrong_password_is_microsofts_bad_credentials(mws: Workspace, m365: SandboxThread) -> None:
    keyring.set_keyring(fail.Keyring())
    secret_store(mws).set(LEGACY, SecretKind.PASSWORD, "not the password")
    data = _check(mws, m365, LEGACY, "es")
    assert data["status"] == "bad_credentials" and "https://outlook.office.com" in data["remedy"]
    assert "Google" not in data["cause"] + data["remedy"]


def test_microsofts_sign_in_policy_refusal_is_no_proof_of_googles_2sv(workspace: Workspace) -> None:
    from mailkit.inventory import Inventory
    from mailkit.models import Company, build_account
    from mailkit.observations import twostep_on_observed

    criteria = classify_reply(None, OUTLOOK_REPLIES["app_password_required"].format(sid="X"))
    google = classify_reply(534, "5.7.9 Application-specific password required. https://support.google.com/mail/"
                                 "?p=InvalidSecondFactor x - gsmtp")
    assert (criteria.status, google.status) == (S.APP_PASSWORD_REQUIRED, S.APP_PASSWORD_REQUIRED)
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("contoso", "Contoso MX"))
        inventory.upsert_account(build_account(LEGACY, "contoso", provider_key="microsoft365", auth="password"))
        inventory.upsert_account(build_account("a@gmail.com", "contoso", provider_key="gmail", auth="app_password"))
        assert not twostep_on_observed(inventory, LEGACY, criteria, "`mailkit check`")
        assert twostep_on_observed(inventory, "a@gmail.com", google, "`mailkit check`")


@pytest.mark.parametrize(("email", "variant", "words"), [
    ("bloqueado@contoso-mx.example", "", "5.7.705"),
    ("ip-bloqueada@contoso-mx.example", "ip", "5.7.708"),
])
def test_a_blocked_tenant_signs_in_but_its_test_send_is_tenant_blocked(
        mws: Workspace, m365: SandboxThread, email: str, variant: str, words: str) -> None:
    """Exchange refuses MAIL FROM for the whole tenant: the sign-in was fine, the send is `tenant_blocked`."""
    from mailkit.inventory import Inventory
    from mailkit.models import build_account

    keyring.set_keyring(fail.Keyring())
    password = m365_fixtures.PASSWORDS[email]
    with Inventory.open(mws) as inventory:
        inventory.upsert_account(build_account(email, "contoso", provider_key="microsoft365", auth="password"))
    secret_store(mws).set(email, SecretKind.PASSWORD, password)
    env = {"MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    signed_in = run_mailkit("check", email, "--json", home=mws.home, env=env)
    assert signed_in.returncode == 0 and json.loads(signed_in.stdout)["status"] == "ok", signed_in.stdout
    done = run_mailkit("check", email, "--send", "--json", home=mws.home, env={**env, "MAILKIT_LANG": "es"})
    data = json.loads(done.stdout)
    expected = Diagnosis(S.TENANT_BLOCKED, variant=variant)
    assert done.returncode == 1 and data["status"] == "tenant_blocked", data
    assert data["cause"] == expected.cause("es", email=email, company="Contoso MX")
    assert data["remedy"] == expected.remedy("es", email=email, company="Contoso MX")
    assert words in data["cause"] and "Google" not in data["cause"] + data["remedy"]
    assert password not in done.stdout + done.stderr
