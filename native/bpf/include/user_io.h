/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * The user-space ABI of vector I/O (64-bit). Declared here rather than taken from vmlinux.h so the
 * compiler emits plain offsets: these layouts are fixed by the ABI, not by the running kernel.
 */
#ifndef TRACE_USER_IO_H
#define TRACE_USER_IO_H

/* Most iovecs one readv/writev/sendmsg/recvmsg accepts (UIO_MAXIOV); the kernel refuses more with EINVAL. */
#define USER_UIO_MAXIOV 1024

struct user_iovec_abi {
	__u64 base;
	__u64 len;
};

struct user_msghdr_abi {
	__u64 name;
	__s32 namelen;
	__u32 pad1;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad2;
};

struct user_mmsghdr_abi {
	struct user_msghdr_abi hdr;
	__u32 len; /* bytes this message carried (set by the kernel) */
	__u32 pad;
};

_Static_assert(sizeof(struct user_iovec_abi) == 16, "struct iovec is 16 bytes on 64-bit");
_Static_assert(sizeof(struct user_msghdr_abi) == 56, "struct user_msghdr is 56 bytes on 64-bit");
_Static_assert(sizeof(struct user_mmsghdr_abi) == 64, "struct mmsghdr is 64 bytes on 64-bit");

#endif
