#!/usr/bin/env bash
# Installs what building, running and testing Stockroom need — only what is missing, at pinned
# versions — and writes .setup.env, which scripts/leptos.sh reads to know how to build the WASM half.
#
# Two routes to a wasm32 standard library, chosen here at run time:
#   1. the ordinary one: `rustup target add wasm32-unknown-unknown`;
#   2. where that cannot work (no rustup, or its download is refused), Debian's rustc-web toolchain,
#      which compiles the wasm32 std from source with -Zbuild-std (see README, "Toolchain").
# Set STOCKROOM_FORCE_BUILD_STD=1 to take route 2 on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
BINARYEN_VERSION=132.0.0
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
TOOLS_DIR=${STOCKROOM_TOOLS_DIR:-$HOME/.cache/stockroom/tools}
ENV_FILE=.setup.env
CARGO_BIN=${CARGO_HOME:-$HOME/.cargo}/bin

log() { printf 'setup: %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

APT_UPDATED=""
apt_install() {
    command -v apt-get >/dev/null || { log "need $* but this is not a Debian-like system: install them by hand"; exit 1; }
    if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -qq >&2; APT_UPDATED=1; fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}

# version_ge A B: true when version A >= version B.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

has_wasm_std() {
    local sysroot
    sysroot=$(rustc --print sysroot 2>/dev/null) || return 1
    [ -d "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib" ]
}

debian_toolchain() {
    [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust ] && /usr/bin/rustc --version | grep -q . \
        || apt_install rustc-web cargo-web rust-web-src
    if [ ! -x /usr/bin/rust-lld ] && ! command -v rust-lld >/dev/null; then
        apt_install lld-22 2>/dev/null || apt_install lld
    fi
}

# --- 1. The Rust toolchain for both halves -------------------------------------------------
mkdir -p "$TOOLS_DIR/bin"
route=rustup
if [ -z "${STOCKROOM_FORCE_BUILD_STD:-}" ] && command -v rustup >/dev/null \
    && { has_wasm_std || { timeout 300 rustup target add wasm32-unknown-unknown >&2 && has_wasm_std; }; }; then
    {
        echo "# written by scripts/setup.sh: ordinary rustup toolchain with the wasm32 target"
        echo "LEPTOS_LIB_ARGS=''"
        echo "LEPTOS_TOOLCHAIN=''"
    } > "$ENV_FILE"
else
    route=build-std
    log "no wasm32 standard library from rustup: using Debian's rustc-web and -Zbuild-std"
    debian_toolchain
    toolchain_env=""
    if command -v rustup >/dev/null; then
        rustup toolchain list | grep -q '^stockroom-web' || rustup toolchain link stockroom-web /usr >&2
        toolchain_env="RUSTUP_TOOLCHAIN=stockroom-web"
    fi
    {
        echo "# written by scripts/setup.sh: Debian rustc-web, wasm32 std built from source"
        echo "LEPTOS_LIB_ARGS='--lib-cargo-args=-Zbuild-std=std,panic_abort'"
        echo "LEPTOS_TOOLCHAIN='$toolchain_env RUSTC_BOOTSTRAP=1'"
    } > "$ENV_FILE"
fi

# cargo-leptos and wasm-bindgen-cli need a newer rustc than some stable toolchains have: use the
# newest compiler at hand to install them.
installer_env=()
# Build tools as tools: their speed hardly matters, their build time does (fat LTO with one
# codegen unit makes cargo-leptos take three times as long on two cores).
export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
install_rustc_ok() { version_ge "$(rustc --version | awk '{print $2}')" 1.96.0; }
pick_installer() {
    if ! install_rustc_ok; then
        debian_toolchain
        installer_env=(env RUSTC=/usr/bin/rustc /usr/bin/cargo)
    else
        installer_env=(cargo)
    fi
}

# --- 2. cargo-leptos, wasm-bindgen-cli, wasm-opt -------------------------------------------
if [ "$("$CARGO_BIN/cargo-leptos" --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    pick_installer
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
    "${installer_env[@]}" install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" >&2
fi
if [ "$("$CARGO_BIN/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    pick_installer
    log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (the version in Cargo.lock)"
    # Not --locked: one of its locked dependencies has been yanked from the registry.
    "${installer_env[@]}" install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
fi
# wasm-opt from npm's binaryen (a node script, no download at build time). Debian's binaryen
# (v108) produces WASM that fails to hydrate, so it is never used.
if [ "$(cat "$TOOLS_DIR/binaryen.version" 2>/dev/null)" != "$BINARYEN_VERSION" ]; then
    log "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/binaryen" "binaryen@$BINARYEN_VERSION" >&2
    echo "$BINARYEN_VERSION" > "$TOOLS_DIR/binaryen.version"
fi
ln -sf "$TOOLS_DIR/binaryen/node_modules/.bin/wasm-opt" "$TOOLS_DIR/bin/wasm-opt"

# --- 3. The browser and the end-to-end test packages ---------------------------------------
if [ "${1:-}" = "--test" ]; then
    if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
        apt_install chromium
    fi
    # The label tests render the labels PDF (pdftoppm) and scan its barcodes back (zbarimg).
    command -v pdftoppm >/dev/null || apt_install poppler-utils
    command -v zbarimg >/dev/null || apt_install zbar-tools
    if [ ! -f end2end/node_modules/.package-lock.json ] \
        || ! cmp -s end2end/package-lock.json "$TOOLS_DIR/end2end.lock"; then
        log "npm ci in end2end/"
        (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund >&2)
        cp end2end/package-lock.json "$TOOLS_DIR/end2end.lock"
    fi
fi

# --- 4. The load generator for `make bench` -------------------------------------------------
if [ "${1:-}" = "--bench" ] && ! command -v wrk >/dev/null; then
    apt_install wrk
fi

echo "TOOLS_BIN='$TOOLS_DIR/bin'" >> "$ENV_FILE"
log "ready (wasm route: $route)"
