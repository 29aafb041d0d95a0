"""The corpus of real replies in tests/data/replies/, loaded once for the tests that use it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

REPLIES = Path(__file__).parent / "data" / "replies"


@dataclass(frozen=True)
class Reply:
    """One real reply as seen at its source, with the status an admin would give it."""

    file: str
    server: str
    provider: str
    protocol: str
    code: int | None
    text: str
    status: str
    source: str
    step: str = ""
    note: str = ""
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.file}:{self.source.rsplit('/', 2)[-2]}/{self.source.rsplit('/', 1)[-1]}:{self.text[:24]}"


def load_corpus() -> list[Reply]:
    """Every reply of every file; a file names its server and provider once."""
    found = []
    for path in sorted(REPLIES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in data["reply"]:
            found.append(Reply(
                file=path.stem, server=data["server"], provider=entry.get("provider", data["provider"]),
                protocol=entry["protocol"], code=entry.get("code"), text=entry["text"], status=entry["status"],
                source=entry["source"], step=entry.get("step", ""), note=entry.get("note", ""),
                variant=entry.get("variant", ""),
            ))
    return found


CORPUS = load_corpus()
