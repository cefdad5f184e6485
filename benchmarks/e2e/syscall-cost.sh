#!/usr/bin/env bash
# Nanoseconds the tracer adds to write() and read() on a connected loopback TCP socket pair
# (socket_pingpong.c: one thread, request and response of the same size, no call ever blocks), for
# 64-byte and 4 KiB messages, with bytes no protocol guess accepts (opaque) and with HTTP. Runs
# alternate without and with the tracer, round after round; then one traced run per case with
# kernel.bpf_stats_enabled=1 gives each BPF program's own time.
#
# usage: sudo benchmarks/e2e/syscall-cost.sh [ROUNDS] [ROUND_TRIPS]
# env:   TRACER_ARGS ("--summary"), PROTOCOL_TRACE (the CLI binary), PROTOCOL_TRACE_B (a second CLI
#        build: adds a configuration "onB" to every round)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root
e2e_build_cli

rounds=${1:-3}
iterations=${2:-200000}
read -r -a tracer_args <<<"${TRACER_ARGS:---summary}"
cc -O2 -Wall -Wextra -o "$work/socket_pingpong" "$e2e_root/benchmarks/e2e/socket_pingpong.c"
sysctl -qw kernel.bpf_stats_enabled=0

results=$work/results.txt
: >"$results"
printf '%-6s %6s %-7s %5s %12s %12s %14s %8s %6s\n' kind size tracer round 'ns/write' 'ns/read' 'CPU ns/trip' records load
for round in $(seq "$rounds"); do
	for kind in opaque http; do
		for size in 64 4096; do
			for traced in off on ${PROTOCOL_TRACE_B:+onB}; do
				load=$(e2e_load)
				records=-
				if [ "$traced" != off ]; then
					if [ "$traced" = onB ]; then tracer_cmd=("$PROTOCOL_TRACE_B" --plain); else tracer_cmd=("$cli" --plain); fi
					e2e_start_tracer "${tracer_args[@]}"
					sleep 1
				fi
				read -r write_ns read_ns cpu_ns _ < <("$work/socket_pingpong" "$size" "$iterations" "$kind")
				if [ "$traced" != off ]; then
					sleep 1
					e2e_stop_tracer
					records=$(e2e_stat records "$tracer_stats")
				fi
				printf '%-6s %6s %-7s %5s %12s %12s %14s %8s %6s\n' "$kind" "$size" "$traced" "$round" "$write_ns" "$read_ns" "$cpu_ns" "$records" "$load"
				echo "$kind $size $traced $round $write_ns $read_ns $cpu_ns $records $load" >>"$results"
			done
		done
	done
done

echo
echo "medians over $rounds rounds ($iterations round trips each; HTTP records expected: one per round trip)"
python3 - "$results" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(kind, size, traced, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == kind and r[1] == size and r[2] == traced)
for kind in ("opaque", "http"):
    for size in ("64", "4096"):
        w0, r0, c0 = med(kind, size, "off", 4), med(kind, size, "off", 5), med(kind, size, "off", 6)
        for traced in sorted({r[2] for r in rows if r[2] != "off"}):
            w1, r1, c1 = med(kind, size, traced, 4), med(kind, size, traced, 5), med(kind, size, traced, 6)
            print(f"{kind:6} {size:>5} B {traced:3}  write {w0:6.0f} → {w1:6.0f} ns ({w1 - w0:+6.0f})   read {r0:6.0f} → {r1:6.0f} ns ({r1 - r0:+6.0f})"
                  f"   CPU per round trip {c0:6.0f} → {c1:6.0f} ns ({c1 - c0:+6.0f}, 2 writes + 2 reads)")
EOF

tracer_cmd=("$cli" --plain)
echo
echo "kernel-side BPF time per program (traced runs with kernel.bpf_stats_enabled=1; load $(e2e_load))"
for kind in opaque http; do
	for size in 64 4096; do
		e2e_start_tracer "${tracer_args[@]}"
		ids=$(e2e_prog_ids "$tracer_pid")
		sysctl -qw kernel.bpf_stats_enabled=1
		# shellcheck disable=SC2086
		e2e_bpf_prog_stats $ids >"$work/bpf-before.txt"
		"$work/socket_pingpong" "$size" "$iterations" "$kind" >/dev/null
		# shellcheck disable=SC2086
		e2e_bpf_prog_stats $ids >"$work/bpf-after.txt"
		sysctl -qw kernel.bpf_stats_enabled=0
		e2e_stop_tracer
		echo "$kind $size B: $(e2e_stat records "$tracer_stats") records"
		python3 - "$work/bpf-before.txt" "$work/bpf-after.txt" <<'EOF'
import sys
def load(path):
    d = {}
    for line in open(path):
        name, cnt, ns = line.split()
        d[name] = (int(cnt), int(ns))
    return d
before, after = load(sys.argv[1]), load(sys.argv[2])
# Every program that ran: sys_exit (its time includes the syscall handler it tail-calls, and it runs
# for every syscall on the machine), the session's other programs, or an older build's per-syscall ones.
for name in sorted(after):
    cnt = after[name][0] - before.get(name, (0, 0))[0]
    ns = after[name][1] - before.get(name, (0, 0))[1]
    if cnt:
        print(f"  {name:12} {cnt:9d} runs  {ns / cnt:6.0f} ns/run")
EOF
	done
done
