# Shared helpers of the end-to-end measurements (sourced, not run).
#
# The tracer is the protocol-trace CLI built in Release: PROTOCOL_TRACE overrides its path (for example a
# build of another checkout). Every helper writes into $work, a temporary directory removed on exit.
# shellcheck shell=bash

e2e_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cli=${PROTOCOL_TRACE:-$e2e_root/src/Ebpf.ProtocolTracing.Cli/bin/Release/net10.0/protocol-trace}
work=$(mktemp -d /tmp/e2e-bench.XXXXXX)
# nginx's workers run unprivileged and must read the served file.
chmod 755 "$work"
tracer_pid=
nginx_pid_file=

e2e_cleanup() {
	e2e_stop_tracer >/dev/null 2>&1 || true
	e2e_stop_peer >/dev/null 2>&1 || true
	if [ -n "$nginx_pid_file" ] && [ -s "$nginx_pid_file" ]; then
		kill "$(cat "$nginx_pid_file")" 2>/dev/null || true
		sleep 0.3
	fi
	rm -rf "$work"
}
trap e2e_cleanup EXIT

e2e_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$0: needs root (the tracer loads BPF programs, bpf statistics are a sysctl); run it with sudo." >&2
		exit 1
	fi
}

e2e_build_cli() {
	if [ ! -x "$cli" ]; then
		echo "building the CLI (Release)…" >&2
		# shellcheck source=../../scripts/dotnet-env.sh
		source "$e2e_root/scripts/dotnet-env.sh"
		dotnet build -c Release "$e2e_root/src/Ebpf.ProtocolTracing.Cli" >/dev/null
	fi
}

# Builds one of the scripts' small libbpf tools into $work/$1: the BPF program $2 (compiled against this
# repository's vmlinux.h and native/bpf/include), its skeleton "$1_bpf" ($work/$1.skel.h), and the
# loader $3 that includes it.
e2e_build_bpf_tool() {
	local name=$1 program=$2 loader=$3
	make -s -C "$e2e_root/native/bpf" build/vmlinux.h
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$e2e_root/native/bpf/build" -I "$e2e_root/native/bpf/include" \
		-I/usr/include/x86_64-linux-gnu -c "$program" -o "$work/$name.bpf.o"
	bpftool gen skeleton "$work/$name.bpf.o" name "${name}_bpf" >"$work/$name.skel.h"
	cc -O2 -Wall -Wextra -I "$work" -o "$work/$name" "$loader" -lbpf
}

# The one-minute load average, written beside every number: the machine may be shared.
e2e_load() { cut -d' ' -f1 /proc/loadavg; }

# utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat; the command name
# in field 2 may hold spaces, so fields are counted after its closing parenthesis).
e2e_cpu_ticks() {
	local rest
	rest=$(sed 's/.*) //' "/proc/$1/stat")
	# shellcheck disable=SC2086
	set -- $rest
	echo $((${12} + ${13}))
}

e2e_rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
e2e_hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# The tracer command e2e_start_tracer runs: the CLI, or the small host program (e2e_use_host).
tracer_cmd=("$cli" --plain)

# Switches to benchmarks/e2e/TracerHost: it counts records and connection statistics instead of printing
# them, takes --ring-bytes, and prints a status line (tracked connections, RSS) every 2 s.
e2e_use_host() {
	local host=${TRACER_HOST:-$e2e_root/benchmarks/e2e/TracerHost/bin/Release/net10.0/tracer-host}
	if [ ! -x "$host" ]; then
		echo "building the tracer host (Release)…" >&2
		# shellcheck source=../../scripts/dotnet-env.sh
		source "$e2e_root/scripts/dotnet-env.sh"
		dotnet build -c Release "$e2e_root/benchmarks/e2e/TracerHost" >/dev/null
	fi
	tracer_cmd=("$host")
}

# The host's last status line.
e2e_host_status() { grep "^status:" "$work/tracer.log" | tail -n 1; }

# Starts the tracer with the given arguments (records to /dev/null) and waits until its probes are
# attached; its log is $work/tracer.log.
e2e_start_tracer() {
	: >"$work/tracer.log"
	"${tracer_cmd[@]}" "$@" >/dev/null 2>"$work/tracer.log" &
	tracer_pid=$!
	local i
	# Loading and verifying the programs takes seconds, and minutes on a machine loaded to 40.
	for i in $(seq 3000); do
		if grep -q "attached" "$work/tracer.log" 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$tracer_pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "$0: the tracer did not attach within 300 s (or exited):" >&2
	cat "$work/tracer.log" >&2
	exit 1
}

# Stops the tracer (SIGTERM: it detaches and prints its statistics line) and leaves that line in
# $tracer_stats. Not for $(…): the tracer is a child of this shell, not of a subshell.
e2e_stop_tracer() {
	tracer_stats=
	[ -n "$tracer_pid" ] || return 0
	kill -TERM "$tracer_pid" 2>/dev/null || true
	wait "$tracer_pid" 2>/dev/null || true
	tracer_pid=
	tracer_stats=$(grep "events read" "$work/tracer.log" | tail -n 1)
}

# Fields of the tracer's final statistics line, e.g. `e2e_stat records "$line"`.
e2e_stat() {
	local line=$2
	case $1 in
	events) sed -E 's/^[^:]*: ([0-9]+) events read.*/\1/' <<<"$line" ;;
	lost) sed -E 's/.* ([0-9]+) lost in the kernel.*/\1/' <<<"$line" ;;
	records) sed -E 's/.*\); ([0-9]+) records.*/\1/' <<<"$line" ;;
	dropped) sed -E 's/.* ([0-9]+) dropped;.*/\1/' <<<"$line" ;;
	gap) sed -E 's/.*; ([0-9]+) gap bytes.*/\1/' <<<"$line" ;;
	esac
}

# Ids of the BPF programs process $1 holds (from the fdinfo of its bpf-prog file descriptors).
e2e_prog_ids() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:bpf-prog" ] || continue
		awk '/^prog_id:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}" 2>/dev/null
	done | sort -u
}

# Kernel-side time of the given BPF programs: "name run_cnt run_time_ns" per program that ran (needs
# kernel.bpf_stats_enabled=1 while they ran).
e2e_bpf_prog_stats() {
	bpftool prog show -j | python3 -c '
import json, sys
ids = {int(i) for i in sys.argv[1:]}
for p in json.load(sys.stdin):
    if p["id"] in ids and p.get("run_cnt", 0) > 0:
        print(p.get("name", "?"), p["run_cnt"], p["run_time_ns"])
' "$@"
}

# Tracing BPF programs loaded by anything but process $1 (other tracers on a shared machine make every
# syscall dearer, so the count is printed beside the numbers).
e2e_foreign_bpf_programs() {
	local own
	own=$( [ -n "${1:-}" ] && e2e_prog_ids "$1" | tr '\n' ' ')
	bpftool prog show -j | python3 -c '
import json, sys
own = {int(i) for i in sys.argv[1].split()}
print(sum(1 for p in json.load(sys.stdin)
          if p.get("type") in ("tracepoint", "raw_tracepoint", "kprobe", "tracing")
          and p["id"] not in own))
' "${own:-}"
}

# "--pid <master> --pid <worker>…" of the running nginx: the tracer's kernel-side process filter, so
# other work on a shared machine stays out of the numbers.
e2e_nginx_pid_args() {
	local master
	master=$(cat "$nginx_pid_file")
	printf -- '--pid %s ' "$master" $(pgrep -P "$master")
}

# A self-signed certificate for the HTTPS servers.
e2e_make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
		-keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
}

# Starts nginx with its own prefix, config, port and temp dirs under $work/nginx, serving a small static
# file on HTTP port $1 and, when $2 is set, HTTPS on port $2. Extra lines for the http block in $3.
e2e_start_nginx() {
	local http_port=$1 https_port=${2:-} extra=${3:-} dir=$work/nginx
	mkdir -p "$dir/html" "$dir/logs" "$dir/tmp"
	printf 'hello from nginx, a small static response\n' >"$dir/html/index.html"
	local tls_server=
	if [ -n "$https_port" ]; then
		tls_server="server { listen 127.0.0.1:$https_port ssl; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.3; root $dir/html; }"
	fi
	cat >"$dir/nginx.conf" <<EOF
worker_processes ${NGINX_WORKERS:-2};
worker_rlimit_nofile $(ulimit -Hn);
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 32768; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_timeout 600s;
    keepalive_requests 100000000;
    default_type text/plain;
    $extra
    server { listen 127.0.0.1:$http_port; root $dir/html; }
    $tls_server
}
EOF
	nginx_pid_file=$dir/nginx.pid
	nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
	local i
	for i in $(seq 50); do
		curl -sf "http://127.0.0.1:$http_port/index.html" >/dev/null && return 0
		sleep 0.1
	done
	echo "$0: nginx did not answer on port $http_port:" >&2
	tail -n 20 "$dir/logs/error.log" >&2
	exit 1
}

# The named peer of the overhead runs: bpftrace (Debian's package, installed here when missing) with
# the skeleton every syscall-tracepoint tracer has and nothing more. On the entry of each data syscall
# of the given pids it keeps the buffer pointer per thread; on the exit it adds the byte count to a
# map and forgets the pointer. No payload is copied, nothing is parsed, no event leaves the kernel: it
# is the floor under any tracer built on the per-syscall tracepoints, measured on the same machine.
e2e_ensure_bpftrace() {
	command -v bpftrace >/dev/null && return 0
	echo "installing bpftrace (the peer of the overhead runs)…" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null; }
}

peer_pid=

# Starts the bpftrace skeleton for the given pids and waits until its probes are attached.
e2e_start_peer() {
	local filter="" pid syscalls="read recvfrom readv recvmsg write sendto writev sendmsg sendfile64" program="" sc
	for pid in "$@"; do filter+="${filter:+ || }pid == $pid"; done
	for sc in $syscalls; do
		program+="tracepoint:syscalls:sys_enter_$sc /$filter/ { @pending[tid] = 1; } "
		program+="tracepoint:syscalls:sys_exit_$sc /@pending[tid]/ { @bytes = sum(args->ret); delete(@pending[tid]); } "
	done
	: >"$work/peer.log"
	BPFTRACE_MAX_MAP_KEYS=65536 bpftrace -e "$program" >"$work/peer.log" 2>&1 &
	peer_pid=$!
	local i
	for i in $(seq 600); do
		if grep -q "^Attaching" "$work/peer.log" 2>/dev/null; then
			sleep 1
			return 0
		fi
		kill -0 "$peer_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "$0: bpftrace did not attach:" >&2
	cat "$work/peer.log" >&2
	exit 1
}

e2e_stop_peer() {
	[ -n "$peer_pid" ] || return 0
	kill -INT "$peer_pid" 2>/dev/null || true
	wait "$peer_pid" 2>/dev/null || true
	peer_pid=
}
