"""Incremental builds: a stamp beside a lab's outputs records the digest of the inputs
they were made from. Standard library only, so that a no-op build stays fast."""
from __future__ import annotations

import json
from pathlib import Path


def stamp_bytes(template, digest: str) -> bytes:
    """What a build records beside its outputs: the inputs' digest."""
    return json.dumps({"template": str(template), "digest": digest}, indent=1).encode() + b"\n"


def stamp_is_current(stamp: Path, digest: str, outputs) -> bool:
    """True when every output exists and the stamp records this digest; a missing or
    unreadable stamp means: build again."""
    if not stamp.exists() or not all(Path(path).exists() for path in outputs):
        return False
    try:
        return json.loads(stamp.read_text())["digest"] == digest
    except (ValueError, KeyError, TypeError):
        return False
