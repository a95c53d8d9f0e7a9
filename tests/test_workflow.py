"""The GitHub workflow is valid, checked offline against the GitHub-workflow schema
that check-jsonschema vendors (no network)."""
import subprocess
import sys

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def validate(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-workflows", str(path)], capture_output=True, text=True)


def test_workflow_is_valid_and_runs_make_test_and_the_release():
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    text = WORKFLOW.read_text()
    assert "run: make test" in text and "make release" in text and "hashFiles('constraints.txt'" in text


def test_the_validator_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"))
    result = validate(broken)
    assert result.returncode != 0 and "runs_on" in result.stdout + result.stderr


GUARDS = ROOT / ".github" / "workflows" / "guards.yml"


def test_the_slow_guards_run_once_per_lab_on_changes_to_labs_and_weekly():
    result = validate(GUARDS)
    assert result.returncode == 0, result.stdout + result.stderr
    text = GUARDS.read_text()
    labs = sorted(path.stem for path in (ROOT / "labs").glob("*.md"))
    listed = [line.strip()[2:] for line in text.splitlines() if line.startswith("          - ")]
    assert listed == labs, "the matrix lists every lab, once"
    for command in ("make mutants LAB=labs/${{ matrix.lab }}.md", "make mistakes LAB=labs/${{ matrix.lab }}.md",
                    "make robust LAB=labs/${{ matrix.lab }}.md", "upload-artifact", "cron:",
                    '- "labs/**"', '- "utils/**"', "shell: bash"):
        assert command in text, command
