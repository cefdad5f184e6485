#!/usr/bin/env bash
# Loss at sustained load: wrk → nginx (HTTP, loopback) paced to a target rate by paced.lua (each of
# the connections waits a fixed time after every response), with the tracer (benchmarks/e2e/TracerHost,
# default options: 4 MiB ring buffer, 8 KiB captured per event, 4 events per syscall, a record buffer
# of 100,000) tracing nginx's processes. First TARGET requests/s for SECONDS (default 20,000 for 60 s);
# every counter of loss — events the kernel could not put in the ring buffer, records dropped because
# the reader fell behind, connection statistics dropped, bytes over memory caps, gap bytes — must be 0.
# Then higher rates, 20 s each, up to unpaced wrk, to find where loss begins; then the same with a
# 1 MiB ring buffer (RING_BYTES_SMALL) to show how the buffer size moves that point.
#
# usage: sudo benchmarks/e2e/load-loss.sh [TARGET] [SECONDS]
# env:   STEP_RATES ("30000 40000 max"), STEP_SECONDS (20), CONNECTIONS (400; the pace per connection is CONNECTIONS × 1000 / RATE ms, so slow responses need more connections), HOST_WIDE (unset:
#        trace nginx only), RING_BYTES_SMALL (1048576), TRACER_HOST
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_use_host

target=${1:-20000}
seconds=${2:-60}
step_seconds=${STEP_SECONDS:-20}
connections=${CONNECTIONS:-400}
read -r -a step_rates <<<"${STEP_RATES:-30000 40000 max}"
port=18483
hz=$(getconf CLK_TCK)
e2e_start_nginx "$port"
pid_args=()
[ -n "${HOST_WIDE:-}" ] || read -r -a pid_args <<<"$(e2e_nginx_pid_args)"
url="http://127.0.0.1:$port/index.html"

# One traced run: prints rate, counters and the tracer's CPU; $1 target rate or "max", $2 seconds, rest: host args.
run() {
	local rate=$1 duration=$2 out achieved requests ticks0 ticks1 pace
	shift 2
	e2e_start_tracer "${pid_args[@]}" "$@"
	# JIT warm-up, untimed and uncounted below (the counters include it; it is unpaced and short).
	wrk -t2 -c32 -d4s "$url" >/dev/null
	sleep 1
	ticks0=$(e2e_cpu_ticks "$tracer_pid")
	local load_before
	load_before=$(e2e_load)
	if [ "$rate" = max ]; then
		out=$(wrk -t2 -c"$connections" -d"${duration}s" "$url")
	else
		# C connections each pausing P ms after a response send at most C * 1000 / P requests/s.
		pace=$((connections * 1000 / rate))
		out=$(PACE_MS=$pace wrk -t2 -c"$connections" -d"${duration}s" -s "$e2e_root/benchmarks/e2e/paced.lua" "$url")
	fi
	sleep 2
	ticks1=$(e2e_cpu_ticks "$tracer_pid")
	e2e_stop_tracer
	achieved=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	requests=$(awk '/requests in/ { print $1 }' <<<"$out")
	printf '%-8s %8s req/s for %3ss  tracer CPU %5.1f%% of a core (%5.2f µs/request)  load %s→%s\n' \
		"$rate" "$achieved" "$duration" \
		"$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v s="$duration" 'BEGIN { print t / hz / s * 100 }')" \
		"$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v r="$requests" 'BEGIN { print t / hz * 1e6 / r }')" \
		"$load_before" "$(e2e_load)"
	echo "         $tracer_stats"
}

echo "tracer: ${tracer_cmd[*]} ${pid_args[*]:-(every process)}; $connections wrk connections"
echo "== $target requests/s for $seconds s, default buffers"
run "$target" "$seconds"
echo
echo "== rising rates, $step_seconds s each, default buffers (4 MiB ring buffer)"
for rate in "${step_rates[@]}"; do
	run "$rate" "$step_seconds"
done
echo
small=${RING_BYTES_SMALL:-1048576}
echo "== rising rates, $step_seconds s each, $small-byte ring buffer"
for rate in "$target" "${step_rates[@]}"; do
	run "$rate" "$step_seconds" --ring-bytes "$small"
done
