"""Printable sheets: HTML and PDF through nbconvert (xelatex)."""
import re
import shutil
import subprocess

import nbformat
import pytest

from conftest import ROOT
from make_sheets import (ANSWER_SPACE, DEBIAN_PACKAGES, main, make_sheets, missing_tools,
                         sheet_notebook)

BUILD = ROOT / "build"
LAB = ROOT / "labs" / "03-gradient-descent.md"


def notebook(*sources, metadata=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(source) for source in sources]
    if metadata:
        nb.cells[-1].metadata.update(metadata)
    return nb


def test_sheet_title_comes_from_the_first_heading_and_headings_move_up():
    sheet = sheet_notebook(notebook("# Lab 7: Convolutions\n\nIntro.", "## Exercise 1\n### Solution"),
                           "question", "pdf")
    assert sheet.metadata["title"] == "Lab 7: Convolutions (Questions)"
    assert [cell.source for cell in sheet.cells] == ["Intro.", "# Exercise 1\n## Solution"]


def test_answer_space_goes_where_the_solution_was_cut():
    sheet = sheet_notebook(notebook("# Lab 7: X", "Q1.\n\nQ2.", metadata={"answer_space": [1, 3]}),
                           "question", "html")
    assert sheet.cells[0].source == f"Q1.\n{ANSWER_SPACE['html']}\n\nQ2.\n{ANSWER_SPACE['html']}"


def test_missing_tools_name_the_debian_packages(monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    assert main([]) == 2
    message = capsys.readouterr().err
    assert "xelatex and pandoc not found" in message and DEBIAN_PACKAGES in message


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.notebooks
def test_lab_3_sheets_have_title_formula_code_outputs_and_no_solution_in_the_question(tmp_path):
    assert not missing_tools(), f"PDF sheets need: apt-get install {DEBIAN_PACKAGES} poppler-utils"
    for version in ("questions", "solutions"):
        (tmp_path / version).mkdir()
        shutil.copy(BUILD / version / f"{LAB.stem}.ipynb", tmp_path / version)
    assert make_sheets(LAB, tmp_path) == "built"
    assert make_sheets(LAB, tmp_path) == "up to date"
    sheets = tmp_path / "sheets"
    assert sorted(p.name for p in sheets.iterdir()) == [
        f"{LAB.stem}-{version}.{kind}" for version in ("question", "solution") for kind in ("html", "pdf")]

    solution = pdf_text(sheets / f"{LAB.stem}-solution.pdf")
    assert "Lab 3: Gradient descent and the chain rule (Solutions)" in solution
    assert re.search(r"\b1\s+Exercise 1: gradient descent", solution)   # numbered sections
    assert "(𝑥1 − 6)" in solution                                 # a formula, as text
    assert "class Objective(Function):" in solution               # code
    assert "after 45 steps" in solution                           # an output value
    assert "return (x[0] - 6) ** 2 + x[1] ** 2 - x[0] * x[1]" in solution

    question = pdf_text(sheets / f"{LAB.stem}-question.pdf")
    assert "Lab 3: Gradient descent and the chain rule (Questions)" in question
    assert "# TODO return f(x) for a tensor x of shape (2,)." in question
    assert "class Objective(Function):" in question               # skipped: code, no output
    for secret in ("Solution", "after 45 steps", "return (x[0] - 6) ** 2", "eigenvalue",
                   "524", "best final loss: 0.0071"):
        assert secret not in question, secret
    html = (sheets / f"{LAB.stem}-question.html").read_text()
    assert "border: 1px dashed" in html                           # room for the answers
