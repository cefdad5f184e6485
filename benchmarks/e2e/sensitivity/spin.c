// SPDX-License-Identifier: MIT
/*
 * Loads spin.bpf.c for the given processes, prints "attached" on stderr, and on SIGINT or SIGTERM
 * prints "RUNS SPENT_NS" (data syscalls that spun, nanoseconds spent in the program) and exits.
 * usage: spin SPIN_NS PID...
 */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "spin.skel.h"

static volatile sig_atomic_t stopping;

static void stop(int signal)
{
	(void)signal;
	stopping = 1;
}

int main(int argc, char **argv)
{
	struct spin_bpf *skel;
	__u8 present = 1;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s SPIN_NS PID...\n", argv[0]);
		return 2;
	}
	skel = spin_bpf__open();
	if (!skel)
		return 1;
	skel->rodata->spin_ns = strtoull(argv[1], NULL, 10);
	if (spin_bpf__load(skel)) {
		fprintf(stderr, "%s: loading failed (needs root)\n", argv[0]);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		__u32 tgid = (__u32)atoi(argv[i]);

		if (bpf_map__update_elem(skel->maps.targets, &tgid, sizeof(tgid), &present, sizeof(present), BPF_ANY))
			return 1;
	}
	if (spin_bpf__attach(skel)) {
		fprintf(stderr, "%s: attaching failed (tracefs mounted?)\n", argv[0]);
		return 1;
	}
	signal(SIGINT, stop);
	signal(SIGTERM, stop);
	fprintf(stderr, "attached\n");
	while (!stopping)
		sleep(1);
	printf("%llu %llu\n", (unsigned long long)skel->bss->runs, (unsigned long long)skel->bss->spent_ns);
	spin_bpf__destroy(skel);
	return 0;
}
