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
export LEAD_WAREHOUSE_PATH := $(abspath $(WAREHOUSE))
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: help install generate build summary demo test lint unit-test docs benchmark clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install pinned dependencies

$(LANDING)/_manifest.json: | install
	$(BIN)/python -m leadwarehouse.generator --leads $(LEADS) --seed $(SEED) --format $(FORMAT) --out $(LANDING)

generate: $(LANDING)/_manifest.json  ## generate synthetic CRM landing files (LEADS=, SEED=)

build: generate  ## generate (if needed) and build the warehouse at any scale: make build LEADS=100000 SEED=7
	$(BIN)/python -m leadwarehouse.build --landing $(LANDING) --warehouse $(WAREHOUSE)

summary: install  ## print a readable summary of the built warehouse
	$(BIN)/python -m leadwarehouse.summary --warehouse $(WAREHOUSE)

demo: build summary  ## set up, generate demo data, build, and show the results

lint: install  ## ruff and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros tests/dbt --processes 2

test: install lint  ## set up and run every test
	$(BIN)/python -m pytest -q

docs: install  ## build the dbt docs site into target/
	$(BIN)/dbt docs generate

benchmark: install  ## build times and peak memory at 20k, 100k and 1M leads
	$(BIN)/python scripts/benchmark_build.py

clean:  ## remove generated data, build artefacts and the venv
	rm -rf $(VENV) $(DATA_DIR) target logs .pytest_cache .ruff_cache .hypothesis
