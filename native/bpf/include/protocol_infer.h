/* SPDX-License-Identifier: MIT OR GPL-2.0 */
/*
 * Cheap protocol guesses from the first bytes of a syscall's payload. They only decide whether a
 * connection's bytes are worth sending up; user space confirms, so false positives are fine and
 * false negatives only cost the bytes before the first recognisable message.
 *
 * One function per protocol, each given the same head bytes; infer_protocol() asks them in turn.
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

/* The protocol the head looks like, or TRACE_PROTOCOL_UNKNOWN. */
static __always_inline __u8 infer_protocol(const struct payload_head *head)
{
	if (infer_http(head))
		return TRACE_PROTOCOL_HTTP;
	return TRACE_PROTOCOL_UNKNOWN;
}

#endif
