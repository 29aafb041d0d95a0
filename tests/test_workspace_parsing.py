"""Reading the Directory's users, app passwords and tokens: whatever JSON comes back, the parsers give a value or
None (never an exception), and the sandbox's way of writing times reads back as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mailkit.google_workspace.app_passwords import AppPassword, parse_asp, parse_millis
from mailkit.google_workspace.report_column import app_passwords_cell
from mailkit.google_workspace.third_party_tokens import is_mail_scope, parse_token
from mailkit.google_workspace.users import parse_google_time, parse_user
from mailkit.sandbox.directory import google_time
from mailkit.sandbox.directory_security import _millis

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                max_size=4), max_leaves=12)
RESOURCE_KEYS = st.sampled_from(["primaryEmail", "name", "suspended", "isEnrolledIn2Sv", "isEnforcedIn2Sv",
                                 "lastLoginTime", "aliases", "isAdmin", "orgUnitPath", "codeId", "creationTime",
                                 "lastTimeUsed", "clientId", "scopes", "displayText", "anonymous", "nativeApp"])
RESOURCES = st.dictionaries(RESOURCE_KEYS | st.text(max_size=8), JSON, max_size=10)
MOMENTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                       timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))


@given(RESOURCES)
def test_any_user_resource_parses_or_is_none(raw: dict) -> None:
    user = parse_user(raw)
    assert user is None or ("@" in user.email and isinstance(user.aliases, tuple) and user.org_unit)


@given(RESOURCES)
def test_any_asp_or_token_resource_parses_or_is_none(raw: dict) -> None:
    asp = parse_asp("a@x.example", raw)
    assert asp is None or (asp.code_id >= 0 and (asp.created is None or asp.created.tzinfo is UTC))
    token = parse_token("a@x.example", raw)
    assert token is None or (token.client_id and all(isinstance(s, str) for s in token.scopes))


@given(JSON)
def test_millis_and_times_never_raise(value: object) -> None:
    parse_millis(value)
    parse_google_time(value)


@given(MOMENTS)
def test_the_sandboxs_millis_read_back_as_the_same_instant(moment: datetime) -> None:
    assert parse_millis(_millis(moment.timestamp())) == moment
    assert parse_millis(round(moment.timestamp() * 1000)) == moment  # a number or its text alike


@given(MOMENTS)
def test_the_sandboxs_rfc3339_reads_back_as_the_same_instant(moment: datetime) -> None:
    assert parse_google_time(google_time(moment.timestamp())) == moment


def test_odd_digits_are_no_code_id() -> None:
    assert parse_asp("a@x.example", {"codeId": "²"}) is None
    assert parse_asp("a@x.example", {"codeId": "12"}).code_id == 12


def test_zero_means_never_or_unknown() -> None:
    assert parse_millis("0") is parse_millis(0) is parse_millis("-5") is parse_millis(True) is None
    assert parse_google_time("1970-01-01T00:00:00.000Z") is None and google_time(None).startswith("1970-01-01T00")


@given(st.integers(min_value=0, max_value=10_000), st.one_of(st.none(), MOMENTS))
def test_the_report_cell_says_count_and_last_use(count: int, last: datetime | None) -> None:
    cell = app_passwords_cell(count, last, "en")
    assert cell.startswith(str(count))
    assert cell == "0" if count == 0 else (last is None) == cell.endswith("never used")


@given(st.integers(min_value=0, max_value=4000), st.integers(min_value=0, max_value=4000))
def test_stale_means_unused_for_the_days_given(days: int, idle: int) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    used = AppPassword("a@x.example", 1, last_used=now - timedelta(days=idle))
    created_only = AppPassword("a@x.example", 2, created=now - timedelta(days=idle))
    assert used.stale(days, now) is created_only.stale(days, now) is (idle >= days)
    assert AppPassword("a@x.example", 3).stale(days, now)  # never used, age unknown


@given(st.text(max_size=60))
def test_mail_scopes_are_full_gmail_and_the_gmail_api(scope: str) -> None:
    expected = scope.rstrip("/") == "https://mail.google.com" or scope.startswith(
        "https://www.googleapis.com/auth/gmail.")
    assert is_mail_scope(scope) is expected
