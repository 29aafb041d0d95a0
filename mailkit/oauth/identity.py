"""Who was authorized: the email address in the ID token, or from the userinfo endpoint.

The ID token comes straight from Google's token endpoint over verified TLS, which OpenID
Connect accepts in place of checking its signature (Core 1.0, 3.1.3.7); mailkit still checks
that it was issued to its own client.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from mailkit.endpoints import requests_verify
from mailkit.errors import MailkitError
from mailkit.oauth.client import OAuthClient


class IdentityError(MailkitError):
    """The token response names an identity that cannot be trusted."""


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of a JWT (not verified: see the module docstring); IdentityError when malformed."""
    try:
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise IdentityError("Google's ID token is malformed; nothing was stored") from exc
    if not isinstance(claims, dict):
        raise IdentityError("Google's ID token is malformed; nothing was stored")
    return claims


def authorized_email(token: dict[str, Any], client: OAuthClient, *, timeout: float = 15.0) -> str | None:
    """The authorized account's address; None when the email scope was not granted."""
    if token.get("id_token"):
        claims = id_token_claims(str(token["id_token"]))
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if client.client_id not in audiences:
            raise IdentityError("the ID token was issued to another OAuth client; nothing was stored")
        if claims.get("email"):
            return str(claims["email"]).lower()
    return _userinfo_email(str(token.get("access_token") or ""), client, timeout)


def _userinfo_email(access_token: str, client: OAuthClient, timeout: float) -> str | None:
    if not access_token:
        return None
    try:
        response = requests.get(client.userinfo_uri, headers={"Authorization": f"Bearer {access_token}"},
                                verify=requests_verify(), timeout=timeout)
    except requests.RequestException as exc:
        raise IdentityError(f"could not ask Google which account was authorized ({type(exc).__name__}); "
                            "nothing was stored: try again") from exc
    if response.status_code != 200:
        return None
    try:
        email = response.json().get("email")
    except ValueError:
        return None
    return str(email).lower() if email else None


__all__ = ["IdentityError", "authorized_email", "id_token_claims"]
