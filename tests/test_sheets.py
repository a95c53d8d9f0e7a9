"""Printable sheets: HTML and PDF from the wheels in .venv (pandoc, typst), no TeX."""
import re
import shutil

import nbformat
import pytest
from pypdf import PdfReader

from conftest import ROOT, command

main = command("make_sheets").main
from courseware.settings import load_settings
from courseware.sheets.build import make_sheets
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
    """Sheets of every lab, made from copies of the built notebooks (run `make` first)."""
    out = tmp_path_factory.mktemp("build")
    for version in ("questions", "solutions"):
        (out / version).mkdir()
        for lab in LABS:
            shutil.copy(BUILD / version / f"{lab.stem}.ipynb", out / version)
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
