"""Reading the spreadsheets admins really have: CSV saved by Excel in any locale, and .xlsx.

Excel in Spanish and Polish locales saves "CSV" as cp1252 or cp1250 with `;` separators, "CSV UTF-8"
with a byte-order mark, and "Unicode text" as tab-separated UTF-16. The encoding is decided in this
order:

1. a UTF-16 byte-order mark (or NUL bytes in every other position) -> UTF-16;
2. strict UTF-8 (with or without BOM);
3. otherwise cp1252 (Western, Spanish) or cp1250 (Central European, Polish). Both decode almost any
   bytes, so each decoding is scored: +1 for every non-ASCII character that belongs to the language's
   alphabet (áéíóúüñ¿¡ / ąćęłńóśźż), -1 for any other non-ASCII character. Context settles the letters
   the two code pages share a byte for: Spanish ñ is almost always followed by a vowel and Polish ń
   never is; ż follows a letter where ¿ starts a question. The higher score wins; a tie (e.g. no
   accents at all) goes to cp1252.

The separator is sniffed on the first line holding one: the most frequent of tab, `;`, `,`, `|` outside
quotes (Excel's `sep=;` first line is honoured). Line numbers are kept as the spreadsheet shows them
(record 1 is the first line of the file, blank lines count), so errors can name the row to fix.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from mailkit.errors import UsageError

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = ("\t", ";", ",", "|")
_SPANISH = frozenset("áéíóúüñÁÉÍÓÚÜÑ¿¡")
_POLISH = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
_VOWELS = frozenset("aeiouyáéíóúAEIOUYÁÉÍÓÚ")
#: First characters that make a spreadsheet run a cell as a formula: export quotes them, import unquotes.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER_SEARCH = 10  # non-empty rows looked at for the header (a title line may come first)
#: Limits that keep an import's memory bounded whatever the file: a text file's size, and what an .xlsx (a zip)
#: may unpack to, checked from the zip's directory before anything is decompressed. 100,000 accounts fit.
MAX_TEXT_BYTES = 64 * 2**20
MAX_XLSX_UNPACKED = 256 * 2**20
_MAX_LISTED_LINES = 10

Rows = list[tuple[int, list[str]]]
Cell = TypeVar("Cell")


def read_table(path: str | Path) -> pd.DataFrame:
    """The file's rows as strings, indexed by line number ("line"), with the header row's names as columns.

    `attrs` says how it was read: path, format, encoding, separator, sheet, header_line, warnings.
    Blank rows are dropped (their numbers are kept by the others), cells are stripped, columns
    without a header and without data are dropped.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        _check_unpacked_size(path)
        rows, attrs = _excel_rows(path)
    elif suffix in TEXT_SUFFIXES:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise UsageError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB; an inventory file has at most "
                             f"{MAX_TEXT_BYTES // 2**20} MB: split it, or remove what is not account data")
        rows, attrs = _text_rows(path.read_bytes())
    elif suffix == ".xls":
        raise UsageError(f"{path.name} is in the old Excel format: save it as .xlsx or CSV and import that")
    else:
        raise UsageError(f"{path.name}: cannot read {suffix or 'a file without extension'}; "
                         f"use {', '.join(TEXT_SUFFIXES + EXCEL_SUFFIXES)}")
    return _frame(rows, {"path": str(path), **attrs})


# --- text files ----------------------------------------------------------------------------
def decode_text(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with (see the module docstring for the order)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(raw, "utf-16"), "utf-16"
    head = raw[:400]
    if len(head) >= 4 and head.count(b"\x00") * 3 > len(head):
        encoding = "utf-16-le" if head[1::2].count(b"\x00") > head[0::2].count(b"\x00") else "utf-16-be"
        return _strict(raw, encoding), encoding
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _legacy(raw)
    return text, "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"


def _strict(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UsageError(f"the file looks like {encoding} but byte {exc.start} is not valid {encoding}: "
                         "save it again as CSV UTF-8") from exc


def _legacy(raw: bytes) -> tuple[str, str]:
    """cp1252 or cp1250, whichever reads as more plausible Spanish or Polish."""
    scored = []
    for encoding, alphabet in (("cp1252", _SPANISH), ("cp1250", _POLISH)):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((language_score(text, alphabet), encoding == "cp1252", text, encoding))
    if not scored:
        return raw.decode("cp1252", errors="replace"), "cp1252 (with unreadable bytes replaced)"
    _, _, text, encoding = max(scored)
    return text, encoding


def language_score(text: str, alphabet: frozenset[str]) -> int:
    """How plausible the non-ASCII characters of a decoding are for a language (higher is better)."""
    score = 0
    for index, char in enumerate(text):
        if char.isascii():
            continue
        before, after = text[index - 1:index] if index else "", text[index + 1:index + 2]
        score += 1 if char in alphabet and not _implausible(char, before, after) else -1
    return score


def _implausible(char: str, before: str, after: str) -> bool:
    if char in "ñÑ":
        return after not in _VOWELS or not after
    if char in "ńŃ":
        return after in _VOWELS and after != ""
    if char == "¿":
        return before.isalpha()
    return False


def sniff_separator(lines: list[str]) -> str:
    """The separator counted most often outside quotes on the first line that holds any; ',' if none."""
    for line in lines:
        counts = {sep: _count_outside_quotes(line, sep) for sep in SEPARATORS}
        best = max(SEPARATORS, key=lambda sep: counts[sep])
        if counts[best]:
            return best
    return ","


def _count_outside_quotes(line: str, sep: str) -> int:
    return sum(part.count(sep) for part in line.split('"')[::2])


def decode_lines(raw: bytes) -> tuple[str, str, list[int]]:
    """Like `decode_text`, but a file that mixes UTF-8 lines with legacy ones (two lists pasted together) is
    decoded line by line: each line that is not UTF-8 is read as cp1252 or cp1250, chosen by those lines' letters.
    Returns the text, the encoding(s) and the numbers of the lines read in the legacy code page."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        lines = body.splitlines(keepends=True)
        legacy = [number for number, line in enumerate(lines, start=1) if not _is_utf8(line)]
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:400]
        if not utf16 and any(not line.isascii() and _is_utf8(line) for line in lines):
            _, encoding = _legacy(b"".join(lines[number - 1] for number in legacy))
            chosen = set(legacy)
            text = "".join(line.decode(encoding.split()[0], errors="replace") if number in chosen
                           else line.decode("utf-8") for number, line in enumerate(lines, start=1))
            return text, f"utf-8 + {encoding.split()[0]}", legacy
    text, encoding = decode_text(raw)
    return text, encoding, []


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text_rows(raw: bytes) -> tuple[Rows, dict[str, object]]:
    text, encoding, legacy = decode_lines(raw)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    hint = re.fullmatch(r'"?sep=(.)"?\s*', lines[first]) if lines else None
    sep = hint.group(1) if hint else sniff_separator([line for line in lines[first:first + 20] if line.strip()])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', skipinitialspace=True,
                        strict=False)
    try:
        rows = [(number, cells) for number, cells in enumerate(reader, start=1)]
    except csv.Error as exc:  # a cell over csv.field_size_limit(): never an account setting, maybe a broken quote
        raise UsageError(f"line {reader.line_num}: a cell is longer than {csv.field_size_limit():,} characters "
                         f"({exc}); no account field is that long: check that line for an unclosed quote or pasted "
                         "data") from exc
    if hint:
        rows = [row for row in rows if row[0] != first + 1]
    attrs = {"format": "tsv" if sep == "\t" else "csv", "encoding": encoding, "separator": sep, "warnings": []}
    if "replaced" in encoding:
        attrs["warnings"] = ["some bytes could not be read in any known encoding and show as '?': "
                             "save the file again as CSV UTF-8"]
    if legacy:
        more = " ..." if len(legacy) > _MAX_LISTED_LINES else ""
        listed = ", ".join(map(str, legacy[:_MAX_LISTED_LINES])) + more
        attrs["warnings"] = [f"the file mixes encodings: line(s) {listed} are not UTF-8 and were read as "
                             f"{encoding.rpartition(' ')[2]}; check their accents, then save the file again as CSV "
                             "UTF-8"]
    return rows, attrs


# --- Excel ---------------------------------------------------------------------------------
def _check_unpacked_size(path: Path) -> None:
    """Refuse an .xlsx whose members would unpack to more than MAX_XLSX_UNPACKED, reading only the zip's
    directory (a 2 MB "zip bomb" can unpack to gigabytes). The sizes declared there bound what Python's
    zipfile ever decompresses, so a member that lies about its size cannot get past this either."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: openpyxl says it is not a readable workbook
    if total > MAX_XLSX_UNPACKED:
        raise UsageError(f"{path.name} would unpack to {total / 2**20:,.0f} MB, more than the "
                         f"{MAX_XLSX_UNPACKED // 2**20} MB an inventory workbook needs (a damaged or hostile file?): "
                         "copy the accounts sheet into a new workbook or save it as CSV")


def _excel_rows(path: Path) -> tuple[Rows, dict[str, object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and its own errors for damaged files
        raise UsageError(f"{path.name} is not a readable Excel workbook ({type(exc).__name__}): "
                         "open it in Excel and save it again as .xlsx") from exc
    try:
        active = None
        for sheet in [book.active, *(ws for ws in book.worksheets if ws is not book.active)]:
            rows = _sheet_rows(sheet)
            active = active or (sheet, rows)
            if _header_index(rows, _has_email_header) is not None:
                break
        else:  # no sheet has an email header: the active one, whose header row is guessed later
            sheet, rows = active
    finally:
        book.close()
    return rows, {"format": "xlsx", "encoding": "", "separator": "", "sheet": sheet.title, "warnings": []}


def _sheet_rows(sheet: Any) -> Rows:  # an openpyxl Worksheet (openpyxl imported lazily)
    return [(cells[0].row, [cell_text(c.value) for c in cells]) for cells in sheet.iter_rows() if cells]


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a person sees: 587.0 -> '587', dates as ISO, None -> ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


# --- rows -> DataFrame ---------------------------------------------------------------------
def _has_email_header(cells: list[str]) -> bool:
    from mailkit.tabular.headers import field_for

    return any(field_for(cell) == "email" for cell in cells if cell.strip())


def _header_index(rows: Rows, accept: Callable[[list[str]], bool]) -> int | None:
    filled = [i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)][:_HEADER_SEARCH]
    return next((i for i in filled if accept(rows[i][1])), None)


def _frame(rows: Rows, attrs: dict[str, object]) -> pd.DataFrame:
    header_at = _header_index(rows, _has_email_header)
    if header_at is None:
        header_at = _header_index(rows, lambda cells: True)
    if header_at is None:
        raise UsageError(f"{attrs['path']}: the file is empty (no header row)")
    header_line, header = rows[header_at]
    body = [(line, [clean_cell(c) for c in cells]) for line, cells in rows[header_at + 1:]]
    body = [(line, cells) for line, cells in body if any(cells)]
    width = max([len(header), *(len(cells) for _, cells in body)])
    names = _column_names([h.strip() for h in header] + [""] * (width - len(header)))
    data = [cells + [""] * (width - len(cells)) for _, cells in body]
    keep = [i for i in range(width) if (i < len(header) and header[i].strip()) or any(row[i] for row in data)]
    frame = pd.DataFrame([[row[i] for i in keep] for row in data], columns=[names[i] for i in keep],
                         index=pd.Index([line for line, _ in body], name="line"), dtype=object)
    frame.attrs.update(attrs, header_line=header_line)
    return frame


def quote_formula(value: Cell) -> Cell | str:
    """Text a spreadsheet would run as a formula gets a leading quote (`clean_cell` takes it off again).

    >>> quote_formula("=1+1"), quote_formula("-5 days"), quote_formula("ok"), quote_formula(3)
    ("'=1+1", "'-5 days", 'ok', 3)
    """
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def clean_cell(text: str) -> str:
    """Strip spaces; undo the quote export puts before text that a spreadsheet would run as a formula."""
    text = str(text).replace("\x00", "").strip()
    if text.startswith("'") and text[1:2] and text[1:2] in FORMULA_START:
        return text[1:]
    return text


def _column_names(header: list[str]) -> list[str]:
    """Header names made unique; nameless columns get '(column N)'."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        name = name or f"(column {index})"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


__all__ = ["EXCEL_SUFFIXES", "FORMULA_START", "TEXT_SUFFIXES", "cell_text", "decode_lines", "decode_text",
           "language_score", "quote_formula", "read_table", "sniff_separator"]
