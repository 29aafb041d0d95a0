"""Wording drift does not change a diagnosis: line breaks moved, continuation lines, ids and URLs changed,
upper or lower case. Unknown 4xx replies are temporary, unknown 5xx replies keep their text; nothing crashes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailkit.diagnose import _split_smtp, classify_reply
from mailkit.status import TEMPORARY, Status
from tests.reply_corpus import CORPUS, Reply

SMTP = [reply for reply in CORPUS if reply.protocol == "smtp"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SESSION_ID = re.compile(r"\S+(?= - gsmtp)|\[[A-Z0-9]{6,}\.[\w.]+\.(?:prod\.)?outlook\.com[^\]]*\]", re.I)
URL = re.compile(r"https?://\S+")


def _status(reply: Reply, text: str, code: int | None = None) -> Status:
    return classify_reply(code if code is not None else reply.code, text, reply.protocol, step=reply.step).status


def _rewrap(reply: Reply, cuts: list[int]) -> str:
    """The reply with its line breaks at other places, as a server's multi-line reply (250-... 250 ...)."""
    code, enhanced, body = _split_smtp(reply.text)
    code = code or reply.code
    words = body.split()
    points = sorted({cut % len(words) for cut in cuts if cut % len(words)})
    chunks = [" ".join(words[start:end]) for start, end in zip([0, *points], [*points, len(words)], strict=True)]
    if code is None:
        return "\n".join(chunks)
    tail = f" {enhanced}" if enhanced else ""
    lines = [f"{code}-{tail.strip()} {chunk}".replace("- ", "-", 1) if tail else f"{code}-{chunk}"
             for chunk in chunks[:-1]]
    return "\n".join([*lines, f"{code}{tail} {chunks[-1]}"])


@SETTINGS
@given(reply=st.sampled_from(SMTP), cuts=st.lists(st.integers(min_value=1, max_value=200), max_size=8))
def test_line_breaks_moved_and_continuation_lines(reply: Reply, cuts: list[int]) -> None:
    assert _status(reply, _rewrap(reply, cuts)).value == reply.status


@SETTINGS
@given(reply=st.sampled_from(CORPUS), new_id=st.from_regex(r"[a-z0-9]{2,12}sm[0-9]{4,9}[a-z]{3}\.[0-9]{1,3}",
                                                           fullmatch=True))
def test_session_ids_changed(reply: Reply, new_id: str) -> None:
    assert _status(reply, SESSION_ID.sub(new_id, reply.text)).value == reply.status


@SETTINGS
@given(reply=st.sampled_from(CORPUS), extra=st.sampled_from(["&hl=es", "&authuser=1", "#top", ""]),
       prefix=st.sampled_from(["https://support.google.com/a/", "http://support.google.com/mail/u/0/",
                               "https://SUPPORT.GOOGLE.COM/mail/"]))
def test_help_urls_moved_keep_their_key(reply: Reply, extra: str, prefix: str) -> None:
    def move(match: re.Match[str]) -> str:
        url = match.group(0)
        found = re.search(r"(\?p=\w+|answer/\d+)", url)
        return f"{prefix}{found.group(1)}{extra}" if found else url + extra

    assert _status(reply, URL.sub(move, reply.text)).value == reply.status


@SETTINGS
@given(reply=st.sampled_from(CORPUS))
def test_urls_removed_the_words_still_decide(reply: Reply) -> None:
    assert _status(reply, URL.sub("", reply.text)).value == reply.status


@SETTINGS
@given(reply=st.sampled_from(CORPUS), upper=st.booleans())
def test_upper_or_lower_case(reply: Reply, upper: bool) -> None:
    text = reply.text.upper() if upper else reply.text.lower()
    assert _status(reply, text).value == reply.status


WORDS = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=0x24F), min_size=1,
                max_size=12)


@SETTINGS
@given(code=st.integers(min_value=400, max_value=499), words=st.lists(WORDS, min_size=1, max_size=12))
def test_an_unknown_4xx_is_temporary(code: int, words: list[str]) -> None:
    diagnosis = classify_reply(code, " ".join(words))
    assert diagnosis.status is not Status.OK
    assert diagnosis.status is not Status.UNKNOWN
    if diagnosis.variant == "temporary":
        assert diagnosis.status in TEMPORARY


@SETTINGS
@given(code=st.integers(min_value=500, max_value=599), words=st.lists(WORDS, min_size=1, max_size=12))
def test_an_unknown_5xx_stays_unknown_with_its_text(code: int, words: list[str]) -> None:
    diagnosis = classify_reply(code, "x " + " ".join(words))
    assert diagnosis.status is not Status.OK
    if diagnosis.status is Status.UNKNOWN:
        assert diagnosis.raw.startswith(str(code))


@SETTINGS
@given(code=st.one_of(st.none(), st.integers(min_value=-5, max_value=1000)), text=st.text(max_size=300),
       protocol=st.sampled_from(["smtp", "imap", "SMTP"]), step=st.text(max_size=10))
def test_anything_at_all_gives_a_diagnosis(code: int | None, text: str, protocol: str, step: str) -> None:
    diagnosis = classify_reply(code, text, protocol, step=step)
    assert isinstance(diagnosis.status, Status)
    assert diagnosis.cause("en") and diagnosis.remedy("en", provider="custom")
