"""The sandbox's TLS: a throw-away local CA and one server certificate for Google's mail host names.

Clients keep verifying certificates in sandbox mode; they only add `ca.pem` to what they trust.
The certificate names smtp.gmail.com, imap.gmail.com (and Microsoft 365's hosts), localhost and 127.0.0.1, so ordinary
clients (swaks, msmtp, curl, smtplib with `server_hostname="smtp.gmail.com"`) accept it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

SERVER_NAMES = ("smtp.gmail.com", "imap.gmail.com", "smtp.office365.com", "outlook.office365.com",
                "login.microsoftonline.com", "localhost", "127.0.0.1")
CA_FILE = "ca.pem"


@dataclass
class SandboxTLS:
    """A CA written to `ca_path` and the server certificate it signed."""

    ca: trustme.CA
    cert: trustme.LeafCert
    ca_path: Path

    def server_context(self) -> ssl.SSLContext:
        """A fresh server context presenting the sandbox certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


def create_tls(state_dir: Path) -> SandboxTLS:
    """Make a new CA and server certificate; write the CA to `state_dir/ca.pem` for clients."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="mailkit sandbox")
    cert = ca.issue_cert(*SERVER_NAMES)
    ca_path = state_dir / CA_FILE
    ca.cert_pem.write_to_path(str(ca_path))
    return SandboxTLS(ca, cert, ca_path)


__all__ = ["CA_FILE", "SERVER_NAMES", "SandboxTLS", "create_tls"]
