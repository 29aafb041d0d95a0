"""Every real reply of the corpus is classified as an admin would, with cause and remedy for its provider."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from mailkit.diagnose import classify_reply
from mailkit.providers import PROVIDERS
from mailkit.status import Status
from tests.reply_corpus import CORPUS, Reply

LANGS = ("en", "es", "pl")
GOOGLE_WORDS = re.compile(r"google|gmail|myaccount|apppasswords|16 (?:letters|letras|liter)", re.I)


def test_the_corpus_is_large_and_cited() -> None:
    assert len(CORPUS) >= 80
    assert {reply.file for reply in CORPUS} >= {"gmail", "workspace", "microsoft365", "dovecot", "postfix", "exim"}
    for reply in CORPUS:
        assert reply.source.startswith("https://"), reply.id
        assert reply.provider in PROVIDERS, reply.id
        assert reply.protocol in {"smtp", "imap"}, reply.id
        assert reply.status in {status.value for status in Status}, reply.id
        assert reply.protocol == "smtp" or reply.code is None, reply.id
    assert len({(reply.text, reply.source) for reply in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("reply", CORPUS, ids=[reply.id for reply in CORPUS])
def test_real_reply_is_classified_as_an_admin_would(reply: Reply) -> None:
    diagnosis = classify_reply(reply.code, reply.text, reply.protocol, step=reply.step)
    assert diagnosis.status.value == reply.status, (reply.source, diagnosis)
    assert diagnosis.variant == reply.variant, (reply.source, diagnosis)
    for lang in LANGS:
        cause = diagnosis.cause(lang, provider=reply.provider)
        remedy = diagnosis.remedy(lang, provider=reply.provider, email="facturas@acme.com.mx")
        assert cause.strip() and remedy.strip() and cause != remedy
        if reply.provider not in {"gmail", "workspace"}:
            assert not GOOGLE_WORDS.search(cause + remedy), (reply.source, lang, cause, remedy)


def test_accuracy_by_server_and_status() -> None:
    """The numbers a release note quotes: corpus size by server and status, and how many are right."""
    right = Counter()
    by_server, by_status = Counter(), Counter()
    for reply in CORPUS:
        by_server[reply.server] += 1
        by_status[reply.status] += 1
        found = classify_reply(reply.code, reply.text, reply.protocol, step=reply.step).status.value
        right[reply.server] += found == reply.status
    lines = [f"reply corpus: {len(CORPUS)} replies, {sum(right.values())} classified right"]
    lines += [f"  {server}: {count} ({right[server]} right)" for server, count in sorted(by_server.items())]
    lines += [f"  {status}: {count}" for status, count in sorted(by_status.items())]
    print("\n".join(lines))
    assert sum(right.values()) == len(CORPUS)
