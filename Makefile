# The commands people type. `make` builds every lab, `make test` checks everything.
# Both create the virtual environment first if it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    := build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all labs sheets release test unit check-solutions check-questions leaks numbers mutants robust mistakes bench venv clean lock

all: labs

# The environment is rebuilt when the pinned requirements change. PyTorch's CPU build
# comes from the page requirements.txt names; TORCH_WHEELS names another page of wheels
# (make TORCH_WHEELS=https://download.pytorch.org/whl/cu126/torch/ for CUDA 12.6:
# pip takes the highest local version, +cu126 over +cpu). --retries 0: a source that
# cannot be reached (offline, wheels on disk) costs seconds, not minutes; after a
# network error, run make again.
TORCH_WHEELS ?=
$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --retries 0 \
	    $(if $(TORCH_WHEELS),--find-links $(TORCH_WHEELS)) -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# Renders labs/*.md into $(OUT)/questions and $(OUT)/solutions; only what changed.
labs: $(VENV)/.installed
	$(PY) scripts/render.py --out $(OUT) --jobs $(JOBS)

# HTML and PDF sheets of every question and solution in $(OUT)/sheets, with the course
# settings of course.toml (pandoc and typst come as wheels; no TeX); only what changed.
sheets: labs
	$(PY) scripts/make_sheets.py --out $(OUT) --jobs $(JOBS)

# The student release in $(OUT)/release: question notebooks and sheets, utils, a
# README, pinned requirements, one zip; leak-checked. LABS="04 05" releases only those
# labs (a week's); SOLUTIONS=1 adds the teaching assistants' archive of solutions.
LABS ?=
release: sheets
	$(PY) scripts/make_release.py --out $(OUT) $(if $(LABS),--labs $(LABS)) $(if $(SOLUTIONS),--solutions)

# Unit tests of the renderer and the helpers (no lab build needed).
unit: $(VENV)/.installed
	$(PY) -m pytest tests -m "not notebooks"

# Stored outputs of the solutions compared by nbval (sanitized, figures not compared).
check-solutions: labs
	$(PY) -m pytest --nbval $(OUT)/solutions --nbval-sanitize-with tests/nbval-sanitize.cfg

# Questions must run without error, their SKIPQUESTEXEC cells skipped.
check-questions: labs
	$(PY) -m pytest --nbval-lax $(OUT)/questions

# No line or output of a solution in any question notebook.
leaks: labs
	$(PY) scripts/check_leaks.py --out $(OUT)

# Every number the solutions' text quotes from a run is printed by its code.
numbers: labs
	$(PY) scripts/check_numbers.py --out $(OUT)

# Everything, on every core (pytest-xdist): unit and lab tests with the leak guards
# (notebooks and the release, which `test` builds with the sheets first), then
# nbval on both versions, each notebook on one worker (--dist loadscope: its cells share
# a kernel): the solutions against their stored outputs, and the questions as students
# get them, from the release folder with its own utils (PYTHONPATH, as its install
# would). scripts/courseware/fast_imports.py spares every process 3 s of importing (see there).
RELEASED := $(OUT)/release/dl-labs
test: release
	$(PY) -m pytest -p courseware.fast_imports -n $(JOBS) --dist worksteal tests
	$(PY) -m pytest -p courseware.fast_imports -n $(JOBS) --dist loadscope --nbval $(OUT)/solutions --nbval-sanitize-with tests/nbval-sanitize.cfg
	cd $(RELEASED) && PYTHONPATH="$$PWD" PYTHONDONTWRITEBYTECODE=1 $(abspath $(PY)) -m pytest -p courseware.fast_imports -p no:cacheprovider \
	    -n $(JOBS) --dist loadscope --rootdir . --nbval-lax labs

# Mutation test of the checks (slow; not part of `make test`): each mutant changes one
# solution line; the lab's checks must make the solution fail. LAB= one template (default
# all); MUTANTS_FLAGS= more options, e.g. MUTANTS_FLAGS="--limit 20 --verbose".
LAB ?=
mutants: $(VENV)/.installed
	$(PY) scripts/mutants.py $(LAB) --jobs $(JOBS) $(MUTANTS_FLAGS)

# Other draws (slow; not part of `make test`): each solution under seed offsets OFFSETS
# and thread counts THREADS; every check must still pass. LAB= one template (default all).
OFFSETS ?= 1-5
THREADS ?= 1,4
robust: $(VENV)/.installed
	$(PY) scripts/robust.py $(LAB) --offsets $(OFFSETS) --threads $(THREADS) --jobs $(JOBS)

# Students' mistakes (slow; not part of `make test`): each mistake of labs/NN-topic.mistakes.toml
# must fail at its exercise's check with a message that points at it. MISTAKES_FLAGS=--fresh
# gives every mistake a fresh kernel.
mistakes: $(VENV)/.installed
	$(PY) scripts/mistakes.py $(LAB) --jobs $(JOBS) $(MISTAKES_FLAGS)

# Build timings on this machine: clean, sheets, no-op, one edit, and the naive pipeline.
bench: $(VENV)/.installed
	$(PY) scripts/bench.py

clean:
	rm -rf $(OUT)

# Re-freeze every transitive dependency after changing requirements.txt.
lock: $(VENV)/.installed
	{ echo "# Every transitive dependency, frozen from a working .venv (pip freeze), so that"; \
	  echo "# two machines build the same notebooks. Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | sed 's/+cpu//' | sort -f; } > constraints.txt
