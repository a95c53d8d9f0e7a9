import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def render(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run scripts/render.py as a user would, capturing what it prints."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "render.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)
