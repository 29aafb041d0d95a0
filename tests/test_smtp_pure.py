"""The SMTP engine's pure decisions, without sockets."""

from __future__ import annotations

import base64

from mailkit.checks.boundary import raw_reply
from mailkit.checks.core import choose_mechanism, plain_string, xoauth2_string
from mailkit.checks.smtp import implicit_tls, parse_ehlo
from mailkit.checks.smtp_client import printable
from mailkit.models import build_account


def test_xoauth2_string_is_googles_exact_format():
    decoded = base64.b64decode(xoauth2_string("facturas@gmail.com", "ya29.token"))
    assert decoded == b"user=facturas@gmail.com\x01auth=Bearer ya29.token\x01\x01"


def test_plain_string():
    assert base64.b64decode(plain_string("a@gmail.com", "pw")) == b"\0a@gmail.com\0pw"


def test_mechanism_choice():
    offered = {"LOGIN", "PLAIN", "XOAUTH2", "OAUTHBEARER"}
    assert choose_mechanism("XOAUTH2", offered) == "XOAUTH2"
    assert choose_mechanism("PASSWORD", offered) == "PLAIN"
    assert choose_mechanism("PASSWORD", {"LOGIN"}) == "LOGIN"
    assert choose_mechanism("XOAUTH2", {"LOGIN", "PLAIN"}) is None
    assert choose_mechanism("PASSWORD", set()) is None


def test_parse_ehlo_gmail_after_tls():
    reply = "\n".join(["smtp.gmail.com at your service, [203.0.113.7]", "SIZE 35882577", "8BITMIME",
                       "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "ENHANCEDSTATUSCODES",
                       "PIPELINING", "CHUNKING", "SMTPUTF8"])
    extensions, mechanisms = parse_ehlo(reply)
    assert "STARTTLS" not in extensions and "SIZE" in extensions
    assert mechanisms == {"LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"}


def test_reply_raw_keeps_continuation_prefixes():
    raw = raw_reply(535, "5.7.8 Username and Password not accepted. For more information, go to\n"
                         "5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp")
    assert raw.splitlines()[0].startswith("535-5.7.8") and raw.splitlines()[1].startswith("535 5.7.8")


def test_old_style_auth_is_read_too():
    assert parse_ehlo("hi\nAUTH=LOGIN PLAIN\nSIZE 10")[1] == {"LOGIN", "PLAIN"}


def test_undecodable_server_bytes_become_printable_text():
    """aiosmtplib keeps a byte that is not UTF-8 as a lone surrogate, which no file, JSON or terminal takes."""
    text = b"5.7.0 caf\xe9 \xff".decode("utf-8", "surrogateescape")
    shown = printable(text)
    assert shown == "5.7.0 caf\ufffd \ufffd" and shown.encode("utf-8")
    assert printable("plain ascii") == "plain ascii"


def test_tls_mode_from_security():
    assert implicit_tls(build_account("a@gmail.com", "c", security="ssl"))
    assert not implicit_tls(build_account("a@gmail.com", "c"))


def test_timeouts_capped_keeps_shorter_deadlines():
    from mailkit.checks.results import Timeouts

    assert Timeouts().capped(12) == Timeouts(dns=10, connect=10, tls=12, reply=12, data=12)
    assert Timeouts(reply=5).capped(1000) == Timeouts(reply=5)
