"""Printable sheets: HTML and PDF from the wheels in .venv (pandoc, typst), no TeX."""
import dataclasses
import functools
import re
import shutil

import nbformat
import pytest
from pypdf import PdfReader

from conftest import ROOT, command

main = command("make_sheets").main
from courseware.layout import STAMPS, stamp_path
from courseware.settings import load_settings
from courseware.sheets.build import make_sheets, sheet_paths
from courseware.sheets.figures import READABLE, TEXT_WIDTH, Placement, placement
from courseware.sheets.notebook import ANSWER_SPACE, answer_marker, best_output, lab_title, sheet_notebook

BUILD = ROOT / "build"
LABS = sorted((ROOT / "labs").glob("*.md"))
LAB = ROOT / "labs" / "03-gradient-descent.md"


def notebook(*sources, metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(source) for source in sources]
    if metadata:
        nb.cells[-1].metadata.update(metadata)
    return nb


def test_sheet_title_comes_from_the_first_heading_and_headings_move_up():
    nb = notebook("# Lab 7: Convolutions\n\nIntro.", "## Exercise 1\n### Solution")
    sheet = sheet_notebook(nb, "pdf")
    assert lab_title(nb) == "Lab 7: Convolutions"
    assert [cell.source for cell in sheet.cells] == ["Intro.", "# Exercise 1\n## Solution"]


def test_answer_space_goes_where_the_solution_was_cut():
    sheet = sheet_notebook(notebook("# Lab 7: X", "Q1.\n\nQ2.", metadata={"answer_space": [3, 1]}),
                           "html")
    assert sheet.cells[0].source == f"Q1.\n\n\n{ANSWER_SPACE}\n\n\nQ2.\n\n\n{ANSWER_SPACE}\n"


def test_each_output_keeps_the_representation_its_target_shows_best():
    figure = {"output_type": "display_data", "metadata": {},
              "data": {"application/pdf": "JVBE", "image/png": "iVBO", "text/plain": "<Figure>"}}
    assert list(best_output(dict(figure, data=dict(figure["data"])), "pdf")["data"]) == ["application/pdf"]
    assert list(best_output(dict(figure, data=dict(figure["data"])), "html")["data"]) == ["image/png"]
    stream = {"output_type": "stream", "name": "stdout", "text": "1\n"}
    assert best_output(dict(stream), "pdf") == stream


def test_room_after_a_code_cell_and_its_size_reach_the_sheet():
    nb = notebook("# Lab 7: X", "Question.")
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"answer_space": [1], "answer_lines": [9]}))
    nb.cells[1].metadata.update({"answer_space": [1], "answer_lines": [5]})
    sheet = sheet_notebook(nb, "pdf")
    assert [cell.cell_type for cell in sheet.cells] == ["markdown", "code", "markdown"]
    assert sheet.cells[0].source == f"Question.\n\n\n{answer_marker(5)}\n"
    assert sheet.cells[2].source == answer_marker(9) == '<div class="answer-space" data-lines="9"></div>'


def test_headings_only_one_version_has_lose_their_number():
    question = notebook("# Lab 7: X", "## Exercise 1\n\n```python\n## not a heading\n```", "## Exercise 2")
    solution = notebook("# Lab 7: X", "## Exercise 1\n### Solution\n\n```python\n## not a heading\n```",
                        "## Exercise 2\n### Solution")
    sheet = sheet_notebook(solution, "pdf", question)
    assert [cell.source for cell in sheet.cells] == [
        "# Exercise 1\n## Solution {.unnumbered}\n\n```python\n## not a heading\n```",
        "# Exercise 2\n## Solution {.unnumbered}"]
    assert [cell.source for cell in sheet_notebook(question, "pdf", solution).cells] == [
        "# Exercise 1\n\n```python\n## not a heading\n```", "# Exercise 2"]


def test_a_message_printed_and_returned_is_shown_once():
    nb = notebook("# Lab 7: X")
    message = "check failed: gradient 0 differs"
    nb.cells.append(nbformat.v4.new_code_cell("expect_failure(...)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=f"check fires, as it should: {message}\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": repr(message)}, execution_count=1),
        nbformat.v4.new_output("execute_result", data={"text/plain": "'something else'"}, execution_count=1)]))
    outputs = sheet_notebook(nb, "html").cells[-1].outputs
    assert [output.output_type for output in outputs] == ["stream", "execute_result"]
    assert outputs[1].data["text/plain"] == "'something else'"


def test_a_figure_is_printed_as_large_as_its_text_needs():
    # (width, height, smallest text) in points -> in the column, full width, sideways
    assert placement(400, 300, 10) == Placement(400, False, 10, False)           # its own size
    column = placement(680, 290, 10)                                            # two panels
    assert not column.sideways and not column.full_width and column.smallest >= READABLE
    full = placement(780, 270, 10)                                               # too small there
    assert full.full_width and full.width == pytest.approx(TEXT_WIDTH) and full.smallest >= 5.8
    turned = placement(730, 310, 8)
    assert turned.sideways and turned.smallest >= READABLE
    assert placement(1116, 269, 7).smallest < 5.8                                # helped, not enough


def test_list_numbers_answer_boxes_and_unnumbered_headings_through_pandoc(tmp_path):
    from courseware.sheets.pandoc import run_pandoc
    nb = notebook("3. Write the CNN.\n4. The MLP.\n\n## Solution {.unnumbered}\n\n## Shared",
                  metadata={"answer_space": [2], "answer_lines": [9]})
    sheet = sheet_notebook(nb, "pdf")
    typst_text, _ = run_pandoc(sheet, "typst", tmp_path, {}, [])
    assert "start: 3" in typst_text and "#answer-space(lines: 9)" in typst_text
    assert "#heading(level: 2, numbering: none)[Solution]" in typst_text
    html, _ = run_pandoc(sheet_notebook(nb, "html"), "html5", tmp_path, {}, ["--number-sections"])
    assert '<ol start="3">' in html and '<div class="answer-space" style="--lines: 9"></div>' in html
    assert '<h2 class="unnumbered"' in html


def test_a_pdf_sheet_is_the_same_bytes_when_built_again_later_that_day(monkeypatch):
    import time
    from courseware.sheets.build import sheet_meta
    from courseware.sheets.typst import pdf_bytes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")          # 1 January 2026
    meta = sheet_meta("Lab 0: dates", "question", load_settings(ROOT / "course.toml"), "00-dates")
    nb = sheet_notebook(notebook("# Lab 0: dates\n\nSome text."), "pdf")
    first, _ = pdf_bytes(nb, meta)
    time.sleep(1.1)                                  # typst would stamp a later second
    second, _ = pdf_bytes(nb, meta)
    assert first == second
    assert b"D:20260101" in first and "1 January 2026" == meta["date"]


def test_bad_settings_stop_the_sheets_with_path_and_line(tmp_path, capsys):
    settings = tmp_path / "course.toml"
    settings.write_text('name = "Deep Learning"\nterm = "Winter\n')
    assert main(["--settings", str(settings), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{settings}:2: not valid TOML") and "Traceback" not in err
    assert not (tmp_path / "sheets").exists()


def pdf_pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """Sheets of every lab in a copy of the build (run `make` first): the sheets that
    `make sheets` made are copied with their stamps, and make_sheets builds what is
    missing or stale (after `make sheets`, as in `make test`, nothing)."""
    out = tmp_path_factory.mktemp("build")
    for version in ("questions", "solutions"):
        (out / version).mkdir()
        for lab in LABS:
            shutil.copy(BUILD / version / f"{lab.stem}.ipynb", out / version)
    (out / STAMPS).mkdir()
    (out / "sheets").mkdir()
    for lab in LABS:
        stamp, built = stamp_path(BUILD, lab.stem, "sheets"), sheet_paths(lab.stem, BUILD).values()
        if stamp.exists() and all(sheet.exists() for sheet in built):
            for path in [stamp, *built]:
                shutil.copy(path, out / path.parent.name)
    assert main([*map(str, LABS), "--out", str(out), "--jobs", "2"]) == 0
    return out


@pytest.mark.notebooks
def test_every_lab_gets_four_sheets_and_an_unchanged_lab_is_not_rebuilt(sheets):
    assert sorted(p.name for p in (sheets / "sheets").iterdir()) == sorted(
        f"{lab.stem}-{version}.{kind}" for lab in LABS
        for version in ("question", "solution") for kind in ("html", "pdf"))
    assert make_sheets(LAB, sheets) == "up to date"


@pytest.mark.notebooks
def test_lab_3_pdfs_have_title_course_formula_code_outputs_and_no_solution_in_the_question(sheets):
    term = load_settings().term
    solution_pages = pdf_pages(sheets / "sheets" / f"{LAB.stem}-solution.pdf")
    solution = "\n".join(solution_pages)
    assert "Lab 3: Gradient descent and the chain rule (Solutions)" in solution
    assert f"{load_settings().name} · {term}" in solution_pages[0]       # the course line
    assert re.search(r"^1 Exercise 1: gradient descent$", solution, re.MULTILINE)  # numbered
    assert "(𝑥1−6)" in solution.replace(" ", "")                     # a formula, as text
    assert "[2]: class Objective(Function):" in solution             # code, with its prompt
    assert "return (x[0] - 6) ** 2 + x[1] ** 2 - x[0] * x[1]" in solution
    assert "after 45 steps: x = (8.000000, 4.000000)" in solution     # an output value
    assert all(re.search(r"^Solutions \d+ / \d+$", page, re.MULTILINE) for page in solution_pages)
    reader = PdfReader(sheets / "sheets" / f"{LAB.stem}-solution.pdf")
    assert sum("/XObject" in page["/Resources"] for page in reader.pages) >= 2   # two figures,
    assert not any(page.images for page in reader.pages)                       # both vector

    question_pages = pdf_pages(sheets / "sheets" / f"{LAB.stem}-question.pdf")
    question = "\n".join(question_pages)
    assert "Lab 3: Gradient descent and the chain rule (Questions)" in question
    assert "# TODO return f(x) for a tensor x of shape (2,)." in question
    assert "[ ]: class Objective(Function):" in question    # skipped: code, no output
    assert all(re.search(r"^Questions \d+ / \d+$", page, re.MULTILINE) for page in question_pages)
    assert f"Licence: {load_settings().licence}" in question_pages[-1]     # the terms, last page
    for secret in ("Solution", "after 45 steps", "return (x[0] - 6) ** 2", "eigenvalue",
                   "524", "best final loss: 0.0071"):
        assert secret not in question, secret
    html = (sheets / "sheets" / f"{LAB.stem}-question.html").read_text()
    assert html.count('<div class="answer-space"') == 4      # room for the four answers,
    assert html.rindex('class="answer-space"') > html.rindex('class="cell code"')  # the last too
    assert "Solution" not in html and "after 45 steps" not in html


@pytest.mark.notebooks
def test_html_sheets_need_no_network(sheets):
    pages = sorted((sheets / "sheets").glob("*.html"))
    assert len(pages) == 2 * len(LABS)
    outside = re.compile(r"""<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=\s*["']?(https?:)?//"""
                         r"""|@import|url\(\s*["']?(https?:)?//|@font-face""", re.IGNORECASE)
    for page in pages:
        html = page.read_text()
        assert not outside.search(html), (page.name, outside.search(html).group(0))
        # 'http' only in prose links and the MathML namespace, never in a script, style or font
        for line in html.splitlines():
            if "http" in line and re.search(r"<(script|link|style)|font", line, re.IGNORECASE):
                pytest.fail(f"{page.name}: {line[:200]}")
        prose = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.DOTALL)
        assert "<math" in html and "$" not in prose         # every formula became MathML
        assert 'src="data:image/png;base64,' in html or "<img" not in html


@pytest.mark.notebooks
def test_a_new_term_rebuilds_the_sheets_without_executing_a_notebook(sheets, tmp_path, monkeypatch):
    import nbclient

    out = tmp_path / "build"
    shutil.copytree(sheets, out)                            # the other tests keep theirs
    def no_execution(*args, **kwargs):
        raise AssertionError("a notebook was executed")
    monkeypatch.setattr(nbclient.NotebookClient, "execute", no_execution)
    monkeypatch.setattr(nbclient.NotebookClient, "async_execute", no_execution)
    notebooks = {path: (path.read_bytes(), path.stat().st_mtime_ns)
                 for path in out.glob("*s/*.ipynb")}
    old = load_settings().term
    settings = tmp_path / "course.toml"
    text = (ROOT / "course.toml").read_text()
    assert f'term = "{old}"' in text
    settings.write_text(text.replace(f'term = "{old}"', 'term = "Summer Term 2031"'))

    assert main([str(LAB), "--out", str(out), "--jobs", "1", "--settings", str(settings)]) == 0
    pages = pdf_pages(out / "sheets" / f"{LAB.stem}-question.pdf")
    assert "Summer Term 2031" in pages[0] and "Summer Term 2031" in pages[1]   # title, header
    assert old not in "\n".join(pages)
    assert "Summer Term 2031" in (out / "sheets" / f"{LAB.stem}-solution.html").read_text()
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in out.glob("*s/*.ipynb")} == notebooks
    assert make_sheets(LAB, out, settings=load_settings(settings)) == "up to date"


# ---- what the PDF sheets show, read from their drawing commands ----------------------
# A small reader of PDF content streams over pypdf's objects: where each run of text
# starts and ends (from the fonts' widths), the dashed paths (the answer boxes), the
# figures (form XObjects) and the size of every text inside them, all as printed. It
# knows nothing of how the sheets were made, and reads all 26 in a few seconds.

_STRING = rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))*\)"   # nested 3 deep
_TOKEN = re.compile(_STRING + rb"""|<[0-9A-Fa-f\s]*>|<<|>>|\[|\]|/[^\s/\[\]()<>{}%]*"""
                    rb"""|[-+]?(?:\d+\.\d*|\.\d+|\d+)|[A-Za-z'"*]+|%[^\r\n]*""", re.DOTALL)
_NUMBER = frozenset(b"0123456789+-.")
MM = 72 / 25.4


def _literal(token: bytes) -> bytes:
    body = token[1:-1]
    if b"\\" not in body:
        return body
    body = body.replace(b"\\(", b"\\x28").replace(b"\\)", b"\\x29")
    return body.decode("unicode_escape").encode("latin-1")


def _multiply(a, b):
    """The matrix product a·b of two PDF matrices (a, b, c, d, e, f)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _apply(m, x, y):
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _scale(m) -> float:
    return abs(m[0] * m[3] - m[1] * m[2]) ** 0.5


class _Font:
    def __init__(self, font):
        font = font.get_object()
        self.two_bytes = font.get("/Subtype") == "/Type0"
        self.widths, self.default = {}, 1000.0
        self.unit = 0.001
        if self.two_bytes:
            descendant = font["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            w, i = list(descendant.get("/W", [])), 0
            while i < len(w):
                if isinstance(w[i + 1], list):
                    for k, width in enumerate(w[i + 1]):
                        self.widths[int(w[i]) + k] = float(width)
                    i += 2
                else:
                    for code in range(int(w[i]), int(w[i + 1]) + 1):
                        self.widths[code] = float(w[i + 2])
                    i += 3
        else:
            first = int(font.get("/FirstChar", 0))
            for k, width in enumerate(font.get("/Widths", [])):
                self.widths[first + k] = float(width)
            if "/FontMatrix" in font:
                self.unit = float(font["/FontMatrix"][0])
        self.unicode = {}
        if "/ToUnicode" in font:
            cmap = font["/ToUnicode"].get_object().get_data()
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
                for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                    self.unicode[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
            for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
                for low, high, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    start = int(text, 16)
                    for code in range(int(low, 16), int(high, 16) + 1):
                        self.unicode[code] = chr(start + code - int(low, 16))

    def codes(self, data: bytes):
        if self.two_bytes:
            return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)


@dataclasses.dataclass
class TextRun:
    text: str
    x0: float
    x1: float
    y: float
    size: float          # as printed, in points


@dataclasses.dataclass
class PageMarks:
    number: int
    width: float
    height: float
    runs: list = dataclasses.field(default_factory=list)
    dashed: list = dataclasses.field(default_factory=list)       # boxes (x0, y0, x1, y1)
    figures: list = dataclasses.field(default_factory=list)      # forms and images drawn
    figure_text: list = dataclasses.field(default_factory=list)  # (figure, main size of a text)


def _scan(marks: PageMarks, data: bytes, resources, fonts: dict):
    """Read a page's content stream into ``marks``."""
    stack, operands, array = [], [], None
    state = {"ctm": (1, 0, 0, 1, 0, 0), "dash": False}
    font, size, leading, spacing, word, horizontal = None, 0.0, 0.0, 0.0, 0.0, 1.0
    tm = tlm = (1, 0, 0, 1, 0, 0)
    path = []
    resources = resources.get_object() if resources is not None else {}

    def font_of(name):
        key = (id(resources), name)
        if key not in fonts:
            fonts[key] = _Font(resources["/Font"][name])
        return fonts[key]

    def show(strings):
        nonlocal tm
        text, x_start, visible = [], _apply(_multiply(tm, state["ctm"]), 0, 0), tm
        effective = size * _scale(tm) * _scale(state["ctm"]) * font.unit * 1000
        for item in strings:
            if isinstance(item, float):
                tm = _multiply((1, 0, 0, 1, -item / 1000 * size * horizontal, 0), tm)
                continue
            for code in font.codes(item):
                advance = (font.widths.get(code, font.default) * font.unit * size + spacing
                           + (word if code == 32 and not font.two_bytes else 0)) * horizontal
                tm = _multiply((1, 0, 0, 1, advance, 0), tm)
                char = font.unicode.get(code, "?")
                text.append(char)
                if not char.isspace():           # a trailing space is drawn nowhere
                    visible = tm
        x_end = _apply(_multiply(visible, state["ctm"]), 0, 0)
        marks.runs.append(TextRun("".join(text), min(x_start[0], x_end[0]), max(x_start[0], x_end[0]),
                                  x_start[1], effective))

    for token in _TOKEN.findall(data):
        first = token[0]
        if first in _NUMBER:
            value = float(token)
        elif first == 0x28:                      # (
            value = _literal(token)
        elif first == 0x2F:                      # /
            value = token.decode("latin-1")
        elif first == 0x5B:                      # [
            array = []
            continue
        elif first == 0x5D:                      # ]
            operands.append(array or [])
            array = None
            continue
        elif first == 0x3C:                      # < or <<
            if token[:2] == b"<<":
                continue
            value = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
        elif first == 0x25 or token == b">>":    # a comment
            continue
        else:
            op = token
            o = operands
            if op == b"q":
                stack.append(dict(state))
            elif op == b"Q" and stack:
                state = stack.pop()
            elif op == b"cm" and len(o) >= 6:
                state["ctm"] = _multiply(tuple(o[-6:]), state["ctm"])
            elif op == b"d":
                state["dash"] = bool(o and isinstance(o[0], list) and o[0])
            elif op == b"BT":
                tm = tlm = (1, 0, 0, 1, 0, 0)
            elif op == b"Tf" and len(o) >= 2:
                font, size = font_of(o[-2]), o[-1]
            elif op == b"TL" and o:
                leading = o[-1]
            elif op == b"Tc" and o:
                spacing = o[-1]
            elif op == b"Tw" and o:
                word = o[-1]
            elif op == b"Tz" and o:
                horizontal = o[-1] / 100
            elif op in (b"Td", b"TD") and len(o) >= 2:
                if op == b"TD":
                    leading = -o[-1]
                tm = tlm = _multiply((1, 0, 0, 1, o[-2], o[-1]), tlm)
            elif op == b"Tm" and len(o) >= 6:
                tm = tlm = tuple(o[-6:])
            elif op == b"T*":
                tm = tlm = _multiply((1, 0, 0, 1, 0, -leading), tlm)
            elif op in (b"Tj", b"'", b'"') and o and font is not None:
                if op != b"Tj":
                    tm = tlm = _multiply((1, 0, 0, 1, 0, -leading), tlm)
                show([o[-1]])
            elif op == b"TJ" and o and font is not None:
                show(o[-1])
            elif op in (b"m", b"l") and len(o) >= 2:
                path.append(_apply(state["ctm"], o[-2], o[-1]))
            elif op == b"c" and len(o) >= 6:
                path += [_apply(state["ctm"], o[i], o[i + 1]) for i in (-6, -4, -2)]
            elif op in (b"v", b"y") and len(o) >= 4:
                path += [_apply(state["ctm"], o[i], o[i + 1]) for i in (-4, -2)]
            elif op == b"re" and len(o) >= 4:
                x, y, w, h = o[-4:]
                path += [_apply(state["ctm"], x + dx, y + dy) for dx in (0, w) for dy in (0, h)]
            elif op in (b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"n"):
                if path and op in (b"S", b"s", b"B", b"B*", b"b", b"b*") and state["dash"]:
                    xs, ys = [p[0] for p in path], [p[1] for p in path]
                    marks.dashed.append((min(xs), min(ys), max(xs), max(ys)))
                path = []
            elif op == b"Do" and o:
                xobject = resources["/XObject"][o[-1]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    inner = _multiply(matrix, state["ctm"])
                    x0, y0, x1, y1 = (float(v) for v in xobject["/BBox"])
                    corners = [_apply(inner, x, y) for x in (x0, x1) for y in (y0, y1)]
                    marks.figures.append((min(c[0] for c in corners), min(c[1] for c in corners),
                                          max(c[0] for c in corners), max(c[1] for c in corners)))
                    _figure_text(marks, xobject.get_data(), inner, len(marks.figures) - 1)
                else:
                    corners = [_apply(state["ctm"], x, y) for x in (0, 1) for y in (0, 1)]
                    marks.figures.append((min(c[0] for c in corners), min(c[1] for c in corners),
                                          max(c[0] for c in corners), max(c[1] for c in corners)))
            elif op == b"BI":
                break                    # an inline image: never in these sheets
            operands = []
            continue
        if array is not None:
            array.append(value)
        else:
            operands.append(value)


_FIGURE_OPS = re.compile(rb"""(?:(-?[\d.]+)\s+){6}(cm|Tm)\b|\b(q|Q|BT|ET)\b|/\S+\s+(-?[\d.]+)\s+Tf\b|\b(Tj|TJ)\b""")


def _figure_text(marks: PageMarks, data: bytes, ctm, figure: int):
    """The main size, as printed, of each text object of a figure (matplotlib's PDF):
    the largest size its text is shown at, so that sub- and superscripts do not count."""
    stack, size, tm, shown = [], 0.0, (1, 0, 0, 1, 0, 0), None
    for match in _FIGURE_OPS.finditer(data):
        if match[2]:
            numbers = tuple(float(v) for v in re.findall(rb"-?[\d.]+", match.group())[-6:])
            if match[2] == b"cm":
                ctm = _multiply(numbers, ctm)
            else:
                tm = numbers
        elif match[3] == b"q":
            stack.append(ctm)
        elif match[3] == b"Q":
            ctm = stack.pop() if stack else ctm
        elif match[3] == b"BT":
            tm, shown = (1, 0, 0, 1, 0, 0), []
        elif match[3] == b"ET":
            if shown:
                marks.figure_text.append((figure, max(shown)))
            shown = None
        elif match[4]:
            size = abs(float(match[4]))
        elif match[5] and shown is not None:
            shown.append(size * _scale(tm) * _scale(ctm))


@functools.lru_cache(maxsize=None)
def sheet_marks(path) -> list[PageMarks]:
    """What each page of a PDF sheet draws: text runs, dashed boxes, figures."""
    reader = PdfReader(path)
    pages, fonts = [], {}
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        marks = PageMarks(number, float(box.width), float(box.height))
        contents = page.get_contents()
        if contents is not None:
            _scan(marks, contents.get_data(), page.get("/Resources"), fonts)
        pages.append(marks)
    return pages


def text_lines(pages: list[PageMarks]) -> list[str]:
    """The text of the pages (figures left out), line by line, in reading order."""
    lines = []
    for page in pages:
        rows = {}
        for run in page.runs:
            rows.setdefault(round(run.y), []).append(run)
        for y in sorted(rows, reverse=True):
            runs = sorted(rows[y], key=lambda run: run.x0)
            text = runs[0].text
            for before, run in zip(runs, runs[1:]):
                text += (" " if run.x0 - before.x1 > 1 else "") + run.text
            lines.append(text)
    return lines


# ---- the printed sheets, measured ------------------------------------------------------
FIGURE_TEXT = 5.8          # pt: "about 6 pt", the smallest text a figure may print
# Figures that no placement makes readable, and why: the test fails once one is fixed
# (then drop it here) or when another one appears.
FIGURES_TOO_SMALL: dict[tuple[str, str], str] = {}


def text_blocks(template) -> int:
    """The blocks of a template that stand in its text (not in a code fence) and do not
    ask for no room: the questions a question sheet leaves room for."""
    count, fenced, block = 0, False, None
    for line in template.read_text().split("\n"):
        if re.match(r"\s*```", line) and block is None:
            fenced = not fenced
        elif line.strip() == "#!TAG HWBEGIN" and not fenced:
            block = []
        elif line.strip() == "#!TAG HWEND" and block is not None:
            count += not re.search(r"<!--\s*answer[ -]space\s*:\s*none\s*-->", "\n".join(block), re.I)
            block = None
        elif block is not None:
            block.append(line)
    return count


def sheet_pdf(lab, version):
    path = BUILD / "sheets" / f"{lab.stem}-{version}.pdf"
    if not path.exists():
        pytest.skip(f"{path} is missing: run `make sheets` first")
    return sheet_marks(str(path))


@pytest.mark.notebooks
@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.stem[:2])
def test_printed_sheets_answer_boxes_figures_and_margins(lab):
    left, body_top, body_bottom = 20 * MM, 2.4 * 10 * MM, 2.2 * 10 * MM
    for version in ("question", "solution"):
        pages = sheet_pdf(lab, version)
        where = f"{lab.stem}-{version}.pdf"
        # Room for every question: one whole box per text block, each with its label.
        boxes = [(page.number, box) for page in pages for box in page.dashed]
        labels = [(page.number, run) for page in pages for run in page.runs if run.text == "Answer"]
        assert len(boxes) == (text_blocks(lab) if version == "question" else 0), where
        for number, (x0, y0, x1, y1) in boxes:
            inside = [run for page, run in labels if page == number
                      and x0 <= run.x0 <= x1 and y0 <= run.y <= y1]
            assert len(inside) == 1, f"{where} p. {number}: a box without its label (cut by a page?)"
            assert y0 >= body_bottom - 1 and y1 <= pages[0].height - body_top + 1, (where, number)
            assert y1 - y0 >= 2 * 10 * MM, f"{where} p. {number}: a box of {(y1 - y0) / MM:.0f} mm"
        assert len(labels) == len(boxes), where
        # Every line of text and every figure inside the margins.
        for page in pages:
            right = page.width - left
            for run in page.runs:
                assert left - 0.5 <= run.x0 and run.x1 <= right + 0.5, (
                    f"{where} p. {page.number}: {run.text[:40]!r} runs from {run.x0:.1f} to {run.x1:.1f} pt")
            for x0, _, x1, _ in page.figures:
                assert left - 0.5 <= x0 and x1 <= right + 0.5, f"{where} p. {page.number}: a figure"
        # No figure text too small to read on paper.
        small = {}
        for page in pages:
            for figure, size in page.figure_text:
                if size < FIGURE_TEXT:
                    small[page.number, figure] = min(size, small.get((page.number, figure), size))
        if (lab.stem, version) in FIGURES_TOO_SMALL:
            assert len(small) == 1, (f"{where}: {len(small)} figures print text below {FIGURE_TEXT} pt, "
                                     "not the one of FIGURES_TOO_SMALL (drop it there once it is fixed)")
        else:
            assert not small, f"{where}: figure text at {min(small.values()):.1f} pt (page, figure: {min(small)})"


@pytest.mark.notebooks
def test_lab_7_numbers_sections_and_questions_alike_on_both_sheets():
    lab = ROOT / "labs" / "07-convolutions.md"
    def numbered(version):
        reader = PdfReader(BUILD / "sheets" / f"{lab.stem}-{version}.pdf")
        def flat(outline):
            for item in outline:
                yield from flat(item) if isinstance(item, list) else [item.title]
        return [title for title in flat(reader.outline) if re.match(r"\d", title)]
    def items(version):
        lines, joined = text_lines(sheet_pdf(lab, version)), []
        for line in lines:          # a number set a fraction of a point off its line's baseline
            if joined and re.fullmatch(r"\d+\.", joined[-1]):
                joined[-1] += " " + line
            else:
                joined.append(line)
        return [line for line in joined if re.match(r"\d+\. [A-Z]\w*", line)]
    assert numbered("question") == numbered("solution")
    assert "6.1 Strides, padding, and the transposed convolution" in numbered("question")
    question, solution = items("question"), iter(items("solution"))
    assert all(any(line[:30] == other[:30] for other in solution) for line in question)  # in order
    assert any(line.startswith("3. Write the CNN") for line in question)
    assert any(line.startswith("4. The MLP to compare with") for line in question)
