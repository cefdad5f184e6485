#!/usr/bin/env bash
# wrk → nginx (a 42-byte static file on loopback, keep-alive) without and with the tracer, over HTTP and
# over HTTPS (TLS 1.3; the tracer's TLS uprobes capture the plaintext). Runs alternate, round after
# round: http without tracer, http with tracer, https without, https with — so load from other work on
# the machine falls on every configuration alike. Prints, per run, requests/s, p99 latency, the
# tracer's records (a run whose tracer made no records is reported as broken), its CPU time per
# request and the load average; then medians, ratios and the kernel-side time of each BPF program
# (one extra run per protocol with kernel.bpf_stats_enabled=1, which itself adds some cost, so the
# throughput runs are made without it).
#
# The tracer traces only nginx's processes (--pid of the master and each worker, a kernel-side filter):
# one record per request, and other work on a shared machine stays out of the counts. HOST_WIDE=1
# traces every process instead (wrk's client side too: two records per request, plus whatever else
# runs on the machine).
#
# The named peer, over HTTP: bpftrace attached to the same nginx pids with the skeleton of a tracer on
# the per-syscall tracepoints (entry and exit of each data syscall, a map update each, no capture, no
# events; see e2e_start_peer in lib.sh), configuration "peer". PEER=0 leaves it out.
#
# usage: sudo benchmarks/e2e/nginx-overhead.sh [ROUNDS] [SECONDS]
# env:   WARM_UP_SECONDS (4, untimed wrk before each run), WRK_THREADS (2), WRK_CONNECTIONS (32), NGINX_WORKERS (2), TRACER_ARGS ("--summary"),
#        HOST_WIDE (unset), PROTOCOL_TRACE (the CLI binary; default: this checkout's Release build),
#        PROTOCOL_TRACE_B (a second CLI build: adds a configuration "onB" to every round, to compare two
#        builds of the tracer under the same alternation), PEER (1: the bpftrace configuration)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_build_cli

rounds=${1:-3}
seconds=${2:-10}
threads=${WRK_THREADS:-2}
connections=${WRK_CONNECTIONS:-32}
read -r -a tracer_args <<<"${TRACER_ARGS:---summary}"
http_port=18480
https_port=18481
hz=$(getconf CLK_TCK)

peer=${PEER:-1}
[ "$peer" = 0 ] && peer= || e2e_ensure_bpftrace

e2e_make_cert
e2e_start_nginx "$http_port" "$https_port"
if [ -z "${HOST_WIDE:-}" ]; then
	read -r -a pid_args <<<"$(e2e_nginx_pid_args)"
	tracer_args+=("${pid_args[@]}")
fi
read -r -a nginx_pids <<<"$(cat "$nginx_pid_file") $(pgrep -P "$(cat "$nginx_pid_file")" | tr '\n' ' ')"
echo "tracer: $cli ${tracer_args[*]}"
sysctl -qw kernel.bpf_stats_enabled=0

url_of() { [ "$1" = http ] && echo "http://127.0.0.1:$http_port/index.html" || echo "https://127.0.0.1:$https_port/index.html"; }

# wrk's summary → "requests_per_second p99_ms requests"
run_wrk() {
	local out rps p99 requests
	out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$1")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	requests=$(awk '/requests in/ { print $1 }' <<<"$out")
	p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' <<<"$out")
	if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
		echo "$0: wrk saw errors against $1:" >&2
		grep "Non-2xx\|Socket errors" <<<"$out" >&2
	fi
	echo "$rps $p99 $requests"
}

# An untimed burst before every timed run: the tracer's JIT compiles its hot paths in its first seconds
# under load (tiered compilation), a one-time cost that would otherwise be billed to the run.
# Prints the requests it made: the tracer's record count covers them too.
warm_up() { wrk -t"$threads" -c"$connections" -d"${WARM_UP_SECONDS:-4}s" "$(url_of "$1")" | awk '/requests in/ { print $1 }'; }

results=$work/results.txt
: >"$results"
printf '%-6s %-7s %5s %12s %9s %10s %10s %12s %6s %6s %6s\n' proto tracer round 'requests/s' 'p99 ms' requests 'records¹' 'tracer µs/req' lost dropped load
for round in $(seq "$rounds"); do
	for proto in http https; do
		for traced in off on ${PROTOCOL_TRACE_B:+onB} ${peer:+peer}; do
			# The peer sees syscalls only: over HTTPS it would be measured on ciphertext, unlike the tracer.
			[ "$traced" = peer ] && [ "$proto" = https ] && continue
			load=$(e2e_load)
			foreign=$(e2e_foreign_bpf_programs)
			if [ "$traced" = peer ]; then
				e2e_start_peer "${nginx_pids[@]}"
				foreign=$(e2e_foreign_bpf_programs "$peer_pid")
				warmed=$(warm_up "$proto")
				ticks0=$(e2e_cpu_ticks "$peer_pid")
				read -r rps p99 requests < <(run_wrk "$(url_of "$proto")")
				ticks1=$(e2e_cpu_ticks "$peer_pid")
				e2e_stop_peer
				records=- lost=- dropped=-
				us_per_request=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / r }')
			elif [ "$traced" != off ]; then
				if [ "$traced" = onB ]; then tracer_cmd=("$PROTOCOL_TRACE_B" --plain); else tracer_cmd=("$cli" --plain); fi
				e2e_start_tracer "${tracer_args[@]}"
				foreign=$(e2e_foreign_bpf_programs "$tracer_pid")
				warmed=$(warm_up "$proto")
				ticks0=$(e2e_cpu_ticks "$tracer_pid")
				read -r rps p99 requests < <(run_wrk "$(url_of "$proto")")
				# Let the tracer drain what the kernel sent during the run before its CPU time is read.
				sleep 1
				ticks1=$(e2e_cpu_ticks "$tracer_pid")
				e2e_stop_tracer
				# Records of the warm-up and the timed run together.
				records=$(e2e_stat records "$tracer_stats")
				lost=$(e2e_stat lost "$tracer_stats")
				dropped=$(e2e_stat dropped "$tracer_stats")
				us_per_request=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / r }')
				if [ "$records" = 0 ]; then
					echo "$0: the tracer produced no records in this run; its overhead number means nothing: $tracer_stats" >&2
				fi
			else
				warmed=$(warm_up "$proto")
				read -r rps p99 requests < <(run_wrk "$(url_of "$proto")")
				records=- lost=- dropped=- us_per_request=-
			fi
			printf '%-6s %-7s %5s %12s %9s %10s %10s %12s %6s %6s %6s\n' "$proto" "$traced" "$round" "$rps" "$p99" "$requests" "$records" "$us_per_request" "$lost" "$dropped" "$load"
			echo "$proto $traced $round $rps $p99 $requests $records $us_per_request $load $foreign $((warmed + requests))" >>"$results"
		done
	done
done

echo "¹ records of the untimed warm-up and the timed run together; expected: one per request of both"
echo
echo "medians over $rounds rounds (other tracing BPF programs on the machine during the runs: $(awk '{ print $10 }' "$results" | sort -u | tr '\n' ' '))"
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(proto, traced, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == proto and r[1] == traced)
for proto in ("http", "https"):
    off_rps, off_p99 = med(proto, "off", 3), med(proto, "off", 4)
    for traced in sorted({r[1] for r in rows if r[0] == proto and r[1] != "off"}):
        on_rps, on_p99 = med(proto, traced, 3), med(proto, traced, 4)
        cpu = med(proto, traced, 7)
        records = [int(r[6]) for r in rows if r[0] == proto and r[1] == traced and r[6] != "-"]
        requests = [int(r[10]) for r in rows if r[0] == proto and r[1] == traced and r[6] != "-"]
        per_request = f"{sum(records) / sum(requests):.2f}" if requests else "- (no records: bpftrace skeleton)"
        print(f"{proto:5} {traced:3}  requests/s {off_rps:8.0f} → {on_rps:8.0f}  ratio {on_rps / off_rps:.3f} ({(1 - on_rps / off_rps) * 100:+.1f}% loss)"
              f"   p99 {off_p99:.2f} → {on_p99:.2f} ms  ratio {on_p99 / off_p99:.2f}"
              f"   tracer CPU {cpu:.2f} µs/request   records per request (warm-up included) {per_request}")
EOF

tracer_cmd=("$cli" --plain)
echo
echo "kernel-side BPF time (one more traced run per protocol with kernel.bpf_stats_enabled=1; load $(e2e_load))"
for proto in http https; do
	e2e_start_tracer "${tracer_args[@]}"
	ids=$(e2e_prog_ids "$tracer_pid")
	sysctl -qw kernel.bpf_stats_enabled=1
	# shellcheck disable=SC2086
	e2e_bpf_prog_stats $ids >"$work/bpf-before.txt"
	read -r rps p99 requests < <(run_wrk "$(url_of "$proto")")
	# shellcheck disable=SC2086
	e2e_bpf_prog_stats $ids >"$work/bpf-after.txt"
	sysctl -qw kernel.bpf_stats_enabled=0
	e2e_stop_tracer
	echo "$proto: $requests requests at $rps/s; $(e2e_stat records "$tracer_stats") records"
	python3 - "$work/bpf-before.txt" "$work/bpf-after.txt" "$requests" <<'EOF'
import sys
def load(path):
    d = {}
    for line in open(path):
        name, cnt, ns = line.split()
        c, n = d.get(name, (0, 0))
        d[name] = (c + int(cnt), n + int(ns))
    return d
before, after, requests = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
total = 0
for name in sorted(after, key=lambda k: -(after[k][1] - before.get(k, (0, 0))[1])):
    cnt = after[name][0] - before.get(name, (0, 0))[0]
    ns = after[name][1] - before.get(name, (0, 0))[1]
    if cnt == 0:
        continue
    total += ns
    print(f"  {name:24} {cnt:10d} runs  {ns / cnt:7.0f} ns/run  {cnt / requests:6.2f} runs/request")
print(f"  all programs: {total / requests:.0f} ns of BPF time per request")
EOF
done
