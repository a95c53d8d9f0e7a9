import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def render(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run scripts/render.py as a user would, capturing what it prints."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "render.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def command(name: str):
    """A command of scripts/ (``scripts/NAME.py``) loaded as a module, to call its main()."""
    spec = importlib.util.spec_from_file_location(f"command_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
