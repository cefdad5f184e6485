// SPDX-License-Identifier: MIT
/*
 * Cost of the TLS uprobes per SSL_write: a client thread writes COUNT small HTTP requests with
 * SSL_write over a TLS 1.3 loopback connection to a server thread that reads them with SSL_read, and
 * prints the writing thread's CPU time per SSL_write in nanoseconds (user + kernel, which includes the
 * probes' handling and the syscall; unlike wall time it is not inflated by waiting for a busy CPU). Run it with and without a tracer attached
 * (run-ssl-write-bench.sh) and compare.
 *
 * usage: ssl_write_loop PORT CERT KEY COUNT [http|opaque]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The same length: the first is guessed as HTTP (its plaintext is sent up), the second is not. */
static const char http_request[] = "GET /bench HTTP/1.1\r\nHost: bench\r\nUser-Agent: ssl-write-loop\r\n\r\n";
static const char opaque_bytes[] = "\x01\x02opaque bytes that no protocol guess accepts...............\r\n";

struct server_args {
	int listener;
	SSL_CTX *ctx;
};

static void die(const char *what)
{
	fprintf(stderr, "%s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void *serve(void *p)
{
	struct server_args *args = p;
	char buf[16384];
	int fd = accept(args->listener, NULL, NULL);
	SSL *ssl;

	if (fd < 0)
		die("accept");
	ssl = SSL_new(args->ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		die("SSL_accept");
	while (SSL_read(ssl, buf, sizeof(buf)) > 0)
		;
	SSL_free(ssl);
	close(fd);
	return NULL;
}

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct server_args server = {};
	SSL_CTX *client_ctx;
	pthread_t thread;
	long count;
	int one = 1, fd;
	double start;
	SSL *ssl;

	const char *request = http_request;
	int request_len = sizeof(http_request) - 1;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s PORT CERT KEY COUNT [http|opaque]\n", argv[0]);
		return 2;
	}
	if (argc == 6 && !strcmp(argv[5], "opaque")) {
		request = opaque_bytes;
		request_len = sizeof(opaque_bytes) - 1;
	}
	addr.sin_port = htons(atoi(argv[1]));
	count = atol(argv[4]);

	server.ctx = SSL_CTX_new(TLS_server_method());
	if (!server.ctx || SSL_CTX_use_certificate_file(server.ctx, argv[2], SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(server.ctx, argv[3], SSL_FILETYPE_PEM) != 1)
		die("server context");
	server.listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(server.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(server.listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(server.listener, 1))
		die("bind/listen");
	pthread_create(&thread, NULL, serve, &server);

	client_ctx = SSL_CTX_new(TLS_client_method());
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect");
	ssl = SSL_new(client_ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		die("SSL_connect");

	start = thread_cpu_ns();
	for (long i = 0; i < count; i++)
		if (SSL_write(ssl, request, request_len) != request_len)
			die("SSL_write");
	printf("%.0f\n", (thread_cpu_ns() - start) / count);

	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	pthread_join(thread, NULL);
	return 0;
}
