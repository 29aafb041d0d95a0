"""A suite-wide check that no secret the tests used ever reached an output.

Collected while the suite runs: every test's captured stdout, stderr and log sections; every
`mailkit` subprocess's output (tests/cli_helpers.py); the JSON and transcript of every SMTP and
IMAP check; DEBUG log records of mailkit and the HTTP/OAuth libraries it drives. Scanned at the
end for every password and app password of the sandbox accounts and every OAuth token the
sandbox issued. A leak fails the run and names where it was found (never the secret).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import logging
import tomllib

import pytest

from mailkit.assets import SANDBOX_ACCOUNTS, asset_path
from mailkit.checks.imap import IMAPCheck
from mailkit.checks.smtp import SMTPCheck
from mailkit.sandbox.grants import GrantRegistry

ACCOUNTS = asset_path(SANDBOX_ACCOUNTS)
LOGGERS = ("mailkit", "requests_oauthlib", "oauthlib", "google", "google_auth_oauthlib", "urllib3", "keyring")

SECRETS: set[str] = set()
TEXTS: list[tuple[str, str]] = []
_current = {"test": "(collection)"}


def record(where: str, text: str) -> None:
    """Keep one piece of output for the final scan."""
    if text:
        TEXTS.append((f"{_current['test']}: {where}", text))


def sandbox_secrets() -> set[str]:
    found = set()
    for account in tomllib.loads(ACCOUNTS.read_text(encoding="utf-8"))["account"]:
        for secret in [account.get("password", ""), *account.get("app_passwords", [])]:
            if secret:
                found |= {secret, secret.replace(" ", "")}
    return found


def variants(secret: str) -> set[str]:
    """The secret and the base64 form a wire protocol would carry it in (aligned at its start)."""
    encoded = base64.b64encode(secret.encode()).decode().rstrip("=")
    return {secret, encoded[: len(encoded) - len(encoded) % 4]} - {""}


class _Collector(logging.Handler):
    def emit(self, log: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a record that cannot be formatted is not output either
            record(f"log {log.name}", self.format(log))


def _watch_checks() -> None:
    for cls in (SMTPCheck, IMAPCheck):
        original = cls.run

        @functools.wraps(original)
        async def run(self, _original=original):
            result = await _original(self)
            record(f"{result.protocol} check of {result.email}", json.dumps(result.to_dict("en")))
            return result

        cls.run = run


def _watch_tokens() -> None:
    issue_code, issue_access_token = GrantRegistry.issue_code, GrantRegistry.issue_access_token

    def code(self, *args, **kwargs):
        value = issue_code(self, *args, **kwargs)
        SECRETS.add(value)
        return value

    def access(self, grant):
        token = issue_access_token(self, grant)
        SECRETS.update({token.token, grant.refresh_token})
        return token

    GrantRegistry.issue_code, GrantRegistry.issue_access_token = code, access


def pytest_configure(config: pytest.Config) -> None:
    SECRETS.update(sandbox_secrets())
    _watch_checks()
    _watch_tokens()
    handler = _Collector(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def pytest_runtest_logstart(nodeid: str) -> None:
    _current["test"] = nodeid


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for title, content in report.sections:
        record(title, content)


def leaks(texts: list[tuple[str, str]] = TEXTS, secrets: set[str] = SECRETS) -> list[str]:
    """Where a secret shows up: 'test id: place (kind of secret)'."""
    found = []
    checks = [(v, "token" if s.startswith(("ya29.", "1//", "4/")) else "password") for s in secrets
              for v in variants(s) if len(v) >= 8]
    for where, text in texts:
        for value, kind in checks:
            if value in text:
                found.append(f"{where} ({kind})")
                break
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = leaks()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write("\n")
        reporter.write_line(f"secret scan: {len(TEXTS)} outputs scanned for {len(SECRETS)} secrets, "
                            f"{len(found)} leaks")
        for line in found[:50]:
            reporter.write_line(f"  LEAK {line}", red=True)
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
