/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * From a file descriptor of the current process to its socket and endpoints, with CO-RE reads so
 * the object runs on kernels other than the one it was built on. Works for sockets opened before
 * the tracer started, because nothing here depends on having seen connect() or accept().
 */
#ifndef TRACE_SOCK_INFO_H
#define TRACE_SOCK_INFO_H

#include "trace_events.h"

/* These come from uapi headers that cannot be mixed with vmlinux.h. */
#define TRACE_S_IFMT 00170000
#define TRACE_S_IFSOCK 0140000
#define TRACE_AF_INET 2
#define TRACE_AF_INET6 10
#define TRACE_SOCK_STREAM 1
#define TRACE_IPPROTO_TCP 6

struct endpoints {
	__u16 family;
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u8 local_addr[16];
	__u8 remote_addr[16];
};

/*
 * The struct sock behind fd when fd is an AF_INET/AF_INET6 TCP socket of the current process,
 * else NULL (files, pipes, unix sockets, UDP: not traced for now).
 */
static __always_inline struct sock *tcp_sock_of_fd(__s32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *socket;
	struct sock *sk;
	__u16 family;

	if (fd < 0 || !fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & TRACE_S_IFMT) != TRACE_S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	if (!socket || BPF_CORE_READ(socket, type) != TRACE_SOCK_STREAM)
		return NULL;
	sk = BPF_CORE_READ(socket, sk);
	if (!sk)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != TRACE_AF_INET && family != TRACE_AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_protocol) != TRACE_IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline void read_endpoints(struct sock *sk, struct endpoints *out)
{
	out->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	out->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	out->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (out->family == TRACE_AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)out->local_addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)out->remote_addr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)out->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)out->remote_addr, sk, __sk_common.skc_v6_daddr);
	}
}

#endif
