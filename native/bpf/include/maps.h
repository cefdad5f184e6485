/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * The maps of trace.bpf.c. The names of the maps user space touches (events, perf_events, config,
 * pid_filter, forced_ports, disabled, conn_info, counters) are part of the contract with the
 * .NET runtime; the rest are private to the BPF side.
 */
#ifndef TRACE_MAPS_H
#define TRACE_MAPS_H

#include "trace_events.h"

#define CONN_TABLE_SIZE 131072
#define DISABLED_TABLE_SIZE 65536
#define PID_FILTER_SIZE 16384
#define FORCED_PORTS_SIZE 1024
/* Threads inside a traced syscall at one time (entry → exit hand-over). */
/* Ring buffer size when user space does not set one with bpf_map__set_max_entries. */
#define DEFAULT_RINGBUF_BYTES (16 * 1024 * 1024)

/* What the kernel side remembers about one connection (value of conn_info). Not part of the wire format. */
struct conn_state {
	__u64 generation;     /* conn_key.generation */
	__u64 sk;             /* struct sock address: detects an fd reused without close() (dup2, exec, exit) */
	__u64 bytes[2];       /* stream positions, indexed by enum trace_direction */
	__u16 local_port;
	__u16 remote_port;
	__u8 role;            /* enum trace_role */
	__u8 protocol;        /* enum trace_protocol: the inference guess, UNKNOWN until one matched */
	__u8 open_sent;       /* the open event reached the buffer (else it is retried with the next data) */
	__u8 flags;           /* enum trace_event_flags: MIDSTREAM (open event), DATA_SENT (close event) */
	__u8 tls;             /* a TLS library call was seen on it: socket bytes are ciphertext, not sent up */
	__u8 tls_protocol;    /* enum trace_protocol: the inference guess for the TLS plaintext */
	__u8 transport;       /* enum trace_transport; UDP: bytes[] count datagrams, not bytes */
	__u8 membio;          /* its process uses memory BIOs (tls_membio_procs), as of membio_checked */
	__u32 membio_checked; /* tls_membio_epoch + 1 when membio was looked up; 0: not yet */
	__u64 tls_bytes[2];   /* TLS plaintext stream positions, indexed by enum trace_direction */
};

/* How an I/O syscall's payload is laid out in user memory. */
enum io_layout {
	IO_LAYOUT_NONE = 0,   /* no payload in user memory (sendfile) */
	IO_LAYOUT_BUFFER = 1, /* one buffer */
	IO_LAYOUT_IOVEC = 2,  /* struct iovec[count] */
	IO_LAYOUT_MSGHDR = 3, /* struct user_msghdr */
	IO_LAYOUT_MMSGHDR = 4, /* struct mmsghdr[count] */
};

/* A traced syscall's arguments, read from its saved registers at its exit. */
struct syscall_args {
	__u64 ptr;      /* buffer, iovec array, msghdr or mmsghdr array */
	__u64 sk;       /* struct sock of fd */
	__s32 fd;
	__u32 count;    /* iovec or message count */
	__u8 layout;    /* enum io_layout */
	__u8 direction; /* enum trace_direction */
	__u8 source;    /* enum trace_source */
	__u8 discard;   /* MSG_TRUNC on a stream socket: bytes were consumed but not copied to the buffer */
	__u8 transport; /* enum trace_transport of fd */
	__u8 pad[3];
	__u64 name;     /* recvfrom/sendto: the user's struct sockaddr (the datagram's peer), else 0 */
};

/* A data event with room for the largest payload, assembled in per-CPU scratch memory. */
struct data_event_buffer {
	struct data_event event;
	__u8 data[TRACE_MAX_CHUNK];
};

/* A datagram event with room for the largest payload, assembled in per-CPU scratch memory. */
struct datagram_event_buffer {
	struct datagram_event event;
	__u8 data[TRACE_MAX_CHUNK];
};

/* Walking the datagrams of one syscall (one, or up to MAX_DATAGRAMS of sendmmsg/recvmmsg). */
struct datagram_walk {
	__u64 ptr;        /* buffer, iovec array, msghdr or mmsghdr array */
	__u64 name;       /* recvfrom/sendto sockaddr */
	__u64 sk;
	__u64 generation;
	__u64 total;      /* BUFFER/IOVEC/MSGHDR: the syscall's result (the datagram's length) */
	__u32 count;      /* BUFFER: buffer size; IOVEC: iovec count */
	__u32 chunk_limit;
	__u32 tgid;
	__s32 fd;
	__u8 layout;
	__u8 protocol;
	__u8 direction;
	__u8 source;
	__u8 use_perf_buffer;
	__u8 infer;       /* the connection's protocol is still unknown: guess from the first datagram */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, DEFAULT_RINGBUF_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct trace_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PID_FILTER_SIZE);
	__type(key, __u32);
	__type(value, __u8);
} pid_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FORCED_PORTS_SIZE);
	__type(key, __u16);
	__type(value, __u8);
} forced_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DISABLED_TABLE_SIZE);
	__type(key, struct conn_key);
	__type(value, __u8);
} disabled SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CONN_TABLE_SIZE);
	__type(key, __u64); /* tgid << 32 | fd */
	__type(value, struct conn_state);
} conn_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct data_event_buffer);
} data_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct datagram_event_buffer);
} datagram_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct datagram_walk);
} datagram_walk_scratch SEC(".maps");

static __always_inline void count(__u32 counter, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	if (value)
		*value += amount;
}

static __always_inline struct trace_config *get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&config, &zero);
}

#endif
