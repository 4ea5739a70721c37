# seimei: `make run` publishes the bundled samples, `make test` runs the suite, `make dev` opens Dagster.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false

.PHONY: help setup run test dev eval lock pdfs clean reset bench

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 16

setup: $(STAMP)  ## the virtualenv with every pinned dependency (requirements.lock)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip check
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)  ## process the bundled samples (data/raw) into data/published
	$(BIN)/seimei run

test: $(STAMP)  ## the definitions check (dg check defs), then the test suite
	$(BIN)/dg check defs
	$(BIN)/python -m pytest

# Precision/recall of the extracted fields on the seeds and the gold set.
eval: $(STAMP)  ## precision and recall of the extracted fields
	$(BIN)/seimei evaluate

BENCH_N ?= 200 1000
BENCH_REPS ?= 3
bench: $(STAMP)  ## benchmarks against the floor (BENCH_N, BENCH_REPS)
	$(BIN)/python -m benchmarks --n $(BENCH_N) --reps $(BENCH_REPS)

# The publication's own instance (`seimei home`): SEIMEI_PUBLISH=folder make dev opens that one's.
dev: $(STAMP)  ## the Dagster UI and daemon on http://127.0.0.1:3000 (dg dev), the publication's instance
	DAGSTER_HOME="$$($(BIN)/seimei home)" DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=true \
		$(BIN)/dg dev --host 127.0.0.1 --port 3000

# Re-pin every dependency (needs network); commit the result.
lock:  ## re-pin every dependency (needs network)
	$(PYTHON) -m venv /tmp/seimei-uv && /tmp/seimei-uv/bin/pip install --quiet uv
	/tmp/seimei-uv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

# Re-render the sample PDFs in data/raw/ from the seed texts.
pdfs: $(STAMP)  ## re-render the sample PDFs from the seed texts
	$(BIN)/python scripts/render_sample_pdfs.py

clean:  ## remove the virtualenv and caches; keeps published data and run history
	rm -rf $(VENV) .pytest_cache build *.egg-info
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

reset: clean  ## clean, and DELETE the published data (data/published) and the run history (.dagster, every publication's)
	rm -rf .dagster data/published
