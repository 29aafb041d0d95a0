"""DKIM: is the provider's public key published at its selector, and is it strong enough?

Google Workspace signs with the selector `google` once the admin turns DKIM on (Admin console > Apps >
Google Workspace > Gmail > Authenticate email). Microsoft 365 signs with `selector1` and `selector2`,
CNAMEs to keys Microsoft keeps and rotates, so both must be published. Receivers ignore RSA keys under
1024 bits (RFC 8301); Google's console offers 2048.
"""

from __future__ import annotations

import base64
import binascii

from mailkit.domains.findings import DOMAIN_STATUSES, INVALID, MISSING, OK, UNCHECKED, WARNING, Finding, dns_fault
from mailkit.domains.lookups import Lookups
from mailkit.domains.tags import TagSyntaxError, parse_tags
from mailkit.i18n import N_

MIN_BITS = 1024
SELECTORS = {"google": ("google",), "microsoft": ("selector1", "selector2")}


class DkimKeyError(ValueError):
    """A DKIM key record receivers cannot use."""


def key_bits(record: str) -> int:
    """The size in bits of the public key in a DKIM key record (`v=DKIM1; k=rsa; p=...`).

    Raises DkimKeyError for a record without a key, a revoked key (`p=` empty) or one that does not decode.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        tags = parse_tags(record)
    except TagSyntaxError as exc:
        raise DkimKeyError(str(exc)) from exc
    if "p" not in tags:
        raise DkimKeyError("no p= tag: not a DKIM key")
    if not tags["p"]:
        raise DkimKeyError("p= is empty: the key was revoked")
    kind = tags.get("k", "rsa").lower()
    try:
        der = base64.b64decode("".join(tags["p"].split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DkimKeyError("p= is not base64") from exc
    if kind == "ed25519":
        if len(der) != 32:
            raise DkimKeyError("an ed25519 key is 32 bytes")
        return 256
    if kind != "rsa":
        raise DkimKeyError(f"unknown key type k={kind}")
    try:
        key = load_der_public_key(der)
    except ValueError as exc:
        raise DkimKeyError("p= holds no RSA public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise DkimKeyError("p= holds no RSA public key")
    return key.key_size


async def check_dkim(lookups: Lookups, domain: str, provider: str) -> Finding:
    """The DKIM finding: every selector of the provider judged, the worst one reported."""
    selectors = SELECTORS.get(provider)
    if not selectors:
        return Finding("dkim", UNCHECKED, N_("mailkit does not know which DKIM selector the mail server of {domain} "
                       "signs with."), N_("Ask the mail server's administrator for the selector and check "
                       "SELECTOR._domainkey.{domain} has a key of at least 1024 bits."), {"domain": domain})
    findings = [await _selector(lookups, domain, provider, s) for s in selectors]
    worst = max(findings, key=lambda f: DOMAIN_STATUSES.index(f.status))
    details = {"selectors": {s: f.details.get("bits") for s, f in zip(selectors, findings, strict=True)}}
    if worst.status != OK and any(f.ok for f in findings):  # one of Microsoft's two keys: rotation will break it
        return Finding("dkim", WARNING, N_("Only one of the two DKIM keys of {domain} is published: signing breaks "
                       "when Microsoft rotates to the other."), worst.remedy_id, worst.args,
                       found=worst.found, publish_name=worst.publish_name, publish=worst.publish, details=details)
    return Finding(worst.check, worst.status, worst.cause_id, worst.remedy_id, worst.args, worst.found,
                   worst.publish_name, worst.publish, {**worst.details, **details})


async def _selector(lookups: Lookups, domain: str, provider: str, selector: str) -> Finding:
    name = f"{selector}._domainkey.{domain}"
    answer = await lookups.txt(name)
    if answer.failed:
        return dns_fault("dkim", answer)
    keys = tuple(r for r in answer.records if "p=" in r)
    args = {"domain": domain, "selector": selector}
    publish = _publish(domain, provider, selector)
    if not keys:
        return Finding("dkim", MISSING, N_("No DKIM key is published at {name}: mail from {domain} is not signed "
                       "in a way receivers can check."), _REMEDY[provider], args, answer.records, name, publish)
    if len(keys) > 1:
        return Finding("dkim", INVALID, N_("{name} holds more than one DKIM key: receivers cannot tell which "
                       "one signs."), _REMEDY[provider], args, keys, name, publish)
    try:
        bits = key_bits(keys[0])
    except DkimKeyError as exc:
        return Finding("dkim", INVALID, N_("The DKIM key at {name} cannot be used ({error})."), _REMEDY[provider],
                       {**args, "error": str(exc)}, keys, name, publish)
    if bits < MIN_BITS:
        return Finding("dkim", INVALID, N_("The DKIM key at {name} has only {bits} bits: receivers ignore keys under "
                       "1024 bits."), _REMEDY[provider], {**args, "bits": bits}, keys, name, publish, {"bits": bits})
    return Finding("dkim", OK, N_("The DKIM key at {name} is published ({bits} bits)."), "", {**args, "bits": bits},
                   keys, name, details={"bits": bits})


def _publish(domain: str, provider: str, selector: str) -> str:
    """What to publish: Google's key comes from the Admin console; Microsoft's names are CNAMEs to its tenant."""
    if provider == "microsoft":
        return f"CNAME {selector}-{domain.replace('.', '-')}._domainkey.<TENANT>.onmicrosoft.com"
    return "v=DKIM1; k=rsa; p=<KEY>"


_REMEDY = {
    "google": N_("In the Google Admin console open Apps > Google Workspace > Gmail > Authenticate email, generate a "
              "2048-bit key for {domain}, publish it as a TXT record at {name} ({record}), then click Start "
              "authentication."),
    "microsoft": N_("In the Microsoft Defender portal open Email authentication settings > DKIM for {domain}, publish "
                 "the two CNAME records it shows ({name}: {record}), then enable signing."),
}

__all__ = ["MIN_BITS", "SELECTORS", "DkimKeyError", "check_dkim", "key_bits"]
