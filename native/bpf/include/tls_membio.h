/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * SSL* → socket for libraries that give OpenSSL memory BIOs and move the ciphertext themselves
 * (.NET's SslStream through libSystem.Security.Cryptography.Native.OpenSsl.so). OpenSSL never
 * touches the socket there, the socket I/O often runs on another thread than the SSL call, and the
 * ciphertext is often copied between the socket's buffer and the BIO's (Kestrel reads sockets into
 * pipes that SslStream copies from). So the tie follows the ciphertext's bytes, within one process:
 *
 *   ingress: recv(fd) got bytes B → BioWrite(rbio, B)       ⇒ rbio ↔ fd
 *   egress:  BioRead(wbio) gave bytes B → send(fd, B)       ⇒ wbio ↔ fd
 *   SSL_set_bio(ssl, rbio, wbio)                            ⇒ ssl ↔ bios
 *
 * B is the first TLS_CIPHER_HEAD_LEN bytes of a transfer (a record header and encrypted or random
 * bytes, unique in practice). A BIO keeps the socket it was tied to, so one matching transfer per
 * connection is enough — the first flight of the handshake starts a transfer on both sides. A TLS
 * call then finds its socket through its SSL*'s BIOs. When SSL_set_bio was not seen (tracing started
 * after the connection was set up), the BIOs are learned from calls that follow each other on one
 * thread: BioWrite(rbio) then SSL_read(ssl), and SSL_write(ssl) then BioRead(wbio) — how SslStream
 * decrypts and encrypts (one synchronous sequence each).
 *
 * Included by tls_probes.h.
 */
#ifndef TRACE_TLS_MEMBIO_H
#define TRACE_TLS_MEMBIO_H

#define TLS_MEMBIO_TABLE_SIZE 65536

/*
 * Bytes of ciphertext that identify a transfer: a TLS record header and 27 bytes of its body (random-
 * looking in every TLS 1.3 record and in hellos). Shorter transfers (a ChangeCipherSpec, an alert)
 * are alike across connections and are never used.
 */
#define TLS_CIPHER_HEAD_LEN 32
#define TLS_MEMBIO_PROCESSES 4096
#define TLS_CIPHER_TABLE_SIZE 16384

struct tls_cipher_key {
	__u32 tgid;
	__u32 pad;
	__u8 head[TLS_CIPHER_HEAD_LEN];
};

struct tls_ptr_key {
	__u32 tgid;
	__u32 pad;
	__u64 ptr; /* a BIO* or an SSL* */
};

struct tls_bios {
	__u64 rbio;
	__u64 wbio;
};

/* What one thread did last, for learning an SSL*'s BIOs from adjacent calls. */
struct tls_thread_calls {
	__u64 bio_written; /* BioWrite's BIO, until an SSL call takes it as its rbio */
	__u64 ssl_called;  /* the last SSL_write's SSL*, until a BioRead takes its BIO as the wbio */
};

/* A BioRead in progress (entry → return), keyed by pid_tgid. */
struct tls_bio_read_call {
	__u64 bio;
	__u64 buf;
};

/* Processes that use memory BIOs (their first BioWrite/BioRead adds them): only theirs are followed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MEMBIO_PROCESSES);
	__type(key, __u32); /* tgid */
	__type(value, __u8);
} tls_membio_procs SEC(".maps");

/*
 * Bumped each time a process is added to tls_membio_procs. A connection remembers whether its process
 * was in the set and at which count (conn_state.membio), so its socket syscalls look the set up only
 * when it changed. The lookup cost every traced read and write ~15 ns (sys_exit 597–612 → 585–595 ns
 * per run on 64-byte HTTP ping-pong), of the ~50 ns all TLS bookkeeping costs there.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tls_membio_epoch SEC(".maps");

/* The first bytes of a received transfer → its socket, until a BioWrite hands the same bytes to a BIO. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_CIPHER_TABLE_SIZE);
	__type(key, struct tls_cipher_key);
	__type(value, __s32);
} tls_cipher_in SEC(".maps");

/* The first bytes a BioRead took out of a BIO → that BIO, until a send of the same bytes names its socket. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_CIPHER_TABLE_SIZE);
	__type(key, struct tls_cipher_key);
	__type(value, __u64);
} tls_cipher_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MEMBIO_TABLE_SIZE);
	__type(key, struct tls_ptr_key); /* BIO* */
	__type(value, __s32);
} tls_bio_fd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MEMBIO_TABLE_SIZE);
	__type(key, struct tls_ptr_key); /* SSL* */
	__type(value, struct tls_bios);
} tls_ssl_bios SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MEMBIO_TABLE_SIZE);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct tls_thread_calls);
} tls_thread_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TLS_MEMBIO_TABLE_SIZE);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct tls_bio_read_call);
} tls_bio_reads SEC(".maps");

/* Reads the identifying head of len bytes at addr into key; false when there are too few bytes. */
static __always_inline bool tls_cipher_key_of(struct tls_cipher_key *key, __u32 tgid, __u64 addr, __u64 len)
{
	if (!addr || len < TLS_CIPHER_HEAD_LEN)
		return false;
	key->tgid = tgid;
	key->pad = 0;
	return bpf_probe_read_user(key->head, sizeof(key->head), (const void *)addr) == 0;
}

static __always_inline void tls_mark_membio_process(__u32 tgid)
{
	__u32 zero = 0;
	__u32 *epoch;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&tls_membio_procs, &tgid))
		return;
	bpf_map_update_elem(&tls_membio_procs, &tgid, &one, BPF_ANY);
	epoch = bpf_map_lookup_elem(&tls_membio_epoch, &zero);
	if (epoch)
		__sync_fetch_and_add(epoch, 1);
}

/* Whether the connection's process uses memory BIOs, looked up again only when the set changed. */
static __always_inline bool tls_membio_process_of(__u32 tgid, struct conn_state *st)
{
	__u32 zero = 0;
	__u32 *epoch = bpf_map_lookup_elem(&tls_membio_epoch, &zero);
	__u32 now = epoch ? *epoch + 1 : 0;

	if (now == 0 || st->membio_checked != now) {
		st->membio = bpf_map_lookup_elem(&tls_membio_procs, &tgid) != NULL;
		st->membio_checked = now;
	}
	return st->membio;
}

static __always_inline void tls_learn_bio_fd(__u32 tgid, __u64 bio, __s32 fd)
{
	struct tls_ptr_key key = { .tgid = tgid, .ptr = bio };
	__s32 *known = bpf_map_lookup_elem(&tls_bio_fd, &key);

	if (known && *known == fd)
		return;
	bpf_map_update_elem(&tls_bio_fd, &key, &fd, BPF_ANY);
}

/*
 * Called for every traced socket transfer (after the syscall) of a process that uses memory BIOs,
 * with its first buffer: remembers what was received, and ties a BioRead's output that is being sent
 * to the socket.
 */
static __always_inline void tls_membio_socket_io(__u32 tgid, __s32 fd, __u8 direction, __u64 addr, __u64 len)
{
	struct tls_cipher_key key;
	__u64 *bio;

	if (!tls_cipher_key_of(&key, tgid, addr, len))
		return;
	if (direction == TRACE_INGRESS) {
		bpf_map_update_elem(&tls_cipher_in, &key, &fd, BPF_ANY);
		return;
	}
	bio = bpf_map_lookup_elem(&tls_cipher_out, &key);
	if (!bio)
		return;
	tls_learn_bio_fd(tgid, *bio, fd);
	bpf_map_delete_elem(&tls_cipher_out, &key);
}

/* The socket of an SSL* known through its BIOs, or -1. */
static __always_inline __s32 tls_membio_fd(__u32 tgid, __u64 ssl)
{
	struct tls_ptr_key key = { .tgid = tgid, .ptr = ssl };
	struct tls_bios *bios = bpf_map_lookup_elem(&tls_ssl_bios, &key);
	__s32 *fd;

	if (!bios)
		return -1;
	key.ptr = bios->rbio;
	fd = bios->rbio ? bpf_map_lookup_elem(&tls_bio_fd, &key) : NULL;
	if (fd)
		return *fd;
	key.ptr = bios->wbio;
	fd = bios->wbio ? bpf_map_lookup_elem(&tls_bio_fd, &key) : NULL;
	return fd ? *fd : -1;
}

/*
 * At an SSL call's entry: learns the SSL*'s read BIO from a BioWrite just before on this thread,
 * and remembers a write's SSL* for the BioRead that follows it.
 */
static __always_inline void tls_membio_ssl_call(__u64 pid_tgid, __u64 ssl, __u8 direction)
{
	struct tls_thread_calls *calls = bpf_map_lookup_elem(&tls_thread_calls, &pid_tgid);
	struct tls_ptr_key key = { .tgid = pid_tgid >> 32, .ptr = ssl };
	struct tls_bios *bios;
	struct tls_bios fresh = {};
	struct tls_thread_calls first = { .ssl_called = ssl };

	if (direction == TRACE_EGRESS) {
		if (calls)
			calls->ssl_called = ssl;
		else
			bpf_map_update_elem(&tls_thread_calls, &pid_tgid, &first, BPF_ANY);
		return;
	}
	if (!calls || !calls->bio_written)
		return;
	bios = bpf_map_lookup_elem(&tls_ssl_bios, &key);
	if (!bios) {
		fresh.rbio = calls->bio_written;
		bpf_map_update_elem(&tls_ssl_bios, &key, &fresh, BPF_NOEXIST);
	} else if (!bios->rbio) {
		bios->rbio = calls->bio_written;
	}
	calls->bio_written = 0;
}

/* SSL_set_bio(ssl, rbio, wbio): the exact tie of an SSL* to its BIOs. */
SEC("uprobe")
int tls_set_bio_enter(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_ptr_key key = { .tgid = pid_tgid >> 32, .ptr = PT_REGS_PARM1(ctx) };
	struct tls_bios bios = { .rbio = PT_REGS_PARM2(ctx), .wbio = PT_REGS_PARM3(ctx) };

	if (!traced_config(pid_tgid >> 32))
		return 0;
	bpf_map_update_elem(&tls_ssl_bios, &key, &bios, BPF_ANY);
	return 0;
}

/* BioWrite(bio, data, len): ciphertext handed to OpenSSL, a copy of (the start of) what a recv got. */
SEC("uprobe")
int tls_bio_write_enter(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__u64 bio = PT_REGS_PARM1(ctx);
	struct tls_thread_calls fresh = { .bio_written = bio };
	struct tls_thread_calls *calls;
	struct tls_cipher_key key;
	__s32 *fd;

	if (!traced_config(tgid))
		return 0;
	tls_mark_membio_process(tgid);
	calls = bpf_map_lookup_elem(&tls_thread_calls, &pid_tgid);
	if (calls)
		calls->bio_written = bio;
	else
		bpf_map_update_elem(&tls_thread_calls, &pid_tgid, &fresh, BPF_ANY);
	if (!tls_cipher_key_of(&key, tgid, PT_REGS_PARM2(ctx), (__u32)PT_REGS_PARM3(ctx)))
		return 0;
	fd = bpf_map_lookup_elem(&tls_cipher_in, &key);
	if (!fd)
		return 0;
	tls_learn_bio_fd(tgid, bio, *fd);
	bpf_map_delete_elem(&tls_cipher_in, &key);
	return 0;
}

/* BioRead(bio, data, len): ciphertext taken from OpenSSL, to be sent from (a buffer holding) data. */
SEC("uprobe")
int tls_bio_read_enter(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_bio_read_call call = { .bio = PT_REGS_PARM1(ctx), .buf = PT_REGS_PARM2(ctx) };
	struct tls_thread_calls *calls;
	struct tls_ptr_key key = { .tgid = pid_tgid >> 32 };
	struct tls_bios *bios;
	struct tls_bios fresh = {};

	if (!traced_config(pid_tgid >> 32))
		return 0;
	calls = bpf_map_lookup_elem(&tls_thread_calls, &pid_tgid);
	if (calls && calls->ssl_called) {
		key.ptr = calls->ssl_called;
		bios = bpf_map_lookup_elem(&tls_ssl_bios, &key);
		if (!bios) {
			fresh.wbio = call.bio;
			bpf_map_update_elem(&tls_ssl_bios, &key, &fresh, BPF_NOEXIST);
		} else if (!bios->wbio) {
			bios->wbio = call.bio;
		}
		calls->ssl_called = 0;
	}
	bpf_map_update_elem(&tls_bio_reads, &pid_tgid, &call, BPF_ANY);
	return 0;
}

SEC("uretprobe")
int tls_bio_read_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_bio_read_call *stored = bpf_map_lookup_elem(&tls_bio_reads, &pid_tgid);
	struct tls_bio_read_call call;
	struct tls_cipher_key key;
	int ret = (int)PT_REGS_RC(ctx);

	if (!stored)
		return 0;
	call = *stored;
	bpf_map_delete_elem(&tls_bio_reads, &pid_tgid);
	tls_mark_membio_process(pid_tgid >> 32);
	if (ret <= 0 || !tls_cipher_key_of(&key, pid_tgid >> 32, call.buf, (__u32)ret))
		return 0;
	bpf_map_update_elem(&tls_cipher_out, &key, &call.bio, BPF_ANY);
	return 0;
}

#endif
