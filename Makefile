# The commands people type. `make` builds every lab, `make test` checks everything.
# Both create the virtual environment first if it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    := build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all labs test unit venv clean lock

all: labs

# The environment is rebuilt when the pinned requirements change.
$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# Renders labs/*.md into $(OUT)/questions and $(OUT)/solutions; only what changed.
labs: $(VENV)/.installed
	$(PY) scripts/render.py --out $(OUT) --jobs $(JOBS)

# Unit tests of the renderer and the helpers (no lab build needed).
unit: $(VENV)/.installed
	$(PY) -m pytest tests -m "not notebooks"

test: labs
	$(PY) -m pytest tests

clean:
	rm -rf $(OUT)

# Re-freeze every transitive dependency after changing requirements.txt.
lock: $(VENV)/.installed
	{ echo "# Every transitive dependency, frozen from a working .venv (pip freeze), so that"; \
	  echo "# two machines build the same notebooks. Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | sed 's/+cpu//' | sort -f; } > constraints.txt
