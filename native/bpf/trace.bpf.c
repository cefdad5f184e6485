// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * Socket data capture at syscall exit.
 *
 * One program on the raw sys_exit tracepoint (tp_btf) sees every syscall's exit; it tail-calls the
 * handler of the syscalls traced here (syscall_exits) and returns at once for every other one. A
 * handler reads the syscall's arguments from its saved registers (include/syscall_regs.h) and its
 * result, and emits events: OPEN when a TCP connection is first tracked, DATA for the bytes it moved,
 * CLOSE when its fd is closed. No entry program runs and nothing is handed from entry to exit: the
 * per-syscall tracepoints' own path cost more than most programs on it. Every byte moved advances the
 * stream
 * position of its direction, whether or not it is sent up, so user space sees every loss as a gap
 * of exact size. The wire format is include/trace_events.h.
 */
/* vmlinux.h has a "typedef struct config_s config;" that would clash with the map named config. */
#define config vmlinux_config
#include "vmlinux.h"
#undef config
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "trace_events.h"
#include "maps.h"
#include "sock_info.h"
#include "protocol_infer.h"
#include "user_io.h"
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define ERR_EBADF 9
#define ERR_EINPROGRESS 115
#define MSG_PEEK_FLAG 0x2
#define MSG_TRUNC_FLAG 0x20
#define NO_FLAGS 0

/*
 * Vector I/O walked per syscall: every iovec a syscall can carry (consecutive small ones share an
 * event), and the first MAX_MESSAGES messages of sendmmsg/recvmmsg; bytes beyond become a gap of known size.
 */
#define MAX_IOVECS USER_UIO_MAXIOV
#define MAX_MESSAGES 16
/* sendmmsg/recvmmsg move at most UIO_MAXIOV messages; all their lengths are summed for positions. */
#define MAX_MMSG_COUNT 1024
/*
 * Steps of the chunk walk: one per segment visited and one per copy (a copy ends a segment or fills
 * an event), so twice the segments plus the events.
 */
#define MAX_WALK_STEPS (2 * MAX_MESSAGES * (MAX_IOVECS + 1) + TRACE_MAX_CHUNKS_PER_SYSCALL + 8)

static __always_inline __u64 conn_id(__u32 tgid, __s32 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

/* The configuration when the process is traced, else NULL (not configured yet, the tracer itself, filtered out). */
static __always_inline struct trace_config *traced_config(__u32 tgid)
{
	struct trace_config *cfg = get_config();

	if (!cfg || cfg->chunk_limit == 0 || tgid == cfg->self_tgid)
		return NULL;
	if (cfg->filter_by_pid && !bpf_map_lookup_elem(&pid_filter, &tgid))
		return NULL;
	return cfg;
}

/*
 * Waking the reader for each event costs an interrupt (a self-IPI, a VM exit when virtualised) inside
 * the traced process's syscall, several microseconds per event on a VM. Events go in without a
 * wake-up; the reader drains the ring on its short poll interval anyway. A wake-up is forced only by
 * the event that makes a sixteenth of the ring wait, so a burst is read before the ring fills. Only
 * that one: forcing on every event while the woken reader is still on its way (as a plain "at least
 * a sixteenth" test does) cost ~100 ns per event under load, and the reader, once awake, drains all.
 */
static __always_inline __u64 ringbuf_wakeup_flags(__u64 size)
{
	__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 threshold = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 16;

	return waiting < threshold && waiting + size >= threshold ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline long output_event(void *ctx, bool use_perf_buffer, void *event, __u64 size)
{
	if (use_perf_buffer)
		return bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, event, size);
	return bpf_ringbuf_output(&events, event, size, ringbuf_wakeup_flags(size));
}

static __always_inline bool output_counted(void *ctx, bool use_perf_buffer, void *event, __u64 size, __u64 bytes)
{
	if (output_event(ctx, use_perf_buffer, event, size) == 0) {
		count(TRACE_COUNTER_EVENTS_SENT, 1);
		return true;
	}
	count(TRACE_COUNTER_EVENTS_LOST, 1);
	if (bytes)
		count(TRACE_COUNTER_BYTES_LOST, bytes);
	return false;
}

static __always_inline void fill_header(struct event_header *hdr, __u8 kind, __u8 protocol, __u16 flags,
					__u32 tgid, __s32 fd, __u64 generation)
{
	hdr->kind = kind;
	hdr->protocol = protocol;
	hdr->flags = flags;
	hdr->tid = (__u32)bpf_get_current_pid_tgid();
	hdr->timestamp_ns = bpf_ktime_get_ns();
	hdr->conn.tgid = tgid;
	hdr->conn.fd = fd;
	hdr->conn.generation = generation;
}

static __always_inline bool emit_open(void *ctx, struct trace_config *cfg, __u32 tgid, __s32 fd,
				      struct conn_state *st, struct sock *sk)
{
	struct open_event e;
	struct endpoints ep = {};
	struct task_struct *leader = BPF_CORE_READ(bpf_get_current_task_btf(), group_leader);

	__builtin_memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, TRACE_EVENT_OPEN, st->protocol, st->flags & TRACE_FLAG_MIDSTREAM, tgid, fd, st->generation);
	e.process_start_ns = BPF_CORE_READ(leader, start_time);
	BPF_CORE_READ_STR_INTO(&e.comm, leader, comm);
	read_endpoints(sk, &ep);
	e.family = ep.family;
	e.local_port = ep.local_port;
	e.remote_port = ep.remote_port;
	__builtin_memcpy(e.local_addr, ep.local_addr, sizeof(e.local_addr));
	__builtin_memcpy(e.remote_addr, ep.remote_addr, sizeof(e.remote_addr));
	e.role = st->role;
	e.transport = st->transport ? st->transport : TRACE_TRANSPORT_TCP;
	return output_counted(ctx, cfg->use_perf_buffer, &e, sizeof(e), 0);
}

static __always_inline void emit_close(void *ctx, struct trace_config *cfg, __u32 tgid, __s32 fd,
				       struct conn_state *st)
{
	struct close_event e;

	__builtin_memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, TRACE_EVENT_CLOSE, st->protocol, st->flags & TRACE_FLAG_DATA_SENT, tgid, fd, st->generation);
	e.bytes_sent = st->bytes[TRACE_EGRESS];
	e.bytes_received = st->bytes[TRACE_INGRESS];
	output_counted(ctx, cfg->use_perf_buffer, &e, sizeof(e), 0);
}

/*
 * Starts a new connection for (tgid, fd) with a new generation. A connection still recorded for the
 * fd (its close was not seen: dup2, exec, exit) is closed first so user space never merges the two.
 */
static __always_inline struct conn_state *track_conn(void *ctx, struct trace_config *cfg, __u32 tgid, __s32 fd,
						     struct sock *sk, __u8 role, __u8 flags)
{
	__u64 id = conn_id(tgid, fd);
	struct conn_state *st = bpf_map_lookup_elem(&conn_info, &id);
	struct conn_state fresh = {};

	if (st)
		emit_close(ctx, cfg, tgid, fd, st);
	fresh.generation = bpf_ktime_get_ns();
	fresh.sk = (__u64)sk;
	fresh.local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	fresh.remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	fresh.role = role;
	fresh.flags = flags;
	fresh.transport = BPF_CORE_READ(sk, sk_protocol) == TRACE_IPPROTO_UDP ? TRACE_TRANSPORT_UDP : TRACE_TRANSPORT_TCP;
	if (bpf_map_update_elem(&conn_info, &id, &fresh, BPF_ANY)) {
		count(TRACE_COUNTER_CONN_TABLE_FULL, 1);
		return NULL;
	}
	st = bpf_map_lookup_elem(&conn_info, &id);
	if (!st)
		return NULL;
	count(TRACE_COUNTER_CONNS_OPENED, 1);
	st->open_sent = emit_open(ctx, cfg, tgid, fd, st, sk);
	return st;
}

/* ---- connect / accept / close ---- */

/*
 * The syscall handlers are tail-call targets of sys_exit (below), not attached themselves: the tracer
 * attaches every program except those named tail_*. All have sys_exit's context, as a tail call needs.
 */
#define SYSCALL_EXIT_HANDLER(name) \
	SEC("tp_btf/sys_exit")     \
	int BPF_PROG(tail_exit_##name, struct pt_regs *regs, long ret)

SYSCALL_EXIT_HANDLER(connect)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct trace_config *cfg;
	struct sock *sk;
	__s32 fd;

	if (ret != 0 && ret != -ERR_EINPROGRESS)
		return 0;
	cfg = traced_config(tgid);
	if (!cfg)
		return 0;
	fd = (__s32)syscall_arg(regs, 0);
	sk = tcp_sock_of_fd(fd);
	if (sk)
		track_conn(ctx, cfg, tgid, fd, sk, TRACE_ROLE_CLIENT, 0);
	return 0;
}

static __always_inline int handle_accept_exit(void *ctx, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct trace_config *cfg;
	struct sock *sk;
	__s32 fd = (__s32)ret;

	if (ret < 0)
		return 0;
	cfg = traced_config(tgid);
	if (!cfg)
		return 0;
	sk = tcp_sock_of_fd(fd);
	if (sk)
		track_conn(ctx, cfg, tgid, fd, sk, TRACE_ROLE_SERVER, 0);
	return 0;
}

SYSCALL_EXIT_HANDLER(accept)
{
	return handle_accept_exit(ctx, ret);
}

SYSCALL_EXIT_HANDLER(accept4)
{
	return handle_accept_exit(ctx, ret);
}

SYSCALL_EXIT_HANDLER(close)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct trace_config *cfg;
	struct conn_state *st;
	__s32 fd = (__s32)syscall_arg(regs, 0);
	__u64 id;

	/* close() releases the fd even when it reports an error, except for a bad fd. */
	if (ret == -ERR_EBADF)
		return 0;
	/* Only tracked fds matter: close() of files is by far the common case. */
	id = conn_id(tgid, fd);
	st = bpf_map_lookup_elem(&conn_info, &id);
	if (!st)
		return 0;
	cfg = get_config();
	if (!cfg)
		return 0;
	emit_close(ctx, cfg, tgid, fd, st);
	bpf_map_delete_elem(&conn_info, &id);
	return 0;
}

/* ---- data ---- */

/*
 * State of splitting one syscall's payload into data events. The payload is a list of messages
 * (one, except for sendmmsg/recvmmsg), each a list of segments (one buffer or its iovecs); the walk
 * emits at most max_chunks events of at most chunk_limit bytes, and the last event allowed also
 * stands for everything after it (original_len > captured_len).
 */
struct chunk_walk {
	__u64 position;   /* stream position of the next byte */
	__u64 total_left; /* bytes of the syscall not yet covered by an event */
	__u64 seg_ptr;
	__u64 seg_left;
	__u64 iov_ptr;
	__u64 msg_left;   /* bytes of the current message not yet assigned to a segment */
	__u64 msgs_ptr;
	__u64 generation;
	__u32 iov_idx;
	__u32 iov_cnt;
	__u32 fill;       /* bytes gathered in gather_scratch, not yet emitted */
	__u32 msg_idx;
	__u32 msg_cnt;
	__u32 chunks_left;
	__u32 chunk_limit;
	__u32 tgid;
	__s32 fd;
	__u8 layout;
	__u8 protocol;
	__u8 direction;
	__u8 source;
	__u8 use_perf_buffer;
	__u16 flags;      /* enum trace_event_flags of the data events (ENCRYPTED for TLS plaintext) */
};

/*
 * The walk state lives in per-CPU map memory, not on the stack: the verifier does not track values
 * loaded from a map, so the bpf_loop callback verifies in a few passes instead of once per value.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chunk_walk);
} walk_scratch SEC(".maps");

/*
 * The data event being gathered from consecutive segments, so that many small iovecs share an event
 * instead of using up the syscall's few. Twice a chunk of room: the verifier bounds the write offset
 * and the write length separately, so their sum must fit.
 */
struct gather_buffer {
	struct data_event event;
	__u8 data[2 * TRACE_MAX_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gather_buffer);
} gather_scratch SEC(".maps");

/* The bpf_loop context: only the program context (for bpf_perf_event_output) stays on the stack. */
struct walk_ctx {
	void *ctx;
};

static __always_inline void emit_data(void *ctx, struct chunk_walk *w, __u64 src, __u32 captured, __u64 original)
{
	__u32 zero = 0;
	struct data_event_buffer *b = bpf_map_lookup_elem(&data_scratch, &zero);
	__u32 len;

	if (!b)
		return;
	/*
	 * The length goes through map memory on purpose: the verifier then knows only the bound checked
	 * below, not the walk state it came from, so the bpf_loop callback's states converge.
	 */
	b->event.captured_len = captured;
	len = *(volatile __u32 *)&b->event.captured_len;
	if (len > TRACE_MAX_CHUNK)
		len = TRACE_MAX_CHUNK;
	/* An unreadable buffer (not resident) is still reported, as a gap. */
	if (len && bpf_probe_read_user(b->data, len, (const void *)src))
		len = 0;
	fill_header(&b->event.hdr, TRACE_EVENT_DATA, w->protocol, w->flags, w->tgid, w->fd, w->generation);
	b->event.position = w->position;
	b->event.captured_len = len;
	b->event.original_len = (__u32)original;
	b->event.direction = w->direction;
	b->event.source = w->source;
	b->event.reserved = 0;
	b->event.reserved2 = 0;
	output_counted(ctx, w->use_perf_buffer, b, sizeof(struct data_event) + len, len);
}

/* Points the walk at the iovecs and byte count of message msg_idx of an mmsghdr array. */
static __always_inline bool load_mmsg(struct chunk_walk *w)
{
	struct user_mmsghdr_abi m;

	if (bpf_probe_read_user(&m, sizeof(m), (const void *)(w->msgs_ptr + (__u64)w->msg_idx * sizeof(m))))
		return false;
	w->iov_ptr = m.hdr.iov;
	w->iov_cnt = m.hdr.iovlen > MAX_IOVECS ? MAX_IOVECS : (__u32)m.hdr.iovlen;
	w->iov_idx = 0;
	w->msg_left = m.len;
	return true;
}

/* Moves to the next non-exhausted segment; false when the walk cannot go on. */
static __always_inline bool next_segment(struct chunk_walk *w)
{
	struct user_iovec_abi iov;

	if (w->msg_left > 0 && w->iov_idx < w->iov_cnt && w->iov_idx < MAX_IOVECS) {
		if (bpf_probe_read_user(&iov, sizeof(iov), (const void *)(w->iov_ptr + (__u64)w->iov_idx * sizeof(iov))))
			return false;
		w->iov_idx++;
		w->seg_ptr = iov.base;
		w->seg_left = iov.len < w->msg_left ? iov.len : w->msg_left;
		w->msg_left -= w->seg_left;
		return true;
	}
	/* Bytes of this message beyond MAX_IOVECS: stop here, the rest becomes one gap. */
	if (w->msg_left > 0 || w->layout != IO_LAYOUT_MMSGHDR)
		return false;
	if (w->msg_idx + 1 >= w->msg_cnt || w->msg_idx + 1 >= MAX_MESSAGES)
		return false;
	w->msg_idx++;
	return load_mmsg(w);
}

/*
 * Emits the gathered bytes as one event standing for covered bytes of the stream (for everything
 * left when it is the last event allowed).
 */
static __always_inline void emit_gathered(void *ctx, struct chunk_walk *w, struct gather_buffer *g, __u64 covered)
{
	__u32 len;

	/* Through map memory on purpose, as in emit_data: the verifier then knows only this bound. */
	g->event.captured_len = w->fill;
	len = *(volatile __u32 *)&g->event.captured_len;
	if (len > TRACE_MAX_CHUNK)
		len = TRACE_MAX_CHUNK;
	if (w->chunks_left <= 1)
		covered = w->total_left;
	fill_header(&g->event.hdr, TRACE_EVENT_DATA, w->protocol, w->flags, w->tgid, w->fd, w->generation);
	g->event.position = w->position;
	g->event.captured_len = len;
	g->event.original_len = (__u32)covered;
	g->event.direction = w->direction;
	g->event.source = w->source;
	g->event.reserved = 0;
	g->event.reserved2 = 0;
	output_counted(ctx, w->use_perf_buffer, g, sizeof(struct data_event) + len, len);
	w->position += covered;
	w->total_left -= covered;
	w->chunks_left--;
	w->fill = 0;
}

/* One step: move to the next segment, or copy what fits of the current one and emit a full event. */
static long walk_step(__u32 index, void *data)
{
	struct walk_ctx *wc = data;
	__u32 zero = 0;
	struct chunk_walk *w = bpf_map_lookup_elem(&walk_scratch, &zero);
	struct gather_buffer *g = bpf_map_lookup_elem(&gather_scratch, &zero);
	__u64 n;
	__u32 off;

	if (!w || !g)
		return 1;
	if (w->total_left == 0 || w->chunks_left == 0)
		return 1;
	if (w->seg_left == 0) {
		if (next_segment(w))
			return 0;
		/* The walk cannot go on: what was gathered goes out, the caller reports the rest as a gap. */
		if (w->fill)
			emit_gathered(wc->ctx, w, g, w->fill);
		return 1;
	}
	off = w->fill;
	n = w->seg_left;
	if (n > w->chunk_limit - off)
		n = w->chunk_limit - off;
	if (n > w->total_left - off)
		n = w->total_left - off;
	if (off > TRACE_MAX_CHUNK || n > TRACE_MAX_CHUNK)
		return 1;
	if (bpf_probe_read_user(g->data + off, n, (const void *)w->seg_ptr)) {
		/* An unreadable buffer (not resident) is still reported, as a gap after what was gathered. */
		if (off)
			emit_gathered(wc->ctx, w, g, off);
		if (w->chunks_left)
			emit_gathered(wc->ctx, w, g, n);
	} else {
		w->fill = off + (__u32)n;
	}
	w->seg_ptr += n;
	w->seg_left -= n;
	if (w->fill && w->chunks_left && (w->fill >= w->chunk_limit || w->fill >= w->total_left))
		emit_gathered(wc->ctx, w, g, w->fill);
	return 0;
}

/* Adds the byte count of message index of an mmsghdr array to the walk's total (in map memory, see walk_scratch). */
static long mmsg_sum_step(__u32 index, void *data)
{
	__u32 zero = 0;
	struct chunk_walk *w = bpf_map_lookup_elem(&walk_scratch, &zero);
	__u32 len = 0;

	if (!w)
		return 1;
	bpf_probe_read_user(&len, sizeof(len),
			    (const void *)(w->msgs_ptr + (__u64)index * sizeof(struct user_mmsghdr_abi) +
					   __builtin_offsetof(struct user_mmsghdr_abi, len)));
	w->total_left += len;
	return 0;
}

/* Where the payload starts and how long its first segment is (for inference). */
static __always_inline void first_segment(const struct syscall_args *args, __u8 layout, __u64 total, __u64 *ptr,
					  __u64 *len)
{
	struct user_iovec_abi iov = {};
	struct user_msghdr_abi msg = {};
	struct user_mmsghdr_abi mmsg = {};

	*ptr = 0;
	*len = 0;
	switch (layout) {
	case IO_LAYOUT_BUFFER:
		*ptr = args->ptr;
		*len = total;
		return;
	case IO_LAYOUT_IOVEC:
		if (args->count == 0 || bpf_probe_read_user(&iov, sizeof(iov), (const void *)args->ptr))
			return;
		break;
	case IO_LAYOUT_MSGHDR:
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)args->ptr) || msg.iovlen == 0 ||
		    bpf_probe_read_user(&iov, sizeof(iov), (const void *)msg.iov))
			return;
		break;
	case IO_LAYOUT_MMSGHDR:
		if (bpf_probe_read_user(&mmsg, sizeof(mmsg), (const void *)args->ptr) || mmsg.hdr.iovlen == 0 ||
		    bpf_probe_read_user(&iov, sizeof(iov), (const void *)mmsg.hdr.iov))
			return;
		if (iov.len > mmsg.len)
			iov.len = mmsg.len;
		break;
	default:
		return;
	}
	*ptr = iov.base;
	*len = iov.len < total ? iov.len : total;
}

static __always_inline void infer(struct conn_state *st, const struct syscall_args *args, __u8 layout, __u64 total)
{
	struct payload_head head = {};
	__u64 ptr, len;

	first_segment(args, layout, total, &ptr, &len);
	if (!ptr || !len)
		return;
	/* A fixed-size read keeps the verifier happy; bytes past len are ignored by head.len. */
	if (bpf_probe_read_user(head.bytes, sizeof(head.bytes), (const void *)ptr))
		return;
	head.len = len > INFER_HEAD_LEN ? INFER_HEAD_LEN : (__u32)len;
	st->protocol = infer_protocol(&head);
	if (st->protocol == TRACE_PROTOCOL_UNKNOWN && infer_dns_stream_port(st->local_port, st->remote_port))
		st->protocol = TRACE_PROTOCOL_DNS;
}

/*
 * The protocol to stamp on data events of a stream whose guess is p, or -1 when its data is not sent
 * up (p is st->protocol for socket bytes, st->tls_protocol for TLS plaintext; stream is the matching
 * TRACE_DISABLED_* bit).
 */
static __always_inline int send_protocol_for(struct trace_config *cfg, struct conn_state *st, __u8 p, __u32 tgid,
					     __s32 fd, __u8 stream)
{
	struct conn_key key = {};
	__u8 *given_up;
	int protocol = -1;

	if (p != TRACE_PROTOCOL_UNKNOWN && p < 64 && (cfg->enabled_protocols & (1ULL << p)))
		protocol = p;
	else if (bpf_map_lookup_elem(&forced_ports, &st->local_port) ||
		 bpf_map_lookup_elem(&forced_ports, &st->remote_port))
		protocol = TRACE_PROTOCOL_FORCED;
	else if (cfg->capture_all)
		protocol = p;
	if (protocol < 0)
		return -1;
	key.tgid = tgid;
	key.fd = fd;
	key.generation = st->generation;
	given_up = bpf_map_lookup_elem(&disabled, &key);
	if (given_up && (*given_up & stream))
		return -1;
	return protocol;
}

/* The protocol to stamp on the connection's socket data events, or -1 when its data is not sent up. */
static __always_inline int send_protocol(struct trace_config *cfg, struct conn_state *st, __u32 tgid, __s32 fd)
{
	return send_protocol_for(cfg, st, st->protocol, tgid, fd, TRACE_DISABLED_SOCKET);
}

/* TLS plaintext from uprobes on TLS libraries; also decides which socket bytes are ciphertext. */
#include "tls_probes.h"

/* Go crypto/tls plaintext (register ABI): state per goroutine, probes on every RET. */
#include "tls_go.h"

/* UDP: one event per datagram, with the datagram's peer. */
#include "datagrams.h"

/* Process exit: closes every connection of a process whose sockets the kernel closed without close(). */
#include "process_exit.h"

/*
 * flags: the syscall's recv flags (0 for the others). MSG_PEEK reads leave the bytes in the socket
 * (they will be read again), so they are not stream bytes and are skipped. layout is a constant in
 * each handler, so the verifier only walks that layout's code.
 */
static __always_inline int handle_io_exit(void *ctx, struct pt_regs *regs, long ret, __u8 layout, __u8 direction,
					  __u8 source, __u64 flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct syscall_args args = {};
	struct trace_config *cfg;
	struct conn_state *st;
	struct chunk_walk *w;
	struct walk_ctx wc = { .ctx = ctx };
	struct user_msghdr_abi msg;
	struct sock *sk;
	__u32 zero = 0;
	__u64 id, total, position;
	int protocol;
	bool ciphertext;

	/* Nothing moved (EAGAIN on a non-blocking socket is the common case): nothing to do. */
	if (ret <= 0)
		return 0;
	cfg = traced_config(tgid);
	if (!cfg)
		return 0;
	if (flags & MSG_PEEK_FLAG)
		return 0;
	args.discard = (flags & MSG_TRUNC_FLAG) != 0;
	args.fd = (__s32)syscall_arg(regs, 0);
	sk = inet_sock_of_fd(args.fd, &args.transport);
	if (!sk)
		return 0;
	/* recvfrom/sendto: the peer's sockaddr (recvfrom's was filled in by the syscall). */
	if (source == TRACE_SOURCE_RECVFROM || source == TRACE_SOURCE_SENDTO)
		args.name = syscall_arg(regs, 4);
	args.sk = (__u64)sk;
	args.ptr = syscall_arg(regs, 1);
	args.count = (__u32)syscall_arg(regs, 2);
	args.layout = layout;
	args.direction = direction;
	args.source = source;
	if (args.transport == TRACE_TRANSPORT_UDP)
		return handle_datagram_exit(ctx, cfg, tgid, &args, layout, ret);

	total = ret;
	if (layout == IO_LAYOUT_MMSGHDR) {
		w = bpf_map_lookup_elem(&walk_scratch, &zero);
		if (!w)
			return 0;
		w->msgs_ptr = args.ptr;
		w->total_left = 0;
		bpf_loop(ret > MAX_MMSG_COUNT ? MAX_MMSG_COUNT : (__u32)ret, mmsg_sum_step, NULL, 0);
		total = w->total_left;
		if (total == 0)
			return 0;
	}

	id = conn_id(tgid, args.fd);
	st = bpf_map_lookup_elem(&conn_info, &id);
	if (!st || st->sk != args.sk)
		st = track_conn(ctx, cfg, tgid, args.fd, (struct sock *)args.sk, TRACE_ROLE_UNKNOWN,
				TRACE_FLAG_MIDSTREAM);
	if (!st)
		return 0;
	if (!st->open_sent)
		st->open_sent = emit_open(ctx, cfg, tgid, args.fd, st, (struct sock *)args.sk);
	/* A TLS connection's socket bytes are ciphertext: its plaintext comes from the TLS probes. */
	ciphertext = tls_note_socket_io(pid_tgid, &args, args.discard ? IO_LAYOUT_NONE : layout, total, st);
	if (st->protocol == TRACE_PROTOCOL_UNKNOWN && layout != IO_LAYOUT_NONE && !args.discard && !ciphertext)
		infer(st, &args, layout, total);

	/* Reserve this syscall's stretch of the stream: concurrent threads get disjoint positions. */
	position = __sync_fetch_and_add(&st->bytes[args.direction & 1], total);
	if (ciphertext)
		return 0;
	protocol = send_protocol(cfg, st, tgid, args.fd);
	if (protocol < 0)
		return 0;
	/* Tells user space at close that a missing tail was lost, not left in the kernel. */
	if (!(st->flags & TRACE_FLAG_DATA_SENT))
		st->flags |= TRACE_FLAG_DATA_SENT;
	w = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!w)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	w->position = position;

	w->total_left = total;
	w->generation = st->generation;
	w->tgid = tgid;
	w->fd = args.fd;
	w->layout = layout;
	w->protocol = (__u8)protocol;
	w->direction = args.direction;
	w->source = args.source;
	w->use_perf_buffer = cfg->use_perf_buffer != 0;
	w->chunk_limit = cfg->chunk_limit > TRACE_MAX_CHUNK ? TRACE_MAX_CHUNK : cfg->chunk_limit;
	w->chunks_left = cfg->max_chunks > TRACE_MAX_CHUNKS_PER_SYSCALL ? TRACE_MAX_CHUNKS_PER_SYSCALL : cfg->max_chunks;
	if (w->chunks_left == 0)
		w->chunks_left = 1;

	/* Discarded bytes (MSG_TRUNC) were never in user memory: like sendfile, one gap. */
	switch (args.discard ? IO_LAYOUT_NONE : layout) {
	case IO_LAYOUT_BUFFER:
		w->seg_ptr = args.ptr;
		w->seg_left = total;
		break;
	case IO_LAYOUT_IOVEC:
		w->iov_ptr = args.ptr;
		w->iov_cnt = args.count > MAX_IOVECS ? MAX_IOVECS : args.count;
		w->msg_left = total;
		break;
	case IO_LAYOUT_MSGHDR:
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)args.ptr))
			break;
		w->iov_ptr = msg.iov;
		w->iov_cnt = msg.iovlen > MAX_IOVECS ? MAX_IOVECS : (__u32)msg.iovlen;
		w->msg_left = total;
		break;
	case IO_LAYOUT_MMSGHDR:
		w->msgs_ptr = args.ptr;
		w->msg_cnt = ret > MAX_MESSAGES ? MAX_MESSAGES : (__u32)ret;
		load_mmsg(w);
		break;
	default: /* sendfile: nothing in user memory, the whole write is one gap */
		break;
	}
	bpf_loop(MAX_WALK_STEPS, walk_step, &wc, 0);
	/* What the walk could not reach (too many iovecs or messages, no user buffer): one gap. */
	if (w->total_left > 0)
		emit_data(ctx, w, 0, 0, w->total_left);
	return 0;
}

#define IO_SYSCALL(name, layout, direction, source, flags)                 \
	SYSCALL_EXIT_HANDLER(name)                                          \
	{                                                                   \
		return handle_io_exit(ctx, regs, ret, layout, direction, source, flags); \
	}

IO_SYSCALL(read, IO_LAYOUT_BUFFER, TRACE_INGRESS, TRACE_SOURCE_READ, NO_FLAGS)
IO_SYSCALL(recvfrom, IO_LAYOUT_BUFFER, TRACE_INGRESS, TRACE_SOURCE_RECVFROM, syscall_arg(regs, 3))
IO_SYSCALL(readv, IO_LAYOUT_IOVEC, TRACE_INGRESS, TRACE_SOURCE_READV, NO_FLAGS)
IO_SYSCALL(recvmsg, IO_LAYOUT_MSGHDR, TRACE_INGRESS, TRACE_SOURCE_RECVMSG, syscall_arg(regs, 2))
IO_SYSCALL(recvmmsg, IO_LAYOUT_MMSGHDR, TRACE_INGRESS, TRACE_SOURCE_RECVMMSG, syscall_arg(regs, 3))
IO_SYSCALL(write, IO_LAYOUT_BUFFER, TRACE_EGRESS, TRACE_SOURCE_WRITE, NO_FLAGS)
IO_SYSCALL(sendto, IO_LAYOUT_BUFFER, TRACE_EGRESS, TRACE_SOURCE_SENDTO, NO_FLAGS)
IO_SYSCALL(writev, IO_LAYOUT_IOVEC, TRACE_EGRESS, TRACE_SOURCE_WRITEV, NO_FLAGS)
IO_SYSCALL(sendmsg, IO_LAYOUT_MSGHDR, TRACE_EGRESS, TRACE_SOURCE_SENDMSG, NO_FLAGS)
IO_SYSCALL(sendmmsg, IO_LAYOUT_MMSGHDR, TRACE_EGRESS, TRACE_SOURCE_SENDMMSG, NO_FLAGS)
IO_SYSCALL(sendfile64, IO_LAYOUT_NONE, TRACE_EGRESS, TRACE_SOURCE_SENDFILE, NO_FLAGS)

/* ---- dispatch ---- */

/* The handler of each traced syscall, by number; every other slot is empty and its tail call returns. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_SLOTS);
	/* A size, not a BTF type: the kernel takes no BTF for a program array's key. */
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} syscall_exits SEC(".maps") = {
	.values = {
		[SYSCALL_NR_READ] = (void *)&tail_exit_read,
		[SYSCALL_NR_RECVFROM] = (void *)&tail_exit_recvfrom,
		[SYSCALL_NR_READV] = (void *)&tail_exit_readv,
		[SYSCALL_NR_RECVMSG] = (void *)&tail_exit_recvmsg,
		[SYSCALL_NR_RECVMMSG] = (void *)&tail_exit_recvmmsg,
		[SYSCALL_NR_WRITE] = (void *)&tail_exit_write,
		[SYSCALL_NR_SENDTO] = (void *)&tail_exit_sendto,
		[SYSCALL_NR_WRITEV] = (void *)&tail_exit_writev,
		[SYSCALL_NR_SENDMSG] = (void *)&tail_exit_sendmsg,
		[SYSCALL_NR_SENDMMSG] = (void *)&tail_exit_sendmmsg,
		[SYSCALL_NR_SENDFILE64] = (void *)&tail_exit_sendfile64,
		[SYSCALL_NR_CONNECT] = (void *)&tail_exit_connect,
		[SYSCALL_NR_ACCEPT] = (void *)&tail_exit_accept,
		[SYSCALL_NR_ACCEPT4] = (void *)&tail_exit_accept4,
		[SYSCALL_NR_CLOSE] = (void *)&tail_exit_close,
	},
};

/*
 * Runs at the exit of every syscall of every process, so it does as little as it can: a table lookup
 * by number (a tail call to an empty slot simply returns). 32-bit syscalls number another table and
 * are not traced, as the per-syscall tracepoints never reported them either.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 nr = syscall_nr(regs);

	if (nr >= SYSCALL_SLOTS || syscall_is_compat(regs))
		return 0;
	bpf_tail_call(ctx, &syscall_exits, (__u32)nr);
	return 0;
}
