#!/usr/bin/env bash
# Starts nginx, the batchstatus FastCGI server and (unless BATCHSTATUS_PC_BASE_URL is set)
# the fake Partner Center, in the foreground, each run in its own RUN_DIR; Ctrl-C stops all.
# With the fake, the server signs in to the fake's Entra ID token endpoint as DEMO_SIGNIN
# says: app (client credentials, the default), user (App+User: a refresh token) or file
# (a static token file, as when BATCHSTATUS_TOKEN_FILE is given).
# NODES=3 starts a local Redis (a unix socket under RUN_DIR, nothing on disk), that many
# servers sharing it (BATCHSTATUS_SHARED, a fresh BATCHSTATUS_SHARED_KEY_FILE) and an nginx
# upstream of them; node 1 keeps the single-node paths (batchstatus.sock, .pid, .log),
# node N has batchstatus-N.*. Redis is not watched: the nodes go on alone while it is away.
# Each node keeps its state (followed batches, notifications) in a directory of its own:
# node 1 BATCHSTATUS_STATE_DIR (default RUN_DIR/state), node N RUN_DIR/state-N.
# DEMO_NOTIFY=1 (make run), with the fake and no BATCHSTATUS_NOTIFY_FILE, also starts
# tests/webhook_receiver.py and points the json, slack and teams targets at it: what the
# server sends shows on this terminal and in RUN_DIR/webhook-deliveries.jsonl.
set -euo pipefail

main() {

top=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-8080}
RUN_DIR=${RUN_DIR:-$top/build/run/$PORT}
BIN=${BATCHSTATUS_BIN:-$top/build/batchstatus}
FAKE_PC_LATENCY_MS=${FAKE_PC_LATENCY_MS:-120}
FAKE_PC_SLOW_MS=${FAKE_PC_SLOW_MS:-30000}
FAKE_SIGNIN_LIFETIME=${FAKE_SIGNIN_LIFETIME:-3599}
FAKE_SIGNIN_LATENCY_MS=${FAKE_SIGNIN_LATENCY_MS:-0}
DEMO_TENANT=8f1c2d3e-0000-4000-8000-00000000d3e0
DEMO_CLIENT=1950a258-227b-4e31-a9cf-717495945fc2

case $PORT in ''|*[!0-9]*) echo "run.sh: PORT must be a number" >&2; exit 2;; esac
NODES=${NODES:-1}
case $NODES in [1-9]) ;; *) echo "run.sh: NODES must be 1 to 9" >&2; exit 2;; esac
# MOUNT_PREFIX=/tools/batchstatus serves the app below that path (nginx passes it as SCRIPT_NAME).
MOUNT_PREFIX=${MOUNT_PREFIX:-}
case $MOUNT_PREFIX in ''|/*[!/]) ;; *) echo "run.sh: MOUNT_PREFIX must be like /tools/batchstatus" >&2; exit 2;; esac
case $MOUNT_PREFIX in *[!A-Za-z0-9/_.-]*|*..*|*//*) echo "run.sh: MOUNT_PREFIX has a character it cannot have" >&2; exit 2;; esac
case ${DEMO_NOTIFY:-0} in 0|1) ;; *) echo "run.sh: DEMO_NOTIFY must be 0 or 1" >&2; exit 2;; esac
[ -x "$BIN" ] || { echo "run.sh: $BIN is not built: run make" >&2; exit 2; }
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/nginx-tmp"
rm -f "$RUN_DIR/ready" "$RUN_DIR/fake-pc.port" "$RUN_DIR/fake-signin.port" "$RUN_DIR/webhook-receiver.port"
# nginx's page cache writes a file for every page it keeps: on a disk that is a file
# created and renamed per finished page, which capped a busy stack near 1,200 new
# pages/s here (ext4). A cache belongs in memory: tmpfs (/dev/shm) when there is one.
CACHE_DIR=$RUN_DIR/nginx-cache
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    CACHE_DIR=/dev/shm/batchstatus-cache.$(printf '%s' "$RUN_DIR" | cksum | cut -d' ' -f1)
fi
rm -rf "$RUN_DIR/nginx-cache" "$CACHE_DIR"	# pages rendered by another build must not be served
# The page gate: the server lists there whose kept pages nginx may serve.
GATE_DIR=$RUN_DIR/page-gate
rm -rf "$GATE_DIR"
export BATCHSTATUS_PAGE_GATE_DIR=${BATCHSTATUS_PAGE_GATE_DIR:-$GATE_DIR}
# The recent-lookups cookie's key, made by the server on its first start; several
# nodes sign it with their shared key instead (each must read the others' cookies).
if [ "$NODES" -le 1 ]; then
    export BATCHSTATUS_RECENT_KEY_FILE=${BATCHSTATUS_RECENT_KEY_FILE:-$RUN_DIR/recent-key}
fi
# The links in notifications point here (nginx, below the mount prefix).
export BATCHSTATUS_PUBLIC_URL=${BATCHSTATUS_PUBLIC_URL:-http://127.0.0.1:$PORT$MOUNT_PREFIX}
state_dir_1=${BATCHSTATUS_STATE_DIR:-$RUN_DIR/state}

pids=()
redis_pid=""
tee_pid=""
stop() {
    trap - INT TERM EXIT
    rm -f "$RUN_DIR/ready" "$RUN_DIR"/batchstatus*.pid
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    # The receiver's tee ends at its EOF (the receiver is gone); a second at most.
    if [ -n "$tee_pid" ]; then
        for _ in $(seq 1 10); do kill -0 "$tee_pid" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$tee_pid" 2>/dev/null || true
        wait "$tee_pid" 2>/dev/null || true
    fi
    # Redis last (the nodes are gone), and whichever one runs now (a test may have restarted it).
    if [ -s "$RUN_DIR/redis.pid" ]; then
        rp=$(cat "$RUN_DIR/redis.pid")
        kill -TERM "$rp" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$rp" 2>/dev/null || break; sleep 0.1; done
    fi
    if [ -n "$redis_pid" ]; then wait "$redis_pid" 2>/dev/null || true; fi
    case $CACHE_DIR in /dev/shm/*) rm -rf "$CACHE_DIR";; esac
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

# Waits up to 15 s for a condition; names what did not come up.
wait_for() {
    local what=$1; shift
    for _ in $(seq 1 150); do
        if "$@"; then return 0; fi
        for p in "${pids[@]}"; do
            kill -0 "$p" 2>/dev/null || { echo "run.sh: $what exited; see $RUN_DIR/logs/" >&2; return 1; }
        done
        sleep 0.1
    done
    echo "run.sh: $what did not come up in 15 s; see $RUN_DIR/logs/" >&2
    return 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

signin=""
receiver=""
if [ -z "${BATCHSTATUS_PC_BASE_URL:-}" ]; then
    "$top/tests/make_ca.sh" "$RUN_DIR/tls"
    signin=${DEMO_SIGNIN:-app}
    if [ -n "${BATCHSTATUS_TOKEN_FILE:-}" ]; then signin=file; fi
    case $signin in app|user|file) ;; *) echo "run.sh: DEMO_SIGNIN must be app, user or file" >&2; exit 2;; esac
    fake_args=()
    # FAKE_PC_APP_USER_ONLY: routes of issue 15 (customers,customer,deviceBatches,devices or
    # all) that the fake refuses an App-only token (403), as Partner Center does for App+User-only calls.
    if [ -n "${FAKE_PC_APP_USER_ONLY:-}" ]; then fake_args+=(--app-user-only "$FAKE_PC_APP_USER_ONLY"); fi
    if [ "$signin" = file ]; then
        if [ -z "${BATCHSTATUS_TOKEN_FILE:-}" ]; then
            export BATCHSTATUS_TOKEN_FILE=$RUN_DIR/token
            (umask 077; openssl rand -hex 32 | sed 's/^/demo-/' > "$BATCHSTATUS_TOKEN_FILE")
        fi
        fake_args+=(--token-file "$BATCHSTATUS_TOKEN_FILE")
    else
        # Secrets made afresh, 0600 (rm first: a redirection keeps an old file's mode).
        unset BATCHSTATUS_TOKEN_FILE BATCHSTATUS_REFRESH_TOKEN_FILE
        rm -f "$RUN_DIR/client-secret" "$RUN_DIR/refresh-token" "$RUN_DIR/fake-refresh-token-init"
        (umask 077; openssl rand -base64 33 | sed 's/^/demo~/' > "$RUN_DIR/client-secret")
        fake_args+=(--signin-listen 127.0.0.1:0 --signin-ready-file "$RUN_DIR/fake-signin.port"
            --tenant "$DEMO_TENANT" --client-id "$DEMO_CLIENT"
            --client-secret-file "$RUN_DIR/client-secret"
            --token-lifetime "$FAKE_SIGNIN_LIFETIME" --signin-latency-ms "$FAKE_SIGNIN_LATENCY_MS")
        if [ "$signin" = user ]; then
            # The fake reads its own copy: the server replaces its file as the token rotates.
            (umask 077; openssl rand -hex 48 | sed 's/^/demo-refresh-/' > "$RUN_DIR/refresh-token"
             cp "$RUN_DIR/refresh-token" "$RUN_DIR/fake-refresh-token-init")
            fake_args+=(--refresh-token-init "$RUN_DIR/fake-refresh-token-init")
        fi
    fi
    python3 "$top/tests/fake_pc.py" --listen 127.0.0.1:0 \
        --cert "$RUN_DIR/tls/server.pem" --key "$RUN_DIR/tls/server.key" \
        --ready-file "$RUN_DIR/fake-pc.port" "${fake_args[@]}" \
        --request-log "$RUN_DIR/fake-requests.jsonl" \
        --latency-ms "$FAKE_PC_LATENCY_MS" --slow-ms "$FAKE_PC_SLOW_MS" \
        2>>"$RUN_DIR/logs/fake-pc.log" &
    pids+=($!)
    wait_for "the fake Partner Center" test -s "$RUN_DIR/fake-pc.port"
    export BATCHSTATUS_PC_BASE_URL="https://127.0.0.1:$(cat "$RUN_DIR/fake-pc.port")"
    export BATCHSTATUS_CA_FILE=${BATCHSTATUS_CA_FILE:-$RUN_DIR/tls/ca.pem}
    if [ "$signin" != file ]; then
        wait_for "the fake sign-in" test -s "$RUN_DIR/fake-signin.port"
        export BATCHSTATUS_AUTHORITY_URL="https://127.0.0.1:$(cat "$RUN_DIR/fake-signin.port")"
        export BATCHSTATUS_TENANT_ID=$DEMO_TENANT
        export BATCHSTATUS_CLIENT_ID=$DEMO_CLIENT
        export BATCHSTATUS_CLIENT_SECRET_FILE=$RUN_DIR/client-secret
        if [ "$signin" = user ]; then export BATCHSTATUS_REFRESH_TOKEN_FILE=$RUN_DIR/refresh-token; fi
    fi
    if [ "${DEMO_NOTIFY:-0}" = 1 ] && [ -z "${BATCHSTATUS_NOTIFY_FILE:-}" ]; then
        # Its lines on this terminal and in its log: through a tee of its own (tee -i
        # outlives a Ctrl-C to print the receiver's last lines; stop() waits for it).
        exec {recv_out}> >(exec tee -i -a "$RUN_DIR/logs/webhook-receiver.log")
        tee_pid=$!
        python3 "$top/tests/webhook_receiver.py" --listen 127.0.0.1:0 \
            --cert "$RUN_DIR/tls/server.pem" --key "$RUN_DIR/tls/server.key" \
            --ready-file "$RUN_DIR/webhook-receiver.port" \
            --log "$RUN_DIR/webhook-deliveries.jsonl" >&"$recv_out" 2>&1 &
        pids+=($!)
        exec {recv_out}>&-
        wait_for "the webhook receiver" test -s "$RUN_DIR/webhook-receiver.port"
        receiver="https://127.0.0.1:$(cat "$RUN_DIR/webhook-receiver.port")"
        # The targets file is 0600, made afresh (rm first: a redirection keeps an old file's mode).
        rm -f "$RUN_DIR/notify-targets"
        (umask 077; printf '%s\n' "json $receiver/json" "slack $receiver/slack" \
            "teams $receiver/teams" > "$RUN_DIR/notify-targets")
        export BATCHSTATUS_NOTIFY_FILE=$RUN_DIR/notify-targets
    fi
fi

if [ "$NODES" -gt 1 ] && [ -z "${BATCHSTATUS_SHARED:-}" ]; then
    # A Redis of this run's own: a unix socket, no TCP, nothing written to disk.
    command -v redis-server >/dev/null || { echo "run.sh: NODES=$NODES needs redis-server (make run installs it)" >&2; exit 2; }
    rm -f "$RUN_DIR/redis.sock" "$RUN_DIR/redis.pid"
    printf '%s\n' "port 0" "unixsocket $RUN_DIR/redis.sock" "unixsocketperm 700" 'save ""' \
        "appendonly no" "dir $RUN_DIR" "pidfile $RUN_DIR/redis.pid" \
        "logfile $RUN_DIR/logs/redis.log" > "$RUN_DIR/redis.conf"
    redis-server "$RUN_DIR/redis.conf" &
    redis_pid=$!
    wait_for "redis-server" test -S "$RUN_DIR/redis.sock"
    export BATCHSTATUS_SHARED=redis+unix:$RUN_DIR/redis.sock
    rm -f "$RUN_DIR/shared-key"
    (umask 077; openssl rand -hex 32 > "$RUN_DIR/shared-key")
    export BATCHSTATUS_SHARED_KEY_FILE=${BATCHSTATUS_SHARED_KEY_FILE:-$RUN_DIR/shared-key}
fi

export BATCHSTATUS_TEMPLATES_DIR=${BATCHSTATUS_TEMPLATES_DIR:-$top/templates}
upstream=""
for n in $(seq 1 "$NODES"); do
    if [ "$n" = 1 ]; then name=batchstatus; state=$state_dir_1; else name=batchstatus-$n; state=$RUN_DIR/state-$n; fi
    sock=$RUN_DIR/$name.sock
    rm -f "$sock"
    (umask 077; mkdir -p "$state")
    case $state in "$RUN_DIR"/state*) chmod 700 "$state";; esac
    # BATCHSTATUS_WRAPPER runs the server under a tool (make test-valgrind: valgrind).
    # shellcheck disable=SC2086
    BATCHSTATUS_LISTEN=unix:$sock BATCHSTATUS_STATE_DIR=$state \
        ${BATCHSTATUS_WRAPPER:-} "$BIN" 2>>"$RUN_DIR/logs/$name.log" &
    pids+=($!)
    echo $! > "$RUN_DIR/$name.pid"
    wait_for "$name" test -S "$sock"
    upstream="$upstream    server unix:$sock;
"
done
if [ "$NODES" = 1 ]; then
    pass="unix:$RUN_DIR/batchstatus.sock"
else
    pass=batchstatus_nodes
fi

user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
sed -e "s|@FASTCGI_PASS@|$pass|g" -e "s|@STATIC_DIR@|$top/static|g" -e "s|@PREFIX@|$MOUNT_PREFIX|g" \
    -e "s|@GATE_DIR@|$BATCHSTATUS_PAGE_GATE_DIR|g" \
    "$top/nginx/batchstatus.locations.conf.in" > "$RUN_DIR/batchstatus.locations.conf"
sed -e "s|@CACHE_DIR@|$CACHE_DIR|g" \
    "$top/nginx/batchstatus.http.conf.in" > "$RUN_DIR/batchstatus.http.conf"
if [ "$NODES" -gt 1 ]; then
    printf 'upstream batchstatus_nodes {\n%s}\n' "$upstream" >> "$RUN_DIR/batchstatus.http.conf"
fi
sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@PORT@|$PORT|g" -e "s|@USER_LINE@|$user_line|" \
    "$top/nginx/dev.conf.in" > "$RUN_DIR/nginx.conf"
nginx -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/logs/nginx-error.log" &
pids+=($!)
wait_for "nginx on port $PORT" port_open "$PORT"

base="http://127.0.0.1:$PORT$MOUNT_PREFIX"
c=47021739-3426-40bf-9601-61b4b6d7c793
echo "batchstatus is up: $base/"
if [ -n "${FAKE_PC_LATENCY_MS:-}" ] && [ -s "$RUN_DIR/fake-pc.port" ]; then
    echo "  demo batches (fake Partner Center):"
    echo "    the docs' example:   $base/customers/$c/batches/0127ed8e-ff72-4983-a3d8-e8d8bd378932"
    echo "    still processing:    $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000002"
    if [ -n "$receiver" ]; then
        echo "    finishes 2 min after first view (follow it to get notified): $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000120"
    fi
    echo "    400 devices, errors: $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000003"
    echo "    as CSV:              $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000003.csv"
    echo "    no such batch:       $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000404"
    echo "    rate-limited:        $base/customers/$c/batches/9a0e1c7b-5c1d-4e2f-8a3b-000000000429"
    echo "  finding a batch without its GUIDs:"
    echo "    customers by name:   $base/customers?q=cont"
    echo "    a customer:          $base/customers/$c"
    echo "    250 devices:         $base/customers/$c/device-batches/2024-Q3%20laptops"
fi
case $signin in
app)  echo "  signs in: App-only (client credentials) at the fake sign-in, $BATCHSTATUS_AUTHORITY_URL";;
user) echo "  signs in: App+User (refresh token $RUN_DIR/refresh-token) at the fake sign-in, $BATCHSTATUS_AUTHORITY_URL";;
esac
if [ "$NODES" -gt 1 ]; then echo "  $NODES nodes behind nginx, sharing Redis $BATCHSTATUS_SHARED"; fi
if [ -n "$receiver" ]; then
    echo "  notifications: to the webhook receiver $receiver/ (json, slack, teams; targets $BATCHSTATUS_NOTIFY_FILE),"
    echo "    shown here and in $RUN_DIR/webhook-deliveries.jsonl"
fi
echo "  logs: $RUN_DIR/logs/   (Ctrl-C stops everything)"
# Ready only once all of the above is printed: tests read it when this file appears.
touch "$RUN_DIR/ready"

# Runs until a signal, or until one of the three dies (then stops the others).
set +e
wait -n "${pids[@]}"
echo "run.sh: a process exited; stopping" >&2
exit 1
}

# All of it in one function: bash reads a script as it runs, so editing this file
# under a running stack would otherwise change what that stack does next.
main "$@"
exit
