# The two commands of the README: `make demo` and `make test`. Each builds .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests run in 4 parallel processes (pytest-xdist), handed out one at a time (see tests/conftest.py
# for the order: the longest first, then the tests that mostly wait spread among those that
# compute). More workers would keep this 2-core machine no busier, each collecting the suite and
# building its databases again.
TEST_WORKERS ?= 4

.PHONY: demo test lint typecheck check bench bench-quorum bench-votes clean messages

# uv installs the project and its dependencies (a third of the time pip takes) and compiles them to
# bytecode once, so the test workers do not each compile them again. The venv gets no pip of its
# own (5 s of the set-up): `.venv/bin/uv pip` stands in for it.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kkrbot demo

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: the workers and the processes
# the tests start import the same modules, and each would otherwise compile them from source.
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 bot models procedure scheduler services telegram_emulator templates tests web
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist load --maxschedchunk 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy --strict procedure services web

check: lint typecheck test

bench-quorum: $(STAMP)
	$(BIN)/python bench/quorum_live.py

bench-votes: $(STAMP)
	$(BIN)/python bench/votes.py

# Every bench prints its targets with MET / NOT MET and the machine's load beside its figures.
bench: $(STAMP)
	$(BIN)/python bench/sweep_scale.py
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/process_footprint.py
	$(BIN)/python bench/reply_latency.py
	$(BIN)/python bench/agenda_distribution.py
	$(BIN)/python bench/quorum_live.py
	$(BIN)/python bench/check_ins.py
	$(BIN)/python bench/votes.py
	$(BIN)/python bench/record.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Translations: extract every text a person sees, then merge into the Danish catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -o templates/locale/kkrbot.pot --no-location --sort-output bot services templates web
	$(BIN)/pybabel update -i templates/locale/kkrbot.pot -d templates/locale -D kkrbot -l da --no-fuzzy-matching
