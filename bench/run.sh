#!/usr/bin/env bash
# bench/run.sh BUILD: issue 3's benchmark (`make bench`), after `make all`.
# Installs what it needs (Debian packages; sudo when not root), builds
# BUILD/bench/render_bench from the server's objects, then runs bench/bench.py:
# fake Partner Center (nginx + echo module, HTTP/2 over TLS), the limit proxy, one
# fresh batchstatus stack (scripts/run.sh) per scenario, wrk and h2load. Prints the
# table and writes bench/results.md. Everything it starts is stopped when it ends,
# fails or is interrupted. Loopback only. See bench/bench.py for BENCH_* settings.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
if [ ! -x "$build/batchstatus" ] || [ ! -d "$build/obj" ]; then
    echo "bench/run.sh: $build/batchstatus and $build/obj/ are not built: run make all first" >&2
    exit 2
fi
build=$(cd "$build" && pwd)

# Debian packages: the load generators (wrk; h2load, in nghttp2-client, for the fake's
# HTTP/2 capacity), nginx's echo module, and what the helper needs to build.
pkgs="wrk nghttp2-client libnginx-mod-http-echo nginx curl openssl python3 gcc g++ pkg-config
      libfcgi-dev libcurl4-openssl-dev libjson-c-dev libctemplate-dev libhiredis-dev libssl-dev libsqlite3-dev redis-server"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "bench/run.sh: installing:$missing" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# One run at a time per build directory: a second would rewrite the first one's token,
# certificates and fake Partner Center under BUILD/bench/, and share its two cores.
mkdir -p "$build/bench"
exec 9>>"$build/bench/lock"
if ! flock -n 9; then
    echo "bench/run.sh: another benchmark is running on $build: not starting a second one" >&2
    exit 3
fi

# Up to 4096 connections through nginx (plus 4096 FastCGI ones), 2000 more hanging in
# scenario 7, wrk's own: file descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The render micro-benchmark links the server's own objects (all but main.o), only those
# whose source is still in src/: a renamed or deleted file's old object would clash.
objs=()
for o in "$build"/obj/*.o; do
    n=$(basename "$o" .o)
    [ "$n" = main ] && continue
    [ -e "$top/src/$n.c" ] || [ -e "$top/src/$n.cc" ] || continue
    objs+=("$o")
done
pkgs_cfg="fcgi libcurl json-c libctemplate hiredis libcrypto sqlite3"
# shellcheck disable=SC2046
gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -I"$top/src" \
    $(pkg-config --cflags $pkgs_cfg) -c "$top/bench/render_bench.c" -o "$build/bench/render_bench.o"
# shellcheck disable=SC2046
g++ -o "$build/bench/render_bench" "$build/bench/render_bench.o" "${objs[@]}" \
    $(pkg-config --libs $pkgs_cfg) -pthread

cd "$top"
exec python3 "$top/bench/bench.py" --build "$build"
