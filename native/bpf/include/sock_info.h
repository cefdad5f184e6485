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
#define TRACE_SOCK_DGRAM 2
#define TRACE_IPPROTO_UDP 17

struct endpoints {
	__u16 family;
	__u16 local_port;  /* host byte order */
	__u16 remote_port; /* host byte order */
	__u8 local_addr[16];
	__u8 remote_addr[16];
};

/*
 * The struct sock behind fd when fd is an AF_INET/AF_INET6 TCP or UDP socket of the current process,
 * else NULL (files, pipes, unix sockets, raw sockets). *transport is set to its enum trace_transport.
 */
static __always_inline struct sock *inet_sock_of_fd(__s32 fd, __u8 *transport)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *socket;
	struct sock *sk;
	__u16 family, protocol;
	short type;

	if (fd < 0 || !fdt || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & TRACE_S_IFMT) != TRACE_S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	if (!socket)
		return NULL;
	type = BPF_CORE_READ(socket, type);
	if (type != TRACE_SOCK_STREAM && type != TRACE_SOCK_DGRAM)
		return NULL;
	sk = BPF_CORE_READ(socket, sk);
	if (!sk)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != TRACE_AF_INET && family != TRACE_AF_INET6)
		return NULL;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if (type == TRACE_SOCK_STREAM && protocol == TRACE_IPPROTO_TCP)
		*transport = TRACE_TRANSPORT_TCP;
	else if (type == TRACE_SOCK_DGRAM && protocol == TRACE_IPPROTO_UDP)
		*transport = TRACE_TRANSPORT_UDP;
	else
		return NULL;
	return sk;
}

/* The struct sock behind fd when fd is an AF_INET/AF_INET6 TCP socket of the current process, else NULL. */
static __always_inline struct sock *tcp_sock_of_fd(__s32 fd)
{
	__u8 transport = 0;
	struct sock *sk = inet_sock_of_fd(fd, &transport);

	return transport == TRACE_TRANSPORT_TCP ? sk : NULL;
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

/* The user-space ABI of struct sockaddr_in / sockaddr_in6 (fixed by the ABI, not the kernel). */
struct user_sockaddr_abi {
	__u16 family;
	__u16 port; /* network byte order */
	__u32 v4_addr_or_v6_flowinfo;
	__u8 v6_addr[16];
};

/*
 * The peer of one datagram: the user's sockaddr at name when it holds an IPv4/IPv6 address, else
 * the socket's connected peer (an unconnected socket without a name leaves family 0).
 */
static __always_inline void read_datagram_peer(struct sock *sk, __u64 name, __u16 *family, __u16 *port,
					       __u8 addr[16])
{
	struct user_sockaddr_abi sa = {};

	if (name && !bpf_probe_read_user(&sa, sizeof(sa), (const void *)name)) {
		if (sa.family == TRACE_AF_INET) {
			*family = TRACE_AF_INET;
			*port = bpf_ntohs(sa.port);
			__builtin_memcpy(addr, &sa.v4_addr_or_v6_flowinfo, 4);
			return;
		}
		if (sa.family == TRACE_AF_INET6) {
			*family = TRACE_AF_INET6;
			*port = bpf_ntohs(sa.port);
			__builtin_memcpy(addr, sa.v6_addr, 16);
			return;
		}
	}
	*port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (*port == 0)
		return;
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (*family == TRACE_AF_INET)
		BPF_CORE_READ_INTO((__u32 *)addr, sk, __sk_common.skc_daddr);
	else
		BPF_CORE_READ_INTO((struct in6_addr *)addr, sk, __sk_common.skc_v6_daddr);
}

#endif
