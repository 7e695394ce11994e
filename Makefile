# Every documented command is a target here; `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
SERVE_PORT ?= 5001
# `make server`: the team's tracking server. SERVER_DB is a PostgreSQL URI
# (postgresql://USER:PASSWORD@HOST:5432/DB); SERVER_ARTIFACTS a folder or an object-store URI.
SERVER_DB ?=
SERVER_ARTIFACTS ?= $(CURDIR)/experiments/server-artifacts
ARGS   ?=

# Nothing may reach a model or dataset hub at run time.
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help setup train test test-slow test-all bench bench-scale ui serve lint format docs corpus mutation clean

help: ## list the commands
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

setup: $(VENV)/.installed ## create .venv from the lock file and install stance

train: setup ## train the default model on data/ (extra Hydra overrides: make train ARGS="model=linear_svc")
	$(BIN)/stance-train $(ARGS)

test: setup ## the fast test suite (offline, temp dirs only, on every core)
	$(BIN)/python -m pytest -q -m "not slow" -n auto $(ARGS)

test-slow: setup ## only the tests marked slow (browser, servers, sweeps, chance controls)
	$(BIN)/python -m pytest -q -m slow $(ARGS)

test-all: test test-slow ## every test: the fast suite, then the slow ones

bench: setup ## speed ratios against bare scikit-learn
	$(BIN)/stance bench $(ARGS)

bench-scale: setup ## fit s, predict/s, peak memory at 10k/100k/1M resampled rows, default vs out-of-core (slow; writes docs/performance.md)
	$(BIN)/python -m stance.maintainer.bench_scale $(ARGS)

ui: setup ## the MLflow runs table, best first, on 127.0.0.1:5000 (HOST=…, PORT=…)
	$(BIN)/stance ui --host $(HOST) --port $(PORT)

serve: setup ## serve stance-classifier@champion with MLflow's model server on 127.0.0.1:5001 (SERVE_PORT=…)
	$(BIN)/stance serve --host $(HOST) --port $(SERVE_PORT)

.PHONY: server
# The database URI (with its password) goes in the environment: no command line shows it.
server: export MLFLOW_BACKEND_STORE_URI := $(or $(SERVER_DB),$(MLFLOW_BACKEND_STORE_URI))
server: setup ## the team's MLflow tracking server on PostgreSQL (export MLFLOW_BACKEND_STORE_URI), on 127.0.0.1:5000
	$(BIN)/stance server --artifacts-destination "$(SERVER_ARTIFACTS)" --host $(HOST) --port $(PORT) $(ARGS)

corpus: setup ## rebuild data/ splits and the dataset card's statistics from data/authored/
	$(BIN)/stance corpus build

mutation: setup ## mutation testing of the modules that compute answers (slow; see pyproject [tool.mutmut])
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results
	@$(BIN)/python -m stance.maintainer.mutation_score

lint: setup ## pre-commit on every file (ruff, conflict markers, YAML/TOML, whitespace, large files), then the docs build
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/mkdocs build --strict --quiet

docs: setup ## serve the manual (docs/) on 127.0.0.1:8000
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

format: setup ## ruff format and autofix
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean: ## remove generated outputs (keeps .venv)
	rm -rf experiments/runs experiments/sweeps experiments/models experiments/cache .pytest_cache mutants
