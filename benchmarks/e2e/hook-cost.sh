#!/usr/bin/env bash
# What the hooks alone cost a syscall, with programs that only count: write()+read() on a Unix socket
# pair (the write hooked) and getppid() (not hooked), with no programs, with the per-syscall
# tracepoints sys_enter_write/sys_exit_write, and with the sys_exit dispatch (a BTF raw tracepoint and
# a tail call by syscall number) the tracer uses. Runs alternate, round after round; medians.
#
# usage: sudo benchmarks/e2e/hook-cost.sh [ROUNDS] [ITERATIONS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root

rounds=${1:-5}
iterations=${2:-1000000}
src=$e2e_root/benchmarks/e2e/hook-cost
e2e_build_bpf_tool hooks "$src/hooks.bpf.c" "$src/hook_cost.c"

results=$work/results.txt
: >"$results"
printf '%-12s %5s %16s %12s %10s %6s\n' hooks round 'ns write+read' 'ns getppid' hits load
for round in $(seq "$rounds"); do
	for mode in none tracepoints sys_exit; do
		read -r pair other hits < <("$work/hooks" "$mode" "$iterations")
		printf '%-12s %5s %16s %12s %10s %6s\n' "$mode" "$round" "$pair" "$other" "$hits" "$(e2e_load)"
		echo "$mode $pair $other" >>"$results"
	done
done

echo
echo "medians over $rounds rounds ($iterations calls each)"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = lambda mode, col: statistics.median(float(r[col]) for r in rows if r[0] == mode)
p0, g0 = med("none", 1), med("none", 2)
for mode in ("tracepoints", "sys_exit"):
    p, g = med(mode, 1), med(mode, 2)
    print(f"{mode:12} write+read {p0:5.0f} → {p:5.0f} ns ({p - p0:+4.0f})   getppid {g0:4.0f} → {g:4.0f} ns ({g - g0:+4.0f}, every other syscall)")
PY
