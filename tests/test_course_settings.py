"""The course settings file: defaults for missing keys, PATH:LINE for every mistake."""
import subprocess
import sys

import pytest

from courseware.settings import CourseSettings, SettingsError, load_settings


def settings_file(tmp_path, text):
    path = tmp_path / "course.toml"
    path.write_text(text)
    return path


def test_the_repository_settings_are_read():
    settings = load_settings()
    assert settings.name and settings.term
    assert isinstance(settings.authors, tuple)


def test_a_missing_key_takes_its_default(tmp_path):
    settings = load_settings(settings_file(tmp_path, 'term = "Summer 2027"\n'))
    assert settings == CourseSettings(term="Summer 2027")
    assert settings.name == "Deep Learning" and settings.authors == ()


def test_authors_become_a_tuple(tmp_path):
    path = settings_file(tmp_path, 'authors = ["A. One", "B. Two"]\n')
    assert load_settings(path).authors == ("A. One", "B. Two")


@pytest.mark.parametrize("text, line, message", [
    ('name = "x"\n\nterm = "Winter\n', 3, "not valid TOML"),
    ('name = "x"\nterm = 2027\n', 2, "'term' must be a string"),
    ('name = "x"\n\n\nauthors = "A. One"\n', 4, "'authors' must be a list of names"),
    ('name = "x"\ntrem = "Winter"\n', 2, "unknown setting 'trem' (did you mean 'term'?)"),
])
def test_mistakes_name_the_file_and_line(tmp_path, text, line, message):
    path = settings_file(tmp_path, text)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert message in str(error.value)


def test_a_missing_file_is_reported_without_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "courseware.settings",
                             str(tmp_path / "course.toml")], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{tmp_path / 'course.toml'}:1: no such settings file")
    assert "Traceback" not in result.stderr
