"""The SMTP engine's pure decisions, without sockets."""

from __future__ import annotations

import base64

from mailkit.checks.smtp import choose_mechanism, implicit_tls, parse_ehlo, plain_string, xoauth2_string
from mailkit.checks.smtp_wire import Reply, dot_stuff
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
    reply = Reply(250, ["smtp.gmail.com at your service, [203.0.113.7]", "SIZE 35882577", "8BITMIME",
                        "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH", "ENHANCEDSTATUSCODES",
                        "PIPELINING", "CHUNKING", "SMTPUTF8"])
    extensions, mechanisms = parse_ehlo(reply)
    assert "STARTTLS" not in extensions and "SIZE" in extensions
    assert mechanisms == {"LOGIN", "PLAIN", "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"}


def test_reply_raw_keeps_continuation_prefixes():
    reply = Reply(535, ["5.7.8 Username and Password not accepted. For more information, go to",
                        "5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"])
    assert reply.raw.splitlines()[0].startswith("535-5.7.8") and reply.raw.splitlines()[1].startswith("535 5.7.8")


def test_dot_stuffing_and_terminator():
    assert dot_stuff(b"a\n.b\n..c\n") == b"a\r\n..b\r\n...c\r\n.\r\n"
    assert dot_stuff(b"x\r\ny") == b"x\r\ny\r\n.\r\n"


def test_tls_mode_from_security():
    assert implicit_tls(build_account("a@gmail.com", "c", security="ssl"))
    assert not implicit_tls(build_account("a@gmail.com", "c"))


def test_timeouts_capped_keeps_shorter_deadlines():
    from mailkit.checks.smtp import Timeouts

    assert Timeouts().capped(12) == Timeouts(dns=10, connect=10, tls=12, reply=12, data=12)
    assert Timeouts(reply=5).capped(1000) == Timeouts(reply=5)
