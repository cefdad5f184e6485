// SPDX-License-Identifier: MIT
/*
 * Wall-clock nanoseconds per write() and per read() on a connected loopback TCP socket pair, in one
 * thread: the client writes a message, the server reads it, the server writes a message of the same
 * size back, the client reads it. No call ever blocks (the data is always there), so the time of a
 * call is the kernel's work plus whatever the tracepoint programs attached to it add.
 *
 * usage: socket_pingpong SIZE ITERATIONS opaque|http
 *   opaque: bytes no protocol guess accepts (the programs run, nothing is sent to user space)
 *   http:   an HTTP/1.1 request and a 200 response of exactly SIZE bytes (sent up and parsed into records)
 * prints: "<median ns per write> <median ns per read> <CPU ns per round trip> <round trips>"
 * Medians, not means: on a busy machine a preempted call takes milliseconds and would swamp a mean;
 * the CPU time per round trip (two writes, two reads) is the preemption-proof cross-check.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* An HTTP/1.1 request of exactly size bytes: a padding field fills the rest. */
static void fill_request(char *buf, size_t size)
{
	const char *head = "GET /ping HTTP/1.1\r\nHost: bench\r\nX-Pad: ";
	size_t head_len = strlen(head);

	memset(buf, 'a', size);
	memcpy(buf, head, head_len);
	memcpy(buf + size - 4, "\r\n\r\n", 4);
}

/* A 200 response of exactly size bytes: the body fills what the head leaves. */
static void fill_response(char *buf, size_t size)
{
	char head[96];
	int head_len = 0;
	size_t body = size;

	/* The body length's digit count changes the head's length; two passes settle it. */
	for (int pass = 0; pass < 3; pass++) {
		head_len = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
		body = size - (size_t)head_len;
	}
	memset(buf, 'b', size);
	memcpy(buf, head, (size_t)head_len);
}

struct samples {
	long long *ns;
	long long count;
};

static void timed_write(int fd, const char *buf, size_t size, struct samples *writes)
{
	long long start = now_ns(CLOCK_MONOTONIC);

	if (write(fd, buf, size) != (ssize_t)size)
		die("write");
	writes->ns[writes->count++] = now_ns(CLOCK_MONOTONIC) - start;
}

/* Reads exactly size bytes; a short read leaves more samples than round trips (room for 4 per read). */
static void timed_read(int fd, char *buf, size_t size, struct samples *reads, long long capacity)
{
	size_t done = 0;

	while (done < size) {
		long long start = now_ns(CLOCK_MONOTONIC);
		ssize_t n = read(fd, buf + done, size - done);
		long long elapsed = now_ns(CLOCK_MONOTONIC) - start;

		if (n <= 0)
			die("read");
		if (reads->count < capacity)
			reads->ns[reads->count++] = elapsed;
		done += (size_t)n;
	}
}

static int compare(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long median(struct samples *s)
{
	qsort(s->ns, (size_t)s->count, sizeof(long long), compare);
	return s->ns[s->count / 2];
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SIZE ITERATIONS opaque|http\n", argv[0]);
		return 2;
	}
	size_t size = strtoul(argv[1], NULL, 10);
	long long iterations = strtoll(argv[2], NULL, 10);
	int http = strcmp(argv[3], "http") == 0;
	if (size < 64 || size > 1 << 20 || iterations <= 0) {
		fprintf(stderr, "SIZE must be 64 to 1048576 and ITERATIONS positive\n");
		return 2;
	}

	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t addr_len = sizeof(addr);
	int one = 1;
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 1) ||
	    getsockname(listener, (struct sockaddr *)&addr, &addr_len))
		die("listen");
	int client = socket(AF_INET, SOCK_STREAM, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect");
	int server = accept(listener, NULL, NULL);
	if (server < 0)
		die("accept");
	setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	char *request = malloc(size), *response = malloc(size), *buf = malloc(size);
	if (!request || !response || !buf)
		die("malloc");
	if (http) {
		fill_request(request, size);
		fill_response(response, size);
	} else {
		memset(request, 0xA5, size);
		memset(response, 0x5A, size);
	}

	long long read_capacity = 8 * iterations;
	struct samples writes = { malloc(2 * iterations * sizeof(long long)), 0 };
	struct samples reads = { malloc(read_capacity * sizeof(long long)), 0 };
	if (!writes.ns || !reads.ns)
		die("malloc");
	long long cpu_start = now_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (long long i = 0; i < iterations; i++) {
		timed_write(client, request, size, &writes);
		timed_read(server, buf, size, &reads, read_capacity);
		timed_write(server, response, size, &writes);
		timed_read(client, buf, size, &reads, read_capacity);
	}
	long long cpu = now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;

	printf("%lld %lld %.0f %lld\n", median(&writes), median(&reads), (double)cpu / iterations, iterations);
	close(client);
	close(server);
	close(listener);
	return 0;
}
