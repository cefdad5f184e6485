// SPDX-License-Identifier: MIT
/*
 * trace-dump: loads build/trace.bpf.o, configures it, attaches every program and prints the events
 * as text, one per line. A debugging aid for the BPF side, independent of the .NET runtime.
 *
 *   build/trace-dump [-o object] [-p pid]... [-P port]... [-a] [-e] [-c chunk_limit] [-n max_chunks]
 *                    [-m print_bytes] [-b ringbuf_mib] [-s] [-w stream_dir]
 *
 * Prints "attached <n> programs" on stdout once tracing is live, and the counters on exit (Ctrl-C).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "trace_events.h"

static volatile sig_atomic_t stopping;
static unsigned int print_bytes = 160;
static const char *stream_dir; /* -w: captured bytes are also written to one file per stream, at their positions */

/* Writes a data event's payload at its stream position, so a stream file can be compared with what was sent. */
static void write_stream(const struct data_event *e, const void *payload, __u32 len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%u-%d-%llu-%s", stream_dir, e->hdr.conn.tgid, e->hdr.conn.fd,
		 (unsigned long long)e->hdr.conn.generation, e->direction == TRACE_EGRESS ? "egress" : "ingress");
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return;
	if (pwrite(fd, payload, len, (off_t)e->position) != (ssize_t)len)
		fprintf(stderr, "trace-dump: short write to %s\n", path);
	close(fd);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *role_name(__u8 role)
{
	switch (role) {
	case TRACE_ROLE_CLIENT: return "client";
	case TRACE_ROLE_SERVER: return "server";
	default: return "unknown";
	}
}

static const char *source_name(__u8 source)
{
	static const char *names[] = { "?", "read", "write", "readv", "writev", "recvfrom", "sendto",
				       "recvmsg", "sendmsg", "recvmmsg", "sendmmsg", "sendfile" };
	return source < sizeof(names) / sizeof(names[0]) ? names[source] : "?";
}

static void format_endpoint(char *out, size_t size, __u16 family, const __u8 *addr, __u16 port)
{
	char text[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == 2 ? AF_INET : AF_INET6, addr, text, sizeof(text));
	snprintf(out, size, family == 2 ? "%s:%u" : "[%s]:%u", text, port);
}

static void print_payload(const __u8 *data, __u32 len)
{
	__u32 shown = len < print_bytes ? len : print_bytes;

	putchar('"');
	for (__u32 i = 0; i < shown; i++) {
		__u8 c = data[i];
		if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
	if (shown < len)
		printf("...(+%u)", len - shown);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct event_header *hdr = data;
	(void)ctx;

	if (size < sizeof(*hdr)) {
		printf("SHORT size=%zu\n", size);
		return 0;
	}
	printf("%-5s t=%llu tgid=%u tid=%u fd=%d gen=%llu proto=%u",
	       hdr->kind == TRACE_EVENT_OPEN ? "OPEN" : hdr->kind == TRACE_EVENT_CLOSE ? "CLOSE" :
	       hdr->kind == TRACE_EVENT_DATA ? "DATA" : "?",
	       (unsigned long long)hdr->timestamp_ns, hdr->conn.tgid, hdr->tid, hdr->conn.fd,
	       (unsigned long long)hdr->conn.generation, hdr->protocol);
	if (hdr->kind == TRACE_EVENT_OPEN && size >= sizeof(struct open_event)) {
		const struct open_event *e = data;
		char local[64], remote[64];

		format_endpoint(local, sizeof(local), e->family, e->local_addr, e->local_port);
		format_endpoint(remote, sizeof(remote), e->family, e->remote_addr, e->remote_port);
		printf(" role=%s%s %s -> %s comm=%.16s start=%llu size=%zu\n", role_name(e->role),
		       hdr->flags & TRACE_FLAG_MIDSTREAM ? " midstream" : "", local, remote, e->comm,
		       (unsigned long long)e->process_start_ns, size);
	} else if (hdr->kind == TRACE_EVENT_CLOSE && size >= sizeof(struct close_event)) {
		const struct close_event *e = data;

		printf(" sent=%llu received=%llu size=%zu\n", (unsigned long long)e->bytes_sent,
		       (unsigned long long)e->bytes_received, size);
	} else if (hdr->kind == TRACE_EVENT_DATA && size >= sizeof(struct data_event)) {
		const struct data_event *e = data;
		__u32 captured = e->captured_len;

		if (captured > size - sizeof(*e))
			captured = size - sizeof(*e);
		printf(" %s %s pos=%llu captured=%u original=%u size=%zu ",
		       e->direction == TRACE_EGRESS ? "egress" : "ingress", source_name(e->source),
		       (unsigned long long)e->position, e->captured_len, e->original_len, size);
		print_payload((const __u8 *)(e + 1), captured);
		putchar('\n');
		if (stream_dir)
			write_stream(e, e + 1, captured);
	} else {
		printf(" kind=%u size=%zu\n", hdr->kind, size);
	}
	fflush(stdout);
	return 0;
}

static void handle_perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	(void)cpu;
	handle_event(ctx, data, size);
}

static void handle_perf_lost(void *ctx, int cpu, __u64 count)
{
	(void)ctx;
	printf("LOST cpu=%d count=%llu\n", cpu, (unsigned long long)count);
}

static void print_counters(struct bpf_object *obj)
{
	static const char *names[] = { "events_sent", "events_lost", "bytes_lost", "conns_opened",
				       "conn_table_full" };
	int fd = bpf_object__find_map_fd_by_name(obj, "counters");
	int cpus = libbpf_num_possible_cpus();
	__u64 values[cpus];

	for (__u32 i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		__u64 sum = 0;

		if (bpf_map_lookup_elem(fd, &i, values) == 0)
			for (int c = 0; c < cpus; c++)
				sum += values[c];
		fprintf(stderr, "%s=%llu\n", names[i], (unsigned long long)sum);
	}
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "trace-dump: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *object_path = "build/trace.bpf.o";
	struct trace_config cfg = { .chunk_limit = TRACE_MAX_CHUNK, .max_chunks = TRACE_MAX_CHUNKS_PER_SYSCALL,
				    .enabled_protocols = 1ULL << TRACE_PROTOCOL_HTTP };
	__u32 pids[64];
	__u16 ports[64];
	int pid_count = 0, port_count = 0, attached = 0, opt, err;
	unsigned long ringbuf_mib = 0;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct ring_buffer *ring = NULL;
	struct perf_buffer *perf = NULL;

	while ((opt = getopt(argc, argv, "o:p:P:aec:n:m:b:sw:")) != -1) {
		switch (opt) {
		case 'o': object_path = optarg; break;
		case 'p': if (pid_count < 64) pids[pid_count++] = strtoul(optarg, NULL, 10); break;
		case 'P': if (port_count < 64) ports[port_count++] = strtoul(optarg, NULL, 10); break;
		case 'a': cfg.capture_all = 1; break;
		case 'e': cfg.enabled_protocols = 0; break;
		case 'c': cfg.chunk_limit = strtoul(optarg, NULL, 10); break;
		case 'n': cfg.max_chunks = strtoul(optarg, NULL, 10); break;
		case 'm': print_bytes = strtoul(optarg, NULL, 10); break;
		case 'b': ringbuf_mib = strtoul(optarg, NULL, 10); break;
		case 's': cfg.use_perf_buffer = 1; break;
		case 'w': stream_dir = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-o object] [-p pid]... [-P port]... [-a capture all] "
					"[-e no inferred protocols] [-c chunk_limit] [-n max_chunks] "
					"[-m print_bytes] [-b ringbuf_mib] [-s perf buffer] [-w stream_dir]\n", argv[0]);
			return 2;
		}
	}
	cfg.self_tgid = getpid();
	cfg.filter_by_pid = pid_count > 0;

	obj = bpf_object__open_file(object_path, NULL);
	if (!obj)
		return fail(object_path, errno);
	if (ringbuf_mib &&
	    (err = bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "events"), ringbuf_mib << 20)))
		return fail("ring buffer size", err);
	if ((err = bpf_object__load(obj)))
		return fail("load (run as root; see the verifier log above)", err);

	{
		__u32 zero = 0;
		__u8 one = 1;

		for (int i = 0; i < pid_count; i++)
			bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "pid_filter"), &pids[i], &one, BPF_ANY);
		for (int i = 0; i < port_count; i++)
			bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "forced_ports"), &ports[i], &one, BPF_ANY);
		if ((err = bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "config"), &zero, &cfg, BPF_ANY)))
			return fail("config", err);
	}

	if (cfg.use_perf_buffer)
		perf = perf_buffer__new(bpf_object__find_map_fd_by_name(obj, "perf_events"), 256,
					handle_perf_sample, handle_perf_lost, NULL, NULL);
	else
		ring = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"), handle_event, NULL, NULL);
	if (!perf && !ring)
		return fail("event buffer", errno);

	bpf_object__for_each_program(prog, obj) {
		const char *section = bpf_program__section_name(prog);

		/* Bare uprobe sections name no file: the tracer attaches them to each TLS library it finds. */
		if (!strcmp(section, "uprobe") || !strcmp(section, "uretprobe"))
			continue;
		if (!bpf_program__attach(prog))
			return fail(bpf_program__section_name(prog), errno);
		attached++;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("attached %d programs\n", attached);
	fflush(stdout);

	while (!stopping) {
		err = perf ? perf_buffer__poll(perf, 100) : ring_buffer__poll(ring, 100);
		if (err < 0 && err != -EINTR)
			return fail("poll", err);
	}
	print_counters(obj);
	/* Links and the object are released at exit. */
	return 0;
}
