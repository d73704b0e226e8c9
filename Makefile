# The two commands of the README: `make demo` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LEADS ?= 20000
SEED ?= 42
FORMAT ?= parquet
DATA_DIR ?= data
LANDING ?= $(DATA_DIR)/landing/leads-$(LEADS)-seed-$(SEED)
WAREHOUSE ?= $(DATA_DIR)/warehouse/build.duckdb
PUBLISHED ?= $(DATA_DIR)/warehouse/published.duckdb
PORT ?= 8501
# make dagster: in demo mode the ingest asset generates LEADS synthetic leads into LANDING when it
# holds no files; DEMO_LEADS=0 LANDING=/path/to/exports loads your own files
DEMO_LEADS ?= $(LEADS)
export LEAD_WAREHOUSE_PATH := $(abspath $(WAREHOUSE))
export LEAD_PUBLISHED_PATH := $(abspath $(PUBLISHED))
export LEAD_LANDING_DIR := $(abspath $(LANDING))
export LEAD_EXPORTS_DIR := $(abspath $(DATA_DIR)/exports)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: help install generate build publish summary dashboards dagster demo test test-spark lint browser postgres java docs benchmark \
	benchmark-day benchmark-dashboards clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# uv installs the same pinned versions as pip in ~30 s instead of 3-5 min (parallel downloads);
# pip stays the fallback where uv cannot reach the package index. Both write the bytecode (.pyc) at
# install time: where PYTHONDONTWRITEBYTECODE is set (as on this project's CI machines) Python
# would otherwise compile dbt's sources again in every process, ~2 s of each dbt command's 3-5 s
# start-up (measured: `import dbt.cli.main` 4.6 s -> 2.4 s; a tiny-CRM build ~3.5 s faster).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet 'uv==0.13.9'
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]' \
		|| $(BIN)/pip install --quiet --compile -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install pinned dependencies

# the `spark` extra (dbt-spark, PySpark: half a GB) only where Spark runs: `make test` and
# `make test-spark`, not `make demo`. PySpark is published as a source archive only, and uv builds
# its wheel again on every install (~17 s of a core: the index answers its revalidation with a
# modified archive). The wheel uv built is kept in WHEELHOUSE, outside the clone, and offered back
# with --find-links: each machine builds it once (measured: this step 19 s -> 3 s).
WHEELHOUSE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/lead-qualification-warehouse/wheels
PYSPARK_WHEELS = $(subst ==,-,$(shell grep -o 'pyspark==[0-9.]*' pyproject.toml))-*.whl
$(VENV)/.spark-installed: $(VENV)/.installed
	-mkdir -p $(WHEELHOUSE)
	# (uv refuses a --find-links folder that does not exist: offered only when mkdir could make it)
	$(BIN)/uv pip install --quiet --compile-bytecode $$(test -d $(WHEELHOUSE) && echo --find-links=$(WHEELHOUSE)) \
		--python $(BIN)/python -e '.[dev,spark]' || $(BIN)/pip install --quiet --compile -e '.[dev,spark]'
	ls $(WHEELHOUSE)/$(PYSPARK_WHEELS) > /dev/null 2>&1 || { \
		built=$$(find "$$($(BIN)/uv cache dir)" -name '$(PYSPARK_WHEELS)' 2>/dev/null | head -1); \
		[ -z "$$built" ] || { cp "$$built" $(WHEELHOUSE)/.partial && mv $(WHEELHOUSE)/.partial $(WHEELHOUSE)/$$(basename "$$built"); }; \
	} || true
	touch $@

$(LANDING)/_manifest.json: | install
	$(BIN)/python -m leadwarehouse.generator --leads $(LEADS) --seed $(SEED) --format $(FORMAT) --out $(LANDING)

generate: $(LANDING)/_manifest.json  ## generate synthetic CRM landing files (LEADS=, SEED=)

build: generate  ## generate (if needed) and build the warehouse at any scale: make build LEADS=100000 SEED=7
	$(BIN)/python -m leadwarehouse.build --landing $(LANDING) --warehouse $(WAREHOUSE)

publish: install  ## atomically publish the build as the read-only copy dashboards and exports read
	$(BIN)/python -m leadwarehouse.publish --warehouse $(WAREHOUSE) --published $(PUBLISHED)

summary: install  ## print a readable summary of the built warehouse
	$(BIN)/python -m leadwarehouse.summary --warehouse $(PUBLISHED)

dashboards: install  ## serve the dashboards on http://localhost:8501 (reads the published copy, read-only)
	$(BIN)/streamlit run dashboards/app.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

dagster: install  ## serve the Dagster UI on http://localhost:3000 (schedules, sensors, runs)
	mkdir -p $(DAGSTER_HOME) && cp -n orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml || true
	mkdir -p $(dir $(WAREHOUSE))
	# PATH: dagster-dbt parses the dbt project with the `dbt` on PATH when the code location loads
	# DuckDB's memory limit, threads and spill folder from this machine, as `make build` gives dbt
	eval "$$($(BIN)/python -m leadwarehouse.duckdb_resources $(WAREHOUSE))" && \
		PATH="$(CURDIR)/$(BIN):$$PATH" LEAD_DEMO_LEADS=$(DEMO_LEADS) LEAD_DEMO_SEED=$(SEED) \
		$(BIN)/dagster dev -h 127.0.0.1 -p 3000

demo: build publish summary dashboards  ## set up, generate, build, publish, summarise, then serve the dashboards

lint: install  ## ruff and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# the dbt templater opens a connection: give it its own warehouse file, not the build file, at a
	# fixed path (dbt then re-parses only what changed); LEAD_LINT_EVERY_SHAPE=1 enables the
	# Salesforce and HubSpot adapters beside the contract models, so one parse lints them all.
	# One process: lint runs beside pytest's two workers, and a second sqlfluff process only loads
	# the dbt project again (measured before the Rust parser: 146 s of CPU with one process, 156 s
	# with two). scripts/lint_sql.py: sqlfluff's lint, its layout rules' common work done once per
	# file; not `macros`: the dbt templater skips macro files (it lints what they render into the
	# models) after looking each one up in the manifest. Together 98 -> 75 s of CPU (session 34);
	# its node lookup indexed by path and its depth maps cheaper, ~69 s (session 38).
	mkdir -p target/lint
	LEAD_LINT_EVERY_SHAPE=1 LEAD_WAREHOUSE_PATH=$(CURDIR)/target/lint/lint.duckdb \
		$(BIN)/python scripts/lint_sql.py models tests/dbt --processes 1

browser:  ## headless Chromium + chromedriver for the browser test (Debian packages; idempotent)
	bash scripts/install_browser.sh

postgres:  ## PostgreSQL server binaries for the engine parity test (Debian packages; idempotent)
	bash scripts/install_postgres.sh

java:  ## Java runtime for the Spark engine parity test (Debian packages; idempotent)
	bash scripts/install_java.sh

# the Spark parity module alone (`make test` runs it too, on one of its two pytest workers)
test-spark: $(VENV)/.spark-installed java  ## build both parity CRMs on a local Spark and compare every public mart with DuckDB
	$(BIN)/python -m pytest -q -m spark tests/test_engine_parity_spark.py

# lint starts as soon as the dev tools are installed (its output kept in target/lint.log, shown
# when it fails): beside the spark extra's install (~20 s of one core where PySpark's wheel is
# built, on a machine's first run; ~3 s after), then beside pytest, whose workers leave a core
# idle now and then (a worker waiting on a shared fixture build, the last module's tail).
# The spark extra only adds packages (and re-links this project): nothing lint reads changes.
test: install  ## set up and run every test and lint (both cores: one pytest worker per core)
	mkdir -p target
	$(MAKE) --no-print-directory lint > target/lint.log 2>&1 & lint=$$!; \
	$(MAKE) --no-print-directory $(VENV)/.spark-installed browser postgres java \
	&& $(BIN)/python -m compileall -q leadwarehouse orchestration dashboards tests scripts > /dev/null \
	&& $(BIN)/python -m pytest -q -n auto --dist loadfile; tests=$$?; \
	if wait $$lint; then echo "lint: passed (target/lint.log)"; else cat target/lint.log; echo "lint: FAILED"; exit 1; fi; \
	exit $$tests

# the quick loop while editing SQL or Python: every test on the embedded DuckDB, none of those that
# need another engine's server or a browser (pyproject.toml's markers); `make test` runs them all
DUCKDB_ONLY = not spark and not postgres and not browser
test-duckdb: install  ## the tests on DuckDB only (no PostgreSQL, Spark or browser): ~10 min here, make test ~18
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "$(DUCKDB_ONLY)"

docs: install  ## build the dbt docs site into target/
	$(BIN)/dbt docs generate

benchmark: install  ## full build, hourly refresh, publish and the scoring floor at 100k and 1M leads (BENCHMARK_ARGS=--help)
	$(BIN)/python scripts/benchmark.py $(BENCHMARK_ARGS)

benchmark-day: install  ## a day of hourly refreshes, the nightly check and full refresh: times, file size, incremental = full (BENCHMARK_DAY_ARGS=--help)
	$(BIN)/python scripts/benchmark_day.py $(BENCHMARK_DAY_ARGS)

benchmark-dashboards: install browser  ## per-page dashboard query time, then first paint and full render in headless Chromium
	$(BIN)/python scripts/benchmark_dashboard_queries.py --warehouse $(PUBLISHED)
	$(BIN)/python scripts/benchmark_dashboard_pages.py --published $(PUBLISHED)

clean:  ## remove generated data, build artefacts and the venv
	rm -rf $(VENV) $(DATA_DIR) target logs .pytest_cache .ruff_cache .template_cache
