"""The signer of keyless domain-wide delegation: a Google account (usually the reseller's own admin, on its own
domain) whose consent to `https://www.googleapis.com/auth/cloud-platform` lets mailkit ask Google to sign as a
service account (IAM Credentials `signBlob`), where that account holds the role Service Account Token Creator.

The consent is taken as every consent is (`mailkit.oauth.ConsentFlow`, browser or pasted address): its refresh
token goes to keyring (`SecretKind.SIGNER_TOKEN`), the facts to the `signer_grants` table, and `TokenSource` with
the SIGNER purpose refreshes it. One signer serves every domain it is named for.

    mailkit workspace signer ops@reseller.example        # once per machine
    mailkit workspace connect client.example --keyless SA@PROJECT.iam.gserviceaccount.com --signer ops@reseller.example
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mailkit.inventory import Inventory
from mailkit.models import now_iso
from mailkit.oauth.scopes import CLOUD_PLATFORM_SCOPE, EMAIL_SCOPE, OPENID_SCOPE
from mailkit.oauth.store import AddressKeyedGrants, GrantPurpose, delete_bundle, iso
from mailkit.secrets.store import SecretKind

if TYPE_CHECKING:
    from mailkit.oauth.tokens import TokenSource
    from mailkit.workspace import Workspace

#: The box on Google's consent page for the cloud-platform scope, as Google words it.
SIGNER_BOX = ("See, edit, configure and delete your Google Cloud data and see the email address for your Google "
              "Account")  # the sandbox's consent page shows the same words


@dataclass
class SignerGrantFacts:
    """One row of `signer_grants`: a signer's consent (never its token)."""

    email: str
    client_fingerprint: str
    scopes: list[str]
    obtained_at: str
    last_refresh_at: str | None
    access_expires_at: str | None
    status: str


class SignerGrantStore(AddressKeyedGrants):
    """The `signer_grants` table, through an open inventory (`mailkit.oauth.store.GrantFactsStore`)."""

    table, address_column = "signer_grants", "email"

    def save_consent(self, email: str, *, client_fingerprint: str, authorized_email: str, scopes: list[str],
                     access_expires_at: datetime | None) -> list[str]:
        with self.inventory.transaction() as tx:
            tx.execute(
                "INSERT INTO signer_grants (email, client_fingerprint, scopes, obtained_at, last_refresh_at, "
                "access_expires_at, status) VALUES (?, ?, ?, ?, NULL, ?, 'ok') ON CONFLICT (email) DO UPDATE SET "
                "client_fingerprint = excluded.client_fingerprint, scopes = excluded.scopes, "
                "obtained_at = excluded.obtained_at, last_refresh_at = NULL, "
                "access_expires_at = excluded.access_expires_at, status = 'ok'",
                (email.strip().lower(), client_fingerprint, " ".join(scopes), now_iso(), iso(access_expires_at)))
        return []  # signers do not replace one another

    def all(self) -> list[SignerGrantFacts]:
        rows = self.inventory.conn.execute("SELECT * FROM signer_grants ORDER BY email").fetchall()
        return [SignerGrantFacts(r["email"], r["client_fingerprint"], r["scopes"].split(), r["obtained_at"],
                                 r["last_refresh_at"], r["access_expires_at"], r["status"]) for r in rows]

    def facts(self, email: str) -> SignerGrantFacts | None:
        return next((f for f in self.all() if f.email == email.strip().lower()), None)


#: A signer's consent: Google Cloud as that user, for IAM Credentials signBlob.
SIGNER = GrantPurpose(
    "signer", (CLOUD_PLATFORM_SCOPE, OPENID_SCOPE, EMAIL_SCOPE), CLOUD_PLATFORM_SCOPE, SIGNER_BOX,
    "to have Google sign as the service accounts of keyless domain-wide delegation", SecretKind.SIGNER_TOKEN,
    SignerGrantStore, "mailkit workspace signer {email}",
    "{email} authorized: mailkit can now have Google sign as the service accounts {email} may act as (keyless "
    "domain-wide delegation).")


def testing_warning(workspace: Workspace, email: str, fingerprint: str, lang: str = "en",
                    now: datetime | None = None) -> str:
    """What to say after a signer's consent through a client in Testing (as the admin declared it): Google ends
    such consents after 7 days, and with it every keyless domain the signer serves. "" otherwise."""
    from mailkit.i18n import text
    from mailkit.oauth.store import TESTING_LIFETIME, client_in_testing, utcnow

    if not client_in_testing(workspace, fingerprint):
        return ""
    domain = email.rpartition("@")[2]
    return text(lang, "Warning: the OAuth client is in Testing, so Google ends this consent about {date}, and every "
                      "keyless domain of {email} stops with it. Publish the client, or register an Internal client of "
                      "{domain}: `mailkit oauth client FILE --domain {domain} --internal`, then run `mailkit workspace "
                      "signer {email}` again.",
                date=f"{(now or utcnow()) + TESTING_LIFETIME:%Y-%m-%d}", email=email, domain=domain)


def signer_source(workspace: Workspace, email: str) -> TokenSource:
    """The signer's access tokens (refreshed once however many threads ask, kept in keyring)."""
    from mailkit.oauth.tokens import TokenSource

    return TokenSource(email, workspace, purpose=SIGNER)


def has_signer(workspace: Workspace, email: str) -> bool:
    """True when the signer's consent is in keyring."""
    return signer_source(workspace, email).configured()


def signers(workspace: Workspace) -> list[SignerGrantFacts]:
    with Inventory.open(workspace) as inventory:
        return SignerGrantStore(inventory).all()


def forget_signer(workspace: Workspace, email: str) -> bool:
    """Delete the signer's token from keyring and its row; False when neither was there."""
    with Inventory.open(workspace) as inventory:
        store = SignerGrantStore(inventory)
        known = store.facts(email) is not None
        store.delete(email)
    return delete_bundle(workspace, email.strip().lower(), SecretKind.SIGNER_TOKEN) or known


__all__ = ["SIGNER", "SIGNER_BOX", "SignerGrantFacts", "SignerGrantStore", "forget_signer", "has_signer",
           "signer_source", "signers", "testing_warning"]
