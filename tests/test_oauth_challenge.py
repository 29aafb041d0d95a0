"""XOAUTH2/OAUTHBEARER refusals read by meaning: a missing scope only when the server names the scope it
wants and the token's grant is known to lack it; every other refusal is an invalid token."""

from __future__ import annotations

import base64
import json

import pytest

from mailkit.diagnose import classify_auth_failure
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.status import Status

DOVECOT_FAILED = "535 5.7.8 Authentication failed."
GOOGLE_BAD = "535-5.7.8 Username and Password not accepted. For more information, go to\n" \
             "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a05 - gsmtp"
SEND_ONLY = "https://www.googleapis.com/auth/gmail.send"


def b64json(data: dict) -> str:
    return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


# Dovecot 2.3's XOAUTH2 and OAUTHBEARER challenges, byte for byte as its submission service sends them.
DOVECOT_XOAUTH2 = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0="
DOVECOT_OAUTHBEARER = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0="
GOOGLE_400 = b64json({"status": "400", "schemes": "Bearer", "scope": MAIL_SCOPE})


@pytest.mark.parametrize(
    ("reply", "mechanism", "challenge", "granted", "expected"),
    [
        # Dovecot names its own scope "mail": a bad token, never "tick the Gmail box" (issue 11)
        (DOVECOT_FAILED, "XOAUTH2", DOVECOT_XOAUTH2, None, Status.OAUTH_TOKEN_INVALID),
        (DOVECOT_FAILED, "OAUTHBEARER", DOVECOT_OAUTHBEARER, None, Status.OAUTH_TOKEN_INVALID),
        # Google names the mail scope; the token has it: the token itself was refused (expired, revoked)
        (GOOGLE_BAD, "XOAUTH2", GOOGLE_400, (MAIL_SCOPE, "openid"), Status.OAUTH_TOKEN_INVALID),
        (GOOGLE_BAD, "XOAUTH2", GOOGLE_400, None, Status.OAUTH_TOKEN_INVALID),
        # ... and the token lacks it: the mail box was not ticked at consent
        (GOOGLE_BAD, "XOAUTH2", GOOGLE_400, (SEND_ONLY, "openid"), Status.OAUTH_SCOPE_MISSING),
        (GOOGLE_BAD, "XOAUTH2", "334 " + GOOGLE_400, (SEND_ONLY,), Status.OAUTH_SCOPE_MISSING),
        # a status that hints at scopes but names none is not proof of a missing scope
        (GOOGLE_BAD, "XOAUTH2", b64json({"status": "403", "schemes": "Bearer"}), (SEND_ONLY,),
         Status.OAUTH_TOKEN_INVALID),
        # a custom server that wants its own scope the grant does not hold
        (DOVECOT_FAILED, "XOAUTH2", DOVECOT_XOAUTH2, ("imap",), Status.OAUTH_SCOPE_MISSING),
        (DOVECOT_FAILED, "XOAUTH2", DOVECOT_XOAUTH2, ("mail", "imap"), Status.OAUTH_TOKEN_INVALID),
    ],
)
def test_oauth_refusal_by_meaning(reply: str, mechanism: str, challenge: str, granted: tuple[str, ...] | None,
                                  expected: Status) -> None:
    diagnosis = classify_auth_failure(None, reply, mechanism=mechanism, challenge=challenge, granted=granted)
    assert diagnosis.status is expected
    assert diagnosis.step == "auth"


def test_dovecot_challenge_is_kept_as_evidence() -> None:
    diagnosis = classify_auth_failure(None, DOVECOT_FAILED, mechanism="XOAUTH2", challenge=DOVECOT_XOAUTH2)
    assert '"scope": "mail"' in diagnosis.raw and diagnosis.code == 535


def test_imap_refusal_with_a_challenge_is_read_the_same_way() -> None:
    no = "NO [AUTHENTICATIONFAILED] Authentication failed."
    assert classify_auth_failure(None, no, mechanism="XOAUTH2", challenge=DOVECOT_XOAUTH2, protocol="imap",
                                 granted=None).status is Status.OAUTH_TOKEN_INVALID
    assert classify_auth_failure(None, no, mechanism="XOAUTH2", challenge=GOOGLE_400, protocol="imap",
                                 granted=(SEND_ONLY,)).status is Status.OAUTH_SCOPE_MISSING


def test_password_mechanisms_are_not_about_tokens() -> None:
    assert classify_auth_failure(None, DOVECOT_FAILED, mechanism="PLAIN", challenge=None,
                                 granted=(SEND_ONLY,)).status is Status.BAD_CREDENTIALS
