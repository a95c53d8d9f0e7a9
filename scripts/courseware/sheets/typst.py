"""Sheets, step 3a: the PDF sheet, pandoc's typst output compiled by the typst wheel.

The layout is ours (template.typ): title block with the course and term, numbered
sections, code on a shaded block with its prompt, outputs beside a rule, page numbers
and the version (Questions or Solutions) in every footer. Figures stay vector graphics:
sheet_notebook keeps the PDF version of each one, which typst embeds.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from courseware.sheets.pandoc import SHEETS, SheetError, run_pandoc

TEMPLATE = SHEETS / "template.typ"


def typst_source(notebook, folder: Path, meta: dict) -> tuple[Path, list[str]]:
    """Write ``sheet.typ`` and the figures it shows into ``folder``."""
    text, warnings = run_pandoc(notebook, "typst", folder, meta,
                                [f"--template={TEMPLATE}", "--extract-media=media",
                                 # code as tokens, which template.typ wraps itself
                                 "--syntax-highlighting=pygments"])
    # pandoc's math writer still spells \odot by a name typst 0.14 deprecates, and
    # writes a \big delimiter that has a name as text ("#scale(...)[bar.v.double]")
    text = re.sub(r"(?<![\w.\"])dot\.circle\b", "dot.o", text)
    text = re.sub(r"(#scale\(x: [\d.]+%, y: [\d.]+%\))\[([a-z][a-z.]*)\]", r"\1[$\2$]", text)
    path = folder / "sheet.typ"
    path.write_text(text, encoding="utf-8")
    return path, warnings


def pdf_bytes(notebook, meta: dict) -> tuple[bytes, list[str]]:
    """The PDF sheet of a prepared notebook, and the warnings met on the way."""
    import typst

    with tempfile.TemporaryDirectory(prefix="sheet-") as folder:
        path, warnings = typst_source(notebook, Path(folder), meta)
        try:
            # Only the fonts inside the wheel: the same PDF on every machine.
            pdf, said = typst.compile_with_warnings(str(path), root=folder, ignore_system_fonts=True)
        except typst.TypstError as error:
            raise SheetError(f"typst failed: {error}") from None
    # typst's own warnings too (a missing glyph, a layout that did not settle)
    return pdf, warnings + list(dict.fromkeys(f"typst: {warning.message}" for warning in said))
