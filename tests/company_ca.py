"""A company's own certificate authority (trustme) for the small TLS servers the tests run on 127.0.0.1.

The fixtures `ca` and `ca_file` are a pytest plugin (tests/conftest.py); tests import `server_context`."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CA's certificate as the PEM file an admin would give with --ca-file."""
    path = tmp_path_factory.mktemp("ca") / "company-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA, **issue: object) -> ssl.SSLContext:
    """A server-side context with a certificate for `localhost` issued by `ca` (`issue`: trustme's options)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", **issue).configure_cert(context)
    return context


__all__ = ["ca", "ca_file", "server_context"]
