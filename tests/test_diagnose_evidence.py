"""When the evidence in a reply disagrees, the most specific wins: help-link key, then key phrase, then
enhanced code, then reply code or step."""

from __future__ import annotations

import pytest

from mailkit.diagnose import classify_reply
from mailkit.status import Status


@pytest.mark.parametrize(
    ("code", "text", "step", "expected", "why"),
    [
        (534, "5.7.9 Please log in with your web browser and then try again. Learn more at\n"
              "5.7.9  https://support.google.com/mail/?p=WebLoginRequired x1 - gsmtp", "auth",
         Status.WEB_LOGIN_REQUIRED, "key and phrase outrank 534 5.7.9 (the app-password code)"),
        (534, "5.7.9 Sign-in refused. https://support.google.com/mail/?p=WebLoginRequired", "auth",
         Status.WEB_LOGIN_REQUIRED, "the key alone outranks 534 5.7.9"),
        (534, "5.7.9 Application-specific password required. https://support.google.com/mail/?p=WebLoginRequired",
         "auth", Status.WEB_LOGIN_REQUIRED, "the key outranks the phrase"),
        (535, "5.7.8 Try later. https://support.google.com/mail/answer/7126229", "auth", Status.RATE_LIMITED,
         "a key outranks the 535 reply code"),
        (550, "5.7.1 Daily SMTP relay limit exceeded for customer.", "mail", Status.QUOTA_EXCEEDED,
         "the phrase outranks 550 5.7.1 and the MAIL step"),
        (550, "5.1.90 Your message can't be sent because you've reached your daily limit for message recipients",
         "rcpt", Status.QUOTA_EXCEEDED, "the phrase outranks the 5.1.x enhanced code and the RCPT step"),
        (530, "5.7.57 Client not authenticated to send mail.", "mail", Status.NOT_CONFIGURED,
         "the phrase outranks the MAIL step"),
        (550, "5.4.5 Something about limits", "rcpt", Status.QUOTA_EXCEEDED, "the enhanced code outranks the step"),
        (550, "no such thing here", "rcpt", Status.RECIPIENT_REJECTED, "only the step is left"),
        (535, "5.7.139 Authentication unsuccessful, basic authentication is disabled.", "auth",
         Status.BASIC_AUTH_DISABLED, "the phrase outranks 535"),
        (535, "5.7.139 Authentication unsuccessful. Visit https://aka.ms/smtp_auth_disabled", "auth",
         Status.SMTP_AUTH_DISABLED, "Microsoft's short link is a key"),
        (535, "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. "
         "Visit https://aka.ms/smtp_auth_disabled", "auth", Status.SMTP_AUTH_DISABLED,
         "the short link outranks the security-defaults phrase"),
        (250, "2.0.0 OK but https://support.google.com/mail/?p=BadCredentials", "data", Status.OK,
         "a 2xx reply is ok whatever it says"),
    ],
)
def test_the_most_specific_evidence_wins(code: int, text: str, step: str, expected: Status, why: str) -> None:
    assert classify_reply(code, text, step=step).status is expected, why


@pytest.mark.parametrize("text", ["451 4.3.0 Mail server temporarily rejected message.",
                                  "452 4.5.3 Your message has too many recipients.",
                                  "4.7.0 Temporary problem, no reply code given"])
def test_an_unrecognised_4xx_is_temporary_with_its_own_words(text: str) -> None:
    diagnosis = classify_reply(None, text)
    assert (diagnosis.status, diagnosis.variant) == (Status.RATE_LIMITED, "temporary")
    assert "temporary (4xx)" in diagnosis.cause("en", provider="custom")
    assert "temporal" in diagnosis.cause("es") and "tymczasow" in diagnosis.cause("pl")


def test_an_unrecognised_5xx_stays_unknown_with_its_text() -> None:
    diagnosis = classify_reply(None, "554 5.9.1 Odd things happened to msg 77")
    assert diagnosis.status is Status.UNKNOWN and "Odd things happened" in diagnosis.raw


def test_the_rule_table_is_ordered_from_most_to_least_specific() -> None:
    from mailkit.diagnose import _RULES

    ranks = [rule.rank for rule in _RULES]
    assert ranks == sorted(ranks, reverse=True)
    assert set(ranks) == {4, 3, 2, 1}
