# Stockroom. A newcomer needs two commands:
#   make run    set up, build, and serve http://127.0.0.1:3000 on the embedded SQLite database
#   make test   set up, then every check: format, lints, unit, storage (SQLite and PostgreSQL),
#               HTTP and browser tests, and a rehearsal of the Docker image
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
BIN := $(TARGET_DIR)/release/stockroom
# The PostgreSQL server that storage tests create their throwaway databases on.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

.PHONY: help setup run build dev test fmt lint unit e2e rehearse create-manager clean bench soak soak-instances

help:
	@echo "make run    build and serve http://127.0.0.1:3000 (SQLite under ./data/)"
	@echo "make test   every check: fmt, clippy, unit, storage (SQLite + PostgreSQL), HTTP, Playwright, container rehearsal"
	@echo "make dev    cargo leptos watch (rebuilds and reloads on save)"
	@echo "make create-manager EMAIL=you@shop.example   create a manager account (asks for a password)"
	@echo "make bench  seed 100k products / 1M movements on SQLite and PostgreSQL, load-test, write BENCHMARKS.md"
	@echo "make soak   every page rendered 100,000 times concurrently; any unfinished render fails (STRESS_RENDERS=N)"
	@echo "make soak-instances  3 servers on one PostgreSQL, steady mixed traffic for 30 min, RSS over time (SOAK_MINUTES, SOAK_RATE)"
	@echo "make rehearse  the Docker image's runtime stage, rehearsed without Docker (see docs/deploy.md)"

setup:
	@scripts/setup.sh

build: setup
	scripts/leptos.sh build --release --precompress

run: build
	@echo "Serving http://127.0.0.1:3000 — sign in with the manager from STOCKROOM_ADMIN_EMAIL/STOCKROOM_ADMIN_PASSWORD,"
	@echo "or create one first with: make create-manager EMAIL=you@shop.example"
	$(BIN) serve

dev: setup
	LEPTOS_HASH_FILES=false scripts/leptos.sh watch

create-manager: build
	$(BIN) create-manager --email "$(EMAIL)"

test: setup-test fmt lint unit e2e rehearse
	@echo "make test: every check passed"

.PHONY: setup-test
setup-test:
	@scripts/setup.sh --test

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate -- -D warnings

unit:
	cargo test --features ssr

e2e: build
	cd end2end && npx playwright test

# Not part of `make test`: it takes minutes and its figures depend on the machine.
bench: build
	@scripts/setup.sh --bench
	STOCKROOM_BIN=$(BIN) python3 scripts/bench.py

# Not part of `make test`: the render stress harness (tests/stress.rs) at 100,000 renders.
soak: setup
	STRESS_RENDERS=$${STRESS_RENDERS:-100000} cargo test --features ssr --test stress -- --nocapture

# Not part of `make test`: 3 release servers on one PostgreSQL under steady mixed traffic for
# SOAK_MINUTES (30); 5xx, unfinished requests, RSS per instance over time, the ledger at the end.
soak-instances: build
	STOCKROOM_BIN=$(BIN) python3 scripts/soak.py

# The Dockerfile's runtime stage rebuilt from the release build and checked (no Docker needed).
rehearse: build
	scripts/rehearse-container.sh

clean:
	cargo clean
	rm -rf target/site end2end/test-results .setup.env
