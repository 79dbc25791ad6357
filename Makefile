# One place for what CI runs. `make check` = lint + types + tests (what .ci/run runs).
VENV   ?= .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install lock lint format types test check demo bench clean eval-real

install: $(VENV)/.installed

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on our machines)
# Python would otherwise compile every import from source in every process (crawl children,
# the store worker, test subprocesses): measured 7.3 s → 4.2 s to import the crawl's modules.

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install -q --disable-pip-version-check uv
	$(UV) pip install -q --compile-bytecode --python $(PY) -r requirements.lock -e .
	$(PY) -m compileall -q -j 0 yuqing >/dev/null
	touch $@

lock: install  ## re-resolve requirements.lock from pyproject.toml
	$(UV) pip compile -q pyproject.toml --extra dev -o requirements.lock --python-version 3.11

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

types: install
	$(BIN)/mypy

# Store tests also run on PostgreSQL when its server binaries are installed (.ci/run installs
# them); .ci/with-postgres starts a throw-away server on 127.0.0.1 for the run.
test: install
	bash .ci/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

check: lint types test

demo: install
	$(BIN)/yuqing demo

bench: install  ## all benchmarks (minutes); each prints ratios against its own baseline
	$(PY) -m bench.tagging --data ../shared/data
	$(PY) -m bench.extract --data ../shared/data
	$(PY) -m bench.triage --data ../shared/data
	$(PY) -m bench.alerts
	$(PY) -m bench.crawl
	$(PY) -m bench.crawl.fleet
	bash .ci/with-postgres $(PY) -m bench.queries

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

# The tagger on real messages (issue 11): P/R/F1 per tag and the worst errors. The data stays
# outside the repository; override with `make eval-real REALDEV=path/to/labeled.csv`.
REALDEV ?= ../shared/data/realdev/realdev.csv
eval-real: install
	$(BIN)/yuqing nlp eval --in $(REALDEV) --errors 10
