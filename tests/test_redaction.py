"""Redaction both ways: every spelling of a secret is hidden, and ordinary words never become [redacted]."""

from __future__ import annotations

import base64
import time

import pytest

from mailkit.checks.core import plain_string, xoauth2_string
from mailkit.diagnose import diagnosis_for
from mailkit.secrets.redaction import MASK, forget_all, is_strong, redact, redact_lines, remember, remember_login
from mailkit.status import Status

APP = "abcd efgh ijkl mnop"
WEAK = ["secret", "mailkit", "password1", "gmail"]


@pytest.fixture(autouse=True)
def clean_registry():
    forget_all()
    yield
    forget_all()


@pytest.mark.parametrize("spelling", [
    "abcd efgh ijkl mnop", "abcdefghijklmnop", "ABCD-EFGH-IJKL-MNOP", "ABCDEFGHIJKLMNOP", "aBcD eFgH iJkL mNoP",
    "abcd  efgh\tijkl mnop", "abcd_efgh.ijkl:mnop", "AbCdEfGh-IjKl MnOp",
])
@pytest.mark.parametrize("context", ["{}", "535-5.7.8 you sent {} back", "password={}", "x{}y", '"{}"'])
def test_an_app_password_is_hidden_in_any_spacing_and_case(spelling, context):
    remember_login("x@y.example", APP.replace(" ", ""))  # what sign-in uses
    shown = redact(context.format(spelling))
    assert "abcd" not in shown.lower() and "mnop" not in shown.lower(), shown
    assert MASK in shown


def test_the_spaced_form_stored_is_hidden_in_its_compact_and_upper_forms():
    remember(APP)
    for spelling in ("abcdefghijklmnop", "ABCD EFGH IJKL MNOP"):
        assert redact(f"echo {spelling}") == f"echo {MASK}"


@pytest.mark.parametrize("secret", [APP.replace(" ", ""), *WEAK])
def test_base64_and_sasl_forms_are_hidden_for_every_secret(secret):
    remember_login("x@y.example", secret)
    for blob in (plain_string("x@y.example", secret), xoauth2_string("x@y.example", secret),
                 base64.b64encode(secret.encode()).decode(), base64.b64encode(secret.encode()).decode().rstrip("=")):
        shown = redact(f"334 {blob} was sent")
        assert blob not in shown and MASK in shown, (secret, shown)


def test_base64_of_a_secret_in_another_spelling_is_hidden():
    remember_login("x@y.example", APP.replace(" ", ""))
    blob = base64.b64encode(b"\0x@y.example\0ABCD-EFGH-IJKL-MNOP").decode()
    assert redact(blob) == MASK


@pytest.mark.parametrize("text", [
    "mailkit secret set x@y", "Run `mailkit secret set x@y.example` and paste the new app password.",
    "Google did not accept the user name and password: create an app password in gmail settings.",
    "mailkit account import FILE; mailkit audit --resume last", "The secret is safe with mailkit.",
    "password1 is a bad choice; gmail says so", "LOGIN via your web browser, then mailkit check x@y",
    "Log in to Gmail, then run mailkit secret set x@y",
])
def test_weak_secrets_never_garble_ordinary_text(text):
    for secret in WEAK:
        remember_login("x@y.example", secret)
    assert redact(text) == text


def test_weak_secrets_are_hidden_where_they_are_credentials():
    for secret in WEAK:
        remember_login("x@y.example", secret)
    cases = {
        "AUTH PLAIN secret": f"AUTH PLAIN {MASK}",
        'a1 LOGIN "x@y.example" "mailkit"': f'a1 LOGIN "x@y.example" "{MASK}"',
        "a1 LOGIN x@y.example password1": f"a1 LOGIN x@y.example {MASK}",
        "PASS gmail": f"PASS {MASK}",
        "decoded: user=x@y.example password=secret": f"decoded: user=x@y.example password={MASK}",
        "pass: mailkit": f"pass: {MASK}",
        "pwd=gmail, mailkit secret set x@y": f"pwd={MASK}, mailkit secret set x@y",
        "535 5.7.8 you sent AUTH LOGIN / PASS secret.": f"535 5.7.8 you sent AUTH LOGIN / PASS {MASK}.",
    }
    for text, expected in cases.items():
        assert redact(text) == expected, text


def test_the_remedy_of_a_diagnosis_prints_intact_with_weak_secrets_known():
    """Issue: with a stored password `secret`, "mailkit secret set" printed as "mailkit [redacted] set"."""
    for secret in WEAK:
        remember_login("x@y.example", secret)
    for status in Status:
        diagnosis = diagnosis_for(status)
        for lang in ("en", "es", "pl"):
            remedy = diagnosis.remedy(lang, email="x@y.example")
            assert redact(remedy) == remedy, (status, lang)


def test_strength_rule():
    assert all(not is_strong(s) for s in WEAK + ["abcdefgh", "Secret1"])
    assert all(is_strong(s) for s in [APP, "abcdefghijkl", "Tr0ub4dor&3", "Secret12!", "ya29.a0AfB_byC"])


def test_a_strong_secret_whose_letters_are_few_is_hidden_as_stored_only():
    remember("!!!@@@###a1b")  # three kinds, but only 3 letters and digits: too few to search loosely
    assert redact("x !!!@@@###a1b y") == f"x {MASK} y"
    assert redact("a1b and A1B") == "a1b and A1B"


def test_mixed_strong_password_is_hidden_in_any_case():
    remember("Tr0ub4dor&3")
    assert redact("echo TR0UB4DOR&3 and tr0ub4dor 3") == f"echo {MASK} and {MASK}"
    assert redact("troubadour") == "troubadour"


@pytest.mark.parametrize("text", [
    "MAILKIT_SANDBOX=/tmp/pytest-of-root/pytest-154/test_sandbox_mode_is_announced0/sandbox.json",
    "mailkit --home /srv/clientes-2024/empresa_facturacion_mensual/demo report",
    "see build-11//release-notes-for-version-two for details",
])
def test_paths_that_happen_to_look_like_google_codes_stay_intact(text: str) -> None:
    """A temp folder numbered ...4 followed by a long name is no authorization code (seen in CI)."""
    assert redact(text) == text


# --- the quick paths change nothing: the same result as the full scan, for any text -------------------------
_PIECES = [
    "abcd efgh ijkl mnop", "ABCD-EFGH-IJKL-MNOP", "abcdefghijklmnop", "Zq9!xw2#Lp", "zq9!xw2#lp", "secret",
    "mailkit", "password1", "AUTH PLAIN ", "LOGIN ", "PASS ", "password=", "pass: ", "\"password\": \"",
    "ya29.a0AfH6SMB", "1//0gLx-abcdefghijkl", "4/0AX4XfWh-abcdefghijklmnopqr", "GOCSPX-abc_def", "Bearer ",
    "access_token=", "?code=", "&token=", "dXNlcj1", "250-smtp.gmail.com at your service", "535 5.7.8 ",
    " ", "\n", "\t", "=", ":", "\"", "'", "/", ".", "-", "é", "K", "ſ", "İ", "Σ", "0", "9",
]


def _full_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the quick checks off: every text goes through every scan, as before they existed."""
    from mailkit.secrets import redaction

    monkeypatch.setattr(redaction, "_may_hold_known", lambda text: True)
    monkeypatch.setattr(redaction, "_may_hold_shape", lambda text: True)
    monkeypatch.setattr(redaction, "_untouched", lambda text: False)
    monkeypatch.setattr(redaction, "_known_clean", lambda text: False)
    monkeypatch.setattr(redaction, "_keep_clean", lambda text, checked: None)


def _secrets_and_blobs() -> list[str]:
    secrets = ["abcdefghijklmnop", "abcd efgh ijkl mnop", "Zq9!xw2#Lp", "secret", "mailkit", "password1", "abc",
               "a b c d", "ab  c"]
    for secret in secrets:
        remember_login("x@y.example", secret)
    return [base64.b64encode(f"\0x@y.example\0{s}".encode()).decode() for s in secrets] + \
        [base64.b64encode(s.encode()).decode().rstrip("=") for s in secrets]


def test_quick_checks_give_the_full_scans_result_for_any_text(monkeypatch):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    pieces = _PIECES + _secrets_and_blobs()
    texts = st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=6)), max_size=12).map("".join)

    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(texts, min_size=1, max_size=4))
    def same(lines: list[str]) -> None:
        quick = [redact(line) for line in lines], redact_lines(lines)
        with monkeypatch.context() as patched:
            _full_scan(patched)
            full = [redact(line) for line in lines]
        assert quick == (full, full)

    same()


def test_a_secret_remembered_after_texts_were_redacted_is_found_from_then_on():
    """The quick check's windows grow with the registry: a new secret (however short its forms) is never missed."""
    remember("Zq9!xw2#Lp")
    assert redact("token abcdefghijklmnop here") == "token abcdefghijklmnop here"  # the probes are built now
    remember("abcdefghijklmnop")
    assert redact("token abcdefghijklmnop here") == f"token {MASK} here"
    remember_login("x@y.example", "ab  c")  # "abc" in base64 is 4 characters: shorter than any form before
    for blob in ("YWJj", base64.b64encode(b"ab  c").decode().rstrip("=")):
        assert redact(f"334 {blob}") == f"334 {MASK}", blob


def test_redact_lines_redacts_each_line_as_redact_does():
    remember_login("x@y.example", "abcdefghijklmnop")
    lines = ["250-smtp.gmail.com at your service", "echo ABCD-EFGH-IJKL-MNOP", "password=hunter2", "QUIT"]
    assert redact_lines(lines) == [redact(line) for line in lines] == [
        "250-smtp.gmail.com at your service", f"echo {MASK}", f"password={MASK}", "QUIT"]
    assert redact_lines(["EHLO [127.0.0.1]", "250 SMTPUTF8"]) == ["EHLO [127.0.0.1]", "250 SMTPUTF8"]


def test_texts_seen_before_are_redacted_as_new_ones_while_secrets_keep_being_learned(monkeypatch):
    """A text found clean before is checked against the secrets learned since: any order of learning and
    redacting gives what the full scan gives."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    secrets = ["abcdefghijklmnop", "abcd efgh ijkl mnop", "Zq9!xw2#Lp", "secret", "mailkit", "password1", "ab  c",
               "qrst uvwx yzab cdef", "hunter22", "S3cr3t!!"]
    lines = ["250-8BITMIME", "echo abcdefghijklmnop", "AUTH PLAIN secret", "login mailkit now", "YWJj here",
             "QRST-UVWX-YZAB-CDEF", "pass: hunter22", "x S3cr3t!! y", "zq9xw2lp", "250 SMTPUTF8", "password1",
             base64.b64encode(b"\0x@y.example\0secret").decode(), "dGVzdCBzdHJpbmcgaGVyZQ", "ENHANCEDSTATUSCODES",
             base64.b64encode(b"say mailkit now").decode(), base64.b64encode(b"x ABCD-EFGH-IJKL-MNOP").decode()]
    steps = st.lists(st.one_of(st.tuples(st.just("learn"), st.sampled_from(secrets)),
                               st.tuples(st.just("redact"), st.sampled_from(lines)),
                               st.tuples(st.just("lines"), st.lists(st.sampled_from(lines), max_size=3))),
                     max_size=30)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(steps)
    def same(actions: list[tuple[str, object]]) -> None:
        forget_all()
        for action, value in actions:
            if action == "learn":
                remember_login("x@y.example", value)
                continue
            texts = [value] if action == "redact" else value
            quick = [redact(t) for t in texts] if action == "redact" else redact_lines(texts)
            with monkeypatch.context() as patched:
                _full_scan(patched)
                assert quick == [redact(t) for t in texts], (actions, texts)

    same()


def test_base64_seen_before_a_secret_was_learned_is_decoded_again():
    """What a base64 run hides depends on every secret known, not only on new forms: such text is never taken
    as clean from before."""
    blobs = [base64.b64encode(text).decode() for text in (b"say mailkit now", b"x ABCD-EFGH-IJKL-MNOP")]
    assert [redact(blob) for blob in blobs] == blobs
    remember_login("x@y.example", "mailkit")
    remember_login("x@y.example", "abcdefghijklmnop")
    assert [redact(blob) for blob in blobs] == [MASK, MASK]
    assert redact_lines(blobs) == [MASK, MASK]


def test_thousands_of_logins_sharing_a_prefix_are_learned_in_linear_time_and_all_masked():
    """Every PLAIN blob of user0001@..., user0002@... starts alike (one bucket of thousands): telling a known
    form from a new one does not walk that bucket, and each blob is still found."""
    logins = [(f"user{i:04d}@gmail.com", f"pw{i:04d}-Zq9!xw2#Lp") for i in range(6000)]
    started = time.perf_counter()
    for user, secret in logins * 2:  # learned, then read again as every keyring read of an audit does
        remember_login(user, secret)
    assert time.perf_counter() - started < 1.5  # walking and re-sorting the bucket took about 4 s
    for user, secret in logins[::1000]:
        assert redact(f"C: {plain_string(user, secret)} end") == f"C: {MASK} end"
