"""The course's settings, read from ``course.toml`` at the top of the repository.

    python -m courseware.settings [PATH]     # prints the settings, or what is wrong

Keys (a missing key takes its default): ``name`` (default "Deep Learning"), ``term``
(default: none, the sheets then show the course name alone), ``institution`` (default:
none), ``authors`` (a list of names; default: none), ``licence`` (default:
"All rights reserved"). A missing file, a TOML syntax error, an unknown key or a value of
the wrong type raises SettingsError with a ``PATH:LINE: message`` text.
"""
from __future__ import annotations

import difflib
import re
import sys
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from courseware.layout import ROOT

SETTINGS = ROOT / "course.toml"


@dataclass(frozen=True)
class CourseSettings:
    """What the sheets, the release README and the notebook metadata say about the course."""
    name: str = "Deep Learning"
    term: str = ""
    institution: str = ""
    authors: tuple[str, ...] = ()
    licence: str = "All rights reserved"


class SettingsError(Exception):
    """A settings file that cannot be used; the message is ``PATH:LINE: what is wrong``."""


def _key_line(text: str, key: str) -> int:
    """The line where ``key = ...`` stands (1 when it cannot be found)."""
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def load_settings(path: Path = SETTINGS) -> CourseSettings:
    """The settings in ``path``; raises SettingsError when the file cannot be used."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}:1: no such settings file (the course's name, term, "
                            f"institution, authors and licence; see README)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}:1: cannot read the settings: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None)   # Python 3.14 has it; 3.11 puts it in the text
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        if line is None:
            line = int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error))
        raise SettingsError(f"{path}:{line}: not valid TOML: {message}") from None

    known = {field.name: field for field in fields(CourseSettings)}
    values = {}
    for key, value in data.items():
        line = _key_line(text, key)
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
            raise SettingsError(f"{path}:{line}: unknown setting '{key}'{hint}")
        if key == "authors":
            if not (isinstance(value, list) and all(isinstance(name, str) for name in value)):
                raise SettingsError(f"{path}:{line}: 'authors' must be a list of names, "
                                    f'like ["A. Author", "B. Author"]')
            value = tuple(value)
        elif not isinstance(value, str):
            raise SettingsError(f"{path}:{line}: '{key}' must be a string in quotes")
        values[key] = value
    return CourseSettings(**values)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = load_settings(Path(args[0]) if args else SETTINGS)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    for field in fields(settings):
        print(f"{field.name}: {getattr(settings, field.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
