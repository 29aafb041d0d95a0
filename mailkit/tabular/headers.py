"""Column names of inventory files: the English contract names and their Spanish/Polish aliases.

Admins keep their lists in spreadsheets with headers in their own language ("Correo electrónico",
"Razón social", "Adres e-mail", "Nazwa firmy"). Headers are compared after folding case, accents,
spaces, underscores and punctuation, so "Correo_Electronico" and "correo electrónico" are one name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from mailkit.errors import UsageError

#: The contract's columns, in the contract's order (export writes these first).
CONTRACT_COLUMNS = ("company", "company_name", "email", "display_name", "auth", "provider", "smtp_host",
                    "smtp_port", "security", "imap_host", "imap_port", "login", "tags", "notes")
#: Every column export writes: the contract's, then the company's tax id, the extra From addresses, IMAP's TLS
#: mode and an extra CA file.
EXPORT_COLUMNS = (*CONTRACT_COLUMNS, "tax_id", "from_addresses", "imap_security", "ca_file")

ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("company id", "company slug", "slug", "client", "empresa", "id empresa", "clave empresa",
                "código empresa", "cliente", "firma", "klient", "kod firmy", "identyfikator firmy"),
    "company_name": ("company name", "razón social", "nombre empresa", "nombre de la empresa", "nombre comercial",
                     "nombre del cliente", "nazwa firmy", "pełna nazwa", "nazwa klienta"),
    "tax_id": ("tax id", "vat", "vat id", "rfc", "nif", "cif", "cuit", "ruc", "nit", "rut", "id fiscal",
               "número fiscal", "nip", "numer nip"),
    "email": ("e-mail", "mail", "email address", "e-mail address", "account", "correo", "correo electrónico",
              "cuenta", "cuenta de correo", "dirección de correo", "dirección", "adres e-mail", "adres email",
              "adres", "skrzynka", "konto", "poczta"),
    "display_name": ("display name", "name", "sender name", "from name", "nombre", "nombre a mostrar",
                     "nombre visible", "nombre para mostrar", "nombre del remitente", "nazwa wyświetlana",
                     "wyświetlana nazwa", "nazwa nadawcy"),
    "auth": ("authentication", "auth method", "autenticación", "autentificación", "método",
             "método de autenticación", "tipo de autenticación", "uwierzytelnianie", "metoda uwierzytelniania",
             "typ uwierzytelniania", "autoryzacja"),
    "provider": ("mail provider", "proveedor", "proveedor de correo", "servicio", "dostawca", "dostawca poczty",
                 "usługodawca"),
    "smtp_host": ("smtp", "smtp server", "host", "servidor smtp", "host smtp", "servidor", "servidor de salida",
                  "serwer smtp", "serwer"),
    "smtp_port": ("port", "puerto", "puerto smtp", "port smtp"),
    "security": ("tls", "ssl", "tls/ssl", "encryption", "seguridad", "cifrado", "encriptación", "szyfrowanie",
                 "zabezpieczenie", "bezpieczeństwo"),
    "imap_host": ("imap", "imap server", "servidor imap", "host imap", "servidor de entrada", "serwer imap"),
    "imap_port": ("puerto imap", "port imap"),
    "imap_security": ("imap tls", "imap ssl", "imap security", "seguridad imap", "cifrado imap", "szyfrowanie imap"),
    "login": ("user", "username", "user name", "usuario", "nombre de usuario", "usuario smtp", "użytkownik",
              "nazwa użytkownika"),
    "tags": ("labels", "etiquetas", "tagi", "etykiety"),
    "notes": ("note", "comments", "notas", "observaciones", "comentarios", "uwagi", "notatki", "komentarz"),
    "ca_file": ("ca", "ca file", "ca certificate", "certificado ca", "certificado de la ca", "archivo ca",
                "plik ca", "certyfikat ca"),
    "from_addresses": ("from", "send as", "aliases", "remitentes", "enviar como", "alias", "nadawcy",
                       "adresy nadawcy", "wyślij jako"),
}

#: Headers that would hold secrets: never imported, and the admin is told to remove them from the file.
SECRET_HEADERS = ("password", "passwd", "pwd", "pass", "secret", "app password", "token", "access token",
                  "refresh token", "client secret", "contraseña", "contraseña de aplicación", "clave de aplicación",
                  "hasło", "hasło aplikacji", "hasło do aplikacji")

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"})


def header_key(text: str) -> str:
    """'Correo Electrónico' -> 'correoelectronico'; 'Użytkownik' -> 'uzytkownik'.

    >>> header_key(" Adres_E-mail "), header_key("Hasło")
    ('adresemail', 'haslo')
    """
    plain = unicodedata.normalize("NFKD", str(text).translate(_FOLD)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        for alias in (name, *aliases):
            key = header_key(alias)
            if table.setdefault(key, name) != name:
                raise ValueError(f"header alias {alias!r} would mean both {table[key]} and {name}")
    return table


_LOOKUP = _lookup()
_SECRETS = frozenset(header_key(h) for h in SECRET_HEADERS)


def field_for(header: str) -> str | None:
    """The inventory field a column header names, or None."""
    return _LOOKUP.get(header_key(header))


@dataclass
class ColumnMap:
    """Which column of the file holds which field, and what was left out."""

    headers: list[str]
    columns: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    secret: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def require_email(self, source: str) -> None:
        """A file without an email column cannot be imported; say what was found and what is expected."""
        if "email" in self.columns:
            return
        found = ", ".join(repr(h) for h in self.headers) or "none"
        raise UsageError(
            f"{source}: no email column. Columns found: {found}. Name the column with the account addresses "
            "'email' (also accepted: correo, correo electrónico, e-mail, adres e-mail, skrzynka)")


def map_columns(headers: list[str]) -> ColumnMap:
    """Map a file's headers to inventory fields; unknown and secret-looking columns become warnings."""
    result = ColumnMap(headers=list(headers))
    for header in headers:
        name = field_for(header)
        if name is None:
            (result.secret if header_key(header) in _SECRETS else result.unknown).append(header)
        elif name in result.columns:
            result.warnings.append(f"columns {result.columns[name]!r} and {header!r} both mean {name}: "
                                   f"using {result.columns[name]!r}, ignoring {header!r}")
        else:
            result.columns[name] = header
    if result.unknown:
        result.warnings.append(f"ignored columns mailkit does not know: {', '.join(map(repr, result.unknown))} "
                               f"(known: {', '.join(EXPORT_COLUMNS)})")
    if result.secret:
        result.warnings.append(f"columns {', '.join(map(repr, result.secret))} look like passwords or tokens: "
                               "mailkit never imports secrets, they were ignored. Delete them from the file and "
                               "set each secret with `mailkit secret set EMAIL`")
    return result


__all__ = ["ALIASES", "CONTRACT_COLUMNS", "EXPORT_COLUMNS", "ColumnMap", "field_for", "header_key", "map_columns"]
