# The two commands a fresh machine needs:  make demo   and   make test
# Each creates the virtual environment on first use, from the pinned constraints.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test typecheck ui lint manifest bench bench-large bench-runs bench-warm bench-hostile bench-engines imd-seed clean-data

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,engines]'
	@touch $(STAMP)

demo: $(STAMP)            ## generate demo data and run the whole pipeline into ./data
	$(BIN)/impact demo

# Two workers, one test file each at a time (pytest-xdist): a file's module fixtures stay in one
# process, and the end-to-end runs (single-threaded Python between DuckDB's bursts) share the
# two cores. The 30 slowest tests are listed at the end, to see where CI's time goes.
test: typecheck           ## the type check, then the whole test suite (unit, dbt, Dagster, GX, exports, end-to-end)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=30

typecheck: $(STAMP)       ## mypy on the Python packages ([tool.mypy] in pyproject.toml)
	$(BIN)/mypy

ui: $(STAMP)              ## Dagster UI on http://127.0.0.1:3000
	$(BIN)/impact ui

lint: $(STAMP)
	$(BIN)/ruff check .

manifest: $(STAMP)        ## parse the dbt project (Dagster reads target/manifest.json)
	$(BIN)/impact manifest

bench: $(STAMP)           ## ingest time and memory against a bare Polars load and DuckDB's read_csv (best of 3)
	$(BIN)/python tests/benchmarks/bench_spend_ingest.py

bench-runs: $(STAMP)      ## full rebuild vs no-change and one-new-month runs, demo scales 1, 4 and 16
	$(BIN)/python tests/benchmarks/bench_runs.py

bench-warm: $(STAMP)      ## one new month in a process kept warm (imports done): would that meet the target?
	$(BIN)/python tests/benchmarks/bench_warm_months.py

bench-large: $(STAMP)     ## a 50,000,000-row file generated and ingested: time and peak memory (< 1 GiB)
	$(BIN)/python tests/benchmarks/bench_large_ingest.py

bench-hostile: $(STAMP)   ## time and peak memory of the ingest on hostile files, under setrlimit
	$(BIN)/python tests/benchmarks/bench_hostile_files.py

bench-engines: $(STAMP)   ## the demo with 50x its spend: dbt build on DuckDB and a local Spark session
	$(BIN)/python tests/benchmarks/bench_engines.py $(BENCH_ARGS)

IMD_FILE ?= ../shared/data/real/imd/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx
imd-seed: $(STAMP)        ## rebuild the national IMD 2019 seed from MHCLG File 1 (IMD_FILE=...)
	$(BIN)/python -m ingest.reference.imd2019 $(IMD_FILE) dbt_project/seeds/reference/lsoa_imd2019.csv

clean-data:               ## delete everything generated under ./data
	rm -rf data
