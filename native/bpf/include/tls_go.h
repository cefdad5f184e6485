/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * TLS plaintext of Go programs: uprobes on crypto/tls.(*Conn).Write and crypto/tls.(*Conn).Read
 * (Go 1.17+ register ABI, amd64).
 *
 * Go differs from OpenSSL in three ways that shape this file:
 *  - Goroutines move between threads while a call blocks (Read parks in the netpoller), so the state
 *    of a call is keyed by (tgid, g) — the goroutine's g pointer, always in R14 — not by pid_tgid.
 *  - Goroutine stacks are moved when they grow, and uretprobes overwrite the return address on the
 *    stack, which Go's runtime would then copy and check: so no uretprobes. User space attaches
 *    go_tls_return to every RET instruction of both functions instead.
 *  - The socket is in the receiver: tls.Conn.conn (a net.Conn interface: itab, data) → *net.TCPConn
 *    → *netFD → poll.FD.Sysfd. The field offsets, the address of the *net.TCPConn itab and the two
 *    functions' addresses are user space's per executable (go_tls_binaries, keyed by the inode of
 *    the process's executable), read from the binary's DWARF or known per Go version.
 *
 * Write's plaintext goes up at its entry when user space put that probe on the stack check's jbe
 * (write_at_entry): the bytes are in the buffer then, and a client's other goroutine may read the
 * answer (Go's HTTP clients read and write on separate goroutines) before Write returns, so sending
 * the request at the return could put it behind its own response. Write writes all of b or fails.
 *
 * At a RET the result n is in RAX, as an SSL_read/SSL_write result is: the call goes to tls_probes.h's
 * tls_emit with its fd already known, so the plaintext goes up exactly as OpenSSL's does (same
 * events, positions and ciphertext handling).
 *
 * Included by trace.bpf.c after tls_probes.h.
 */
#ifndef TRACE_TLS_GO_H
#define TRACE_TLS_GO_H

#define GO_TLS_CALLS_SIZE 65536
#define X86_EFLAGS_CF 0x0001
#define X86_EFLAGS_ZF 0x0040
#define GO_TLS_BINARIES_SIZE 1024

/* What user space learned about one Go executable (value of go_tls_binaries). */
struct go_tls_binary {
	__u64 tcp_conn_itab; /* address of the itab of *net.TCPConn as net.Conn; 0: not checked */
	__u64 write_address; /* link-time address of crypto/tls.(*Conn).Write (load bias = ip - it) */
	__u64 read_address;  /* same for Read */
	__u32 conn_offset;   /* tls.Conn.conn (net.Conn: itab, data) */
	__u32 tcp_conn_fd_offset; /* net.TCPConn → conn.fd (*netFD) */
	__u32 net_fd_pfd_offset;  /* netFD.pfd (poll.FD) */
	__u32 pfd_sysfd_offset;   /* poll.FD.Sysfd */
	__u32 write_at_entry;     /* 1: Write's entry probe is on its stack check's jbe, Write's plaintext goes up there */
	__u32 pad;
};

struct go_tls_call_key {
	__u32 tgid;
	__u32 pad;
	__u64 goroutine; /* g pointer */
};

struct go_tls_call {
	__u64 conn; /* *tls.Conn */
	__u64 buf;  /* the slice's data pointer */
	__s32 fd;
	__u8 direction;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GO_TLS_BINARIES_SIZE);
	__type(key, __u64); /* inode of the executable */
	__type(value, struct go_tls_binary);
} go_tls_binaries SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GO_TLS_CALLS_SIZE);
	__type(key, struct go_tls_call_key);
	__type(value, struct go_tls_call);
} go_tls_calls SEC(".maps");

#if defined(__TARGET_ARCH_x86)

/* The socket fd under a *tls.Conn, or -1 when the chain does not lead to a *net.TCPConn's fd. */
static __always_inline __s32 go_tls_conn_fd(const struct go_tls_binary *bin, __u64 conn, __u64 bias)
{
	__u64 iface[2] = {}; /* itab, data */
	__u64 net_fd = 0;
	__s64 sysfd = -1;

	if (bpf_probe_read_user(iface, sizeof(iface), (const void *)(conn + bin->conn_offset)))
		return -1;
	/* Another net.Conn (a wrapper, a pipe) has no netFD where a TCPConn has it: reading on would mis-tie. */
	if (bin->tcp_conn_itab && iface[0] != bin->tcp_conn_itab + bias)
		return -1;
	if (!iface[1] || bpf_probe_read_user(&net_fd, sizeof(net_fd), (const void *)(iface[1] + bin->tcp_conn_fd_offset)))
		return -1;
	if (!net_fd || bpf_probe_read_user(&sysfd, sizeof(sysfd),
					   (const void *)(net_fd + bin->net_fd_pfd_offset + bin->pfd_sysfd_offset)))
		return -1;
	if (sysfd < 0 || sysfd > 0x7fffffff)
		return -1;
	return (__s32)sysfd;
}

static __always_inline int go_tls_enter(struct pt_regs *ctx, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct task_struct *task = bpf_get_current_task_btf();
	struct go_tls_call_key key = { .tgid = tgid, .goroutine = ctx->r14 };
	struct go_tls_call call = {};
	struct go_tls_binary *bin;
	__u64 inode, function;

	if (!traced_config(tgid))
		return 0;
	inode = BPF_CORE_READ(task, mm, exe_file, f_inode, i_ino);
	bin = bpf_map_lookup_elem(&go_tls_binaries, &inode);
	if (!bin)
		return 0;
	/*
	 * On the stack check's jbe, CF or ZF set means the stack must grow first: the jump goes to
	 * morestack, which restarts the function, and this probe fires again with the same arguments.
	 */
	if (direction == TRACE_EGRESS && bin->write_at_entry && (ctx->flags & (X86_EFLAGS_CF | X86_EFLAGS_ZF)))
		return 0;
	function = direction == TRACE_EGRESS ? bin->write_address : bin->read_address;
	call.conn = ctx->ax;
	call.buf = ctx->bx;
	call.direction = direction;
	/* The probe's ip is the function's entry: the difference is the load bias (PIE). */
	call.fd = go_tls_conn_fd(bin, call.conn, ctx->ip - function);
	if (call.fd < 0)
		return 0;
	if (direction == TRACE_EGRESS && bin->write_at_entry) {
		struct tls_call out = { .ssl = call.conn, .buf = call.buf, .fd = call.fd, .direction = TRACE_EGRESS };

		return tls_emit(ctx, &out, ctx->cx);
	}
	bpf_map_update_elem(&go_tls_calls, &key, &call, BPF_ANY);
	return 0;
}

SEC("uprobe")
int go_tls_write_enter(struct pt_regs *ctx)
{
	return go_tls_enter(ctx, TRACE_EGRESS);
}

SEC("uprobe")
int go_tls_read_enter(struct pt_regs *ctx)
{
	return go_tls_enter(ctx, TRACE_INGRESS);
}

/* Attached to every RET of both functions: the goroutine's call ends here, maybe on another thread. */
SEC("uprobe")
int go_tls_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct go_tls_call_key key = { .tgid = pid_tgid >> 32, .goroutine = ctx->r14 };
	struct go_tls_call *stored = bpf_map_lookup_elem(&go_tls_calls, &key);
	struct tls_call call = {};
	int n = (int)PT_REGS_RC(ctx);

	if (!stored)
		return 0;
	call.ssl = stored->conn;
	call.buf = stored->buf;
	call.fd = stored->fd;
	call.direction = stored->direction;
	bpf_map_delete_elem(&go_tls_calls, &key);
	/* n is in RAX like an SSL_read/SSL_write result; the fd is already known. */
	if (n <= 0)
		return 0;
	return tls_emit(ctx, &call, (__u32)n);
}

#endif /* __TARGET_ARCH_x86 */

#endif
