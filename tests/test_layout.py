"""The layout says what it holds: each package's docstring names its modules, and the
README's layout section names every command in scripts/."""
import importlib
import re
from pathlib import Path

import pytest

import courseware
from courseware.layout import ROOT

PACKAGE = Path(courseware.__file__).parent
SUBPACKAGES = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))


def named(docstring: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", docstring) is not None


def test_the_package_docstring_names_every_pipeline_and_module():
    parts = SUBPACKAGES + sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
    assert [part for part in parts if not named(courseware.__doc__, part)] == []


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_each_pipelines_docstring_names_each_of_its_modules(subpackage):
    docstring = importlib.import_module(f"courseware.{subpackage}").__doc__
    modules = sorted(path.stem for path in (PACKAGE / subpackage).glob("*.py") if path.stem != "__init__")
    assert modules, subpackage
    assert [module for module in modules if not named(docstring, module)] == []


def test_the_readme_layout_names_every_command_and_pipeline():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    commands = sorted(path.stem for path in (ROOT / "scripts").glob("*.py"))
    assert len(commands) >= 6
    assert [command for command in commands if not named(layout, command)] == []
    assert [part for part in SUBPACKAGES if f"{part}/" not in layout] == []


def test_the_checks_above_fail_on_a_module_left_unnamed():
    assert not named("leaks, release, numbers", "mutants")
    assert not named("guards.release", "release")   # a dotted mention is not the module's line
    assert named("    release        nothing of a solution", "release")
