/* batch.c: BatchUploadDetails JSON to struct batch with json-c; tolerant of odd fields, strict about shape. */
#include "batch.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

/* A bump allocator: one free for the whole batch, however many devices it has. */
struct chunk {
	struct chunk	*next;
	size_t		 used, cap;
	char		 data[];
};

static void *
arena_alloc(struct chunk **arena, size_t n)
{
	struct chunk	*c = *arena;
	size_t		 cap;
	void		*p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		cap = n > 65536 ? n : 65536;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->next = *arena;
		c->used = 0;
		c->cap = cap;
		*arena = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static void
arena_free(struct chunk *c)
{
	struct chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

/* Copies a JSON string, turning NUL bytes ("\u0000") into U+FFFD so C strings stay whole. */
static const char *
copy_str(struct chunk **arena, const char *s, size_t len)
{
	size_t	 i, nuls = 0, n = 0;
	char	*out;

	for (i = 0; i < len; i++)
		nuls += s[i] == '\0';
	if ((out = arena_alloc(arena, len + nuls * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '\0') {
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
		} else
			out[n++] = s[i];
	}
	out[n] = '\0';
	return out;
}

enum take { TAKE_OK, TAKE_SHAPE, TAKE_NOMEM };

/*
 * Reads field key of obj as text. Absent and null give "". Strings are
 * taken as they are; when scalars is set, numbers and booleans give
 * their JSON text (Partner Center's models disagree on string vs int).
 */
static enum take
take_text(struct chunk **arena, json_object *obj, const char *key,
    int scalars, const char **out)
{
	json_object	*v;
	const char	*s;

	*out = "";
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return TAKE_OK;
	switch (json_object_get_type(v)) {
	case json_type_string:
		s = copy_str(arena, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		break;
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		if (!scalars)
			return TAKE_SHAPE;
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		s = copy_str(arena, s, strlen(s));
		break;
	default:
		return TAKE_SHAPE;
	}
	if (s == NULL)
		return TAKE_NOMEM;
	*out = s;
	return TAKE_OK;
}

static int
days_from_civil(int64_t y, int m, int d, int64_t *days)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}

static int
digits(const char **sp, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		char c = (*sp)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*sp += n;
	*out = v;
	return 0;
}

int
batch_parse_time(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, leap;
	int64_t	 days;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || (*s != 'T' && *s != 't' &&
	    *s != ' '))
		return -1;
	s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (digits(&s, 2, &oh))
			return -1;
		if (*s == ':')
			s++;
		if (digits(&s, 2, &om) || oh > 23 || om > 59)
			return -1;
	}
	if (*s != '\0')
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return -1;
	days_from_civil(y, mo, d, &days);
	*out = days * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	return 0;
}

static enum take
take_time(struct chunk **arena, json_object *obj, const char *key,
    const char **raw, int *has, int64_t *t)
{
	enum take e;

	*has = 0;
	if ((e = take_text(arena, obj, key, 0, raw)) != TAKE_OK)
		return e;
	if (**raw != '\0' && batch_parse_time(*raw, t) == 0)
		*has = 1;
	return TAKE_OK;
}

static enum take
take_device(struct chunk **arena, json_object *o, struct device *d)
{
	enum take e;

	if ((e = take_text(arena, o, "deviceId", 1, &d->device_id)) ||
	    (e = take_text(arena, o, "serialNumber", 1, &d->serial_number)) ||
	    (e = take_text(arena, o, "productKey", 1, &d->product_key)) ||
	    (e = take_text(arena, o, "status", 0, &d->status)) ||
	    (e = take_text(arena, o, "errorCode", 1, &d->error_code)) ||
	    (e = take_text(arena, o, "errorDescription", 1,
	    &d->error_description)))
		return e;
	return TAKE_OK;
}

static int
fail(struct batch *out, struct chunk *arena, char *err, size_t errsz,
    const char *why)
{
	arena_free(arena);
	memset(out, 0, sizeof(*out));
	snprintf(err, errsz, "%s", why);
	return -1;
}

static json_object *
parse_json(const char *body, size_t len, char *err, size_t errsz)
{
	struct json_tokener	*tok;
	json_object		*root;
	enum json_tokener_error	 jerr;
	size_t			 end;

	/* Checked here, not by json-c's JSON_TOKENER_VALIDATE_UTF8: a
	 * word-at-a-time pass costs a fraction of json-c's per-byte check. */
	if (!utf8_valid(body, len)) {
		snprintf(err, errsz, "not JSON: invalid UTF-8");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(BATCH_MAX_DEPTH)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (root == NULL || jerr != json_tokener_success) {
		json_object_put(root);
		snprintf(err, errsz, "not JSON: %s",
		    jerr == json_tokener_continue ? "it ends too early" :
		    json_tokener_error_desc(jerr));
		return NULL;
	}
	for (; end < len; end++) {
		char c = body[end];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			json_object_put(root);
			snprintf(err, errsz, "not JSON: data after the value");
			return NULL;
		}
	}
	return root;
}

/*
 * Tolerant of missing fields, but not of another resource: it must have
 * one of the batch's own fields, and an objectType, if any, of a batch.
 */
static int
looks_like_batch(json_object *root)
{
	json_object	*attrs, *type;

	if (json_object_object_get_ex(root, "attributes", &attrs) &&
	    json_object_is_type(attrs, json_type_object) &&
	    json_object_object_get_ex(attrs, "objectType", &type) &&
	    json_object_is_type(type, json_type_string) &&
	    strcasecmp(json_object_get_string(type), "BatchUploadDetails") != 0)
		return 0;
	return json_object_object_get_ex(root, "status", NULL) ||
	    json_object_object_get_ex(root, "batchTrackingId", NULL) ||
	    json_object_object_get_ex(root, "devicesStatus", NULL);
}

int
batch_parse(const char *body, size_t len, struct batch *out, char *err,
    size_t errsz)
{
	struct chunk	*arena = NULL;
	json_object	*root, *list, *o;
	size_t		 i, n;
	enum take	 e;

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		len -= 3;
	}
	if (len == 0)
		return fail(out, NULL, err, errsz, "empty body");
	if (len > (size_t)0x7fffffff)
		return fail(out, NULL, err, errsz, "body too large");
	if ((root = parse_json(body, len, err, errsz)) == NULL)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return fail(out, NULL, err, errsz,
		    "wrong shape: not a JSON object");
	}
	if (!looks_like_batch(root)) {
		json_object_put(root);
		return fail(out, NULL, err, errsz, "wrong shape: an object "
		    "that is not a BatchUploadDetails");
	}
	if ((e = take_text(&arena, root, "batchTrackingId", 0,
	    &out->tracking_id)) ||
	    (e = take_text(&arena, root, "status", 0, &out->status)) ||
	    (e = take_time(&arena, root, "startedTime", &out->started_raw,
	    &out->has_started, &out->started)) ||
	    (e = take_time(&arena, root, "completedTime",
	    &out->completed_raw, &out->has_completed, &out->completed)))
		goto bad;

	if (json_object_object_get_ex(root, "devicesStatus", &list) &&
	    list != NULL) {
		if (!json_object_is_type(list, json_type_array)) {
			e = TAKE_SHAPE;
			goto bad;
		}
		n = json_object_array_length(list);
		if (n > 0 && (out->devices = arena_alloc(&arena,
		    n * sizeof(struct device))) == NULL) {
			e = TAKE_NOMEM;
			goto bad;
		}
		for (i = 0; i < n; i++) {
			o = json_object_array_get_idx(list, i);
			if (!json_object_is_type(o, json_type_object)) {
				out->nskipped++;
				continue;
			}
			if ((e = take_device(&arena, o,
			    &out->devices[out->ndevices])) != TAKE_OK)
				goto bad;
			out->ndevices++;
		}
	}
	json_object_put(root);
	out->arena = arena;
	for (; arena != NULL; arena = arena->next)
		out->bytes += sizeof(*arena) + arena->cap;
	return 0;
bad:
	json_object_put(root);
	return fail(out, arena, err, errsz, e == TAKE_NOMEM ? "out of memory" :
	    "wrong shape: a field has the wrong type");
}

void
batch_free(struct batch *b)
{
	arena_free(b->arena);
	memset(b, 0, sizeof(*b));
}
