"""The one boundary where socket, ssl, asyncio and aiosmtplib errors become mailkit's: each maps to the error the
catalogue reads, keeps its cause (`raise ... from`), and a mailkit bug is never disguised as a network fault."""

from __future__ import annotations

import socket
import ssl

import pytest
from aiosmtplib import SMTPReadTimeoutError, SMTPResponseException, SMTPServerDisconnected

from mailkit.checks.boundary import mapped
from mailkit.diagnose import classify_exception
from mailkit.errors import (
    ConnectionLostFailure,
    ConnectionRefusedFailure,
    DNSFailure,
    NetworkError,
    ReplyError,
    TimeoutFailure,
    TLSFailure,
)
from mailkit.status import Status


def expired() -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError("certificate verify failed")
    error.verify_code, error.verify_message = 10, "certificate has expired"
    return error


def plain_text() -> ssl.SSLError:
    error = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    error.reason = "WRONG_VERSION_NUMBER"
    return error


@pytest.mark.parametrize(
    ("step", "raised", "kind", "status", "words"),
    [
        ("dns", socket.gaierror(-2, "Name or service not known"), DNSFailure, Status.DNS_ERROR, "does not resolve"),
        ("dns", TimeoutError(), DNSFailure, Status.DNS_ERROR, "took longer than 2 s"),
        ("tcp", ConnectionRefusedError(111, "refused"), ConnectionRefusedFailure, Status.CONNECTION_REFUSED,
         "10.0.0.1:25 refused"),
        ("tcp", TimeoutError(), TimeoutFailure, Status.TIMEOUT, "a firewall may drop the port"),
        ("tls", expired(), TLSFailure, Status.TLS_ERROR, "certificate has expired"),
        ("tls", plain_text(), TLSFailure, Status.TLS_ERROR, "this port expects STARTTLS (use starttls)"),
        ("ehlo", SMTPReadTimeoutError("Timed out waiting for server response"), TimeoutFailure, Status.TIMEOUT,
         "did not answer within 2 s"),
        ("auth", SMTPServerDisconnected("Unexpected EOF received"), ConnectionLostFailure, Status.CONNECTION_LOST,
         "closed the connection"),
        ("ehlo", SMTPResponseException(-1, "Malformed SMTP response line: hello"), NetworkError, Status.UNKNOWN,
         "not answering the protocol"),
        ("send", SMTPResponseException(552, "5.2.3 message too big"), ReplyError, Status.MESSAGE_REJECTED,
         "552 5.2.3"),
    ],
)
def test_each_failure_becomes_the_error_the_catalogue_reads(step, raised, kind, status, words) -> None:
    with pytest.raises(NetworkError) as caught, mapped(step, seconds=2, peer="10.0.0.1:25", host="mail.example"):
        raise raised
    assert type(caught.value) is kind and caught.value.step == step
    assert caught.value.__cause__ is raised
    assert words in str(caught.value)
    assert classify_exception(caught.value, step=step).status is status


def test_tls_failures_carry_their_kind() -> None:
    with pytest.raises(TLSFailure) as caught, mapped("tls", host="mail.example"):
        raise expired()
    assert caught.value.detail == "expired"
    with pytest.raises(TLSFailure) as caught, mapped("tls", peer="10.0.0.1:465"):
        raise plain_text()
    assert caught.value.detail == "wrong_mode" and caught.value.wrong_mode


def test_a_bug_is_not_disguised_as_a_network_fault() -> None:
    with pytest.raises(ValueError, match="not a network fault"), mapped("ehlo"):
        raise ValueError("not a network fault")
    with pytest.raises(KeyError), mapped("ehlo"):
        raise KeyError("x")
