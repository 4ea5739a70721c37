# seimei: `make run` publishes the bundled samples, `make test` runs the suite, `make dev` opens Dagster.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster
export GX_ANALYTICS_ENABLED := false

.PHONY: setup run test dev eval lock pdfs clean bench

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip check
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: | $(STAMP)
	$(BIN)/seimei home

run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/seimei run

test: $(STAMP)
	$(BIN)/python -m pytest

# Precision/recall of the extracted fields on the seeds and the gold set.
eval: $(STAMP)
	$(BIN)/seimei evaluate

BENCH_N ?= 200 1000
BENCH_REPS ?= 3
bench: $(STAMP)
	$(BIN)/python -m benchmarks --n $(BENCH_N) --reps $(BENCH_REPS)

dev: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=true $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

# Re-pin every dependency (needs network); commit the result.
lock:
	$(PYTHON) -m venv /tmp/seimei-uv && /tmp/seimei-uv/bin/pip install --quiet uv
	/tmp/seimei-uv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

# Re-render the sample PDFs in data/raw/ from the seed texts.
pdfs: $(STAMP)
	$(BIN)/python scripts/render_sample_pdfs.py

clean:
	rm -rf $(VENV) .dagster data/published
