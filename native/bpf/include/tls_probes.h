/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * TLS plaintext from uprobes on SSL_write, SSL_read, SSL_write_ex and SSL_read_ex (OpenSSL 1.1/3.x,
 * and BoringSSL-style copies linked into executables). User space attaches these programs to each
 * library file (or executable) that exports those functions; the programs here turn a call's
 * plaintext into data events flagged TRACE_FLAG_ENCRYPTED on the socket's own connection key, with
 * their own stream positions (conn_state.tls_bytes).
 *
 * Which socket a call belongs to (SSL* → fd), best evidence first:
 *  1. a socket syscall made by the same thread inside the call (fd BIOs: curl, nginx, openssl);
 *  2. the socket its memory BIOs were tied to by following the ciphertext buffers (tls_membio.h:
 *     .NET's SslStream, which moves ciphertext itself, often on another thread);
 *  3. what an earlier call of the same SSL* learned (tls_ssl_fd);
 *  4. the socket the thread used last (tls_threads), except in processes that use memory BIOs.
 *     Libraries with their own BIOs and a single I/O thread (node) make no syscall inside the call;
 *     they move the ciphertext on the same thread just before SSL_read and just after SSL_write.
 * Once a connection has seen a TLS call, its socket bytes are ciphertext and are no longer sent up.
 *
 * Included by trace.bpf.c after its helpers (track_conn, emit_open, send_protocol_for, the chunk walk).
 */
#ifndef TRACE_TLS_PROBES_H
#define TRACE_TLS_PROBES_H

/* TLS calls in progress at one time (entry → return hand-over), and SSL objects remembered. */
#define TLS_SSL_FD_SIZE 65536
#define TLS_EXEC_SIZE 4096

/* One SSL_read/SSL_write call, from its entry to its return. */
struct tls_call {
	__u64 ssl;       /* the SSL* */
	__u64 buf;       /* plaintext buffer */
	__u64 len_ptr;   /* _ex variants: size_t * that receives the byte count */
	__s32 fd;        /* socket the call did I/O on, -1 until a syscall inside it reveals one */
	__u8 direction;  /* enum trace_direction */
	__u8 ex;         /* SSL_read_ex / SSL_write_ex */
	__u8 pad[2];
};

struct tls_ssl_key {
	__u32 tgid;
	__u32 pad;
	__u64 ssl;
};

/* A thread's TLS state: the call in progress (entry → return) and the socket it used last. */
struct tls_thread {
	struct tls_call call;
	__s32 last_fd;
	__u8 call_pending; /* call holds an entry whose return has not run */
	__u8 has_last_fd;
	__u8 pad[2];
};

/*
 * Task storage: touched by every socket syscall exit of a traced process, so no hash, LRU list or
 * lock per access; dies with the thread.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct tls_thread);
} tls_threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_SSL_FD_SIZE);
	__type(key, struct tls_ssl_key);
	__type(value, __s32);
} tls_ssl_fd SEC(".maps");

/*
 * Processes that called exec since user space last looked (keyed by tgid). User space drains it and
 * inspects each new program for TLS code (a statically linked OpenSSL, Go's crypto/tls).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_EXEC_SIZE);
	__type(key, __u32);
	__type(value, __u8);
} tls_exec SEC(".maps");

/* Memory-BIO users: the SSL* → socket tie from the ciphertext buffers. */
#include "tls_membio.h"

static __always_inline struct tls_thread *tls_thread_state(bool create)
{
	return bpf_task_storage_get(&tls_threads, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* Hands a call's entry to its return on this thread. */
static __always_inline void tls_call_begin(const struct tls_call *call)
{
	struct tls_thread *thread = tls_thread_state(true);

	if (!thread)
		return;
	thread->call = *call;
	thread->call_pending = 1;
}

/*
 * Called by every traced socket syscall's exit. Remembers the thread's socket and, inside a TLS call,
 * which fd that call uses; for memory-BIO users, where the ciphertext went (the transfer's first
 * buffer). Returns true when the bytes are ciphertext (not to be sent up).
 */
static __always_inline bool tls_note_socket_io(__u64 pid_tgid, const struct syscall_args *args, __u8 layout,
					       __u64 total, struct conn_state *st)
{
	struct tls_thread *thread = tls_thread_state(true);
	__u32 tgid = pid_tgid >> 32;
	__s32 fd = args->fd;
	__u64 addr, len;

	if (tls_membio_process_of(tgid, st)) {
		first_segment(args, layout, total, &addr, &len);
		tls_membio_socket_io(tgid, fd, args->direction, addr, len);
	}

	if (!thread)
		return st->tls != 0;
	thread->last_fd = fd;
	thread->has_last_fd = 1;
	if (thread->call_pending) {
		thread->call.fd = fd;
		return true;
	}
	return st->tls != 0;
}

static __always_inline int tls_enter(struct pt_regs *ctx, __u8 direction, __u8 ex)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct tls_call call = {};

	if (!traced_config(tgid))
		return 0;
	call.ssl = PT_REGS_PARM1(ctx);
	call.buf = PT_REGS_PARM2(ctx);
	call.len_ptr = ex ? PT_REGS_PARM4(ctx) : 0;
	call.fd = -1;
	call.direction = direction;
	call.ex = ex;
	tls_call_begin(&call);
	if (bpf_map_lookup_elem(&tls_membio_procs, &tgid))
		tls_membio_ssl_call(pid_tgid, call.ssl, direction);
	return 0;
}

/* The socket of this call (see the top of this file), remembered for the SSL*; -1 when unknown. */
static __always_inline __s32 tls_resolve_fd(__u64 pid_tgid, const struct tls_call *call)
{
	__u32 tgid = pid_tgid >> 32;
	struct tls_ssl_key key = { .tgid = tgid, .ssl = call->ssl };
	struct tls_thread *thread;
	__s32 fd = call->fd;
	__s32 *known;

	if (fd < 0) {
		fd = tls_membio_fd(tgid, call->ssl);
		if (fd >= 0)
			return fd;
		known = bpf_map_lookup_elem(&tls_ssl_fd, &key);
		if (known)
			return *known;
		/* A memory-BIO user moves ciphertext on any thread: the thread's last socket would mis-tie. */
		if (bpf_map_lookup_elem(&tls_membio_procs, &tgid))
			return -1;
		thread = tls_thread_state(false);
		if (!thread || !thread->has_last_fd)
			return -1;
		fd = thread->last_fd;
	}
	bpf_map_update_elem(&tls_ssl_fd, &key, &fd, BPF_ANY);
	return fd;
}

static __always_inline void tls_infer(struct conn_state *st, __u64 buf, __u64 len)
{
	struct payload_head head = {};

	if (bpf_probe_read_user(head.bytes, sizeof(head.bytes), (const void *)buf))
		return;
	head.len = len > INFER_HEAD_LEN ? INFER_HEAD_LEN : (__u32)len;
	st->tls_protocol = infer_protocol(&head);
}

/* Sends up total bytes of plaintext of call at call->buf (at a TLS call's return, or a Go Write's entry). */
static __always_inline int tls_emit(struct pt_regs *ctx, const struct tls_call *callp, __u64 total)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct walk_ctx wc = { .ctx = ctx };
	struct conn_key disabled_key = {};
	struct trace_config *cfg;
	struct conn_state *st;
	struct chunk_walk *w;
	struct tls_call call = *callp;
	struct sock *sk;
	__u32 zero = 0;
	__u64 position, id;
	int protocol;
	__s32 fd;

	cfg = get_config();
	if (!cfg || total == 0)
		return 0;
	fd = tls_resolve_fd(pid_tgid, &call);
	if (fd < 0)
		return 0;
	sk = tcp_sock_of_fd(fd);
	if (!sk)
		return 0;
	id = conn_id(tgid, fd);
	st = bpf_map_lookup_elem(&conn_info, &id);
	if (!st || st->sk != (__u64)sk)
		st = track_conn(ctx, cfg, tgid, fd, sk, TRACE_ROLE_UNKNOWN, TRACE_FLAG_MIDSTREAM);
	if (!st)
		return 0;
	if (!st->open_sent)
		st->open_sent = emit_open(ctx, cfg, tgid, fd, st, sk);
	if (!st->tls) {
		st->tls = 1;
		/*
		 * Only the ciphertext can have been given up on so far (user space found no protocol in it);
		 * that must not silence the plaintext, whose decision is user space's to make afresh.
		 */
		disabled_key.tgid = tgid;
		disabled_key.fd = fd;
		disabled_key.generation = st->generation;
		bpf_map_delete_elem(&disabled, &disabled_key);
	}
	if (st->tls_protocol == TRACE_PROTOCOL_UNKNOWN)
		tls_infer(st, call.buf, total);

	position = __sync_fetch_and_add(&st->tls_bytes[call.direction & 1], total);
	protocol = send_protocol_for(cfg, st, st->tls_protocol, tgid, fd, TRACE_DISABLED_TLS);
	if (protocol < 0)
		return 0;
	w = bpf_map_lookup_elem(&walk_scratch, &zero);
	if (!w)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	w->position = position;
	w->total_left = total;
	w->generation = st->generation;
	w->tgid = tgid;
	w->fd = fd;
	w->layout = IO_LAYOUT_BUFFER;
	w->protocol = (__u8)protocol;
	w->direction = call.direction & 1;
	w->source = TRACE_SOURCE_TLS;
	w->flags = TRACE_FLAG_ENCRYPTED;
	w->use_perf_buffer = cfg->use_perf_buffer != 0;
	w->chunk_limit = cfg->chunk_limit > TRACE_MAX_CHUNK ? TRACE_MAX_CHUNK : cfg->chunk_limit;
	w->chunks_left = cfg->max_chunks > TRACE_MAX_CHUNKS_PER_SYSCALL ? TRACE_MAX_CHUNKS_PER_SYSCALL : cfg->max_chunks;
	if (w->chunks_left == 0)
		w->chunks_left = 1;
	w->seg_ptr = call.buf;
	w->seg_left = total;
	bpf_loop(MAX_WALK_STEPS, walk_step, &wc, 0);
	if (w->total_left > 0)
		emit_data(ctx, w, 0, 0, w->total_left);
	return 0;
}

static __always_inline int tls_return(struct pt_regs *ctx)
{
	struct tls_thread *thread = tls_thread_state(false);
	long ret = PT_REGS_RC(ctx);
	struct tls_call call;
	__u64 total = 0;

	if (!thread || !thread->call_pending)
		return 0;
	call = thread->call;
	thread->call_pending = 0;
	if (call.ex) {
		/* SSL_*_ex return 1 on success and store the byte count. */
		if ((int)ret != 1 || !call.len_ptr || bpf_probe_read_user(&total, sizeof(total), (const void *)call.len_ptr))
			return 0;
	} else {
		if ((int)ret <= 0)
			return 0;
		total = (__u32)(int)ret;
	}
	return tls_emit(ctx, &call, total);
}

/* Bare "uprobe" sections: user space attaches them to each TLS library it finds. */
SEC("uprobe")
int tls_write_enter(struct pt_regs *ctx)
{
	return tls_enter(ctx, TRACE_EGRESS, 0);
}

SEC("uprobe")
int tls_read_enter(struct pt_regs *ctx)
{
	return tls_enter(ctx, TRACE_INGRESS, 0);
}

SEC("uprobe")
int tls_write_ex_enter(struct pt_regs *ctx)
{
	return tls_enter(ctx, TRACE_EGRESS, 1);
}

SEC("uprobe")
int tls_read_ex_enter(struct pt_regs *ctx)
{
	return tls_enter(ctx, TRACE_INGRESS, 1);
}

SEC("uretprobe")
int tls_return_probe(struct pt_regs *ctx)
{
	return tls_return(ctx);
}

/* A new program image: user space looks at it for TLS code of its own (static OpenSSL, Go). */
SEC("tracepoint/sched/sched_process_exec")
int tls_on_exec(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;

	if (!traced_config(tgid))
		return 0;
	bpf_map_update_elem(&tls_exec, &tgid, &one, BPF_ANY);
	return 0;
}

#endif
