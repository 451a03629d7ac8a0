#!/bin/sh
# Make a throwaway test CA and a server certificate for localhost / 127.0.0.1.
# Usage: tests/make_ca.sh DIR  -> DIR/ca.pem DIR/ca.key DIR/server.pem DIR/server.key
# Idempotent: does nothing when DIR/server.pem already exists. Never commit the output.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1

if [ -s "$dir/server.pem" ]; then
    exit 0
fi

mkdir -p "$dir"
umask 077
work=$(mktemp -d "$dir/.make_ca.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
    -subj "/CN=batchstatus test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$work/ca.key" -out "$work/ca.pem" >/dev/null 2>&1

openssl req -newkey rsa:2048 -nodes -sha256 \
    -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" >/dev/null 2>&1

cat >"$work/ext.cnf" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT

openssl x509 -req -sha256 -days 30 \
    -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -extfile "$work/ext.cnf" \
    -out "$work/server.pem" >/dev/null 2>&1

chmod 644 "$work/ca.pem" "$work/server.pem"
mv "$work/ca.key" "$work/ca.pem" "$work/server.key" "$dir/"
# server.pem last: its presence means the set is complete.
mv "$work/server.pem" "$dir/server.pem"
