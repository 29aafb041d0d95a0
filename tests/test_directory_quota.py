"""Google's Directory quota met as a 300-user listing meets it: the sandbox answers an admin's requests beyond N a
second with Google's 403 `userRateLimitExceeded`; mailkit waits (1, 2, 4 ... s, or Retry-After), asks again and
finishes, and when the quota stays spent says so — never "not an admin". The policy itself is checked on any
answer a server could give."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailkit.errors import UsageError
from mailkit.google_quota import MAX_WAIT, Backoff, error_reasons, passes, send_with_backoff
from mailkit.google_workspace import list_app_passwords
from mailkit.google_workspace.app_passwords import security_client
from mailkit.sandbox.faults import Faults
from mailkit.sandbox.quota import QueryWindow
from mailkit.sandbox.runner import SandboxThread
from mailkit.twostep.directory import DirectoryError
from tests.cli_helpers import run_mailkit
from tests.test_workspace_directory_cli import delegated, domain, grande  # noqa: F401 - fixtures
from tests.workspace_domain import DOMAIN, user


class Answer(SimpleNamespace):
    """What `send_with_backoff` reads of a requests.Response."""

    def json(self):
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


def answer(status: int, reason: str = "", headers: dict[str, str] | None = None) -> Answer:
    body = {"error": {"code": status, "message": "m", "errors": [{"reason": reason}] if reason else []}}
    return Answer(status_code=status, body=body, headers=headers or {})


def replay(*answers: Answer) -> tuple[list[float], Iterator[Answer], Backoff]:
    waits: list[float] = []
    return waits, iter(answers), Backoff(attempts=4, base=1.0, sleep=waits.append)


# --- the policy ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "reason"), [(403, "userRateLimitExceeded"), (403, "rateLimitExceeded"),
                                                (403, "quotaExceeded"), (429, ""), (503, "backendError"), (500, "")])
def test_quota_and_server_failures_are_asked_again_until_they_pass(status: int, reason: str) -> None:
    waits, answers, backoff = replay(answer(status, reason), answer(status, reason), answer(200))
    assert send_with_backoff(lambda: next(answers), backoff).status_code == 200
    assert len(waits) == 2 and 1 <= waits[0] <= 2 and 2 <= waits[1] <= 3  # 2ⁿ plus up to one base of jitter


@pytest.mark.parametrize(("status", "reason"), [(403, "forbidden"), (403, "insufficientPermissions"), (404, ""),
                                                (401, "authError"), (400, "invalid")])
def test_a_final_answer_is_returned_at_once(status: int, reason: str) -> None:
    waits, answers, backoff = replay(answer(status, reason), answer(200))
    assert send_with_backoff(lambda: next(answers), backoff).status_code == status and waits == []


def test_retry_after_is_obeyed_within_the_cap_and_the_attempts_end() -> None:
    waits, answers, backoff = replay(*[answer(429, headers={"Retry-After": "7"})] * 3,
                                     answer(429, headers={"Retry-After": "3600"}))
    assert send_with_backoff(lambda: next(answers), backoff).status_code == 429  # the fourth answer: spent
    assert waits == [7.0, 7.0, 7.0]
    assert Backoff().delay(0, answer(429, headers={"Retry-After": "3600"})) == MAX_WAIT
    assert all(Backoff().delay(n, answer(503)) <= MAX_WAIT for n in range(12))


bodies = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                   max_size=3), max_leaves=12)


@given(status=st.integers(100, 599), body=bodies | st.just(ValueError("not JSON")),
       after=st.none() | st.text(max_size=12))
def test_any_answer_is_read_without_raising(status: int, body: object, after: str | None) -> None:
    response = Answer(status_code=status, body=body, headers={} if after is None else {"Retry-After": after})
    assert isinstance(error_reasons(response), set)
    assert passes(response) == (status in (429, 500, 502, 503, 504) or (
        status == 403 and bool(error_reasons(response) & {"userRateLimitExceeded", "rateLimitExceeded",
                                                          "quotaExceeded", "dailyLimitExceeded"})))
    assert 0 <= Backoff(base=0.5).delay(3, response) <= MAX_WAIT


# --- the sandbox's quota ------------------------------------------------------------------------------
def test_the_window_counts_each_admin_for_one_second() -> None:
    window = QueryWindow()
    assert [window.admit("a@x", 2, now=10.0 + i / 10) for i in range(3)] == [True, True, False]
    assert window.admit("b@x", 2, now=10.2)  # another admin has a quota of their own
    assert window.admit("A@X", 2, now=11.15) and window.refused == 1  # the first two fell out of the second
    assert all(window.admit("a@x", 0, now=10.0) for _ in range(50))  # 0: no quota


def test_the_fault_is_spelled_as_the_others() -> None:
    faults = Faults()
    faults.apply("directory-rate=40")
    assert faults.directory_per_second == 40
    with pytest.raises(UsageError, match="whole number of requests a second"):
        faults.apply("directory-rate=fast")


# --- a 300-user listing against it -------------------------------------------------------------------
def test_a_listing_past_the_quota_waits_and_finishes(delegated, grande: SandboxThread) -> None:  # noqa: F811
    grande.faults.directory_per_second = 10  # 8 users asked at once pass it within the first second
    client = security_client(delegated, DOMAIN)
    listing = list_app_passwords(delegated, DOMAIN, users=[user(n) for n in range(1, 41)], client=client)
    assert len(listing.users) == 40 and len(listing.holders()) == 12 and len(listing.items) == 18
    refused = [c for c in client.calls if c.endswith("-> 403")]
    assert refused and all("/asps" in c for c in refused)  # met, and absorbed


def test_the_command_finishes_past_the_quota(delegated, grande: SandboxThread) -> None:  # noqa: F811
    grande.faults.directory_per_second = 1  # the user's lookup takes it: the app-password request gets the 403
    done = run_mailkit("workspace", "app-passwords", DOMAIN, "--user", user(3), "--json", home=delegated.home,
                       timeout=180)
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed["users_with_app_passwords"] == 1 and len(listed["app_passwords"]) == 2


def test_a_quota_that_stays_spent_is_named_with_its_fix(delegated, grande: SandboxThread) -> None:  # noqa: F811
    client = security_client(delegated, DOMAIN)
    client.backoff = Backoff(attempts=2, base=0.05)
    grande.faults.directory_per_second = 1  # the users' page takes it; every app-password request is refused
    with pytest.raises(DirectoryError) as caught:
        list_app_passwords(delegated, DOMAIN, users=[user(n) for n in range(1, 40)], client=client)
    assert caught.value.reason == "rate_limited" and caught.value.http_status == 403
    said = str(caught.value)
    assert "quota" in said and "Queries per minute per user" in said and "2 tries" in said
    assert "not an admin" not in said
    asked = [c for c in client.calls if "/asps" in c]
    assert len(asked) < 2 * 39  # the first spent quota ended the run: the requests not yet sent were dropped
