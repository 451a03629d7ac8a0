/* json_strict.h: json-c's strict parse, the one way this server reads JSON: batch.c a body value by value, signin.c a whole answer. */
#ifndef BATCHSTATUS_JSON_STRICT_H
#define BATCHSTATUS_JSON_STRICT_H

#include <json-c/json.h>
#include <stddef.h>

/* JSON's four whitespace bytes, which are json-c 0.16's too: no \v, \f or others. */
static inline int
json_strict_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A tokener for strict JSON (JSON_TOKENER_STRICT) nested at most depth
 * levels, with extra_flags (JSON_TOKENER_*) besides; NULL when memory ran
 * out. Free it with json_tokener_free.
 */
struct json_tokener	*json_strict_tokener(int depth, int extra_flags);

/*
 * The one value at s (len bytes, at most INT_MAX), read by tok from a
 * fresh start. json_tokener_success: *out is the value (NULL for JSON
 * null), the caller's to put, and *end the bytes json-c took. Otherwise
 * json-c's error (json_tokener_continue: s ended inside the value), *out
 * is NULL and tok holds nothing of the value any more.
 */
enum json_tokener_error	 json_strict_value(struct json_tokener *tok,
			    const char *s, size_t len, json_object **out,
			    size_t *end);

/*
 * A whole document: one strict, UTF-8-validated value at most depth
 * levels deep, and nothing but whitespace after it. NULL when it is not
 * one, when it is JSON null, or when memory ran out.
 */
json_object		*json_strict_parse(const char *s, size_t len, int depth);

#endif
