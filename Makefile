# The course's two commands: `make lab` opens it, `make test` checks it.
# Both create .venv with the pinned packages the first time, and reinstall only
# when requirements.txt or pyproject.toml change.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed

# Quiet TensorFlow's C++ start-up log lines; oneDNN stays on (it is faster).
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: lab test lint format notebooks html clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "The course needs Python 3.11; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=/path/to/python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

# Extra JupyterLab options, e.g. make lab LAB_ARGS="--port 8890 --no-browser".
# The token authentication stays on whatever is passed here.
LAB_ARGS ?=

lab: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py $(LAB_ARGS)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check utils tests notebooks scripts benchmarks conftest.py
	$(BIN)/ruff format --check utils tests notebooks scripts benchmarks conftest.py

# For course authors: format, then Restart & Run All every notebook in place.
format: $(STAMP)
	$(BIN)/ruff check --fix utils tests notebooks scripts benchmarks conftest.py
	$(BIN)/ruff format utils tests notebooks scripts benchmarks conftest.py

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py $(NB)

# The lessons with their stored outputs as static pages that open offline (build/html).
html: $(STAMP)
	$(BIN)/python scripts/export_html.py

clean:
	rm -rf $(VENV)
