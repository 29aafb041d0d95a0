"""The suite-wide secret scan finds what it is there to find."""

from __future__ import annotations

import base64

from tests.leak_scan import leaks, sandbox_secrets


def test_scan_knows_every_sandbox_secret_with_and_without_spaces():
    secrets = sandbox_secrets()
    assert {"qwhk pznr tvbe lmsa", "qwhkpznrtvbelmsa", "Recupera-2020!"} <= secrets


def test_scan_finds_raw_and_base64_secrets_and_tokens():
    secrets = {"qwhkpznrtvbelmsa", "ya29.sbx-abcdefghijkl"}
    texts = [("a: stdout", "AUTH PLAIN ok"),
             ("b: log", "login with qwhkpznrtvbelmsa"),
             ("c: transcript", "C: " + base64.b64encode(b"qwhkpznrtvbelmsa").decode()),
             ("d: json", '{"token": "ya29.sbx-abcdefghijkl"}'),
             ("e: stdout", "[redacted]")]
    assert leaks(texts, secrets) == ["b: log (password)", "c: transcript (password)", "d: json (token)"]
