/* json_strict.c: json-c's strict parse, written once: a strict tokener, one value read from a fresh start, a whole document with nothing after it. */
#include "json_strict.h"

#include <limits.h>

struct json_tokener *
json_strict_tokener(int depth, int extra_flags)
{
	struct json_tokener *tok;

	if ((tok = json_tokener_new_ex(depth)) != NULL)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | extra_flags);
	return tok;
}

enum json_tokener_error
json_strict_value(struct json_tokener *tok, const char *s, size_t len,
    json_object **out, size_t *end)
{
	enum json_tokener_error	 e;
	json_object		*o;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)len);
	e = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	if (e != json_tokener_success) {
		json_object_put(o);
		o = NULL;
		json_tokener_reset(tok);	/* frees now what a value cut short left */
	}
	*out = o;
	return e;
}

json_object *
json_strict_parse(const char *s, size_t len, int depth)
{
	struct json_tokener	*tok;
	json_object		*o;
	size_t			 end;

	if (len > INT_MAX || (tok = json_strict_tokener(depth,
	    JSON_TOKENER_VALIDATE_UTF8)) == NULL)
		return NULL;
	if (json_strict_value(tok, s, len, &o, &end) == json_tokener_success)
		while (end < len)
			if (!json_strict_ws(s[end++])) {
				json_object_put(o);
				o = NULL;
				break;
			}
	json_tokener_free(tok);
	return o;
}
