/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * Cheap protocol guesses from the first bytes of a syscall's payload. They only decide whether a
 * connection's bytes are worth sending up; user space confirms, so false positives are fine and
 * false negatives only cost the bytes before the first recognisable message.
 *
 * One function per protocol, each given the same head bytes; infer_protocol() asks them in turn.
 *
 * infer_protocol() is a BPF global function on purpose (not static, never inlined): the verifier
 * checks it once per program, on its own with the head's bytes unknown, and a call costs it no more
 * than checking that head points to sizeof(*head) readable bytes. Inlined, the guesses' many branches
 * were walked again on every path that reached them: over 95% of the verifier's work and of the
 * object's load time, and the largest programs came within reach of its 1,000,000-instruction limit.
 * The guesses themselves stay inlined into it (a call each would cost every unguessed syscall more
 * than the guesses do), each behind GUESS's barrier so that the verifier's paths through one guess
 * meet again before the next: a new guess is one more GUESS line.
 */
#ifndef TRACE_PROTOCOL_INFER_H
#define TRACE_PROTOCOL_INFER_H

#include "trace_events.h"

/* Bytes of a payload's start that the guesses may look at. */
#define INFER_HEAD_LEN 16

struct payload_head {
	__u8 bytes[INFER_HEAD_LEN];
	__u32 len; /* valid bytes in bytes[] (the rest are zero) */
};

static __always_inline bool head_starts_with(const struct payload_head *head, const char *prefix, __u32 prefix_len)
{
	if (head->len < prefix_len)
		return false;
	for (__u32 i = 0; i < prefix_len && i < INFER_HEAD_LEN; i++)
		if (head->bytes[i] != (__u8)prefix[i])
			return false;
	return true;
}

#define HEAD_IS(head, literal) head_starts_with((head), (literal), sizeof(literal) - 1)

/* HTTP/1.x: a request line with a known method, or a status line. */
static __always_inline bool infer_http(const struct payload_head *head)
{
	switch (head->bytes[0]) {
	case 'G':
		return HEAD_IS(head, "GET ");
	case 'P':
		return HEAD_IS(head, "POST ") || HEAD_IS(head, "PUT ") || HEAD_IS(head, "PATCH ");
	case 'D':
		return HEAD_IS(head, "DELETE ");
	case 'H':
		return HEAD_IS(head, "HEAD ") || HEAD_IS(head, "HTTP/1.");
	case 'O':
		return HEAD_IS(head, "OPTIONS ");
	case 'C':
		return HEAD_IS(head, "CONNECT ");
	case 'T':
		return HEAD_IS(head, "TRACE ");
	default:
		return false;
	}
}

/*
 * MySQL/MariaDB: a packet with sequence id 0 that is either the server greeting (protocol version 10
 * followed by a version string starting with a digit) or a command with a length that fits it
 * (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html).
 */
static __always_inline bool infer_mysql(const struct payload_head *head)
{
	__u32 len;
	__u8 cmd;

	if (head->len < 5 || head->bytes[3] != 0)
		return false;
	len = head->bytes[0] | ((__u32)head->bytes[1] << 8) | ((__u32)head->bytes[2] << 16);
	cmd = head->bytes[4];
	if (cmd == 10 && len >= 30 && len < 1024 && head->len >= 6 && head->bytes[5] >= '0' && head->bytes[5] <= '9')
		return true;
	switch (cmd) {
	case 0x01: /* COM_QUIT */
	case 0x0e: /* COM_PING */
		return len == 1;
	case 0x19: /* COM_STMT_CLOSE */
	case 0x1a: /* COM_STMT_RESET */
		return len == 5;
	case 0x17: /* COM_STMT_EXECUTE */
		return len >= 10;
	case 0x02: /* COM_INIT_DB */
	case 0x03: /* COM_QUERY */
	case 0x16: /* COM_STMT_PREPARE */
		/* The statement's first byte: a letter, a space, a parenthesis or a comment. */
		return len >= 2 && head->len >= 6 &&
		       (((head->bytes[5] | 0x20) >= 'a' && (head->bytes[5] | 0x20) <= 'z') ||
			head->bytes[5] == ' ' || head->bytes[5] == '\n' || head->bytes[5] == '(' || head->bytes[5] == '/');
	default:
		return false;
	}
}

/*
 * Redis RESP2/RESP3 (https://redis.io/docs/latest/develop/reference/protocol-spec/): a value's type
 * byte and a header line that fits it. A client's command is an array, "*N\r\n$"; replies start with
 * any type byte. Inline commands are not guessed (memcached and NATS look alike).
 */
static __always_inline bool resp_number_line(const struct payload_head *head)
{
	__u32 digits = 0;

	for (__u32 i = 1; i < INFER_HEAD_LEN - 1; i++) {
		__u8 c = head->bytes[i];

		if (c >= '0' && c <= '9') {
			digits++;
			continue;
		}
		if (c == '-' && i == 1)
			continue;
		return digits > 0 && c == '\r' && head->bytes[i + 1] == '\n';
	}
	return false;
}

static __always_inline bool infer_redis(const struct payload_head *head)
{
	__u8 next = head->bytes[1];

	switch (head->bytes[0]) {
	case '*':
	case '$':
	case ':':
	case '%':
	case '~':
	case '>':
	case '|':
	case '!':
	case '=':
	case '(':
		return resp_number_line(head);
	case '+':
	case '-':
		return next >= 'A' && next <= 'Z';
	case '_':
		return next == '\r' && head->bytes[2] == '\n';
	case '#':
		return (next == 't' || next == 'f') && head->bytes[2] == '\r';
	default:
		return false;
	}
}

/*
 * PostgreSQL v3 (https://www.postgresql.org/docs/current/protocol-message-formats.html): an untyped
 * StartupMessage (int32 length, int32 196608), SSLRequest or GSSENCRequest (length 8, code 80877103 or
 * 80877104); or, for connections joined mid-stream, a typed frontend message ('Q', 'P', 'B' and an
 * int32 length under 16 MiB) or a ReadyForQuery ('Z', length 5, status I/T/E).
 */
static __always_inline __u32 head_be32(const struct payload_head *head, __u32 at)
{
	if (at + 4 > INFER_HEAD_LEN)
		return 0;
	return ((__u32)head->bytes[at] << 24) | ((__u32)head->bytes[at + 1] << 16) |
	       ((__u32)head->bytes[at + 2] << 8) | (__u32)head->bytes[at + 3];
}

static __always_inline bool infer_postgres(const struct payload_head *head)
{
	__u32 len;

	if (head->len >= 8 && head->bytes[0] == 0) {
		len = head_be32(head, 0);
		switch (head_be32(head, 4)) {
		case 196608:
			return len > 8 && len <= 10000;
		case 80877103:
		case 80877104:
			return len == 8;
		default:
			return false;
		}
	}
	if (head->len < 6)
		return false;
	len = head_be32(head, 1);
	switch (head->bytes[0]) {
	case 'Q':
		/* The query text starts right after the length. */
		return len >= 5 && len < (1U << 24) && head->bytes[5] >= 0x09;
	case 'P':
	case 'B':
		return len >= 8 && len < (1U << 24);
	case 'Z':
		return len == 5 && (head->bytes[5] == 'I' || head->bytes[5] == 'T' || head->bytes[5] == 'E');
	default:
		return false;
	}
}

/*
 * HTTP/2 (RFC 9113): the client connection preface, or, for connections joined mid-stream, a frame
 * header that obeys the rules a receiver enforces — a known type with only its defined flags, the
 * reserved bit clear, stream id zero or not as the type demands, and the fixed payload sizes
 * (https://www.rfc-editor.org/rfc/rfc9113#section-4.1).
 */
static __always_inline bool infer_http2(const struct payload_head *head)
{
	__u32 len, stream;
	__u8 flags;

	if (HEAD_IS(head, "PRI * HTTP/2.0\r\n"))
		return true;
	if (head->len < 9 || (head->bytes[5] & 0x80))
		return false;
	len = ((__u32)head->bytes[0] << 16) | ((__u32)head->bytes[1] << 8) | (__u32)head->bytes[2];
	flags = head->bytes[4];
	stream = head_be32(head, 5) & 0x7fffffff;
	if (len >= (1U << 24))
		return false;
	switch (head->bytes[3]) {
	case 0x0: /* DATA: END_STREAM, PADDED */
		return stream != 0 && (flags & ~0x09) == 0;
	case 0x1: /* HEADERS: END_STREAM, END_HEADERS, PADDED, PRIORITY */
		return stream != 0 && (flags & ~0x2d) == 0;
	case 0x2: /* PRIORITY */
		return stream != 0 && flags == 0 && len == 5;
	case 0x3: /* RST_STREAM */
		return stream != 0 && flags == 0 && len == 4;
	case 0x4: /* SETTINGS: ACK */
		return stream == 0 && (flags & ~0x01) == 0 && len % 6 == 0 && (flags == 0 || len == 0);
	case 0x5: /* PUSH_PROMISE: END_HEADERS, PADDED */
		return stream != 0 && (flags & ~0x0c) == 0 && len >= 4;
	case 0x6: /* PING: ACK */
		return stream == 0 && (flags & ~0x01) == 0 && len == 8;
	case 0x7: /* GOAWAY */
		return stream == 0 && flags == 0 && len >= 8;
	case 0x8: /* WINDOW_UPDATE */
		return flags == 0 && len == 4;
	case 0x9: /* CONTINUATION: END_HEADERS */
		return stream != 0 && (flags & ~0x04) == 0;
	default:
		return false;
	}
}

/*
 * NATS (https://docs.nats.io/reference/reference-protocols/nats-protocol): the server's INFO that opens
 * every connection, the client's CONNECT, or, for connections joined mid-stream, an operation name and
 * its separator. "+OK" and "-ERR" are left to the RESP guess they look like; "CONNECT {" to HTTP's
 * (user space asks every parser when the guessed one declines).
 */
static __always_inline bool infer_nats(const struct payload_head *head)
{
	switch (head->bytes[0]) {
	case 'I':
		return HEAD_IS(head, "INFO {");
	case 'C':
		return HEAD_IS(head, "CONNECT {");
	case 'P':
		return HEAD_IS(head, "PUB ") || HEAD_IS(head, "PING\r\n") || HEAD_IS(head, "PONG\r\n");
	case 'H':
		return HEAD_IS(head, "HPUB ") || HEAD_IS(head, "HMSG ");
	case 'S':
		return HEAD_IS(head, "SUB ");
	case 'U':
		return HEAD_IS(head, "UNSUB ");
	case 'M':
		return HEAD_IS(head, "MSG ");
	default:
		return false;
	}
}

/*
 * Memcached (https://github.com/memcached/memcached/blob/master/doc/protocol.txt, protocol-binary.txt):
 * a text or meta command word, a reply line; or a binary header — magic 0x80 (request) or 0x81
 * (response), an opcode in the defined range, data type 0, and extras plus key within the body length.
 */
static __always_inline bool infer_memcached(const struct payload_head *head)
{
	__u8 second = head->bytes[1];
	__u8 third = head->bytes[2];
	__u32 key_len, body;

	if (head->bytes[0] == 0x80 || head->bytes[0] == 0x81) {
		if (head->len < 12 || head->bytes[5] != 0 || second > 0x48)
			return false;
		key_len = ((__u32)head->bytes[2] << 8) | (__u32)head->bytes[3];
		body = head_be32(head, 8);
		return (__u32)head->bytes[4] + key_len <= body && body < (1U << 30);
	}
	switch (head->bytes[0]) {
	case 'g':
		return HEAD_IS(head, "get ") || HEAD_IS(head, "gets ") || HEAD_IS(head, "gat ") || HEAD_IS(head, "gats ");
	case 's':
		return HEAD_IS(head, "set ") || HEAD_IS(head, "stats");
	case 'a':
		return HEAD_IS(head, "add ") || HEAD_IS(head, "append ");
	case 'r':
		return HEAD_IS(head, "replace ");
	case 'p':
		return HEAD_IS(head, "prepend ");
	case 'c':
		return HEAD_IS(head, "cas ");
	case 'd':
		return HEAD_IS(head, "delete ") || HEAD_IS(head, "decr ");
	case 'i':
		return HEAD_IS(head, "incr ");
	case 't':
		return HEAD_IS(head, "touch ");
	case 'v':
		return HEAD_IS(head, "version\r\n");
	case 'f':
		return HEAD_IS(head, "flush_all");
	case 'm':
		return (second == 'g' || second == 's' || second == 'd' || second == 'a' || second == 'n' || second == 'e') &&
		       (third == ' ' || third == '\r');
	case 'V':
		return HEAD_IS(head, "VALUE ") || HEAD_IS(head, "VERSION ") || HEAD_IS(head, "VA ");
	case 'S':
		return HEAD_IS(head, "STORED\r\n") || HEAD_IS(head, "STAT ") || HEAD_IS(head, "SERVER_ERROR ");
	case 'E':
		return HEAD_IS(head, "END\r\n") || HEAD_IS(head, "ERROR\r\n") || HEAD_IS(head, "EXISTS\r\n") || HEAD_IS(head, "EN\r\n");
	case 'N':
		return HEAD_IS(head, "NOT_FOUND\r\n") || HEAD_IS(head, "NOT_STORED\r\n") || HEAD_IS(head, "NF") || HEAD_IS(head, "NS");
	case 'D':
		return HEAD_IS(head, "DELETED\r\n");
	case 'H':
		return second == 'D' && (third == ' ' || third == '\r');
	default:
		return false;
	}
}

/*
 * Cassandra CQL native protocol v3-v5
 * (https://github.com/apache/cassandra/blob/trunk/doc/native_protocol_v4.spec, section 2): a 9-byte
 * frame header - version 3-5 (0x83-0x85 for responses), only defined flag bits, an opcode that
 * direction may send and a body under 256 MiB. v5 wraps frames in CRC-checked segments after STARTUP,
 * so only a v5 connection's first frames are recognised here.
 */
static __always_inline bool infer_cassandra(const struct payload_head *head)
{
	__u8 version = head->bytes[0] & 0x7f;
	__u8 opcode = head->bytes[4];

	if (head->len < 9 || version < 3 || version > 5 || (head->bytes[1] & ~0x1f) || head_be32(head, 5) >= (1U << 28))
		return false;
	if (head->bytes[0] & 0x80) /* ERROR READY AUTHENTICATE SUPPORTED RESULT EVENT AUTH_CHALLENGE AUTH_SUCCESS */
		return opcode == 0x00 || opcode == 0x02 || opcode == 0x03 || opcode == 0x06 || opcode == 0x08 ||
		       opcode == 0x0c || opcode == 0x0e || opcode == 0x10;
	/* STARTUP OPTIONS QUERY PREPARE EXECUTE REGISTER BATCH AUTH_RESPONSE */
	return opcode == 0x01 || opcode == 0x05 || opcode == 0x07 || opcode == 0x09 || opcode == 0x0a ||
	       opcode == 0x0b || opcode == 0x0d || opcode == 0x0f;
}

/*
 * Kafka (https://kafka.apache.org/protocol#protocol_messages): a request's INT32 size, a known api
 * key, a small api version, a non-negative correlation id and a client id length (-1 for none) that
 * fits the size. Brokers read the 4-byte size on its own, so a server's first payload that can be
 * guessed is the request without its size: then the client id must be 1-255 bytes, printable.
 * Asked last: HTTP/2 frames can look like this.
 */
static __always_inline bool infer_kafka(const struct payload_head *head)
{
	__u32 size = head_be32(head, 0);
	__u16 api_key = ((__u16)head->bytes[4] << 8) | head->bytes[5];
	__u16 api_version = ((__u16)head->bytes[6] << 8) | head->bytes[7];
	__u16 client_id_len = ((__u16)head->bytes[12] << 8) | head->bytes[13];

	if (head->len >= 11 && head->bytes[0] == 0 && head->bytes[1] <= 92 && head->bytes[2] == 0 &&
	    head->bytes[3] <= 40 && head->bytes[4] < 0x80 && head->bytes[8] == 0 && head->bytes[9] > 0 &&
	    head->bytes[10] >= 0x20 && head->bytes[10] <= 0x7e)
		return true;
	if (head->len < 14 || size < 10 || size >= (1U << 28) || api_key > 92 || api_version > 40 || (head->bytes[8] & 0x80))
		return false;
	return client_id_len == 0xffff || client_id_len <= size - 10;
}

/*
 * DNS: a 12-byte header at off with a standard opcode (QUERY, IQUERY, STATUS, NOTIFY, UPDATE), the
 * reserved Z bit clear, one to a few questions and plausible record counts; a query carries no
 * answers and no error (https://www.rfc-editor.org/rfc/rfc1035#section-4.1.1).
 */
static __always_inline bool infer_dns_at(const struct payload_head *head, __u32 off)
{
	__u16 flags, qd, an, ns, ar;
	__u8 opcode;

	if (off > INFER_HEAD_LEN - 12 || head->len < off + 12)
		return false;
	flags = ((__u16)head->bytes[off + 2] << 8) | head->bytes[off + 3];
	qd = ((__u16)head->bytes[off + 4] << 8) | head->bytes[off + 5];
	an = ((__u16)head->bytes[off + 6] << 8) | head->bytes[off + 7];
	ns = ((__u16)head->bytes[off + 8] << 8) | head->bytes[off + 9];
	ar = ((__u16)head->bytes[off + 10] << 8) | head->bytes[off + 11];
	opcode = (flags >> 11) & 0xf;
	if (opcode == 3 || opcode > 5 || (flags & 0x0040) || qd == 0 || qd > 8 || an > 256 || ns > 256 || ar > 256)
		return false;
	if (!(flags & 0x8000)) /* a query */
		return an == 0 && (flags & 0x000f) == 0 && (flags & 0x0080) == 0;
	return true;
}

/* DNS over UDP: the message starts with the header. */
static __always_inline bool infer_dns_datagram(const struct payload_head *head)
{
	return infer_dns_at(head, 0);
}

/* DNS over TCP: a 2-byte length that covers at least the header, then the header (RFC 1035 4.2.2). */
static __always_inline bool infer_dns_stream(const struct payload_head *head)
{
	__u16 len;

	if (head->len < 2)
		return false;
	len = ((__u16)head->bytes[0] << 8) | head->bytes[1];
	/*
	 * The length alone: DNS servers read it with a syscall of its own, and clients often write it as
	 * an iovec of its own, so it is all the head holds. A guess on two bytes; user space confirms.
	 */
	if (head->len == 2)
		return len >= 12;
	return len >= 12 && infer_dns_at(head, 2);
}

/*
 * AMQP 0-9-1 (https://www.rabbitmq.com/resources/specs/amqp0-9-1.pdf, 4.2.3): the client's protocol
 * header "AMQP", or a method frame (type 1, channel, 32-bit size, class id, method id) whose size is
 * below 16 MiB, whose method id is below 128 and whose class is one of the spec's: connection 10,
 * channel 20, exchange 40, queue 50, basic 60, confirm 85, tx 90 — all multiples of 5, so class / 5
 * indexes a bit mask. The tests are folded into one value on purpose: each branch here multiplies the
 * verifier's work in every caller. A head shorter than 11 bytes has class 0, which is not in the mask.
 */
#define AMQP_CLASS_MASK ((1ULL << 2) | (1ULL << 4) | (1ULL << 8) | (1ULL << 10) | (1ULL << 12) | (1ULL << 17) | (1ULL << 18))

static __always_inline bool infer_amqp(const struct payload_head *head)
{
	__u32 class_id = ((__u32)head->bytes[7] << 8) | head->bytes[8];
	__u32 method_id = ((__u32)head->bytes[9] << 8) | head->bytes[10];
	__u32 bad;

	if (head_be32(head, 0) == 0x414d5150) /* "AMQP" */
		return true;
	bad = (head->bytes[0] ^ 1) | (head_be32(head, 3) >> 24) | (class_id % 5) | ((class_id / 5) >> 6) | (method_id >> 7) |
	      (((AMQP_CLASS_MASK >> ((class_id / 5) & 63)) & 1) ^ 1);
	return bad == 0;
}

/*
 * DNS over TCP by port, for a stream no head claimed: servers such as dnsmasq read each byte of the
 * 2-byte length with a syscall of its own, so no head holds enough to guess from, and a guess made later
 * (at the response) loses the query. Port 53 on either end decides; user space confirms.
 */
static __always_inline bool infer_dns_stream_port(__u16 local_port, __u16 remote_port)
{
	return local_port == 53 || remote_port == 53;
}

/*
 * Returns protocol when guess accepts the head. The barrier makes the compiler forget what it loaded
 * from head for earlier guesses, so it keeps no head byte in a register from one guess to the next:
 * the verifier's states after different paths through a guess then agree (only head is live) and it
 * walks the next guess once, not once per path — without it the guesses' cost multiplies.
 */
#define GUESS(head, guess, protocol)          \
	do {                                  \
		barrier_var(head);            \
		if (guess(head))              \
			return (protocol);    \
	} while (0)

/* The protocol the head looks like, or TRACE_PROTOCOL_UNKNOWN (a global function: see the top of this file). */
__noinline __u8 infer_protocol(const struct payload_head *head)
{
	/* The verifier assumes a global function's pointer argument may be NULL. */
	if (!head)
		return TRACE_PROTOCOL_UNKNOWN;
	/* First: "CONNECT {" would pass for HTTP's CONNECT method, and a client may send it before reading INFO. */
	GUESS(head, infer_nats, TRACE_PROTOCOL_NATS);
	/* Before HTTP/2: a binary memcached header can pass for a frame header with an impossible length. */
	GUESS(head, infer_memcached, TRACE_PROTOCOL_MEMCACHED);
	GUESS(head, infer_http, TRACE_PROTOCOL_HTTP);
	GUESS(head, infer_postgres, TRACE_PROTOCOL_POSTGRES);
	GUESS(head, infer_mysql, TRACE_PROTOCOL_MYSQL);
	GUESS(head, infer_redis, TRACE_PROTOCOL_REDIS);
	GUESS(head, infer_cassandra, TRACE_PROTOCOL_CASSANDRA);
	/* Before HTTP/2: an AMQP method frame passes for a DATA frame header on stream 0x3c0028 or so. */
	GUESS(head, infer_amqp, TRACE_PROTOCOL_AMQP);
	GUESS(head, infer_http2, TRACE_PROTOCOL_HTTP2);
	GUESS(head, infer_dns_stream, TRACE_PROTOCOL_DNS);
	GUESS(head, infer_kafka, TRACE_PROTOCOL_KAFKA);
	return TRACE_PROTOCOL_UNKNOWN;
}

#endif
