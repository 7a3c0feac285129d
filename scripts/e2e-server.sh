#!/usr/bin/env bash
# Starts the release server for the browser tests: a fresh SQLite file, a known manager, demo products.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-3300}
bin=${STOCKROOM_BIN:-${CARGO_TARGET_DIR:-target}/release/stockroom}
dir=$(mktemp -d "${TMPDIR:-/tmp}/stockroom-e2e.XXXXXX")
export DATABASE_URL="sqlite://$dir/e2e.db"
export LISTEN_ADDR="127.0.0.1:$port"
export STOCKROOM_ADMIN_EMAIL=manager@e2e.test
export STOCKROOM_ADMIN_PASSWORD=e2e-manager-passphrase
export LOG_FORMAT=pretty RUST_LOG=${RUST_LOG:-info}
# The journeys write their dates as UTC (`toISOString`); the time-zone journey starts a second
# server with SHOP_TIMEZONE set far from UTC (see playwright.config.ts).
export SHOP_TIMEZONE=${SHOP_TIMEZONE:-UTC}
"$bin" migrate
"$bin" seed --demo
exec "$bin" serve
