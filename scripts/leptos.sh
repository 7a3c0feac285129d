#!/usr/bin/env bash
# Runs `cargo leptos SUBCOMMAND ...` with the toolchain that scripts/setup.sh chose for this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .setup.env ] || scripts/setup.sh
# shellcheck source=/dev/null
. ./.setup.env
sub=$1; shift
# shellcheck disable=SC2086 # LEPTOS_TOOLCHAIN and LEPTOS_LIB_ARGS are word lists on purpose.
exec env $LEPTOS_TOOLCHAIN PATH="$TOOLS_BIN:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" \
    cargo leptos "$sub" "$@" $LEPTOS_LIB_ARGS
