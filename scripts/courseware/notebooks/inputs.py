"""What a lab's notebooks are made from, hashed: the digest that says "up to date", and
per notebook the key that says "its outputs can be carried over". Standard library
only, so that a no-op build stays fast."""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

from courseware.layout import PACKAGE, ROOT, UTILS

# What the notebooks are made with: the render command, the package's shared modules,
# the template and notebook steps.
PIPELINE = [ROOT / "scripts" / "render.py", PACKAGE / "__init__.py", PACKAGE / "layout.py",
            PACKAGE / "fast_imports.py", PACKAGE / "messages.py",
            *sorted((PACKAGE / "template").glob("*.py")), *sorted((PACKAGE / "notebooks").glob("*.py"))]
ENVIRONMENT = ("requirements.txt", "constraints.txt")
# How a kernel runs (environment variables, options) changes outputs; how they are
# reported or written does not.
EXECUTION = [PACKAGE / "notebooks" / "execute.py"]
# Cell metadata that only the sheets read (template/tags.py writes it: where a question
# notebook leaves room for an answer, and how much). The room of a lab's last answer
# follows from the prose after it, so keying on it would execute a question notebook
# again after a prose-only edit.
SHEETS_ONLY = ("answer_space", "answer_lines")

_UTILS_IMPORT = re.compile(r"^\s*(?:from\s+utils\.(\w+)|import\s+utils\.(\w+)"
                           r"|from\s+utils\s+import\s+\(?([\w\s,]+)\)?|from\s+\.(\w+)\s+import)",
                           re.MULTILINE)


def utils_dependencies(text: str) -> list[Path]:
    """The utils modules a template imports, directly or through other utils modules."""
    found: set[Path] = set()
    pending = [text]
    while pending:
        for match in _UTILS_IMPORT.finditer(pending.pop()):
            names = [name for group in match.groups() if group
                     for name in re.split(r"[\s,]+", group) if name]
            for name in names:
                path = UTILS / f"{name}.py"
                if path.exists() and path not in found:
                    found.add(path)
                    pending.append(path.read_text(encoding="utf-8"))
    init = UTILS / "__init__.py"
    return sorted(found | ({init} if found and init.exists() else set()))


def _hash_files(digest, paths) -> None:
    for path in paths:
        if path.exists():
            digest.update(f"\n{path.relative_to(ROOT)}\n".encode())
            digest.update(path.read_bytes())


def input_digest(template: Path, execute: bool) -> str:
    """A hash of everything a lab's notebooks are made from."""
    data = template.read_bytes()
    digest = hashlib.sha256(f"execute={execute}\n".encode())
    digest.update(data)
    _hash_files(digest, PIPELINE + [ROOT / name for name in ENVIRONMENT]
                + utils_dependencies(data.decode("utf-8", errors="replace")))
    return digest.hexdigest()


def execution_environment(template_text: str) -> str:
    """A hash of what a kernel runs with besides the code: the Python that runs the
    kernel, the pinned packages, the utils modules the lab imports, the executor."""
    digest = hashlib.sha256(f"{sys.executable}\n{sys.version}\n".encode())
    _hash_files(digest, [ROOT / name for name in ENVIRONMENT] + EXECUTION
                + utils_dependencies(template_text))
    return digest.hexdigest()


def executed_code(notebook) -> list:
    """What a kernel is given of a notebook: each code cell's source and metadata (which
    holds the tags that skip a cell), without what only the sheets read."""
    return [[cell.source, {name: value for name, value in cell.metadata.items()
                           if name not in SHEETS_ONLY}]
            for cell in notebook.cells if cell.cell_type == "code"]


def execution_key(notebook, environment: str) -> str:
    """What a notebook's outputs depend on: its kernel, its code cells in order
    (``executed_code``) and the environment. Prose is not part of it."""
    digest = hashlib.sha256(environment.encode())
    digest.update(json.dumps(notebook.metadata.get("kernelspec"), sort_keys=True).encode())
    for cell in executed_code(notebook):
        digest.update(json.dumps(cell, sort_keys=True).encode() + b"\n")
    return digest.hexdigest()
