/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * UDP: each datagram a traced syscall moves becomes one TRACE_EVENT_DATAGRAM carrying the datagram's
 * peer, because an unconnected socket talks to many peers and a datagram is a whole message.
 *
 * Included by trace.bpf.c after the helpers it uses (track_conn, send_protocol, output_counted).
 * Positions are datagram sequence numbers per direction (conn_state.bytes counts datagrams on UDP).
 * Only the first segment of a datagram (its first iovec) is captured; what follows it in further
 * iovecs is reported through original_len as not captured.
 */
#ifndef TRACE_DATAGRAMS_H
#define TRACE_DATAGRAMS_H

/* Datagrams of one sendmmsg/recvmmsg that are sent up; the rest only advance the sequence. */
#define MAX_DATAGRAMS 16
#define DNS_PORT 53

/* Where datagram index starts, how much of it the first segment holds, its length and its peer's sockaddr. */
struct datagram_place {
	__u64 ptr;
	__u64 first_len;
	__u64 len;
	__u64 name;
};

static __always_inline bool locate_datagram(const struct datagram_walk *w, __u32 index, struct datagram_place *out)
{
	struct user_iovec_abi iov = {};
	struct user_msghdr_abi msg = {};
	struct user_mmsghdr_abi mmsg = {};

	out->name = w->name;
	out->len = w->total;
	switch (w->layout) {
	case IO_LAYOUT_BUFFER:
		out->ptr = w->ptr;
		/* recvfrom with MSG_TRUNC returns the datagram's length even when the buffer was smaller. */
		out->first_len = w->total < w->count ? w->total : w->count;
		return true;
	case IO_LAYOUT_IOVEC:
		if (w->count == 0 || bpf_probe_read_user(&iov, sizeof(iov), (const void *)w->ptr))
			return false;
		break;
	case IO_LAYOUT_MSGHDR:
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)w->ptr))
			return false;
		out->name = msg.name;
		if (msg.iovlen == 0 || bpf_probe_read_user(&iov, sizeof(iov), (const void *)msg.iov))
			return false;
		break;
	case IO_LAYOUT_MMSGHDR:
		if (bpf_probe_read_user(&mmsg, sizeof(mmsg), (const void *)(w->ptr + (__u64)index * sizeof(mmsg))))
			return false;
		out->name = mmsg.hdr.name;
		out->len = mmsg.len;
		if (mmsg.hdr.iovlen == 0 || bpf_probe_read_user(&iov, sizeof(iov), (const void *)mmsg.hdr.iov))
			return false;
		break;
	default:
		return false;
	}
	out->ptr = iov.base;
	out->first_len = iov.len < out->len ? iov.len : out->len;
	return true;
}

/* Emits datagram index of the walk with sequence number sequence. */
static __always_inline void emit_datagram(void *ctx, const struct datagram_walk *w, __u32 index, __u64 sequence)
{
	__u32 zero = 0;
	struct datagram_event_buffer *b = bpf_map_lookup_elem(&datagram_scratch, &zero);
	struct datagram_place place = {};
	__u32 len;

	if (!b)
		return;
	if (!locate_datagram(w, index, &place)) {
		place.ptr = 0;
		place.first_len = 0;
	}
	b->event.captured_len = place.first_len < w->chunk_limit ? (__u32)place.first_len : w->chunk_limit;
	/* Through map memory on purpose, as in emit_data: the verifier then knows only this bound. */
	len = *(volatile __u32 *)&b->event.captured_len;
	if (len > TRACE_MAX_CHUNK)
		len = TRACE_MAX_CHUNK;
	if (len && bpf_probe_read_user(b->data, len, (const void *)place.ptr))
		len = 0;
	fill_header(&b->event.hdr, TRACE_EVENT_DATAGRAM, w->protocol, 0, w->tgid, w->fd, w->generation);
	b->event.sequence = sequence;
	b->event.captured_len = len;
	b->event.original_len = place.len > 0xffffffffULL ? 0xffffffffU : (__u32)place.len;
	b->event.direction = w->direction;
	b->event.source = w->source;
	b->event.family = 0;
	b->event.peer_port = 0;
	b->event.reserved = 0;
	__builtin_memset(b->event.peer_addr, 0, sizeof(b->event.peer_addr));
	read_datagram_peer((struct sock *)w->sk, place.name, &b->event.family, &b->event.peer_port, b->event.peer_addr);
	output_counted(ctx, w->use_perf_buffer, b, sizeof(struct datagram_event) + len, len);
}

struct datagram_loop_ctx {
	void *ctx;
	__u64 first_sequence;
};

static long datagram_step(__u32 index, void *data)
{
	struct datagram_loop_ctx *lc = data;
	__u32 zero = 0;
	struct datagram_walk *w = bpf_map_lookup_elem(&datagram_walk_scratch, &zero);

	if (!w)
		return 1;
	emit_datagram(lc->ctx, w, index, lc->first_sequence + index);
	return 0;
}

/* The kernel's guess for a UDP socket from its first datagram: a DNS header, or DNS's port. */
static __always_inline void infer_datagram(struct conn_state *st, const struct datagram_walk *w)
{
	struct payload_head head = {};
	struct datagram_place place = {};
	__u16 family = 0, peer_port = 0;
	__u8 addr[16] = {};

	if (!locate_datagram(w, 0, &place))
		return;
	read_datagram_peer((struct sock *)w->sk, place.name, &family, &peer_port, addr);
	if (st->local_port == DNS_PORT || peer_port == DNS_PORT) {
		st->protocol = TRACE_PROTOCOL_DNS;
		return;
	}
	if (!place.ptr || !place.first_len || bpf_probe_read_user(head.bytes, sizeof(head.bytes), (const void *)place.ptr))
		return;
	head.len = place.first_len > INFER_HEAD_LEN ? INFER_HEAD_LEN : (__u32)place.first_len;
	if (infer_dns_datagram(&head))
		st->protocol = TRACE_PROTOCOL_DNS;
}

/* The exit of a traced syscall on a UDP socket that moved ret (bytes, or messages for *mmsg). */
static __always_inline int handle_datagram_exit(void *ctx, struct trace_config *cfg, __u32 tgid,
						const struct syscall_args *args, __u8 layout, long ret)
{
	struct datagram_loop_ctx lc = { .ctx = ctx };
	struct datagram_walk *w;
	struct conn_state *st;
	__u32 zero = 0, datagrams;
	__u64 id = conn_id(tgid, args->fd);
	int protocol;

	if (layout == IO_LAYOUT_NONE)
		return 0;
	st = bpf_map_lookup_elem(&conn_info, &id);
	if (!st || st->sk != args->sk)
		st = track_conn(ctx, cfg, tgid, args->fd, (struct sock *)args->sk, TRACE_ROLE_UNKNOWN, 0);
	if (!st)
		return 0;
	if (!st->open_sent)
		st->open_sent = emit_open(ctx, cfg, tgid, args->fd, st, (struct sock *)args->sk);

	w = bpf_map_lookup_elem(&datagram_walk_scratch, &zero);
	if (!w)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	w->ptr = args->ptr;
	w->name = args->name;
	w->sk = args->sk;
	w->generation = st->generation;
	w->total = layout == IO_LAYOUT_MMSGHDR ? 0 : (__u64)ret;
	w->count = args->count;
	w->tgid = tgid;
	w->fd = args->fd;
	w->layout = layout;
	w->direction = args->direction;
	w->source = args->source;
	w->use_perf_buffer = cfg->use_perf_buffer != 0;
	w->chunk_limit = cfg->chunk_limit > TRACE_MAX_CHUNK ? TRACE_MAX_CHUNK : cfg->chunk_limit;

	if (st->protocol == TRACE_PROTOCOL_UNKNOWN)
		infer_datagram(st, w);

	/* Every datagram takes a sequence number, sent up or not, so user space can count the lost ones. */
	datagrams = layout == IO_LAYOUT_MMSGHDR ? (__u32)ret : 1;
	lc.first_sequence = __sync_fetch_and_add(&st->bytes[args->direction & 1], datagrams);
	protocol = send_protocol(cfg, st, tgid, args->fd);
	if (protocol < 0)
		return 0;
	w->protocol = (__u8)protocol;
	bpf_loop(datagrams > MAX_DATAGRAMS ? MAX_DATAGRAMS : datagrams, datagram_step, &lc, 0);
	return 0;
}

#endif
