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
PACKAGES := $(VENV)/.requirements-installed

# Quiet TensorFlow's C++ start-up log lines; oneDNN stays on (it is faster).
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: which-python lab lab-authors update-lesson student grade hub hub-grade demo test test-quick lint format notebooks html clean

# The pinned packages, then the course's own (editable). .ci/run installs several
# environments' packages side by side; the editable install writes
# cnn_hands_on.egg-info/ into the checkout, so it is a rule of its own, run by one
# make at a time.
$(PACKAGES): requirements.txt
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
	@touch $@

$(STAMP): $(PACKAGES) pyproject.toml
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

# The Python that would create $(VENV) (.ci/run asks which one make test will use).
which-python:
	@echo $(PYTHON)

# Extra JupyterLab options, e.g. make lab LAB_ARGS="--port 8890 --no-browser".
# The token authentication stays on whatever is passed here.
LAB_ARGS ?=
# How make lab makes a student's copy of a lesson: lessons (as it is, worked answers
# included) or student (without the worked answers); remembered in my-work/ once given.
COPIES ?=

# Students work in my-work/ (git-ignored): scripts/my_work.py copies into it each
# lesson it does not have yet and reports the lessons that changed in the course;
# it never overwrites a copy, so git pull never conflicts with a student's work.
lab: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py $(LAB_ARGS)
	$(BIN)/python scripts/my_work.py sync $(if $(COPIES),--copies=$(COPIES))
	$(BIN)/jupyter lab --ServerApp.root_dir=my-work $(LAB_ARGS)

# Takes the course's new version of a lesson into my-work/; the student's copy is kept
# beside it under a dated name. LESSON=all takes every lesson that changed.
update-lesson: $(STAMP)
	$(BIN)/python scripts/my_work.py update $(LESSON)

# For course authors: JupyterLab on the stored lessons in notebooks/, without my-work/.
lab-authors: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py $(LAB_ARGS)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(LAB_ARGS)

# For instructors: the student copies of the lessons, without the answers, in
# build/student/ (scripts/student_copies.py says what is left out, and how it is marked).
student: $(STAMP)
	$(BIN)/python scripts/student_copies.py

# For instructors: grade a class. SUBMISSIONS is a folder with one folder per student,
# each with completed student notebooks; every notebook runs in a fresh kernel in the
# sandbox, and the course's checkers judge it (scripts/grade.py). The grades go to
# build/grades/grades.csv and build/grades/index.html. Extra options, e.g.
# GRADE_ARGS="--timeout 300 --memory 2048 --jobs 2" (--jobs auto, the default, runs as
# many notebooks side by side as the cores and the memory at --memory each allow).
SUBMISSIONS ?=
GRADE_ARGS ?=
grade: $(STAMP)
	@if [ -z "$(SUBMISSIONS)" ]; then \
		echo "make grade: name the class's folder: make grade SUBMISSIONS=folder (one folder per student)" >&2; \
		exit 2; \
	fi
	$(BIN)/python scripts/grade.py "$(SUBMISSIONS)" $(GRADE_ARGS)

# A class on one machine: JupyterHub on 127.0.0.1:HUB_PORT, each user in their own working
# copy (scripts/hub.py says how). The dummy login (one printed password, for the names of
# HUB_ARGS="--students 'ann bo' --instructor teacher" or "--roster class.txt") must never face
# a network. The proxy comes from hub/package-lock.json; everything the hub writes, the
# students' work included, is in .hub/ (make clean removes it).
HUB_PORT ?= 8000
HUB_ARGS ?=
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy
$(HUB_PROXY): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund
	@touch $@

hub: $(STAMP) $(HUB_PROXY)
	$(BIN)/python scripts/hub.py start --port $(HUB_PORT) $(HUB_ARGS)

# For the instructor: collect every student's copy of LESSON (01 or 01_convolution_math)
# from .hub/ and grade them (as make grade); grades in .hub/grades/LESSON/.
LESSON ?=
hub-grade: $(STAMP)
	@if [ -z "$(LESSON)" ]; then echo "make hub-grade: name the lesson: make hub-grade LESSON=01" >&2; exit 2; fi
	$(BIN)/python scripts/hub.py grade $(LESSON) $(GRADE_ARGS)

# The draw-a-digit demo for a lecture hall: notebooks/demo_draw_a_digit.ipynb as a
# page with the canvas and the read-out and no code cells (Voila). Extra options,
# e.g. make demo DEMO_ARGS="--port=8867 --no-browser"; the login token stays on, as
# for make lab. MODEL=path/to/model.keras shows a model saved with model.save instead
# of the pretrained ConvNet; it is checked before the page starts.
DEMO_ARGS ?=
MODEL ?=
export MODEL

# Voila shows a token it made itself as "?token=...", so the token is made here and printed.
demo: $(STAMP)
	@$(BIN)/python scripts/check_lab_args.py --target=demo $(DEMO_ARGS)
	@if [ -n "$$MODEL" ]; then $(BIN)/python scripts/check_demo_model.py "$$MODEL" || exit 2; fi
	@case "$(DEMO_ARGS)" in *--token=*) token="";; \
	*) token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(24))'); \
	   echo "make demo: the login token is $$token"; \
	   echo "make demo: open the address below with ?token=$$token in place of ?token=...";; \
	esac; \
	model="$$MODEL"; if [ -n "$$model" ]; then model=$$(realpath -- "$$model"); fi; \
	set -x; COURSE_DEMO_MODEL="$$model" $(BIN)/voila --token $${token:+--token=$$token} notebooks/demo_draw_a_digit.ipynb $(DEMO_ARGS)

# Every lesson is executed once, under strict nbval, offline and read-only
# (tests/test_lessons.py); the browser tests draw the stored outputs and run only
# the widgets. The 15 slowest tests are listed at the end. TEST_WORKERS pytest
# processes (pytest-xdist) share the tests, one per core of a 2-core laptop, the
# slowest first (conftest.py says how). A third process on 2 cores made the suite
# slower (1,133 s of pytest instead of 1,010 s; README says where): the lessons keep
# both cores busy. NumPy's BLAS takes one thread in each: two processes' BLAS
# threads spinning on two cores made lesson 09 take 105 s instead of 31 s.
TEST_WORKERS ?= 2
TEST_ENV := OPENBLAS_NUM_THREADS=$${OPENBLAS_NUM_THREADS:-1}
test: $(STAMP) lint $(if $(shell command -v npm 2>/dev/null),$(HUB_PROXY))
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=15

# For course authors, and for each further Python in .ci/run: lint, the unit
# tests, and the lessons that train no model (no `.fit(` or `.apply_gradients(`
# call) and their student copies, under strict nbval, offline and read-only; no
# browser tests, and not the grading of a whole class folder (marked grades).
test-quick: $(STAMP) lint
	$(TEST_ENV) $(BIN)/python -m pytest -n $(TEST_WORKERS) --ignore=tests/browser \
		-m "not trains and not grades" --durations=5

lint: $(STAMP)
	$(BIN)/ruff check utils tests notebooks scripts benchmarks hub conftest.py
	$(BIN)/ruff format --check utils tests notebooks scripts benchmarks hub conftest.py

# For course authors: format, then Restart & Run All every notebook in place.
format: $(STAMP)
	$(BIN)/ruff check --fix utils tests notebooks scripts benchmarks hub conftest.py
	$(BIN)/ruff format utils tests notebooks scripts benchmarks hub conftest.py

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py $(NB)

# The lessons with their stored outputs as static pages that open offline (build/html).
html: $(STAMP)
	$(BIN)/python scripts/export_html.py

clean:
	rm -rf $(VENV) .hub hub/node_modules
