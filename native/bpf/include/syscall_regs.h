/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * What the syscall-exit hook needs from a syscall's saved registers: the syscall's number and its
 * arguments, per architecture. At sys_exit the registers still hold what user space passed (the
 * kernel reads the arguments from them and writes only the return value back), so one exit program
 * sees everything the entry saw and no entry program is needed.
 */
#pragma once

#include "vmlinux.h"

#if defined(__TARGET_ARCH_x86)

#define SYSCALL_NR_READ 0
#define SYSCALL_NR_WRITE 1
#define SYSCALL_NR_CLOSE 3
#define SYSCALL_NR_READV 19
#define SYSCALL_NR_WRITEV 20
#define SYSCALL_NR_SENDFILE64 40
#define SYSCALL_NR_CONNECT 42
#define SYSCALL_NR_ACCEPT 43
#define SYSCALL_NR_SENDTO 44
#define SYSCALL_NR_RECVFROM 45
#define SYSCALL_NR_SENDMSG 46
#define SYSCALL_NR_RECVMSG 47
#define SYSCALL_NR_ACCEPT4 288
#define SYSCALL_NR_RECVMMSG 299
#define SYSCALL_NR_SENDMMSG 307

static __always_inline __u64 syscall_nr(const struct pt_regs *regs)
{
	return regs->orig_ax;
}

/* The n-th argument (0-based) in the x86-64 syscall convention: rdi, rsi, rdx, r10, r8. */
static __always_inline __u64 syscall_arg(const struct pt_regs *regs, int n)
{
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	default:
		return regs->r8;
	}
}

#define TS_COMPAT_FLAG 0x0002

/* A 32-bit syscall (int 0x80, ia32 emulation): its numbers and registers are another table's. */
static __always_inline bool syscall_is_compat(const struct pt_regs *regs)
{
	return (bpf_get_current_task_btf()->thread_info.status & TS_COMPAT_FLAG) != 0;
}

#elif defined(__TARGET_ARCH_arm64)

/* The generic syscall table (arm64 has no read/write numbers of its own). */
#define SYSCALL_NR_CLOSE 57
#define SYSCALL_NR_READ 63
#define SYSCALL_NR_WRITE 64
#define SYSCALL_NR_READV 65
#define SYSCALL_NR_WRITEV 66
#define SYSCALL_NR_SENDFILE64 71
#define SYSCALL_NR_ACCEPT 202
#define SYSCALL_NR_CONNECT 203
#define SYSCALL_NR_SENDTO 206
#define SYSCALL_NR_RECVFROM 207
#define SYSCALL_NR_SENDMSG 211
#define SYSCALL_NR_RECVMSG 212
#define SYSCALL_NR_ACCEPT4 242
#define SYSCALL_NR_RECVMMSG 243
#define SYSCALL_NR_SENDMMSG 269

static __always_inline __u64 syscall_nr(const struct pt_regs *regs)
{
	return (__u64)(__s64)regs->syscallno;
}

/* x0 holds the return value by now; the first argument is kept in orig_x0. */
static __always_inline __u64 syscall_arg(const struct pt_regs *regs, int n)
{
	return n == 0 ? regs->orig_x0 : regs->regs[n & 7];
}

#define PSR_MODE32 0x10

static __always_inline bool syscall_is_compat(const struct pt_regs *regs)
{
	return (regs->pstate & PSR_MODE32) != 0;
}

#else
#error "syscall_regs.h: no syscall register layout for this architecture"
#endif

/* Slots of the exit dispatch table: above every number listed here, below every other ABI's (x32). */
#define SYSCALL_SLOTS 512
