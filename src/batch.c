/* batch.c: BatchUploadDetails JSON to struct batch with json-c, one value at a time; tolerant of odd fields, strict about shape. */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "json_strict.h"
#include "text.h"

/* What malloc keeps beside each block it gives (glibc: a size word, rounded to 16). */
#define MALLOC_OVERHEAD	16

/*
 * A batch whose strings fit in the first chunk (most: a few devices)
 * would hold a whole 64 KiB block for a few hundred bytes, and the cache
 * counts what is held: give it one block of just the size it uses. Larger
 * batches waste at most the last block's tail, a small part of them.
 */
static struct chunk *
arena_compact(struct chunk *c, struct batch *b)
{
	struct chunk	*n;
	size_t		 i;

	if (c == NULL || c->next != NULL || (n = arena_shrunk(c)) == NULL)
		return c;
	arena_repoint(&b->tracking_id, c, n);
	arena_repoint(&b->status, c, n);
	arena_repoint(&b->started_raw, c, n);
	arena_repoint(&b->completed_raw, c, n);
	for (i = 0; i < b->ndevices; i++) {
		struct device *d = &b->devices[i];

		arena_repoint(&d->device_id, c, n);
		arena_repoint(&d->serial_number, c, n);
		arena_repoint(&d->product_key, c, n);
		arena_repoint(&d->status, c, n);
		arena_repoint(&d->error_code, c, n);
		arena_repoint(&d->error_description, c, n);
	}
	free(c);
	return n;
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

/* Partner Center's statuses: queued and processing (and in-progress, seen too) run; finished ones are final. */
static const struct batch_status statuses[] = {
	{ "queued", "status.queued", "status-queued", 1, 0 },
	{ "processing", "status.processing", "status-processing", 1, 0 },
	{ "in-progress", "status.in_progress", "status-in-progress", 1, 0 },
	{ "finished", "status.finished", "status-finished", 0, 1 },
	{ "finished_with_errors", "status.finished_with_errors",
	  "status-finished_with_errors", 0, 1 },
	{ "unknown", "status.unknown", "status-unknown", 0, 0 },
};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

const struct batch_status *
batch_status_at(size_t i)
{
	return i < NSTATUSES ? &statuses[i] : NULL;
}

const struct batch_status *
batch_status_find(const char *raw)
{
	size_t i;

	for (i = 0; i < NSTATUSES; i++)
		if (strcasecmp(raw, statuses[i].key) == 0)
			return &statuses[i];
	return NULL;
}

int
batch_status_final(const char *raw)
{
	const struct batch_status *bs = batch_status_find(raw);

	return bs != NULL && bs->final;
}
/*
 * The times ISO 8601 writes with a four-digit year: 0001-01-01T00:00:00Z
 * and 9999-12-31T23:59:59Z. Outside them a time would print as nobody
 * wrote it (year 0 as "0-01-01T23:59:00Z"), so it is kept as its text.
 */
#define TIME_FIRST	(-62135596800LL)
#define TIME_LAST	253402300799LL

int
batch_parse_time(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0, leap;
	int64_t	 days, t;

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
	/* An offset (or a leap second) may carry a time in year 1 or 9999 out of them. */
	t = days * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	if (t < TIME_FIRST || t > TIME_LAST)
		return -1;
	*out = t;
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

/* The fields take_device reads; read_value keeps only these of a device object (below). */
struct field {
	const char		*name;
	const struct field	*sub;	/* of an object value, the fields kept; NULL: text */
};

static const struct field device_fields[] = {
	{ "deviceId", NULL }, { "serialNumber", NULL }, { "productKey", NULL },
	{ "status", NULL }, { "errorCode", NULL }, { "errorDescription", NULL },
	{ NULL, NULL }
};

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

/*
 * Reading the body without a tree of all of it.
 *
 * json-c builds a tree of whatever value it is given, and its objects are
 * big (an empty object is a hash table: about 1.7 KB of RSS for "{}"), so
 * one json_tokener_parse_ex over a 4 MiB body of "[{},{},...]" peaked at
 * 2.4 GB. json-c still reads every value here, but never more than one
 * bounded piece at a time:
 *
 * - Keys and scalars (strings, numbers, true, false, null, and json-c's
 *   own NaN and Infinity) are each parsed by json-c, from where they start
 *   to the end of the body, with JSON_TOKENER_ALLOW_TRAILING_CHARS so that
 *   it stops after the value (json_tokener_get_parse_end): escapes,
 *   numbers and literals are json-c's, keys included ("devices\u0053tatus").
 * - A container ('{' or '[') is first offered whole to json-c, within a
 *   window of BATCH_WINDOW bytes: one call for a whole device (faster than
 *   one call for the whole body was). If it does not end within the window,
 *   this file walks it itself, member by member and element by element,
 *   offering each inner value to json-c the same way. So a value of any
 *   size costs json-c at most one window's tree at a time (a few MiB for
 *   the worst 16 KiB), an unknown field of 4 MiB as little as a small one,
 *   and the walk's own state is the C stack of at most BATCH_MAX_DEPTH
 *   levels.
 * - The walk follows json-c 0.16's STRICT grammar state by state, in the
 *   same order of checks and with the same reasons: JSON's four whitespace
 *   bytes, no trailing commas, the depth limit counted as json-c counts it
 *   (a value at depth BATCH_MAX_DEPTH, the top object being 0, is "nesting
 *   too deep"), a NUL byte where structure is due is "unexpected end of
 *   data", a body cut short "it ends too early", and json-c's own quirk
 *   that a number in a container must be followed at once by a delimiter
 *   (read_scalar). So a body passes or fails as when json-c read it whole,
 *   with the same reason, but for two changes: json-c's STRICT mode still
 *   takes 'single-quoted' keys, here they are not JSON (a window in which
 *   json-c met a quote is walked here instead, so that holds however a
 *   value is read); and a bare number or literal as the whole body is "not
 *   a JSON object" rather than "it ends too early" (read_other_top).
 * - json-c saturates an integer out of range (a productKey sent as a
 *   number of 23 digits). read_scalar keeps such a number's digits as they
 *   came (json-c prints it with them), and a kept object read whole that
 *   has one is walked instead, so that its numbers pass read_scalar.
 * - What is kept is what take_text and looks_like_batch read, no more: of
 *   the top object its five known members, of a device its six fields, of
 *   attributes its objectType. A container read piecewise where text is
 *   wanted is kept as an empty one of its kind: the same type error.
 * - devicesStatus is never kept as a tree: its entries become struct
 *   devices as they are read, each json-c object freed at once, the count
 *   checked against max_devices before each entry is read. The devices
 *   array grows by doubling (realloc: mremap for big ones, no copy) and
 *   is cut to size at the end. Another devicesStatus frees what an
 *   earlier one had (the top object's strings are taken after the walk),
 *   so what is held is the last one's devices only.
 *
 * Errors of syntax are found anywhere in the body before any of shape
 * (type errors are remembered, and the body read to its end), as before.
 */
#ifndef BATCH_WINDOW
#define BATCH_WINDOW	16384	/* bytes; -DBATCH_WINDOW=0 walks everything (for differential tests) */
#endif

/* Strict, and stopping after the value: the rest of the body is read here. */
#define TOKENER_FLAGS	JSON_TOKENER_ALLOW_TRAILING_CHARS

enum scan_fail { SCAN_OK, SCAN_SYNTAX, SCAN_NOMEM, SCAN_TOO_MANY };

struct scan {
	const char		*s;
	size_t			 len, pos;
	struct json_tokener	*scalar;	/* keys and scalars */
	/* Containers at each depth: json-c's depth limit is set when a tokener is made. */
	struct json_tokener	*whole[BATCH_MAX_DEPTH];
	enum scan_fail		 fail;
	const char		*why;		/* with SCAN_SYNTAX */
};

static int
scan_error(struct scan *sc, enum scan_fail f, const char *why)
{
	sc->fail = f;
	sc->why = why;
	return -1;
}

/* A json-c error, in the words batch_parse always used. */
static int
syntax(struct scan *sc, enum json_tokener_error e)
{
	return scan_error(sc, SCAN_SYNTAX, e == json_tokener_continue ?
	    "it ends too early" : json_tokener_error_desc(e));
}

/* Not the structure due at sc->pos: json-c's reason e, or its reasons for the end or a NUL byte. */
static int
unexpected(struct scan *sc, enum json_tokener_error e)
{
	if (sc->pos == sc->len)
		return syntax(sc, json_tokener_continue);
	if (sc->s[sc->pos] == '\0')
		return syntax(sc, json_tokener_error_parse_eof);
	return syntax(sc, e);
}

static int
nomem(struct scan *sc)
{
	return scan_error(sc, SCAN_NOMEM, "out of memory");
}

static void
skip_ws(struct scan *sc)
{
	while (sc->pos < sc->len && json_strict_ws(sc->s[sc->pos]))
		sc->pos++;
}

static int
at(struct scan *sc, char c)
{
	return sc->pos < sc->len && sc->s[sc->pos] == c;
}

/*
 * Whether json-c may have lost the digits of o: it keeps a double's text
 * (json_object_new_double_s), but an integer out of range saturates at
 * one of these two, "12345678901234567890123" becoming 18446744073709551615.
 */
static int
saturated(json_object *o)
{
	return json_object_is_type(o, json_type_int) &&
	    (json_object_get_int64(o) == INT64_MIN ||
	    json_object_get_uint64(o) == UINT64_MAX);
}

/* Makes the integer o print as the digits at s (n bytes, then maybe whitespace), as they came. */
static int
keep_digits(json_object *o, const char *s, size_t n)
{
	size_t	 len = 0;
	char	*text;

	while (len < n && (s[len] == '-' || (s[len] >= '0' && s[len] <= '9')))
		len++;
	if ((text = strndup(s, len)) == NULL)
		return -1;
	json_object_set_serializer(o, json_object_userdata_to_json_string,
	    text, json_object_free_userdata);
	return 0;
}

/* Whether an object json-c read whole has a member whose digits it may have lost. */
static int
lost_digits(json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return 0;
	json_object_object_foreach(o, key, v) {
		(void)key;
		if (saturated(v))
			return 1;
	}
	return 0;
}

/*
 * One key or scalar at sc->pos, by json-c; *keep (when not NULL) gets it,
 * NULL for null. inside: in a container, not the body's only value.
 */
static int
read_scalar(struct scan *sc, int inside, json_object **keep)
{
	struct json_tokener	*tok = sc->scalar;
	enum json_tokener_error	 e;
	json_object		*o;
	size_t			 end;
	char			 c;

	if ((e = json_strict_value(tok, sc->s + sc->pos, sc->len - sc->pos, &o,
	    &end)) != json_tokener_success)
		return syntax(sc, e);
	end += sc->pos;
	/*
	 * Inside a container json-c wants a number to be followed at once by
	 * whitespace, ',', ']', '}', '/' or a NUL ("1x" is "number expected",
	 * not a missing ','); alone it does not look. ('I' and 'i' it lets
	 * by too: "-Infinity" is read by another state.) When json-c ate no
	 * whitespace after the value, the byte at end is that next one.
	 */
	c = sc->s[sc->pos];
	if (c == '-')
		c = end > sc->pos + 1 && (sc->s[sc->pos + 1] == 'I' ||
		    sc->s[sc->pos + 1] == 'i') ? 'I' : '0';
	if (inside && c >= '0' && c <= '9' && end < sc->len &&
	    !json_strict_ws(sc->s[end - 1]) && strchr(",]}/Ii", sc->s[end]) == NULL) {
		json_object_put(o);
		return syntax(sc, json_tokener_error_parse_number);
	}
	if (keep != NULL && saturated(o) &&
	    keep_digits(o, sc->s + sc->pos, end - sc->pos) == -1) {
		json_object_put(o);
		return nomem(sc);
	}
	sc->pos = end;
	if (keep != NULL)
		*keep = o;
	else
		json_object_put(o);
	return 0;
}

/*
 * The container at sc->pos (depth deep), whole by json-c if it ends within
 * the window, has no quote json-c might take for a key and, when kept, no
 * member integer whose digits json-c lost: 0 when it was read, 1 when it
 * must be walked instead, -1 on error.
 */
static int
read_whole(struct scan *sc, int depth, json_object **keep)
{
	struct json_tokener	*tok = sc->whole[depth];
	enum json_tokener_error	 e;
	json_object		*o;
	size_t			 n = sc->len - sc->pos, end;
	int			 cut = 0;

	if (n > BATCH_WINDOW) {
		n = BATCH_WINDOW;
		cut = 1;
	}
	if (n == 0)
		return 1;
	if (tok == NULL) {
		if ((tok = json_strict_tokener(BATCH_MAX_DEPTH - depth,
		    TOKENER_FLAGS)) == NULL)
			return nomem(sc);
		sc->whole[depth] = tok;
	}
	e = json_strict_value(tok, sc->s + sc->pos, n, &o, &end);
	if (e == json_tokener_continue && cut)
		return 1;
	if (e != json_tokener_success)
		return syntax(sc, e);
	/* A quote json-c may have taken for a key's, or digits it lost: the walk reads each value itself. */
	if (memchr(sc->s + sc->pos, '\'', end) != NULL ||
	    (keep != NULL && lost_digits(o))) {
		json_object_put(o);
		return 1;
	}
	sc->pos += end;
	if (keep != NULL)
		*keep = o;
	else
		json_object_put(o);
	return 0;
}

typedef int member_fn(struct scan *, int depth, const char *key, void *);
typedef int element_fn(struct scan *, int depth, void *);

/*
 * Walks the object at sc->pos ('{' there) at the given depth, as json-c
 * would, calling fn for each member with sc->pos at its value (json-c has
 * decoded the key).
 */
static int
walk_members(struct scan *sc, int depth, member_fn *fn, void *arg)
{
	json_object	*k;
	int		 rc, first = 1;

	for (sc->pos++;; first = 0) {
		skip_ws(sc);
		if (at(sc, '}')) {
			if (!first)	/* {"a":1,} */
				return syntax(sc, json_tokener_error_parse_unexpected);
			sc->pos++;
			return 0;
		}
		if (!at(sc, '"'))
			return unexpected(sc,
			    json_tokener_error_parse_object_key_name);
		if (read_scalar(sc, 1, &k) == -1)
			return -1;
		skip_ws(sc);
		if (!at(sc, ':')) {
			json_object_put(k);
			return unexpected(sc,
			    json_tokener_error_parse_object_key_sep);
		}
		sc->pos++;
		skip_ws(sc);
		/* A key's "\u0000" ends it, as it did in json-c's objects. */
		rc = fn(sc, depth + 1, json_object_get_string(k), arg);
		json_object_put(k);
		if (rc == -1)
			return -1;
		skip_ws(sc);
		if (at(sc, '}')) {
			sc->pos++;
			return 0;
		}
		if (!at(sc, ','))
			return unexpected(sc,
			    json_tokener_error_parse_object_value_sep);
		sc->pos++;
	}
}

/* Walks the array at sc->pos ('[' there), calling fn with sc->pos at each element. */
static int
walk_elements(struct scan *sc, int depth, element_fn *fn, void *arg)
{
	int first = 1;

	for (sc->pos++;; first = 0) {
		skip_ws(sc);
		if (at(sc, ']')) {
			if (!first)	/* [1,] */
				return syntax(sc, json_tokener_error_parse_unexpected);
			sc->pos++;
			return 0;
		}
		if (sc->pos == sc->len)
			return syntax(sc, json_tokener_continue);
		if (fn(sc, depth + 1, arg) == -1)
			return -1;
		skip_ws(sc);
		if (at(sc, ']')) {
			sc->pos++;
			return 0;
		}
		if (!at(sc, ','))
			return unexpected(sc, json_tokener_error_parse_array);
		sc->pos++;
	}
}

static int read_value(struct scan *, int, const struct field *,
    json_object **);

static int
skip_member(struct scan *sc, int depth, const char *key, void *arg)
{
	(void)key;
	(void)arg;
	return read_value(sc, depth, NULL, NULL);
}

static int
skip_element(struct scan *sc, int depth, void *arg)
{
	(void)arg;
	return read_value(sc, depth, NULL, NULL);
}

static const struct field no_fields[] = { { NULL, NULL } };

struct kept {
	const struct field	*fields;
	json_object		*obj;
};

/* A member of an object read piecewise: kept when it is one of the fields, else only read. */
static int
keep_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct kept		*k = arg;
	const struct field	*f;
	json_object		*v;

	for (f = k->fields; f->name != NULL; f++)
		if (strcmp(f->name, key) == 0)
			break;
	if (f->name == NULL)
		return read_value(sc, depth, NULL, NULL);
	if (read_value(sc, depth, f->sub, &v) == -1)
		return -1;
	/* Last wins, as in json-c's own objects; JSON null is kept as NULL. */
	if (json_object_object_add(k->obj, f->name, v) != 0) {
		json_object_put(v);
		return nomem(sc);
	}
	return 0;
}

/*
 * Reads the value at sc->pos, depth deep (the top value is 0). With keep
 * NULL it is only read. Otherwise *keep gets it as json-c would have built
 * it, except for a container too long for one window: an object then keeps
 * only the given fields (none when fields is NULL), an array nothing.
 */
static int
read_value(struct scan *sc, int depth, const struct field *fields,
    json_object **keep)
{
	struct kept	 k;
	int		 rc;
	char		 c;

	if (keep != NULL)
		*keep = NULL;
	if (sc->pos == sc->len)
		return syntax(sc, json_tokener_continue);
	if (depth > BATCH_MAX_DEPTH - 1)	/* a NUL there is json-c's end */
		return unexpected(sc, json_tokener_error_depth);
	c = sc->s[sc->pos];
	if (c != '{' && c != '[')
		return read_scalar(sc, depth > 0, keep);
	if ((rc = read_whole(sc, depth, keep)) != 1)
		return rc;
	k.fields = fields != NULL ? fields : no_fields;
	k.obj = NULL;
	if (keep != NULL && (k.obj = c == '{' ? json_object_new_object() :
	    json_object_new_array()) == NULL)
		return nomem(sc);
	rc = c == '{' ? walk_members(sc, depth, keep != NULL ? keep_member :
	    skip_member, &k) : walk_elements(sc, depth, skip_element, NULL);
	if (rc == -1) {
		json_object_put(k.obj);
		return -1;
	}
	if (keep != NULL)
		*keep = k.obj;
	return 0;
}

/* The state of batch_parse while it reads the top object. */
struct top {
	struct kept	 k;		/* its known members, for take_text */
	struct batch	*out;		/* devices, ndevices, nskipped */
	struct chunk	**arena;	/* the devices' strings */
	size_t		 cap;		/* of out->devices */
	size_t		 max, entries;	/* of this devicesStatus */
	int		 bad;		/* this devicesStatus has the wrong type */
};

static int
grow_devices(struct top *t)
{
	struct device	*d;
	size_t		 n = t->cap ? t->cap * 2 : 64;

	if (n > t->max)
		n = t->max;	/* > cap: an entry is counted before it is kept */
	if (n > SIZE_MAX / sizeof(*d) ||
	    (d = realloc(t->out->devices, n * sizeof(*d))) == NULL)
		return -1;
	t->out->devices = d;
	t->cap = n;
	return 0;
}

static int
device_entry(struct scan *sc, int depth, void *arg)
{
	struct top	*t = arg;
	json_object	*o;
	enum take	 e;

	if (t->entries++ == t->max)
		return scan_error(sc, SCAN_TOO_MANY, NULL);
	if (read_value(sc, depth, device_fields, &o) == -1)
		return -1;
	if (!json_object_is_type(o, json_type_object))
		t->out->nskipped++;
	else if (!t->bad) {
		if (t->out->ndevices == t->cap && grow_devices(t) == -1) {
			json_object_put(o);
			return nomem(sc);
		}
		e = take_device(t->arena, o,
		    &t->out->devices[t->out->ndevices]);
		if (e == TAKE_NOMEM) {
			json_object_put(o);
			return nomem(sc);
		}
		if (e == TAKE_SHAPE)
			t->bad = 1;	/* the error waits: syntax comes first */
		else
			t->out->ndevices++;
	}
	json_object_put(o);
	return 0;
}

static int
top_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct top	*t = arg;
	json_object	*v;

	if (strcmp(key, "devicesStatus") != 0)
		return keep_member(sc, depth, key, &t->k);
	/* The last devicesStatus wins: forget what an earlier one had. */
	arena_free(*t->arena);
	*t->arena = NULL;
	t->out->ndevices = t->out->nskipped = 0;
	t->entries = 0;
	t->bad = 0;
	/* Present for looks_like_batch, but never kept as a tree. */
	if (json_object_object_add(t->k.obj, "devicesStatus", NULL) != 0)
		return nomem(sc);
	if (at(sc, '['))	/* depth 1: within the limit */
		return walk_elements(sc, depth, device_entry, t);
	if (read_value(sc, depth, NULL, &v) == -1)
		return -1;
	t->bad = v != NULL;	/* neither an array nor null */
	json_object_put(v);
	return 0;
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

static const struct field attributes_fields[] = {
	{ "objectType", NULL }, { NULL, NULL }
};

static const struct field top_fields[] = {
	{ "batchTrackingId", NULL }, { "status", NULL },
	{ "startedTime", NULL }, { "completedTime", NULL },
	{ "attributes", attributes_fields }, { NULL, NULL }
};

/*
 * A top value that is not an object, read for its syntax only. json-c
 * wants a byte after a bare number or literal (alone, "42" "ends too
 * early"); one that ends the body is given a NUL to end it, so that it is
 * of the wrong shape rather than cut short.
 */
static int
read_other_top(struct scan *sc)
{
	struct scan	 t;
	char		 tail[64];
	size_t		 start = sc->pos, n = sc->len - sc->pos;

	if (read_value(sc, 0, NULL, NULL) == 0)
		return 0;
	if (sc->fail != SCAN_SYNTAX || n == 0 || n >= sizeof(tail) ||
	    strchr("[\"", sc->s[start]) != NULL ||
	    strcmp(sc->why, "it ends too early") != 0)
		return -1;
	memcpy(tail, sc->s + start, n);
	tail[n] = '\0';
	t = *sc;
	t.s = tail;
	t.len = n + 1;
	t.pos = 0;
	if (read_scalar(&t, 0, NULL) == -1 || t.pos != n)
		return -1;	/* cut short indeed ("nul") */
	sc->pos = sc->len;
	sc->fail = SCAN_OK;
	sc->why = NULL;
	return 0;
}

static int
fail(struct batch *out, struct chunk *arena, char *err, size_t errsz,
    int rc, const char *why)
{
	free(out->devices);
	arena_free(arena);
	memset(out, 0, sizeof(*out));
	snprintf(err, errsz, "%s", why);
	return rc;
}

int
batch_parse(const char *body, size_t len, size_t max_devices,
    struct batch *out, char *err, size_t errsz)
{
	struct chunk	*arena = NULL;
	struct scan	 sc;
	struct top	 t;
	char		 why[128];
	int		 i, rc, object = 0;
	enum take	 e;

	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		len -= 3;
	}
	if (len == 0)
		return fail(out, NULL, err, errsz, BATCH_BAD, "empty body");
	if (len > (size_t)0x7fffffff)
		return fail(out, NULL, err, errsz, BATCH_BAD, "body too large");
	/* Checked here, not by json-c's JSON_TOKENER_VALIDATE_UTF8: a
	 * word-at-a-time pass costs a fraction of json-c's per-byte check. */
	if (!utf8_valid(body, len))
		return fail(out, NULL, err, errsz, BATCH_BAD,
		    "not JSON: invalid UTF-8");

	memset(&sc, 0, sizeof(sc));
	sc.s = body;
	sc.len = len;
	memset(&t, 0, sizeof(t));
	t.k.fields = top_fields;
	t.out = out;
	t.arena = &arena;
	t.max = max_devices;
	if ((sc.scalar = json_strict_tokener(1, TOKENER_FLAGS)) == NULL ||
	    (t.k.obj = json_object_new_object()) == NULL)
		rc = nomem(&sc);
	else {
		skip_ws(&sc);
		/* Another value is read too, for its syntax, but never kept. */
		object = at(&sc, '{');
		rc = object ? walk_members(&sc, 0, top_member, &t) :
		    read_other_top(&sc);
		skip_ws(&sc);
		if (rc == 0 && sc.pos < len)	/* json-c stops at a NUL */
			rc = scan_error(&sc, SCAN_SYNTAX, body[sc.pos] == '\0' ?
			    "data after the value" : json_tokener_error_desc(
			    json_tokener_error_parse_unexpected));
	}
	if (sc.scalar != NULL)
		json_tokener_free(sc.scalar);
	for (i = 0; i < BATCH_MAX_DEPTH; i++)
		if (sc.whole[i] != NULL)
			json_tokener_free(sc.whole[i]);

	if (rc == -1 || !object || !looks_like_batch(t.k.obj)) {
		json_object_put(t.k.obj);
		if (sc.fail == SCAN_TOO_MANY) {
			snprintf(why, sizeof(why), "too many devices: more "
			    "than the %zu allowed", max_devices);
			return fail(out, arena, err, errsz, BATCH_TOO_MANY, why);
		}
		if (sc.fail == SCAN_SYNTAX) {
			snprintf(why, sizeof(why), "not JSON: %s", sc.why);
			return fail(out, arena, err, errsz, BATCH_BAD, why);
		}
		return fail(out, arena, err, errsz, BATCH_BAD,
		    sc.fail == SCAN_NOMEM ? "out of memory" : !object ?
		    "wrong shape: not a JSON object" : "wrong shape: an "
		    "object that is not a BatchUploadDetails");
	}
	if ((e = take_text(&arena, t.k.obj, "batchTrackingId", 0,
	    &out->tracking_id)) ||
	    (e = take_text(&arena, t.k.obj, "status", 0, &out->status)) ||
	    (e = take_time(&arena, t.k.obj, "startedTime", &out->started_raw,
	    &out->has_started, &out->started)) ||
	    (e = take_time(&arena, t.k.obj, "completedTime",
	    &out->completed_raw, &out->has_completed, &out->completed)) ||
	    (t.bad && (e = TAKE_SHAPE))) {
		json_object_put(t.k.obj);
		return fail(out, arena, err, errsz, BATCH_BAD,
		    e == TAKE_NOMEM ? "out of memory" :
		    "wrong shape: a field has the wrong type");
	}
	json_object_put(t.k.obj);

	/* Give back what the doubling left over. */
	if (out->ndevices == 0) {
		free(out->devices);
		out->devices = NULL;
	} else if (out->ndevices < t.cap) {
		struct device *d = realloc(out->devices,
		    out->ndevices * sizeof(*d));

		if (d != NULL) {
			out->devices = d;
			t.cap = out->ndevices;
		}
	}
	out->arena = arena_compact(arena, out);
	out->bytes = t.cap * sizeof(struct device) + MALLOC_OVERHEAD;
	for (arena = out->arena; arena != NULL; arena = arena->next)
		out->bytes += sizeof(*arena) + arena->cap + MALLOC_OVERHEAD;
	return BATCH_OK;
}

void *
batch_arena(struct batch *b, size_t n)
{
	struct chunk *c;

	if (b->arena != NULL || (c = malloc(sizeof(*c) + n)) == NULL)
		return NULL;
	c->next = NULL;
	c->used = c->cap = n;
	b->arena = c;
	b->bytes += sizeof(*c) + n + MALLOC_OVERHEAD;
	return c->data;
}

void
batch_free(struct batch *b)
{
	free(b->devices);
	arena_free(b->arena);
	memset(b, 0, sizeof(*b));
}
