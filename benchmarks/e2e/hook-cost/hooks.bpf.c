// SPDX-License-Identifier: MIT OR GPL-2.0
/*
 * The hooks alone, with programs that do nothing but count the calls of one process: what a syscall
 * pays for the way the tracer attaches, before any of its own work.
 *   tp_*:      the per-syscall tracepoints syscalls:sys_enter_write and sys_exit_write
 *   sys_exit:  the BTF raw tracepoint sys_exit with a tail call by syscall number, as the tracer does
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

volatile const __u32 target_tgid = 0;
__u64 hits = 0;

static __always_inline void count_hit(void)
{
	if ((bpf_get_current_pid_tgid() >> 32) == target_tgid)
		__sync_fetch_and_add(&hits, 1);
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_enter_write(void *ctx)
{
	count_hit();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_write")
int tp_exit_write(void *ctx)
{
	count_hit();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tail_exit_write, struct pt_regs *regs, long ret)
{
	count_hit();
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	/* A size, not a BTF type: the kernel takes no BTF for a program array's key. */
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} handlers SEC(".maps") = {
	.values = { [1] = (void *)&tail_exit_write },
};

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 nr = regs->orig_ax;

	if (nr >= 512)
		return 0;
	bpf_tail_call(ctx, &handlers, (__u32)nr);
	return 0;
}
