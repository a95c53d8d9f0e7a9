"""Skip an import that costs seconds and that nothing here uses (also a pytest plugin).

nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is installed
(check-jsonschema pulls it in) to check the "iri" string format; that module builds a
lark grammar at import time: about 3 s of CPU in every process that reads a notebook.
No schema this project validates (the notebook format) uses that format, so the module
is marked as absent; jsonschema then simply does without the "iri" checker.

    import fast_imports                 # first, in scripts
    python -m pytest -p scripts.fast_imports ...
"""
import sys

sys.modules.setdefault("rfc3987_syntax", None)   # None in sys.modules: "import" raises ImportError
