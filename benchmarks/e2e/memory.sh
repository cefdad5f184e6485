#!/usr/bin/env bash
# The tracer's memory with many idle tracked connections: idle_connections.c opens COUNT keep-alive
# connections to nginx, sends one request on each, and holds them open; then wrk adds load on top.
# The tracer is benchmarks/e2e/TracerHost (records counted, not printed), tracing only nginx's
# processes, so each idle connection is tracked once (its server side). Prints the tracer's RSS
# (/proc/<pid>/status VmRSS) and tracked connections at each step, the peak (VmHWM), and RSS per
# connection. Target: ≤ 100 MB in all with 10,000 idle connections and load. With MEMORY_SMAPS=1 it
# also prints where the RSS is (/proc/<pid>/smaps summed by mapping) right after attach and after the load.
#
# usage: sudo benchmarks/e2e/memory.sh [COUNT] [LOAD_SECONDS]
# env:   TRACER_HOST (the host binary; default: this checkout's Release build)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_use_host

count=${1:-10000}
load_seconds=${2:-20}
port=18482
# Each connection needs a descriptor in the client and one in nginx.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((count + 64)) ]; then
	echo "$0: the open-file limit ($(ulimit -n)) is below $count connections; raise the hard limit (ulimit -Hn) first." >&2
	exit 1
fi
cc -O2 -Wall -Wextra -o "$work/idle_connections" "$e2e_root/benchmarks/e2e/idle_connections.c"
e2e_start_nginx "$port"
read -r -a pid_args <<<"$(e2e_nginx_pid_args)"

report() {
	local status
	status=$(e2e_host_status)
	printf '%-44s RSS %7s KiB   %s   load %s\n' "$1" "$(e2e_rss_kib "$tracer_pid")" \
		"$(sed -E 's/status: ([0-9]+) connections tracked.*managed heap ([0-9]+) KiB, gc committed ([0-9]+) KiB.*/\1 connections tracked, managed heap \2 KiB, GC committed \3 KiB/' <<<"$status")" "$(e2e_load)"
}

# RSS summed by mapping (file, [heap], anonymous, the BPF ring's anon_inode), largest first.
smaps_breakdown() {
	[ "${MEMORY_SMAPS:-0}" = 1 ] || return 0
	echo "  where the RSS is ($1):"
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 == "" ? "anonymous" : $6; next }
		/^Rss:/ { rss[name] += $2 }
		END {
			for (n in rss) if (rss[n] >= 1024) printf "    %6.1f MiB  %s\n", rss[n] / 1024, n; else rest += rss[n]
			printf "    %6.1f MiB  (other mappings, each under 1 MiB)\n", rest / 1024
		}' "/proc/$tracer_pid/smaps" | sort -rn
}

e2e_start_tracer "${pid_args[@]}"
# The host's first status line comes one status interval after attaching.
for _ in $(seq 100); do
	grep -q "^status:" "$work/tracer.log" && break
	sleep 0.1
done
report "right after attach"
smaps_breakdown "right after attach"
# Warm up (JIT, pools) with a short burst so the baseline is the tracer's steady state.
wrk -t2 -c32 -d4s "http://127.0.0.1:$port/index.html" >/dev/null
sleep 3
report "after attach and a 4 s warm-up"
rss0=$(e2e_rss_kib "$tracer_pid")

"$work/idle_connections" "$port" "$count" >"$work/idle.out" &
idle_pid=$!
for _ in $(seq 600); do
	grep -q ready "$work/idle.out" 2>/dev/null && break
	kill -0 "$idle_pid" 2>/dev/null || { echo "$0: the idle-connection client failed" >&2; exit 1; }
	sleep 0.1
done
sleep 3
report "$count idle connections open"
rss1=$(e2e_rss_kib "$tracer_pid")

wrk -t2 -c32 -d"${load_seconds}s" "http://127.0.0.1:$port/index.html" | awk '/Requests\/sec/ { print "  load: " $2 " requests/s" }'
sleep 3
report "… plus ${load_seconds} s of wrk load"
smaps_breakdown "after the load"
rss2=$(e2e_rss_kib "$tracer_pid")
peak=$(e2e_hwm_kib "$tracer_pid")

kill -TERM "$idle_pid"
wait "$idle_pid" 2>/dev/null || true
sleep 3
report "idle connections closed"
e2e_stop_tracer
echo "$tracer_stats"
echo
awk -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" -v peak="$peak" -v n="$count" 'BEGIN {
	printf "RSS: %.1f MiB at rest, %.1f MiB with %d idle connections (+%.0f bytes each), %.1f MiB with load on top; peak %.1f MiB\n",
		r0 / 1024, r1 / 1024, n, (r1 - r0) * 1024 / n, r2 / 1024, peak / 1024
}'
