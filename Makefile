# guestkit-job-spec: a newcomer needs two commands, `make run` and `make test`.
# Each creates its virtualenv and installs what it needs, pinned, on its own: `make run` the
# package and its runtime dependencies (.venv-run), `make test` the development set (.venv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
CLI := $(BIN)/guestkit-job
STAMP := $(VENV)/.installed
WHEELHOUSE := build/wheelhouse

.PHONY: help venv run test gen check-gen cases payload-type conformance sanitize fuzz bench lint-schemas lint typecheck typecheck-ts pytest wheelhouse release-tag lock clean rust-conformance rust-lint rust-bench

help:
	@echo "make run           install the package (.venv-run), then validate the bundled examples and the upstream corpus"
	@echo "make test          set up the development tools (.venv), then run every check (schemas, lint, types, tests)"
	@echo "make gen           regenerate the Python models, bundles/, docs/reference/, npm/types/, go/'s structs and copies and the prover's C from schemas/"
	@echo "make check-gen     fail when the committed models or bundles differ from what schemas/ gives"
	@echo "make cases         rebuild tests/conformance/cases/ from its sources and the schemas"
	@echo "make payload-type TYPE=...  start a new payload type (CONTRIBUTING.md)"
	@echo "make conformance   run the conformance suite in every runner (Python engines, the npm package, plain ajv, the Go module, the Rust crate) and the fingerprint vectors"
	@echo "make sanitize      the prover under AddressSanitizer and UBSan: its C tests, its Python tests, a short differential fuzz"
	@echo "make fuzz          long fuzzing: property tests, libFuzzer on the prover's C, a million-input differential fuzz"
	@echo "make bench         measure speed and scale beside jsonschema, orjson, ajv, check-jsonschema and the Rust crate: docs/benchmarks.md"
	@echo "make lint-schemas  check the schemas: metaschema, offline refs, portable patterns, examples"
	@echo "make wheelhouse    download what installing the package from source needs (the hook's test installs offline from it)"
	@echo "make release-tag   tag v<version> on a clean tree whose versions agree (README.md, Releasing)"
	@echo "make lock          re-pin requirements/dev.txt from requirements/dev.in"
	@echo "make clean         remove the virtualenvs and caches"

venv: $(STAMP)

$(STAMP): requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# The prover, compiled from its C (hatch_build.py); rebuilt when the C changes.
PROVER := $(VENV)/.prover
PROVER_C := $(wildcard python/guestkit_job_spec/validation/fast/c/*.[ch] python/guestkit_job_spec/validation/fast/c/generated/*.h)
$(PROVER): $(STAMP) hatch_build.py $(PROVER_C)
	$(PY) hatch_build.py
	touch $@

# make run: the package installed as a user installs it (pip builds the wheel, compiling the prover
# with hatch_build.py) with its runtime dependencies only, at the versions requirements/dev.txt pins
# (a constraint: nothing else of it is installed); reinstalled when the package or its schemas change.
RUN_VENV := .venv-run
RUN_STAMP := $(RUN_VENV)/.installed
RUN_CLI := $(RUN_VENV)/bin/guestkit-job
PACKAGE_FILES := $(shell find python/guestkit_job_spec python/guestkit_runtime schemas -type f -not -name '*.so' -not -path '*/__pycache__/*')

$(RUN_STAMP): pyproject.toml build_backend.py hatch_build.py requirements/dev.txt $(PACKAGE_FILES)
	rm -rf $(RUN_VENV)
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --constraint requirements/dev.txt .[postgres]
	touch $@

run: $(RUN_STAMP)
	@echo "== Installed in $(RUN_VENV): the package and its runtime dependencies ('make test' sets up the development tools in $(VENV))"
	$(RUN_CLI) --version
	@echo
	@echo "== The bundled examples (every one must be valid)"
	$(RUN_CLI) validate examples/
	@echo
	@echo "== The upstream corpus (5 of 14 are invalid on purpose: see tests/corpus/upstream/EXPECTED.md)"
	$(RUN_CLI) validate tests/corpus/upstream/; test $$? -le 1
	@$(MAKE) --no-print-directory run-runtime

# ---- go: the Go module (go/, go/README.md) ----------------------------------------------
# Its modules are downloaded once, pinned by go/go.sum; everything after runs offline
# (GOPROXY=off, -mod=readonly). make gen copies schemas/ and bundles/ below go/ and writes
# go/models_gen.go (codegen/go_module.py); make conformance vets and lints the module, then
# runs its conformance runner (go/conformance_test.go) on every case, each report held to
# the Python package's pair for pair.
GO ?= $(firstword $(shell command -v go) /usr/local/go/bin/go)
export GO # bench/run.py builds the module's benchmark with it
GO_OFFLINE := GOFLAGS=-mod=readonly GOPROXY=off $(GO)
GO_MODULES := build/.go-modules
GO_GEN = GOFMT=$(dir $(GO))gofmt $(PY) codegen/go_module.py
GO_REPORTS := build/conformance-reports.json
GO_CONFORMANCE = @echo "== The Go module: go vet, staticcheck, its conformance runner" && \
	$(PY) tests/conformance/reports.py $(GO_REPORTS) && \
	cd go && $(GO_OFFLINE) vet ./... && $(GO_OFFLINE) tool staticcheck ./... && \
	GUESTKIT_REFERENCE_REPORTS=$(CURDIR)/$(GO_REPORTS) $(GO_OFFLINE) test -count=1 ./...

$(GO_MODULES): go/go.mod go/go.sum
	cd go && $(GO) mod download
	mkdir -p $(dir $@) && touch $@

test: lint-schemas check-gen lint typecheck typecheck-ts pytest conformance rust-lint sanitize

NPM_PACKAGE := npm
NODE_RUNNER := tests/conformance/node

# The package's dependencies (ajv, ajv-formats) and its tool (typescript), exactly as the
# committed lockfile pins them.
$(NPM_PACKAGE)/node_modules/.installed: $(NPM_PACKAGE)/package-lock.json
	cd $(NPM_PACKAGE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The prover is rebuilt at once: one generated from other schemas would not be used (a warning says so).
gen: $(STAMP) $(NPM_PACKAGE)/node_modules/.installed
	$(PY) codegen/generate.py
	node $(NPM_PACKAGE)/scripts/generate-types.mjs
	$(PY) hatch_build.py && touch $(PROVER)
	$(GO_GEN)
	$(PY) codegen/rust_crate.py

check-gen: $(STAMP) $(NPM_PACKAGE)/node_modules/.installed
	$(PY) codegen/generate.py --check
	node $(NPM_PACKAGE)/scripts/generate-types.mjs --check
	$(GO_GEN) --check
	$(PY) codegen/rust_crate.py --check

typecheck-ts: $(NPM_PACKAGE)/node_modules/.installed
	$(NPM_PACKAGE)/node_modules/.bin/tsc -p $(NPM_PACKAGE)/tsconfig.json

lint-schemas: $(STAMP)
	$(PY) tests/lint_schemas.py
	$(BIN)/openapi-spec-validator openapi/job-service-v1.json
	$(BIN)/pytest -q tests/test_schemas.py

lint: $(STAMP)
	$(BIN)/ruff check python tests codegen bench hatch_build.py build_backend.py release.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check python tests codegen bench hatch_build.py build_backend.py release.py

typecheck: $(STAMP)
	$(BIN)/mypy

# The npm package's tests (tests/test_npm_package.py) need its dependencies installed, the
# benchmark's smoke test (tests/test_bench.py) needs ajv too, and the pre-commit hook's test
# (tests/test_pre_commit_hook.py) the wheelhouse.
pytest: $(STAMP) $(PROVER) $(NPM_PACKAGE)/node_modules/.installed $(NODE_RUNNER)/node_modules/.installed $(WHEELHOUSE)/.made $(GO_MODULES)
	$(PG_RUN) $(BIN)/pytest -q --ignore-glob='tests/test_conformance*.py'

# What pip needs to install this package from its source with no index: the build backend
# (hatchling) and the package's dependencies, as requirements/dev.txt pins them. The hook's
# test installs the hook as pre-commit does, into a fresh virtualenv, from these alone
# (PIP_NO_INDEX, PIP_FIND_LINKS): it never reaches the network.
wheelhouse: $(WHEELHOUSE)/.made

$(WHEELHOUSE)/.made: $(STAMP) pyproject.toml requirements/dev.txt
	rm -rf $(WHEELHOUSE)
	$(PY) -m pip download --quiet --disable-pip-version-check --only-binary=:all: -c requirements/dev.txt \
	  --dest $(WHEELHOUSE) . hatchling
	touch $@

# Tag a release: the work tree committed, one version in pyproject.toml, npm/package.json,
# npm/package-lock.json and CHANGELOG.md, its tag not yet made. Needs only git and python3.
release-tag:
	$(PYTHON) release.py tag

# The prover built with AddressSanitizer and UBSan (tests/prover/compile_prover.py), every report
# fatal: its C unit tests, the Python tests that reach its C, the conformance suite, and a
# short differential fuzz against the reference engine.
SANITIZED := build/sanitizers
SANITIZE_INPUTS ?= 5000

sanitize: $(STAMP)
	$(PY) tests/prover/compile_prover.py sanitizers $(SANITIZED)
	$(SANITIZED)/run $(SANITIZED)/unit_test
	$(SANITIZED)/run $(BIN)/pytest -q -p no:cacheprovider tests/test_prover.py tests/test_prover_safety.py tests/test_findings.py tests/test_conformance.py
	$(SANITIZED)/run $(PY) tests/prover/differential.py --inputs $(SANITIZE_INPUTS) --seed 14

# Long runs, none of them in make test: the property tests with random seeds, libFuzzer on
# the prover's C (needs clang; seeds in tests/prover/seeds/ and the bundled documents), and
# the differential fuzz under the sanitizers.
FUZZ_EXAMPLES ?= 1000
FUZZ_SECONDS ?= 600
FUZZ_INPUTS ?= 1000000

fuzz: $(STAMP) $(PROVER)
	GUESTKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) GUESTKIT_FUZZ_RANDOM=1 $(BIN)/pytest -q tests/test_properties.py
	$(PY) tests/prover/compile_prover.py fuzzer build/fuzzer
	mkdir -p build/fuzzer/corpus
	ASAN_OPTIONS=detect_leaks=0 build/fuzzer/fuzzer -max_total_time=$(FUZZ_SECONDS) -detect_leaks=0 -max_len=65536 \
	  build/fuzzer/corpus tests/prover/seeds examples tests/corpus/upstream
	$(PY) tests/prover/compile_prover.py sanitizers $(SANITIZED)
	$(SANITIZED)/run $(PY) tests/prover/differential.py --inputs $(FUZZ_INPUTS) --seed $$(date +%s)

# The first step of adding a payload type (CONTRIBUTING.md): make payload-type TYPE=<namespace>.<operation>.v1
payload-type: $(STAMP) $(NPM_PACKAGE)/node_modules/.installed
	@test -n "$(TYPE)" || { echo "usage: make payload-type TYPE=<namespace>.<operation>.v<N> [SUMMARY='what it does']"; exit 2; }
	$(PY) codegen/scaffold_payload_type.py $(TYPE) $(if $(SUMMARY),--summary "$(SUMMARY)")
	node $(NPM_PACKAGE)/scripts/generate-types.mjs
	$(PY) hatch_build.py && touch $(PROVER)

cases: $(STAMP) $(PROVER)
	$(PY) tests/conformance/build.py

# ajv, ajv-formats and the independent implementations, exactly as the committed lockfile pins them.
$(NODE_RUNNER)/node_modules/.installed: $(NODE_RUNNER)/package-lock.json
	cd $(NODE_RUNNER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

conformance: $(STAMP) $(PROVER) $(NODE_RUNNER)/node_modules/.installed $(NPM_PACKAGE)/node_modules/.installed $(GO_MODULES)
	$(PY) tests/conformance/build.py --check
	$(BIN)/check-jsonschema --schemafile tests/conformance/case-file.schema.json tests/conformance/cases/*.json
	$(BIN)/check-jsonschema --schemafile tests/conformance/fingerprint-file.schema.json tests/conformance/fingerprints.json
	$(BIN)/pytest -q tests/test_conformance.py tests/test_conformance_coverage.py tests/test_conformance_fingerprints.py
	@echo "== The conformance suite again without the prover, as an install without a C compiler runs"
	GUESTKIT_PROVER=absent $(BIN)/pytest -q -p no:cacheprovider tests/test_conformance.py
	node $(NPM_PACKAGE)/scripts/stage.mjs
	node $(NODE_RUNNER)/run.mjs
	@echo "== Independent implementations, format assertion off: docs/implementations.md"
	$(PY) tests/conformance/implementations.py --check
	$(GO_CONFORMANCE)
	$(MAKE) rust-conformance

# ---- rust: the crate in rust/ (#22) ------------------------------------------------------
# Crates are fetched once, exactly as rust/Cargo.lock pins them; every build after that is
# offline. One target folder under build/ serves the tests, the examples and the benchmark.
CARGO_ENV := CARGO_TARGET_DIR=$(CURDIR)/build/cargo
CARGO := cd rust && $(CARGO_ENV) cargo
CARGO_OFFLINE := --offline --locked
RUST_FETCHED := build/cargo/.fetched
RUST_REPORTS := build/conformance-reports.json

$(RUST_FETCHED): rust/Cargo.lock
	$(CARGO) fetch --locked
	mkdir -p $(@D) && touch $@

# The crate's conformance runner (cargo test: every case and fingerprint vector, each report held
# to the Python package's pair for pair, as tests/conformance/reports.py writes them; its unit and
# doc tests), then jobs its builder makes handed to the Python package's validator, strictly.
rust-conformance: $(STAMP) $(PROVER) $(RUST_FETCHED)
	@echo "== The Rust crate: its conformance runner, the round trip, the builder"
	$(PY) tests/conformance/reports.py $(RUST_REPORTS)
	cd rust && GUESTKIT_REFERENCE_REPORTS=$(CURDIR)/$(RUST_REPORTS) $(CARGO_ENV) cargo test $(CARGO_OFFLINE)
	$(CARGO) run $(CARGO_OFFLINE) --quiet --example create_job -- --jsonl | $(CURDIR)/$(CLI) validate --strict --jsonl -

rust-lint: $(RUST_FETCHED)
	$(CARGO) fmt --check
	$(CARGO) clippy $(CARGO_OFFLINE) --all-targets -- -D warnings

# The crate's validator for bench/run.py, built optimised.
rust-bench: $(RUST_FETCHED)
	$(CARGO) build $(CARGO_OFFLINE) --release --example bench
# ---- end rust ------------------------------------------------------------------------------

# Peers: jsonschema and check-jsonschema from requirements/dev.txt, ajv from the runner's lockfile.
# The runtime's part (bench-runtime, below) runs first.
bench: $(STAMP) $(PROVER) $(NODE_RUNNER)/node_modules/.installed $(NPM_PACKAGE)/node_modules/.installed $(GO_MODULES) rust-bench
	$(PY) bench/run.py

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -r requirements/dev.in
	{ echo "# Generated by 'make lock' from dev.in: every package the checks need, pinned."; \
	  .lock-venv/bin/pip freeze --all | grep -v -e '^pip==' -e '^setuptools==' -e '^wheel=='; } > requirements/dev.txt
	rm -rf .lock-venv

# --- The runtime (guestkit_runtime, issue #20) ---------------------------------------------------
# PG_RUN: a throwaway PostgreSQL cluster (tests/runtime/pgcluster.py, as the postgres user when root)
# around a command, so the runtime's tests run against both stores; without server programs the
# command runs alone and the PostgreSQL cases skip (GUESTKIT_REQUIRE_POSTGRES=1, set by .ci/run, fails).
PG_RUN = $(PY) tests/runtime/pgcluster.py run build/pg --
RUN_STORE := build/run/jobs.sqlite3

.PHONY: run-runtime chaos bench-runtime

# The long fault suite: CHAOS_JOBS jobs on each store under SIGKILL, SIGSTOP past the lease, crash
# points and PostgreSQL immediate stops; every job classified, every trace checked (docs/robustness.md).
CHAOS_JOBS ?= 10000
CHAOS_SEED ?= 20
chaos: $(STAMP)
	mkdir -p build/chaos
	$(PY) tests/runtime/faults.py --store sqlite --jobs $(CHAOS_JOBS) --seed $(CHAOS_SEED) > build/chaos/sqlite.json; \
	  status=$$?; cat build/chaos/sqlite.json; exit $$status
	$(PG_RUN) sh -c '$(PY) tests/runtime/faults.py --store postgresql --jobs $(CHAOS_JOBS) --seed $(CHAOS_SEED) \
	  --postgres-dir "$$GUESTKIT_TEST_POSTGRES_DIR" > build/chaos/postgresql.json'; \
	  status=$$?; cat build/chaos/postgresql.json; exit $$status

# The whole path on the embedded store (examples/runtime/run.sh): the runtime's example jobs
# submitted, a worker running those its handlers can run with their progress, results printed,
# and a job no handler runs left queued with the reason.
run-runtime: $(RUN_STAMP)
	@echo
	@echo "== The runtime on the embedded store ($(RUN_STORE)): submit, run, results"
	sh examples/runtime/run.sh $(RUN_CLI) $(RUN_STORE)

# Claim-to-complete throughput and latency, 1, 4 and 16 workers, SQLite and PostgreSQL, beside
# pgqueuer on the same throwaway server: docs/benchmarks-runtime.md.
BENCH_JOBS ?= 5000
bench-runtime: $(STAMP)
	$(PG_RUN) $(PY) bench/runtime.py --jobs $(BENCH_JOBS)

bench: bench-runtime

clean:
	rm -rf $(VENV) $(RUN_VENV) python/guestkit_job_spec/validation/fast/_prover*.so .pytest_cache .mypy_cache .ruff_cache build dist $(NPM_PACKAGE)/schemas $(NPM_PACKAGE)/bundles
