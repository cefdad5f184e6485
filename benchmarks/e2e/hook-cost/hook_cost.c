// SPDX-License-Identifier: MIT
/*
 * Nanoseconds per write()+read() on a Unix socket pair (the write hooked, the read only paying what
 * every other syscall pays) and per getppid() (an unhooked syscall), with no programs, with the
 * per-syscall tracepoints, or with the sys_exit dispatch.
 * usage: hook_cost none|tracepoints|sys_exit ITERATIONS
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "hooks.skel.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	struct hooks_bpf *skel;
	int tracepoints, dispatch, iterations, sv[2], i;
	char buf[64] = { 0 };
	double t0, t1, t2;

	if (argc != 3) {
		fprintf(stderr, "usage: %s none|tracepoints|sys_exit ITERATIONS\n", argv[0]);
		return 2;
	}
	tracepoints = !strcmp(argv[1], "tracepoints");
	dispatch = !strcmp(argv[1], "sys_exit");
	iterations = atoi(argv[2]);
	skel = hooks_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->target_tgid = getpid();
	bpf_program__set_autoload(skel->progs.tp_enter_write, tracepoints);
	bpf_program__set_autoload(skel->progs.tp_exit_write, tracepoints);
	bpf_program__set_autoload(skel->progs.sys_exit, dispatch);
	/* Always loaded (the table names it), never attached itself: sys_exit tail-calls it. */
	bpf_program__set_autoattach(skel->progs.tail_exit_write, false);
	if (hooks_bpf__load(skel) || ((tracepoints || dispatch) && hooks_bpf__attach(skel))) {
		fprintf(stderr, "%s: loading or attaching failed (root? tracefs mounted?)\n", argv[0]);
		return 1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	t0 = now_ns();
	for (i = 0; i < iterations; i++) {
		if (write(sv[0], buf, sizeof(buf)) != sizeof(buf) || read(sv[1], buf, sizeof(buf)) != sizeof(buf))
			return 1;
	}
	t1 = now_ns();
	for (i = 0; i < iterations; i++)
		getppid();
	t2 = now_ns();
	printf("%.0f %.0f %llu\n", (t1 - t0) / iterations, (t2 - t1) / iterations, (unsigned long long)skel->bss->hits);
	hooks_bpf__destroy(skel);
	return 0;
}
