"""Incremental builds: a stamp beside a lab's outputs records the digest of the inputs
they were made from and, per executed notebook, the key its outputs were computed
under and how long that took. Standard library only, so that a no-op build stays fast."""
from __future__ import annotations

import json
from pathlib import Path

from courseware.layout import VERSIONS, built_notebook


def stamp_bytes(template, digest: str, notebooks: dict | None = None) -> bytes:
    """What a build records beside its outputs. ``notebooks``: version ->
    {"key": execution key, "seconds": execution time}, for executed notebooks only."""
    record = {"template": str(template), "digest": digest, "notebooks": notebooks or {}}
    return json.dumps(record, indent=1, sort_keys=True).encode() + b"\n"


def read_stamp(stamp: Path) -> dict:
    """The stamp's record; {} when it is missing or unreadable (then: build again)."""
    try:
        record = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def stamp_is_current(stamp: Path, digest: str, outputs) -> bool:
    """True when every output exists and the stamp records this digest."""
    if not all(Path(path).exists() for path in outputs):
        return False
    return read_stamp(stamp).get("digest") == digest


def recorded_notebook(stamp: Path, version: str) -> dict:
    """{"key": ..., "seconds": ...} of one notebook of the last good build, or {}."""
    notebooks = read_stamp(stamp).get("notebooks")
    entry = notebooks.get(version) if isinstance(notebooks, dict) else None
    return entry if isinstance(entry, dict) else {}


def output_paths(template: Path, out: Path) -> dict[str, Path]:
    """'solution.ipynb', 'solution.md', 'question.ipynb', 'question.md' -> path."""
    return {f"{version}{suffix}": built_notebook(out, version, template.stem, suffix)
            for version in VERSIONS for suffix in (".ipynb", ".md")}
