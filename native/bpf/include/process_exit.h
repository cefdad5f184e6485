/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * Process exit. A process that exits (or is killed) has its sockets closed by the kernel in exit_files,
 * without a close() syscall, so the close tracepoints never see them. One event when the whole thread
 * group is gone tells user space to close every connection of that process.
 * Included from trace.bpf.c after the helpers it uses (traced_config, output_counted).
 */
#ifndef TRACE_PROCESS_EXIT_H
#define TRACE_PROCESS_EXIT_H

/*
 * Whether the thread group died with this thread. Kernels whose tracepoint lacks group_dead: the
 * group's live count already reached zero when the tracepoint fires for its last thread.
 */
static __always_inline bool process_group_dead(struct trace_event_raw_sched_process_exit *ctx,
					       struct task_struct *task)
{
	if (bpf_core_field_exists(ctx->group_dead))
		return BPF_CORE_READ(ctx, group_dead);
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit(struct trace_event_raw_sched_process_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct trace_config *cfg = traced_config(tgid);
	struct process_exit_event e;

	if (!cfg || !process_group_dead(ctx, task))
		return 0;
	__builtin_memset(&e, 0, sizeof(e));
	e.hdr.kind = TRACE_EVENT_PROCESS_EXIT;
	e.hdr.tid = (__u32)bpf_get_current_pid_tgid();
	e.hdr.timestamp_ns = bpf_ktime_get_ns();
	e.hdr.conn.tgid = tgid;
	e.hdr.conn.fd = -1;
	e.process_start_ns = BPF_CORE_READ(task, group_leader, start_time);
	output_counted(ctx, cfg->use_perf_buffer, &e, sizeof(e), 0);
	return 0;
}

#endif
