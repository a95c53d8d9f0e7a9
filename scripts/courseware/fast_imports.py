"""Skip imports that cost a renderer or a test process a large share of its CPU time
and that nothing here uses (also a pytest plugin).

- nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is installed
  (check-jsonschema pulls it in) to check the "iri" string format; that module builds a
  lark grammar at import time: about 3 s of CPU in every process that reads a notebook.
  No schema this project validates (the notebook format) uses that format.
- jupytext imports its Jupyter contents managers (jupyter_server, tornado, zmq): about
  0.3 s, the better part of a prose-only rebuild. The renderer only reads and writes
  text; jupytext's own ``__init__`` already does without them when they cannot load.

A module set to None in ``sys.modules`` raises ImportError when imported, which both
packages catch.

    import courseware.fast_imports                 # first, in scripts
    python -m pytest -p courseware.fast_imports ...
"""
import sys

for _name in ("rfc3987_syntax", "jupytext.sync_contentsmanager", "jupytext.async_contentsmanager"):
    sys.modules.setdefault(_name, None)
