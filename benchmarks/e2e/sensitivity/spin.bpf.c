// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * A stand-in for a tracer's per-event work: on the exit of every data syscall (read/write family, the
 * ones the tracer handles) of the given processes that moved bytes, spin for spin_ns nanoseconds of
 * kernel time, and nothing else. Hooked the way the tracer hooks (the BTF raw tracepoint sys_exit),
 * so spin_ns = 0 is the bare attachment and larger values show what each added nanosecond of
 * in-syscall time costs the traced server's throughput.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

volatile const __u64 spin_ns = 0;

/* Totals over all CPUs: data syscalls that spun, and the nanoseconds they spent here. */
__u64 runs = 0;
__u64 spent_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

static long spin_until(__u32 index, void *deadline)
{
	return bpf_ktime_get_ns() >= *(__u64 *)deadline;
}

static __always_inline bool data_syscall(__u64 nr)
{
	/* The data syscalls the tracer handles (its syscall_exits table in trace.bpf.c). */
	switch (nr) {
	case SYSCALL_NR_READ:
	case SYSCALL_NR_WRITE:
	case SYSCALL_NR_READV:
	case SYSCALL_NR_WRITEV:
	case SYSCALL_NR_SENDFILE64:
	case SYSCALL_NR_SENDTO:
	case SYSCALL_NR_RECVFROM:
	case SYSCALL_NR_SENDMSG:
	case SYSCALL_NR_RECVMSG:
	case SYSCALL_NR_RECVMMSG:
	case SYSCALL_NR_SENDMMSG:
		return true;
	default:
		return false;
	}
}

SEC("tp_btf/sys_exit")
int BPF_PROG(spin_exit, struct pt_regs *regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 start, deadline;

	if (ret <= 0 || !data_syscall(syscall_nr(regs)) || !bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	start = bpf_ktime_get_ns();
	deadline = start + spin_ns;
	if (spin_ns)
		bpf_loop(1 << 20, spin_until, &deadline, 0);
	__sync_fetch_and_add(&runs, 1);
	__sync_fetch_and_add(&spent_ns, bpf_ktime_get_ns() - start);
	return 0;
}
