#!/usr/bin/env bash
# CPU nanoseconds of the writing thread per SSL_write (66 bytes over TLS 1.3 on loopback, libssl.so.3) with no tracer, with the
# tracer without TLS probes (--no-tls), and with the TLS probes — for bytes no protocol guess accepts
# (probes run, nothing is sent up) and for an HTTP request (its plaintext is sent up and parsed).
# Needs root, a C compiler, libssl-dev and the protocol-trace CLI built in Release.
#
# usage: benchmarks/tls/run-ssl-write-bench.sh [COUNT] [RUNS]
set -euo pipefail

count=${1:-200000}
runs=${2:-3}
port=18443
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
tracer_pid=
cleanup() {
	[ -n "$tracer_pid" ] && kill "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/ssl_write_loop" "$root/benchmarks/tls/ssl_write_loop.c" -lssl -lcrypto -lpthread
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout "$work/key.pem" \
	-out "$work/cert.pem" 2>/dev/null
cli="$root/src/Ebpf.ProtocolTracing.Cli/bin/Release/net10.0/protocol-trace"
[ -x "$cli" ] || dotnet build -c Release "$root/src/Ebpf.ProtocolTracing.Cli" >/dev/null

measure() {
	local payload results
	for payload in opaque http; do
		results=()
		for _ in $(seq "$runs"); do
			results+=("$("$work/ssl_write_loop" "$port" "$work/cert.pem" "$work/key.pem" "$count" "$payload")")
		done
		echo "$1, $payload payload: ${results[*]} CPU ns per SSL_write"
	done
}

with_tracer() {
	local label=$1
	shift
	"$cli" --plain --port "$port" "$@" >"$work/records.txt" 2>"$work/tracer.log" &
	tracer_pid=$!
	# The CLI prints its first line once the probes are attached.
	for _ in $(seq 300); do
		grep -q "attached" "$work/tracer.log" 2>/dev/null && break
		sleep 0.1
	done
	measure "$label"
	kill "$tracer_pid"
	wait "$tracer_pid" 2>/dev/null || true
	tracer_pid=
	echo "  $(tail -n 1 "$work/tracer.log")"
}

measure "no tracer"
with_tracer "tracer, --no-tls" --no-tls
with_tracer "tracer with TLS probes"
