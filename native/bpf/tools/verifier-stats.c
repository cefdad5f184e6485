// SPDX-License-Identifier: MIT
/*
 * verifier-stats: loads build/trace.bpf.o (nothing is attached) and prints, per program, the
 * instructions the verifier processed (its complexity limit is 1,000,000 per program), the
 * verification time the kernel reports, and how long the whole load took.
 *
 *   build/verifier-stats [object]      (default: trace.bpf.o beside the executable, i.e. build/)
 *
 * A program the verifier rejects is reported with the end of its log (the reason), and the exit
 * status is 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (16u << 20)
/* BPF_LOG_STATS: the kernel's summary lines only, not the instruction trace. */
#define LOG_LEVEL_STATS 4
#define VERIFIER_LIMIT 1000000L

struct program_log {
	struct bpf_program *prog;
	char *buf;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The number after key in the log (e.g. "processed " → insns), or -1 when the log lacks it. */
static long log_number(const char *log, const char *key)
{
	const char *at = strstr(log, key);

	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* The last lines of a log: where the verifier says why it refused the program. */
static void print_log_tail(const char *log)
{
	size_t len = strlen(log);
	const char *start = len > 3000 ? log + len - 3000 : log;

	fprintf(stderr, "%s\n", start);
}

/* trace.bpf.o in the directory of this executable (make builds both into build/). */
static const char *default_object(char *buf, size_t size)
{
	ssize_t len = readlink("/proc/self/exe", buf, size - sizeof("trace.bpf.o"));
	char *slash;

	if (len <= 0)
		return "build/trace.bpf.o";
	buf[len] = 0;
	slash = strrchr(buf, '/');
	strcpy(slash ? slash + 1 : buf, "trace.bpf.o");
	return buf;
}

int main(int argc, char **argv)
{
	char exe_dir_object[4096];
	const char *path = argc > 1 ? argv[1] : default_object(exe_dir_object, sizeof(exe_dir_object));
	struct program_log *logs = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	size_t count = 0, i;
	long total_insns = 0, total_usec = 0;
	double started, load_seconds;
	int err, failed = 0;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "verifier-stats: cannot open %s: %s (build it with make -C native/bpf)\n", path,
			strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		count++;
	logs = calloc(count, sizeof(*logs));
	if (!logs)
		return 1;
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		logs[i].prog = prog;
		logs[i].buf = calloc(1, LOG_SIZE);
		if (!logs[i].buf)
			return 1;
		bpf_program__set_log_buf(prog, logs[i].buf, LOG_SIZE);
		bpf_program__set_log_level(prog, LOG_LEVEL_STATS);
		i++;
	}

	started = now_seconds();
	err = bpf_object__load(obj);
	load_seconds = now_seconds() - started;

	printf("%-24s %10s %8s %12s\n", "program", "insns", "limit%", "verify_ms");
	for (i = 0; i < count; i++) {
		const char *log = logs[i].buf;
		long insns = log_number(log, "processed ");
		long usec = log_number(log, "verification time ");

		if (insns < 0) {
			if (log[0]) {
				fprintf(stderr, "verifier-stats: %s was refused:\n", bpf_program__name(logs[i].prog));
				print_log_tail(log);
				failed = 1;
			}
			continue;
		}
		printf("%-24s %10ld %7.1f%% %12.1f\n", bpf_program__name(logs[i].prog), insns,
		       100.0 * insns / VERIFIER_LIMIT, usec / 1000.0);
		total_insns += insns;
		total_usec += usec > 0 ? usec : 0;
	}
	printf("%-24s %10ld %8s %12.1f\n", "total", total_insns, "", total_usec / 1000.0);
	printf("load took %.2f s (%s)\n", load_seconds, err ? "failed" : "ok");
	bpf_object__close(obj);
	for (i = 0; i < count; i++)
		free(logs[i].buf);
	free(logs);
	return err || failed ? 1 : 0;
}
