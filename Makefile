# The course's two commands: `make lab` opens it, `make test` checks it.
# Both create .venv with the pinned packages the first time, and reinstall only
# when requirements.txt or pyproject.toml change.

# The course runs on Python 3.11, 3.12 and 3.13. Unless PYTHON names one, the
# newest of python3.13, python3.12, python3.11 and python3 on the PATH that runs
# and is supported is taken (a pyenv shim of a version not selected does not run).
SUPPORTED := 3.13 3.12 3.11
PYTHON ?= $(shell for p in $(SUPPORTED:%=python%) python3; do \
	$$p -c 'import sys; sys.exit(f"{sys.version_info[0]}.{sys.version_info[1]}" not in "$(SUPPORTED)".split())' \
	2>/dev/null && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed

# Quiet TensorFlow's C++ start-up log lines; oneDNN stays on (it is faster).
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: lab demo test test-quick lint format notebooks html clean

$(STAMP): requirements.txt pyproject.toml
	@if [ -x $(BIN)/python ]; then \
		echo "Updating $(VENV) (Python $$($(BIN)/python -c 'import platform; print(platform.python_version())')); make clean rebuilds it with another Python."; \
	elif [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.11, 3.12 or 3.13 found on the PATH (python3.13, python3.12, python3.11, python3)."; \
		echo "Install one (python.org, pyenv or your package manager), then run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.x"; \
		exit 1; \
	else \
		$(PYTHON) -c 'import sys; v = f"{sys.version_info[0]}.{sys.version_info[1]}"; sys.exit(None if v in "$(SUPPORTED)".split() else "The course needs Python 3.11, 3.12 or 3.13; $(PYTHON) is " + sys.version.split()[0] + ". Run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.x")' || exit 1; \
		echo "Creating $(VENV) with $(PYTHON) (Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'))"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

# Extra JupyterLab options, e.g. make lab LAB_ARGS="--port 8890 --no-browser".
# The token authentication stays on whatever is passed here.
LAB_ARGS ?=

lab: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py $(LAB_ARGS)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

# The draw-a-digit demo for a lecture hall: notebooks/demo_draw_a_digit.ipynb as a
# page with the canvas and the read-out and no code cells (Voila). Extra options,
# e.g. make demo DEMO_ARGS="--port=8867 --no-browser"; the login token stays on, as
# for make lab.
DEMO_ARGS ?=

# Voila shows a token it made itself as "?token=...", so the token is made here and printed.
demo: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py --target=demo $(DEMO_ARGS)
	@case "$(DEMO_ARGS)" in *--token=*) token="";; \
	*) token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))'); \
	   echo "make demo: the login token is $$token"; \
	   echo "make demo: open the address below with ?token=$$token in place of ?token=...";; \
	esac; \
	set -x; $(BIN)/voila --token $${token:+--token=$$token} notebooks/demo_draw_a_digit.ipynb $(DEMO_ARGS)

# Every lesson is executed once, under strict nbval, offline and read-only
# (tests/test_lessons.py); the browser tests draw the stored outputs and run only
# the widgets. The 15 slowest tests are listed at the end.
test: $(STAMP) lint
	$(BIN)/python -m pytest --durations=15

# For course authors, and for each further Python in .ci/run: lint, the unit
# tests, and the lessons that train no model (no `.fit(` or `.apply_gradients(`
# call), under strict nbval, offline and read-only; no browser tests.
test-quick: $(STAMP) lint
	$(BIN)/python -m pytest --ignore=tests/browser -m "not trains" --durations=5

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
