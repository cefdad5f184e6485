/* SPDX-License-Identifier: MIT */
/*
 * The wire format between the BPF programs and user space.
 *
 * Mirrored byte for byte by src/Ebpf.ProtocolTracing/Kernel/KernelEventLayout.cs; a change here
 * is a change there (and bumps TRACE_EVENT_VERSION, which the recording file format also carries).
 * All integers are little-endian (the host's order); ports are in host byte order; addresses are in
 * network byte order, IPv4 in the first 4 bytes of the 16.
 */
#ifndef TRACE_EVENTS_H
#define TRACE_EVENTS_H

/*
 * 2: adds TRACE_EVENT_PROCESS_EXIT. Version 1 is a subset (no new layouts changed), so readers of 2
 * still replay recordings of 1.
 */
#define TRACE_EVENT_VERSION 2

/* Largest payload one data event carries; a larger syscall is split into several events. */
#define TRACE_MAX_CHUNK 8192
/* Most data events one syscall produces; what is beyond is reported as a gap of known size. */
#define TRACE_MAX_CHUNKS_PER_SYSCALL 8

enum trace_event_kind {
	TRACE_EVENT_OPEN = 1,  /* struct open_event */
	TRACE_EVENT_CLOSE = 2, /* struct close_event */
	TRACE_EVENT_DATA = 3,  /* struct data_event followed by captured_len payload bytes */
	TRACE_EVENT_DATAGRAM = 4, /* struct datagram_event followed by captured_len payload bytes (UDP) */
	TRACE_EVENT_PROCESS_EXIT = 5, /* struct process_exit_event (since version 2) */
};

enum trace_direction {
	TRACE_EGRESS = 0,  /* bytes the traced process sent */
	TRACE_INGRESS = 1, /* bytes the traced process received */
};

enum trace_role {
	TRACE_ROLE_UNKNOWN = 0, /* first seen through data (opened before the tracer started) */
	TRACE_ROLE_CLIENT = 1,  /* opened with connect() */
	TRACE_ROLE_SERVER = 2,  /* opened with accept()/accept4() */
};

enum trace_transport {
	TRACE_TRANSPORT_TCP = 1,
	TRACE_TRANSPORT_UDP = 2,
};

/* What the kernel's cheap inference guessed. User space confirms; false positives are fine. */
enum trace_protocol {
	TRACE_PROTOCOL_UNKNOWN = 0,
	TRACE_PROTOCOL_HTTP = 1,
	TRACE_PROTOCOL_HTTP2 = 2,
	TRACE_PROTOCOL_POSTGRES = 3,
	TRACE_PROTOCOL_MYSQL = 4,
	TRACE_PROTOCOL_REDIS = 5,
	TRACE_PROTOCOL_KAFKA = 6,
	TRACE_PROTOCOL_NATS = 7,
	TRACE_PROTOCOL_CASSANDRA = 8,
	TRACE_PROTOCOL_DNS = 9,
	TRACE_PROTOCOL_AMQP = 10,
	TRACE_PROTOCOL_MEMCACHED = 11,
	/* Data sent because a port is configured as always captured (custom parsers). */
	TRACE_PROTOCOL_FORCED = 63,
};

/* Which syscall produced a data event (diagnostics and tests). */
enum trace_source {
	TRACE_SOURCE_READ = 1,
	TRACE_SOURCE_WRITE = 2,
	TRACE_SOURCE_READV = 3,
	TRACE_SOURCE_WRITEV = 4,
	TRACE_SOURCE_RECVFROM = 5,
	TRACE_SOURCE_SENDTO = 6,
	TRACE_SOURCE_RECVMSG = 7,
	TRACE_SOURCE_SENDMSG = 8,
	TRACE_SOURCE_RECVMMSG = 9,
	TRACE_SOURCE_SENDMMSG = 10,
	TRACE_SOURCE_SENDFILE = 11,
	TRACE_SOURCE_TLS = 12, /* plaintext from a TLS library call (uprobe), not a syscall */
};

enum trace_event_flags {
	/* open_event: the connection was first seen through a read/write, not connect/accept. */
	TRACE_FLAG_MIDSTREAM = 1 << 0,
	/* data_event: plaintext captured from a TLS library, not from the socket. */
	TRACE_FLAG_ENCRYPTED = 1 << 1,
	/*
	 * close_event: the kernel sent up (or tried to: the buffer may have been full) data events of this
	 * connection's socket bytes. Without it, no byte was sent up by design (no enabled protocol seen).
	 */
	TRACE_FLAG_DATA_SENT = 1 << 2,
};

/* A connection: the fd of a process, and a generation that changes whenever the fd is reused. */
struct conn_key {
	__u32 tgid;
	__s32 fd;
	__u64 generation; /* bpf_ktime_get_ns() when the kernel side first tracked this connection */
};

struct event_header {
	__u8 kind;      /* enum trace_event_kind */
	__u8 protocol;  /* enum trace_protocol: the kernel's guess for this connection so far */
	__u16 flags;    /* enum trace_event_flags */
	__u32 tid;      /* thread that made the syscall */
	__u64 timestamp_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	struct conn_key conn;
}; /* 32 bytes */

struct open_event {
	struct event_header hdr;
	__u64 process_start_ns; /* start time of the process (with tgid: identity that survives pid reuse) */
	__u16 family;           /* AF_INET (2) or AF_INET6 (10) */
	__u16 local_port;
	__u16 remote_port;
	__u8 role;              /* enum trace_role */
	__u8 transport;         /* enum trace_transport */
	__u8 local_addr[16];
	__u8 remote_addr[16];
	char comm[16];          /* process name (task comm of the thread group leader) */
}; /* 96 bytes */

struct close_event {
	struct event_header hdr;
	__u64 bytes_sent;     /* egress stream length when closed (UDP: datagrams sent) */
	__u64 bytes_received; /* ingress stream length when closed (UDP: datagrams received) */
}; /* 48 bytes */

/*
 * Stands for stream bytes [position, position + original_len) of one direction.
 * The first captured_len of them follow this header; the rest (original_len - captured_len) were
 * not captured and are a gap of known size that ends where the next event of the stream begins.
 */
struct data_event {
	struct event_header hdr;
	__u64 position;
	__u32 captured_len;
	__u32 original_len;
	__u8 direction; /* enum trace_direction */
	__u8 source;    /* enum trace_source */
	__u16 reserved;
	__u32 reserved2;
	/* __u8 data[captured_len]; */
}; /* 56 bytes */

/*
 * One UDP datagram: a whole message, never merged with the next. Datagrams have no byte stream, so
 * sequence counts the datagrams of this direction of the socket (0, 1, 2, ...): a jump means datagrams
 * were moved but not sent up (buffer full), never that a message was cut. A datagram longer than the
 * capture limit arrives truncated (captured_len < original_len). The peer is the datagram's own
 * (recvfrom/recvmsg source, sendto/sendmsg destination), else the socket's connected peer; family 0
 * and a zero port when neither is known.
 */
struct datagram_event {
	struct event_header hdr;
	__u64 sequence;
	__u32 captured_len;
	__u32 original_len;
	__u8 direction; /* enum trace_direction */
	__u8 source;    /* enum trace_source */
	__u16 family;   /* of the peer: AF_INET (2) or AF_INET6 (10) */
	__u16 peer_port; /* host byte order */
	__u16 reserved;
	__u8 peer_addr[16]; /* network byte order, IPv4 in the first 4 bytes */
	/* __u8 data[captured_len]; */
}; /* 72 bytes */

/*
 * The last thread of a traced process exited: the kernel closed its sockets without close() syscalls,
 * so every connection of hdr.conn.tgid is closed now. hdr.conn.fd is -1 and hdr.conn.generation 0;
 * hdr.protocol and hdr.flags are 0.
 */
struct process_exit_event {
	struct event_header hdr;
	__u64 process_start_ns; /* start time of the process (as in open_event): which process of that tgid */
}; /* 40 bytes */

/*
 * Value bits of the "disabled" map (key: struct conn_key): which of a connection's streams user space
 * gave up on. A TLS connection's socket bytes and its plaintext share the key; giving up on the
 * ciphertext must not silence the plaintext.
 */
enum trace_disabled_stream {
	TRACE_DISABLED_SOCKET = 1 << 0, /* the bytes read and written on the socket */
	TRACE_DISABLED_TLS = 1 << 1,    /* the plaintext captured from a TLS library */
};

/* Written by user space into the single entry of the "config" array map before attaching. */
struct trace_config {
	__u32 self_tgid;         /* the tracer itself: never traced */
	__u32 filter_by_pid;     /* non-zero: only tgids present in the pid_filter map are traced */
	__u32 chunk_limit;       /* payload bytes per data event, at most TRACE_MAX_CHUNK */
	__u32 max_chunks;        /* data events per syscall, at most TRACE_MAX_CHUNKS_PER_SYSCALL */
	__u64 enabled_protocols; /* bit (1 << enum trace_protocol) set: send that protocol's data */
	__u32 use_perf_buffer;   /* non-zero: emit through the perf event array instead of the ring buffer */
	__u32 capture_all;       /* non-zero: send the data of every TCP connection, inferred or not */
};

/* Indexes of the per-CPU "counters" array map (summed over CPUs by user space). */
enum trace_counter {
	TRACE_COUNTER_EVENTS_SENT = 0,     /* events handed to the ring/perf buffer */
	TRACE_COUNTER_EVENTS_LOST = 1,     /* events the buffer had no room for */
	TRACE_COUNTER_BYTES_LOST = 2,      /* payload bytes inside lost data events */
	TRACE_COUNTER_CONNS_OPENED = 3,    /* connections tracked */
	TRACE_COUNTER_CONN_TABLE_FULL = 4, /* connections not tracked: the conn_info map was full */
	TRACE_COUNTER_MAX = 8,
};

#endif
