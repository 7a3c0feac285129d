# syntax=docker/dockerfile:1
#
# Stockroom as one small image: the server binary, its hash.txt and the built site (hashed,
# precompressed WASM/JS/CSS), on distroless as a non-root user.
#
#   docker build -t stockroom .
#   docker run -p 8000:8000 -v stockroom-data:/data stockroom
#
# The data lives in SQLite under the /data volume unless DATABASE_URL names PostgreSQL (RDS).
# docs/deploy.md deploys it to Elastic Beanstalk; `make rehearse` (scripts/rehearse-container.sh)
# reproduces the runtime stage on a machine without Docker and checks it.

ARG RUST_VERSION=1.96
ARG DEBIAN_CODENAME=bookworm

# ---- tools: the pinned toolchain, installed the ordinary way ---------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_CODENAME} AS tools
ARG CARGO_LEPTOS_VERSION=0.3.11
ARG CARGO_CHEF_VERSION=0.1.78
# wasm-opt from npm's binaryen, as scripts/setup.sh pins it (Debian's binaryen 108 produces WASM
# that does not hydrate).
ARG BINARYEN_VERSION=132.0.0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
RUN rustup target add wasm32-unknown-unknown \
    && cargo install --locked cargo-leptos --version "${CARGO_LEPTOS_VERSION}" \
    && cargo install --locked cargo-chef --version "${CARGO_CHEF_VERSION}" \
    && npm install --global --no-audit --no-fund "binaryen@${BINARYEN_VERSION}" \
    && rm -rf "${CARGO_HOME}/registry" /root/.npm
WORKDIR /app
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock (cargo-leptos checks). On
# crates.io --locked works (a yanked dependency in its lock file still downloads); a mirror that
# drops yanked crates needs it without --locked, as scripts/setup.sh does.
COPY Cargo.lock ./
RUN version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock) \
    && test -n "${version}" \
    && cargo install --locked wasm-bindgen-cli --version "${version}" \
    && rm -rf "${CARGO_HOME}/registry"

# ---- planner: the dependency recipe (changes only when manifests do) -------------------------
FROM tools AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# ---- builder: dependencies in their own cached layers, then the app --------------------------
FROM tools AS builder
# What cargo-leptos sets when it builds; the same here so the cooked dependencies are reused.
ENV LEPTOS_OUTPUT_NAME=stockroom \
    LEPTOS_SITE_ROOT=target/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 \
    LEPTOS_RELOAD_PORT=3001 \
    LEPTOS_LIB_DIR=. \
    LEPTOS_BIN_DIR=. \
    LEPTOS_JS_MINIFY=true \
    LEPTOS_HASH_FILES=true \
    LEPTOS_HASH_FILE_NAME=hash.txt
COPY --from=planner /app/recipe.json recipe.json
# The server half (as `cargo leptos build --release` compiles it) ...
RUN cargo chef cook --release --recipe-path recipe.json \
        --no-default-features --features ssr --bin stockroom
# ... and the browser half, with the size-optimised profile from Cargo.toml, in the folder
# cargo-leptos builds it in (a layer of its own, so either half can change alone).
# hadolint ignore=DL3059
RUN cargo chef cook --profile wasm-release --recipe-path recipe.json \
        --target wasm32-unknown-unknown --target-dir target/front \
        --no-default-features --features hydrate
COPY . .
RUN cargo leptos build --release --precompress \
    && mkdir -p /out/app /out/data /out/logs \
    && cp target/release/stockroom target/release/hash.txt /out/app/ \
    && strip /out/app/stockroom \
    && cp -r target/site /out/app/site

# ---- rds-ca: Amazon RDS's certificate authorities, for sslmode=verify-full ------------------
FROM rust:${RUST_VERSION}-${DEBIAN_CODENAME} AS rds-ca
ARG RDS_CA_BUNDLE_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
RUN curl --fail --silent --show-error --location --output /rds-global-bundle.pem "${RDS_CA_BUNDLE_URL}" \
    && grep -q "BEGIN CERTIFICATE" /rds-global-bundle.pem

# ---- runtime: glibc, CA certificates, the app; no shell, no package manager -----------------
FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=builder /out/app /app
COPY --from=rds-ca /rds-global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
COPY --from=builder --chown=65532:65532 /out/data /data
COPY --from=builder --chown=65532:65532 /out/logs /var/log/server
# Everything the server reads is in the environment; see README "Configuration".
ENV LISTEN_ADDR=0.0.0.0:8000 \
    DATABASE_URL=sqlite:///data/stockroom.db \
    LOG_FORMAT=json \
    LOG_DIR=/var/log/server \
    SHUTDOWN_TIMEOUT_SECONDS=8 \
    LEPTOS_OUTPUT_NAME=stockroom \
    LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_HASH_FILES=true \
    LEPTOS_ENV=PROD \
    RUST_LOG=info
WORKDIR /app
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/stockroom", "healthcheck"]
# `docker stop` sends SIGTERM and waits 10 s: the server drains within SHUTDOWN_TIMEOUT_SECONDS.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/stockroom"]
CMD ["serve"]
