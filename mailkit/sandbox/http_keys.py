"""The sandbox's RSA keys: one signs ID tokens (published as JWKS and as x509 certificates), one is
the key of a service account with domain-wide delegation whose JSON file clients load.

JWTs are RS256, encoded and checked here with `cryptography` alone, so google-auth can verify
what the sandbox signs and the sandbox can verify what google-auth signs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from mailkit.files import write_private
from mailkit.oauth.scopes import (
    DIRECTORY_MANAGE_SCOPE,
    DIRECTORY_SCOPE,
    DIRECTORY_SECURITY_SCOPE,
    GMAIL_SEND_SCOPE,
    MAIL_SCOPE,
)

SERVICE_ACCOUNT_EMAIL = "mailkit-audit@mailkit-sandbox.iam.gserviceaccount.com"
SERVICE_ACCOUNT_FILE = "service_account.json"
#: Scopes the sandbox's admin console "authorized" for the service account's domain-wide delegation.
DELEGATED_SCOPES = frozenset({DIRECTORY_SCOPE, DIRECTORY_MANAGE_SCOPE, DIRECTORY_SECURITY_SCOPE, MAIL_SCOPE,
                              GMAIL_SEND_SCOPE})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class RsaKey:
    """An RSA signing key and its key id (`kid`)."""

    private: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> RsaKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), secrets.token_hex(20))

    @classmethod
    def from_pem(cls, pem: str, kid: str) -> RsaKey:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("not an RSA private key")
        return cls(key, kid)

    def private_pem(self) -> str:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode("ascii")

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big"))}

    def certificate_pem(self, common_name: str) -> str:
        """A self-signed certificate of the public key, the format of Google's `/oauth2/v1/certs`."""
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.private.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=14))
                .sign(self.private, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def sign(self, data: bytes) -> bytes:
        """The RS256 signature of `data` (RSASSA-PKCS1-v1_5 with SHA-256), as a JWT's or IAM's signBlob."""
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def sign_jwt(self, claims: dict[str, Any]) -> str:
        return self.sign_jwt_payload(json.dumps(claims).encode())

    def sign_jwt_payload(self, payload: bytes) -> str:
        """An RS256 JWT of these claims' bytes, signed as they are (IAM's signJwt does not re-serialise them)."""
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload)}"
        return f"{signing_input}.{b64url(self.sign(signing_input.encode('ascii')))}"

    def verifies(self, token: str) -> bool:
        """True when `token` is an RS256 JWT signed by this key."""
        try:
            header_part, payload_part, signature_part = token.split(".")
            header = json.loads(b64url_decode(header_part))
            if header.get("alg") != "RS256":
                return False
            self.private.public_key().verify(b64url_decode(signature_part),
                                             f"{header_part}.{payload_part}".encode("ascii"),
                                             padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, InvalidSignature):
            return False
        return True


def jwt_claims(token: str) -> dict[str, Any]:
    """The unverified claims of a JWT; ValueError when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("a JWT has three dot-separated parts")
    claims = json.loads(b64url_decode(parts[1]))
    if not isinstance(claims, dict):
        raise ValueError("JWT claims must be an object")
    return claims


@dataclass(frozen=True)
class ServiceAccount:
    """The sandbox's service account (domain-wide delegation) and its key."""

    key: RsaKey
    client_id: str
    email: str = SERVICE_ACCOUNT_EMAIL

    @classmethod
    def load_or_create(cls, path: Path) -> ServiceAccount:
        """Keep the key of an earlier run (admins configure the file once), else make a new one."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(RsaKey.from_pem(raw["private_key"], raw["private_key_id"]), str(raw["client_id"]))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(RsaKey.generate(), str(10**20 + secrets.randbelow(10**20)))

    def info(self, base_url: str) -> dict[str, str]:
        """The service-account JSON in Google's format, pointing at the sandbox."""
        return {
            "type": "service_account",
            "project_id": "mailkit-sandbox",
            "private_key_id": self.key.kid,
            "private_key": self.key.private_pem(),
            "client_email": self.email,
            "client_id": self.client_id,
            "auth_uri": base_url + "/o/oauth2/auth",
            "token_uri": base_url + "/token",
            "auth_provider_x509_cert_url": base_url + "/oauth2/v1/certs",
            "client_x509_cert_url": base_url + "/robot/v1/metadata/x509/" + self.email,
            "universe_domain": "googleapis.com",
        }

    def write(self, path: Path, base_url: str) -> Path:
        """Write the JSON file readable by its owner only (it holds a private key)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_private(path, json.dumps(self.info(base_url), indent=2))


__all__ = ["DELEGATED_SCOPES", "SERVICE_ACCOUNT_EMAIL", "SERVICE_ACCOUNT_FILE", "RsaKey", "ServiceAccount",
           "b64url", "b64url_decode", "jwt_claims"]
