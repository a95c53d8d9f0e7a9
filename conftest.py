"""pytest set-up shared by the unit tests and the nbval runs over build/."""
import os

import pytest

# nbval's kernels must see what the build's kernels saw (scripts/execute_notebooks.py),
# or outputs may differ in their last digits.
os.environ.update({"SOURCE_DATE_EPOCH": "0", "PYTHONHASHSEED": "0",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """nbval compares every output but PNG/JPEG images. Figures also come as PDF (for
    the sheets' vector graphics): compare those no more than the PNGs. Text outputs,
    including a figure's text/plain description, are still compared."""
    for item in items:
        notebook = getattr(item, "parent", None)
        if hasattr(notebook, "skip_compare"):
            notebook.skip_compare = tuple(notebook.skip_compare) + ("application/pdf", "image/svg+xml")
