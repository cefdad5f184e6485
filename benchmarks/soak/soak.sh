#!/usr/bin/env bash
# Soak test: the tracer runs for N minutes under mixed load (wrk -> nginx, redis-benchmark -> redis,
# a psql session sending queries to PostgreSQL when PostgreSQL is installed) and samples its own RSS,
# descriptors, records and losses every 10 s into a CSV. Fails when the tracer dies or hangs, or when
# its RSS or descriptor count keeps growing after the warm-up.
#
#   sudo benchmarks/soak/soak.sh [minutes]         (default 10)
#
# Environment: SOAK_OUT (directory for the CSV and logs; default a new one under /tmp),
# SOAK_WARMUP_S (seconds of warm-up whose growth is not judged; default 120, at most a third of the run),
# SOAK_RSS_GROWTH_MIB (allowed RSS growth after warm-up; default 64), SOAK_FD_GROWTH (default 16),
# SOAK_WRK_CONNECTIONS (default 16), SOAK_INTERVAL_S (default 10).
# Not part of scripts/test.sh: it takes minutes by design.
set -euo pipefail

minutes="${1:-10}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${SOAK_OUT:-$(mktemp -d /tmp/soak-XXXXXX)}"
interval="${SOAK_INTERVAL_S:-10}"
rss_growth_mib="${SOAK_RSS_GROWTH_MIB:-64}"
fd_growth="${SOAK_FD_GROWTH:-16}"
wrk_connections="${SOAK_WRK_CONNECTIONS:-16}"
duration_s=$((minutes * 60))
warmup_s="${SOAK_WARMUP_S:-120}"
if (( warmup_s > duration_s / 3 )); then warmup_s=$((duration_s / 3)); fi
mkdir -p "$out"
csv="$out/soak.csv"

if [[ $EUID -ne 0 ]]; then
    echo "soak.sh: run as root (the tracer loads BPF programs): sudo $0 $*" >&2
    exit 2
fi
for tool in nginx wrk redis-server redis-benchmark; do
    command -v "$tool" >/dev/null || { echo "soak.sh: $tool is missing; run scripts/install-prerequisites.sh" >&2; exit 2; }
done

pids_to_stop=()
cleanup() {
    for pid in "${pids_to_stop[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n "${pg_data:-}" ]]; then runuser -u postgres -- "$pg_bin/pg_ctl" stop -m immediate -D "$pg_data" >/dev/null 2>&1 || true; fi
    wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx: one process (master_process off), so its pid is the one that serves.
nginx_port="$(free_port)"
mkdir -p "$out/nginx/html"
echo "hello from nginx" > "$out/nginx/html/index.html"
cat > "$out/nginx/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; pid $out/nginx/nginx.pid;
error_log $out/nginx/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $out/nginx/body; proxy_temp_path $out/nginx/proxy;
  fastcgi_temp_path $out/nginx/fastcgi; uwsgi_temp_path $out/nginx/uwsgi; scgi_temp_path $out/nginx/scgi;
  server { listen 127.0.0.1:$nginx_port; root $out/nginx/html; location / { } } }
EOF
nginx -p "$out/nginx" -c "$out/nginx/nginx.conf" -e "$out/nginx/error.log" &
nginx_pid=$!; pids_to_stop+=("$nginx_pid")

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$out" --logfile "$out/redis.log" &
redis_pid=$!; pids_to_stop+=("$redis_pid")

# PostgreSQL only when its binaries are here; a private cluster owned by the postgres user.
pg_bin=""
for dir in /usr/lib/postgresql/*/bin /usr/local/bin; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && id postgres >/dev/null 2>&1 && command -v psql >/dev/null; then pg_bin="$dir"; break; fi
done
pg_port=""
if [[ -n "$pg_bin" ]]; then
    pg_port="$(free_port)"
    pg_data="$out/pgdata"
    mkdir -p "$pg_data"; chown postgres:postgres "$pg_data"
    chmod o+rx "$out"   # mktemp makes it private; the postgres user has to reach its data directory
    runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -U postgres --no-sync --auth=trust >"$out/initdb.log" 2>&1
    runuser -u postgres -- "$pg_bin/pg_ctl" start -w -t 30 -D "$pg_data" -l "$pg_data/postgres.log" \
        -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
fi

for _ in $(seq 100); do
    if (echo > "/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && redis-cli -p "$redis_port" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
done

echo "soak: building the tracer host" >&2
dotnet build -c Release -v quiet -nologo "$here/SoakTracer/SoakTracer.csproj" -o "$out/bin" >"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; exit 1; }

# The psql session is one process and one backend for the whole run, so its pid can be traced.
psql_pid=""
if [[ -n "$pg_port" ]]; then
    (while true; do echo "select count(*) from pg_class where relname like 'pg_%';"; sleep 0.02; done) \
        | psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres >/dev/null 2>"$out/psql.log" &
    psql_pid=$!; pids_to_stop+=("$psql_pid")
    # $! is the last command of the pipeline: psql itself.
fi

trace_args=(--csv "$csv" --interval "$interval" --duration "$((duration_s + 60))" --pid "$nginx_pid" --pid "$redis_pid")
[[ -n "$psql_pid" ]] && trace_args+=(--pid "$psql_pid")
"$out/bin/soak-tracer" "${trace_args[@]}" >"$out/tracer.log" 2>&1 &
tracer_pid=$!; pids_to_stop+=("$tracer_pid")
for _ in $(seq 600); do grep -q attached "$out/tracer.log" 2>/dev/null && break; kill -0 "$tracer_pid" 2>/dev/null || break; sleep 0.1; done
grep -q attached "$out/tracer.log" || { echo "soak: the tracer did not attach:" >&2; cat "$out/tracer.log" >&2; exit 1; }
echo "soak: tracer $tracer_pid attached; ${minutes} min of load; CSV $csv" >&2

wrk -t 1 -c "$wrk_connections" -d "${duration_s}s" "http://127.0.0.1:$nginx_port/index.html" >"$out/wrk.log" 2>&1 &
pids_to_stop+=("$!")
(end=$((SECONDS + duration_s)); while (( SECONDS < end )); do
    redis-benchmark -p "$redis_port" -q -n 20000 -c 8 -t set,get,lpush,lpop >>"$out/redis-benchmark.log" 2>&1 || true
done) &
pids_to_stop+=("$!")

# Watch: the tracer must stay alive and keep writing a row every interval.
end=$((SECONDS + duration_s))
status=0
while (( SECONDS < end )); do
    sleep "$interval"
    if ! kill -0 "$tracer_pid" 2>/dev/null; then echo "soak: FAIL the tracer died; log:" >&2; cat "$out/tracer.log" >&2; status=1; break; fi
    age=$(( $(date +%s) - $(stat -c %Y "$csv") ))
    if (( age > 3 * interval )); then echo "soak: FAIL the tracer wrote no sample for ${age} s (hung?)" >&2; status=1; break; fi
    tail -n 1 "$csv" >&2
done

kill -TERM "$tracer_pid" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$tracer_pid" 2>/dev/null || break; sleep 0.1; done
(( status == 0 )) || exit "$status"

# Judge: growth after warm-up, from the first sample at or after the warm-up to the largest after it.
python3 - "$csv" "$warmup_s" "$rss_growth_mib" "$fd_growth" "$out/summary.txt" <<'EOF'
import csv, sys
path, warmup, rss_mib, fd_growth, summary_path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
if len(rows) < 3:
    sys.exit(f"soak: FAIL only {len(rows)} samples")
after = [r for r in rows if r["elapsed_s"] >= warmup] or rows[-1:]
base, last = after[0], rows[-1]
rss_growth = (max(r["rss_kib"] for r in after) - base["rss_kib"]) / 1024
fd_up = max(r["fds"] for r in after) - base["fds"]
lines = [
    f"duration {last['elapsed_s']:.0f} s, {len(rows)} samples, warm-up {warmup:.0f} s",
    f"RSS start {rows[0]['rss_kib']/1024:.1f} MiB, after warm-up {base['rss_kib']/1024:.1f} MiB, max after warm-up {max(r['rss_kib'] for r in after)/1024:.1f} MiB, end {last['rss_kib']/1024:.1f} MiB (growth after warm-up {rss_growth:.1f} MiB, allowed {rss_mib:.0f})",
    f"fds start {rows[0]['fds']:.0f}, after warm-up {base['fds']:.0f}, end {last['fds']:.0f}; managed heap end {last['managed_kib']/1024:.1f} MiB; GC committed after warm-up {base['gc_committed_kib']/1024:.1f} MiB, end {last['gc_committed_kib']/1024:.1f} MiB",
    f"records {last['records']:.0f} (http {last['http']:.0f}, redis {last['redis']:.0f}, postgres {last['postgres']:.0f}; marked DataLost {last['records_data_lost']:.0f})",
    f"kernel events sent {last['kernel_events_sent']:.0f}, lost {last['kernel_events_lost']:.0f}; records dropped {last['records_dropped']:.0f}; gap bytes {last['gap_bytes']:.0f}; connections tracked at end {last['connections_tracked']:.0f}",
]
failures = []
if rss_growth > rss_mib: failures.append(f"RSS grew {rss_growth:.1f} MiB after warm-up (allowed {rss_mib:.0f})")
if fd_up > fd_growth: failures.append(f"descriptors grew by {fd_up:.0f} after warm-up (allowed {fd_growth})")
if last["http"] == 0 or last["redis"] == 0: failures.append("no http or no redis records: the load was not traced")
text = "\n".join(lines + [("FAIL " + "; ".join(failures)) if failures else "PASS"])
open(summary_path, "w").write(text + "\n")
print(text)
sys.exit(1 if failures else 0)
EOF
