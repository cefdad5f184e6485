/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * From a file descriptor of the current process to its socket and endpoints, with CO-RE reads so
 * the object runs on kernels other than the one it was built on. Works for sockets opened before
 * the tracer started, because nothing here depends on having seen connect() or accept().
 */
#ifndef TRACE_SOCK_INFO_H
#define TRACE_SOCK_INFO_H

#include "trace_events.h"

/* A no-op at run time: lets the verifier type a kernel address kept as a number (Linux 6.2+). */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

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
	struct fdtable *fdt = task->files->fdt;
	struct file *file_addr = NULL;
	struct sock *sk = NULL;
	struct socket *socket;
	struct file *file;
	struct sock *s;
	__u16 family, protocol;
	short type;

	/*
	 * Typed loads through BTF pointers (faults read as zero) instead of a bpf_probe_read_kernel call
	 * per field: this runs at the entry of every read and write of a traced process. Only the two
	 * loads the verifier cannot type (an array element at a variable index, a pointer kept as a
	 * number) use the helper; bpf_rdonly_cast costs nothing at run time.
	 */
	if (fd < 0 || !fdt || (__u32)fd >= fdt->max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&file_addr, sizeof(file_addr), &fdt->fd[fd]) || !file_addr)
		return NULL;
	file = bpf_rdonly_cast(file_addr, bpf_core_type_id_kernel(struct file));
	if ((file->f_inode->i_mode & TRACE_S_IFMT) != TRACE_S_IFSOCK)
		return NULL;
	socket = bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
	if (!socket)
		return NULL;
	type = socket->type;
	if (type != TRACE_SOCK_STREAM && type != TRACE_SOCK_DGRAM)
		return NULL;
	if (bpf_probe_read_kernel(&sk, sizeof(sk), &socket->sk) || !sk)
		return NULL;
	s = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
	family = s->__sk_common.skc_family;
	if (family != TRACE_AF_INET && family != TRACE_AF_INET6)
		return NULL;
	protocol = s->sk_protocol;
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
