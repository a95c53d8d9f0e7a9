"""Where things are: the one owner of the repository's and the build's layout.

``labs/NN-topic.md`` becomes ``OUT/questions/NN-topic.ipynb`` (and ``.md``),
``OUT/solutions/NN-topic.ipynb`` (and ``.md``), the sheets
``OUT/sheets/NN-topic-{question,solution}.{html,pdf}``, a stamp per step in
``OUT/.stamps/``, and the releases ``OUT/release/STUDENT/`` with ``STUDENT.zip``;
``OUT/.cache/`` keeps what is slow to compute and known by a hash of its input (the
text of a PDF sheet).
Standard library only, so that a no-op build stays fast.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent          # scripts/courseware
ROOT = PACKAGE.parent.parent                        # the repository
LABS = ROOT / "labs"
UTILS = ROOT / "utils"
# The solution first: the build executes it first, and a failure both versions share is
# told of the solution.
VERSIONS = ("solution", "question")
STAMPS = ".stamps"
CACHE = ".cache"

# OUT/release/STUDENT/ and OUT/release/STUDENT.zip (scripts/make_release.py).
STUDENT = "dl-labs"
ASSISTANT = "dl-labs-solutions"


def lab_templates() -> list[Path]:
    """Every lab template, in the order of their names."""
    return sorted(LABS.glob("*.md"), key=lambda path: path.name)


def built_notebook(out: Path, version: str, stem: str, suffix: str = ".ipynb") -> Path:
    return out / f"{version}s" / f"{stem}{suffix}"


def stamp_path(out: Path, stem: str, step: str = "") -> Path:
    """The stamp of a lab's notebooks (``step`` empty) or of another step ("sheets")."""
    return out / STAMPS / f"{stem}{'-' + step if step else ''}.json"


def sheet_path(out: Path, version: str, stem: str, target: str) -> Path:
    return out / "sheets" / f"{stem}-{version}.{target}"


def cache_path(out: Path, kind: str, key: str) -> Path:
    """Where a result of ``kind`` ("pdf-text") for the input whose hash is ``key`` is kept."""
    return out / CACHE / kind / key
