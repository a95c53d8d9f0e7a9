"""Templates survive Jupyter: opened and saved through a real Jupyter server (the
contents API, as JupyterLab does), every template comes back byte-identical."""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT

LABS = sorted((ROOT / "labs").glob("*.md"))
TOKEN = "round-trip-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(port: int, path: str, method: str = "GET", body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Jupyter server on a loopback port, serving a copy of labs/ and the repository's
    jupytext settings (so that a failed round trip cannot touch a real template)."""
    root = tmp_path_factory.mktemp("jupyter")
    shutil.copytree(ROOT / "labs", root / "labs")
    shutil.copy(ROOT / "jupytext.toml", root)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={TOKEN}",
         "--ServerApp.port_retries=0", "--allow-root"],          # CI runs as root
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(root / ".runtime")})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                api(port, "status")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Jupyter server did not start:\n{process.stderr.read()}")
                time.sleep(0.3)
        yield port, root
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.stem)
def test_template_opened_and_saved_in_jupyter_is_byte_identical(server, lab):
    port, root = server
    before = (root / "labs" / lab.name).read_bytes()
    model = api(port, f"contents/labs/{lab.name}?type=notebook&content=1")
    assert model["type"] == "notebook" and len(model["content"]["cells"]) > 5
    api(port, f"contents/labs/{lab.name}", "PUT",
        {"type": "notebook", "format": "json", "content": model["content"]})
    assert (root / "labs" / lab.name).read_bytes() == before


def test_without_the_settings_jupyter_would_rewrite_the_header():
    """The round trip above can fail: saved with jupytext's default settings, a
    template gains jupytext's own metadata in its header."""
    import jupytext
    text = LABS[0].read_text(encoding="utf-8")
    assert jupytext.writes(jupytext.reads(text, fmt="md"), fmt="md") != text
