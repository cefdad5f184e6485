#!/usr/bin/env bash
# How hard this machine's wrk → nginx benchmark punishes time added inside nginx's syscalls: the
# throughput without any hook, with a stand-in program that only spins for SPIN_NS nanoseconds on the
# exit of each of nginx's data syscalls (sensitivity/spin.bpf.c, hooked like the tracer on sys_exit;
# 0 = the bare attachment), and with the tracer itself (as in nginx-overhead.sh: --summary, --pid of
# nginx's processes). Runs alternate, round after round; each configuration's loss is taken against the
# untraced run of its own round, then the median. The stand-in measures the time it spends itself, so
# each row says how many ns per request it added to nginx and what that cost; beside it, nginx's own CPU
# time per request (utime+stime of its workers) and how often its workers were preempted per request
# (involuntary context switches), which show where a loss larger than the added time comes from.
#
# usage: sudo benchmarks/e2e/sensitivity.sh [ROUNDS] [SECONDS]
# env:   SPIN_NS ("0 250 500 1000"), TRACER (1: include the tracer; 0 leaves it out), WRK_THREADS (2),
#        WRK_CONNECTIONS (32), WARM_UP_SECONDS (4), PROTOCOL_TRACE (the CLI binary)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
e2e_require_root
[ "${TRACER:-1}" = 0 ] || e2e_build_cli

rounds=${1:-5}
seconds=${2:-10}
threads=${WRK_THREADS:-2}
connections=${WRK_CONNECTIONS:-32}
read -r -a spins <<<"${SPIN_NS:-0 250 500 1000}"
port=18482
url=http://127.0.0.1:$port/index.html

src=$e2e_root/benchmarks/e2e/sensitivity
e2e_build_bpf_tool spin "$src/spin.bpf.c" "$src/spin.c"

e2e_start_nginx "$port"
read -r -a nginx_pids <<<"$(cat "$nginx_pid_file") $(pgrep -P "$(cat "$nginx_pid_file")" | tr '\n' ' ')"
read -r -a pid_args <<<"$(e2e_nginx_pid_args)"
read -r -a workers <<<"$(pgrep -P "$(cat "$nginx_pid_file")" | tr '\n' ' ')"
hz=$(getconf CLK_TCK)

# "cpu_ticks preemptions" of nginx's workers so far.
nginx_counters() {
	local ticks=0 preempted=0 pid
	for pid in "${workers[@]}"; do
		ticks=$((ticks + $(e2e_cpu_ticks "$pid")))
		preempted=$((preempted + $(awk '/^nonvoluntary_ctxt_switches:/ { print $2 }' "/proc/$pid/status")))
	done
	echo "$ticks $preempted"
}

spin_pid=
start_spin() {
	: >"$work/spin.log"
	"$work/spin" "$1" "${nginx_pids[@]}" >"$work/spin.out" 2>"$work/spin.log" &
	spin_pid=$!
	local i
	for i in $(seq 300); do
		grep -q attached "$work/spin.log" && return 0
		kill -0 "$spin_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$0: the spin program did not attach:" >&2
	cat "$work/spin.log" >&2
	exit 1
}
stop_spin() {
	kill -INT "$spin_pid"
	wait "$spin_pid" || true
	spin_pid=
}

# wrk's summary and nginx's counters → "requests_per_second requests nginx_us_per_request preemptions_per_request"
run_wrk() {
	local out ticks0 preempted0 ticks1 preempted1
	read -r ticks0 preempted0 < <(nginx_counters)
	out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" "$url")
	if grep -q "Non-2xx\|Socket errors" <<<"$out"; then
		echo "$0: wrk saw errors:" >&2
		grep "Non-2xx\|Socket errors" <<<"$out" >&2
	fi
	read -r ticks1 preempted1 < <(nginx_counters)
	awk -v rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" -v r="$(awk '/requests in/ { print $1 }' <<<"$out")" \
		-v t=$((ticks1 - ticks0)) -v p=$((preempted1 - preempted0)) -v hz="$hz" \
		'BEGIN { printf "%s %s %.2f %.3f\n", rps, r, t / hz * 1e6 / r, p / r }'
}
warm_up() { wrk -t"$threads" -c"$connections" -d"${WARM_UP_SECONDS:-4}s" "$url" >/dev/null; }

configs=(off)
for ns in "${spins[@]}"; do configs+=("spin$ns"); done
[ "${TRACER:-1}" = 0 ] || configs+=(tracer)

results=$work/results.txt
: >"$results"
printf '%-9s %5s %12s %10s %14s %12s %16s %18s %6s\n' config round 'requests/s' requests 'spins/request' 'ns/request' 'nginx µs/request' 'preemptions/request' load
for round in $(seq "$rounds"); do
	for config in "${configs[@]}"; do
		load=$(e2e_load)
		per_request=- ns_per_request=-
		case $config in
		off)
			warm_up
			read -r rps requests nginx_us preemptions < <(run_wrk)
			;;
		spin*)
			start_spin "${config#spin}"
			warm_up
			# The warm-up's spins are counted too: take the totals before and after from one more start.
			stop_spin
			start_spin "${config#spin}"
			read -r rps requests nginx_us preemptions < <(run_wrk)
			stop_spin
			read -r runs spent <"$work/spin.out"
			per_request=$(awk -v n="$runs" -v r="$requests" 'BEGIN { printf "%.2f", n / r }')
			ns_per_request=$(awk -v s="$spent" -v r="$requests" 'BEGIN { printf "%.0f", s / r }')
			;;
		tracer)
			e2e_start_tracer --summary "${pid_args[@]}"
			warm_up
			read -r rps requests nginx_us preemptions < <(run_wrk)
			e2e_stop_tracer
			;;
		esac
		printf '%-9s %5s %12s %10s %14s %12s %16s %18s %6s\n' "$config" "$round" "$rps" "$requests" "$per_request" "$ns_per_request" "$nginx_us" "$preemptions" "$load"
		echo "$config $round $rps $ns_per_request $nginx_us $preemptions" >>"$results"
	done
done

echo
echo "medians over $rounds rounds (loss against the untraced run of the same round)"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
off = {r[1]: float(r[2]) for r in rows if r[0] == "off"}
med = lambda rs, col: statistics.median(float(r[col]) for r in rs)
offs = [r for r in rows if r[0] == "off"]
print(f"off        requests/s {statistics.median(off.values()):8.0f}   nginx {med(offs, 4):5.2f} µs/request, {med(offs, 5):.3f} preemptions/request")
for config in dict.fromkeys(r[0] for r in rows if r[0] != "off"):
    mine = [r for r in rows if r[0] == config]
    losses = [1 - float(r[2]) / off[r[1]] for r in mine]
    added = [float(r[3]) for r in mine if r[3] != "-"]
    spent = f"{statistics.median(added) / 1000:5.2f} µs per request spent in the stand-in" if added else "the tracer (its BPF time per request: nginx-overhead.sh)"
    print(f"{config:10} requests/s {med(mine, 2):8.0f}   loss {statistics.median(losses) * 100:+5.1f} % "
          f"(rounds {min(losses) * 100:+.1f} to {max(losses) * 100:+.1f})   nginx {med(mine, 4):5.2f} µs/request, "
          f"{med(mine, 5):.3f} preemptions/request   {spent}")
PY
