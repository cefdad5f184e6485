// SPDX-License-Identifier: MIT
/*
 * Opens COUNT keep-alive TCP connections to 127.0.0.1:PORT, sends one HTTP/1.1 request on each and
 * reads its response, prints "ready COUNT" and then holds every connection open, idle, until it gets
 * SIGTERM or SIGINT. Used to measure what tracked idle connections cost the tracer.
 *
 * usage: idle_connections PORT COUNT
 * Needs COUNT + a few file descriptors (ulimit -n).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

/* Reads until the end of the response head and its small body (Content-Length is short here). */
static int read_response(int fd)
{
	char buf[4096];
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		char *length = strstr(buf, "Content-Length: ");
		size_t body = length ? strtoul(length + 16, NULL, 10) : 0;
		if (have >= (size_t)(end + 4 - buf) + body)
			return 0;
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT COUNT\n", argv[0]);
		return 2;
	}
	int port = atoi(argv[1]);
	int count = atoi(argv[2]);
	const char *request = "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n";
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int *fds = calloc((size_t)count, sizeof(int));

	if (!fds)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (int i = 0; i < count; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&addr, sizeof(addr))) {
			fprintf(stderr, "connection %d: ", i);
			perror("connect");
			return 1;
		}
		if (write(fds[i], request, strlen(request)) != (ssize_t)strlen(request) || read_response(fds[i])) {
			fprintf(stderr, "connection %d: no response\n", i);
			return 1;
		}
	}
	printf("ready %d\n", count);
	fflush(stdout);
	while (!stop)
		pause();
	for (int i = 0; i < count; i++)
		close(fds[i]);
	return 0;
}
