"""pytest set-up shared by the unit tests and the nbval runs over build/."""
import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """nbval compares every output but PNG/JPEG images. Figures also come as PDF (for
    the sheets' vector graphics): compare those no more than the PNGs. Text outputs,
    including a figure's text/plain description, are still compared."""
    for item in items:
        notebook = getattr(item, "parent", None)
        if hasattr(notebook, "skip_compare"):
            notebook.skip_compare = tuple(notebook.skip_compare) + ("application/pdf", "image/svg+xml")
