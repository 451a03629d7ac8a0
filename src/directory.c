/* directory.c: Partner Center's customers, device batches and devices, read page by page from their JSON into structs whose strings live in an arena the list owns. */
#include "directory.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "batch.h"
#include "guid.h"
#include "arena.h"
#include "json_strict.h"
#include "text.h"

/* What malloc keeps beside each block it gives (glibc: a size word, rounded to 16). */
#define MALLOC_OVERHEAD	16

/* Chunks are only ever added (a page's own chunks join the list's when the page is taken), never moved or grown: a string stays where it is for as long as the list lives. */

/*
 * The length of the character at s (n > 0 bytes) and whether it is one a
 * string may not keep: a byte that is not UTF-8, or a control character
 * (C0 with NUL, DEL, C1 U+0080..U+009F).
 */
static size_t
char_at(const unsigned char *s, size_t n, int *bad)
{
	size_t k = utf8_seq(s, n);

	*bad = k == 0 || (k == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	    (k == 2 && s[0] == 0xc2 && s[1] < 0xa0);
	return k != 0 ? k : 1;
}

/*
 * Copies n bytes of text as a C string. Control characters (and any byte
 * that is not UTF-8, which json-c should never give) are replaced by
 * U+FFFD, one for each, not dropped: the page shows that something was
 * there. "" costs nothing.
 */
static char *
copy_text(struct chunk **arena, const char *s, size_t n)
{
	static char		 empty[1];
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k, need = 0, o = 0;
	char			*out;
	int			 bad;

	if (n == 0)
		return empty;
	for (i = 0; i < n; i += k) {
		k = char_at(u + i, n - i, &bad);
		need += bad ? 3 : k;
	}
	if ((out = arena_alloc(arena, need + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = char_at(u + i, n - i, &bad);
		if (bad) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	out[o] = '\0';
	return out;
}

/* Where a continuation token may come from, and what came there. */
struct token {
	int	 present;	/* a value other than null */
	int	 empty;		/* it was "" */
	int	 ok;		/* one to send back: text holds it */
	char	 text[DIR_TOKEN_MAX + 1];
};

/* One page being read: its items go here first, and into the list only once all of it was read. */
struct page {
	enum dir_kind	 kind;
	struct chunk	*arena;		/* the page's strings */
	char		*items;		/* the page's structs, size bytes each */
	size_t		 size, n, cap;
	size_t		 room;		/* items the list may still take */
	long		 total;		/* totalCount, -1 */
	int		 has_items;	/* a collection: "items" was there */
	int		 has_key;	/* DIR_CUSTOMER: "id" or "companyProfile" was there */
	int		 other_type;	/* attributes.objectType names another resource */
	int		 has_next;	/* links.next is an object */
	int		 header_seen;	/* it has an MS-ContinuationToken header */
	struct token	 header;	/* that header's value */
	struct token	 top;		/* the top-level continuationToken */
};

enum scan_fail { SCAN_OK, SCAN_SYNTAX, SCAN_SHAPE, SCAN_NOMEM, SCAN_TOO_MANY };

/*
 * The body, read value by value. The structure ({ } [ ] : , and JSON's
 * four whitespace bytes) is walked here; every key and scalar (string,
 * number, true, false, null) is json-c's, through json_strict_value,
 * from where it starts, stopping after it. So json-c never builds more
 * than one scalar at a time, and memory is bounded by the items kept,
 * not by the body's shape (json-c's tree of a whole page of "[{},{},...]"
 * would take about 1.7 KB an object). The walk's own state is the C stack
 * of at most DIR_MAX_DEPTH levels.
 */
struct scan {
	const char		*s;
	size_t			 len, pos;
	struct json_tokener	*tok;	/* keys and scalars */
	struct page		*pg;
	enum scan_fail		 fail;
	const char		*why;
};

#define ENDS_EARLY	"it ends too early"

static int
scan_error(struct scan *sc, enum scan_fail f, const char *why)
{
	sc->fail = f;
	sc->why = why;
	return -1;
}

/* Not the structure due at sc->pos: why, or that the body ended there. */
static int
syntax(struct scan *sc, const char *why)
{
	return scan_error(sc, SCAN_SYNTAX, sc->pos >= sc->len ? ENDS_EARLY :
	    sc->s[sc->pos] == '\0' ? "a NUL byte" : why);
}

static int
shape(struct scan *sc, const char *why)
{
	return scan_error(sc, SCAN_SHAPE, why);
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
at(const struct scan *sc, char c)
{
	return sc->pos < sc->len && sc->s[sc->pos] == c;
}

static int
at_container(const struct scan *sc)
{
	return at(sc, '{') || at(sc, '[');
}

/*
 * The key or scalar at sc->pos, read by json-c; *out gets it (NULL for
 * null), the caller's to put. Only JSON's scalars: json-c's NaN and
 * Infinity, and single-quoted strings, are not JSON.
 */
static int
read_scalar(struct scan *sc, json_object **out)
{
	enum json_tokener_error	 e;
	json_object		*o;
	size_t			 end;
	char			 c;

	*out = NULL;
	if (sc->pos >= sc->len)
		return syntax(sc, ENDS_EARLY);
	c = sc->s[sc->pos];
	if (c != '"' && c != '-' && (c < '0' || c > '9') && c != 't' &&
	    c != 'f' && c != 'n')
		return syntax(sc, "unexpected character");
	e = json_strict_value(sc->tok, sc->s + sc->pos, sc->len - sc->pos, &o,
	    &end);
	if (e != json_tokener_success)
		return scan_error(sc, SCAN_SYNTAX, e == json_tokener_continue ?
		    ENDS_EARLY : json_tokener_error_desc(e));
	if (json_object_is_type(o, json_type_double) &&
	    !isfinite(json_object_get_double(o))) {
		json_object_put(o);
		return syntax(sc, "not a number");
	}
	sc->pos += end;
	*out = o;
	return 0;
}

typedef int member_fn(struct scan *, int depth, const char *key, void *);
typedef int element_fn(struct scan *, int depth, void *);

/*
 * Walks the object at sc->pos ('{' there), depth deep (the top value is
 * 0), calling fn for each member with sc->pos at its value, which fn
 * reads. A key's "\u0000" ends it for fn.
 */
static int
walk_object(struct scan *sc, int depth, member_fn *fn, void *arg)
{
	json_object	*k;
	int		 rc, first = 1;

	if (depth >= DIR_MAX_DEPTH)
		return syntax(sc, "nesting too deep");
	for (sc->pos++;; first = 0) {
		skip_ws(sc);
		if (at(sc, '}')) {
			if (!first)
				return syntax(sc, "a comma before '}'");
			sc->pos++;
			return 0;
		}
		if (!at(sc, '"'))
			return syntax(sc, "a key that is not a string");
		if (read_scalar(sc, &k) == -1)
			return -1;
		skip_ws(sc);
		if (!at(sc, ':')) {
			json_object_put(k);
			return syntax(sc, "no ':' after a key");
		}
		sc->pos++;
		skip_ws(sc);
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
			return syntax(sc, "no ',' or '}' after a member");
		sc->pos++;
	}
}

/* Walks the array at sc->pos ('[' there), calling fn with sc->pos at each element. */
static int
walk_array(struct scan *sc, int depth, element_fn *fn, void *arg)
{
	int first = 1;

	if (depth >= DIR_MAX_DEPTH)
		return syntax(sc, "nesting too deep");
	for (sc->pos++;; first = 0) {
		skip_ws(sc);
		if (at(sc, ']')) {
			if (!first)
				return syntax(sc, "a comma before ']'");
			sc->pos++;
			return 0;
		}
		if (fn(sc, depth + 1, arg) == -1)
			return -1;
		skip_ws(sc);
		if (at(sc, ']')) {
			sc->pos++;
			return 0;
		}
		if (!at(sc, ','))
			return syntax(sc, "no ',' or ']' after an element");
		sc->pos++;
	}
}

static int	skip_value(struct scan *, int);

static int
skip_member(struct scan *sc, int depth, const char *key, void *arg)
{
	(void)key;
	(void)arg;
	return skip_value(sc, depth);
}

static int
skip_element(struct scan *sc, int depth, void *arg)
{
	(void)arg;
	return skip_value(sc, depth);
}

/* Reads the value at sc->pos for its syntax only. */
static int
skip_value(struct scan *sc, int depth)
{
	json_object *o;

	if (at(sc, '{'))
		return walk_object(sc, depth, skip_member, NULL);
	if (at(sc, '['))
		return walk_array(sc, depth, skip_element, NULL);
	if (read_scalar(sc, &o) == -1)
		return -1;
	json_object_put(o);
	return 0;
}

/*
 * An object field: walked with fn when it is an object; null is fine.
 * Anything else is the wrong shape, or with lax only skipped.
 */
static int
take_object(struct scan *sc, int depth, int lax, member_fn *fn, void *arg)
{
	json_object *o;

	if (at(sc, '{'))
		return walk_object(sc, depth, fn, arg);
	if (lax)
		return skip_value(sc, depth);
	if (at(sc, '['))
		return shape(sc, "a field has the wrong type");
	if (read_scalar(sc, &o) == -1)
		return -1;
	json_object_put(o);
	return o == NULL ? 0 : shape(sc, "a field has the wrong type");
}

/* An array field: each element to fn; null is fine, anything else the wrong shape. */
static int
take_array(struct scan *sc, int depth, element_fn *fn, void *arg)
{
	json_object *o;

	if (at(sc, '['))
		return walk_array(sc, depth, fn, arg);
	if (at(sc, '{'))
		return shape(sc, "a field has the wrong type");
	if (read_scalar(sc, &o) == -1)
		return -1;
	json_object_put(o);
	return o == NULL ? 0 : shape(sc, "a field has the wrong type");
}

/*
 * A text field: a string as it is; a number (its digits as they came) or
 * a boolean as its JSON text, since Partner Center's models disagree on
 * string vs number; null is "". An object or array is the wrong shape.
 */
static int
take_text_mut(struct scan *sc, char **out)
{
	json_object	*o;
	const char	*s;
	size_t		 start = sc->pos, n;
	char		*r;

	if (at_container(sc))
		return shape(sc, "a field has the wrong type");
	if (read_scalar(sc, &o) == -1)
		return -1;
	switch (json_object_get_type(o)) {
	case json_type_null:
		s = "";
		n = 0;
		break;
	case json_type_string:
		s = json_object_get_string(o);
		n = (size_t)json_object_get_string_len(o);
		break;
	case json_type_boolean:
		s = json_object_get_boolean(o) ? "true" : "false";
		n = strlen(s);
		break;
	default:	/* a number: json-c may have lost digits of a big one */
		s = sc->s + start;
		for (n = 0; n < sc->pos - start &&
		    strchr("+-0123456789.eE", s[n]) != NULL && s[n] != '\0'; n++)
			;
		break;
	}
	r = copy_text(&sc->pg->arena, s, n);
	json_object_put(o);
	if (r == NULL)
		return nomem(sc);
	*out = r;
	return 0;
}

static int
take_text(struct scan *sc, const char **out)
{
	char	*s;
	int	 rc;

	if ((rc = take_text_mut(sc, &s)) == 0)
		*out = s;
	return rc;
}

/* A count: a non-negative JSON integer; anything else (a string, a fraction, one too big) is -1. */
static int
take_count(struct scan *sc, int depth, long *out)
{
	json_object	*o;
	int64_t		 v;

	*out = -1;
	if (at_container(sc))
		return skip_value(sc, depth);
	if (read_scalar(sc, &o) == -1)
		return -1;
	if (json_object_is_type(o, json_type_int)) {
		/* json-c saturates: INT64_MAX may be any larger number. */
		v = json_object_get_int64(o);
		if (v >= 0 && v < INT64_MAX && v <= LONG_MAX)
			*out = (long)v;
	}
	json_object_put(o);
	return 0;
}

/* A time: its text as it came, and its value when batch_parse_time reads it. */
static int
take_time(struct scan *sc, const char **raw, int *has, int64_t *t)
{
	*has = 0;
	if (take_text(sc, raw) == -1)
		return -1;
	if (**raw != '\0' && batch_parse_time(*raw, t) == 0)
		*has = 1;
	return 0;
}

/* Whether json-c's string o is name in any case (a "\u0000" inside it is not). */
static int
string_is(json_object *o, const char *name)
{
	return json_object_is_type(o, json_type_string) &&
	    (size_t)json_object_get_string_len(o) == strlen(name) &&
	    strcasecmp(json_object_get_string(o), name) == 0;
}

/* The value of a token field or header: one to send back, or why not. */
static void
token_from(json_object *o, struct token *t)
{
	const char	*s;
	size_t		 n, i;

	memset(t, 0, sizeof(*t));
	if (o == NULL)
		return;
	t->present = 1;
	if (!json_object_is_type(o, json_type_string))
		return;
	s = json_object_get_string(o);
	if ((n = (size_t)json_object_get_string_len(o)) == 0) {
		t->empty = 1;
		return;
	}
	if (n > DIR_TOKEN_MAX)
		return;
	/* It goes into a request header: visible ASCII only. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return;
	memcpy(t->text, s, n);
	t->text[n] = '\0';
	t->ok = 1;
}

static int
take_token(struct scan *sc, int depth, struct token *t)
{
	json_object *o;

	if (at_container(sc)) {
		memset(t, 0, sizeof(*t));
		t->present = 1;
		return skip_value(sc, depth);
	}
	if (read_scalar(sc, &o) == -1)
		return -1;
	token_from(o, t);
	json_object_put(o);
	return 0;
}

/* A {"key": .., "value": ..} object: a policy, or a link's header. */
struct pair {
	json_object	*key, *value;
	int		 lax;		/* a header: an object or array is skipped, not the wrong shape */
	int		 container;	/* then: the last value was one */
};

static int
pair_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct pair	 *p = arg;
	json_object	**slot, *o;

	if (strcmp(key, "key") == 0)
		slot = &p->key;
	else if (strcmp(key, "value") == 0)
		slot = &p->value;
	else
		return skip_value(sc, depth);
	if (at_container(sc) && !p->lax)
		return shape(sc, "a field has the wrong type");
	json_object_put(*slot);	/* the last one wins */
	*slot = NULL;
	if (slot == &p->value)
		p->container = at_container(sc);
	if (at_container(sc))
		return skip_value(sc, depth);
	if (read_scalar(sc, &o) == -1)
		return -1;
	*slot = o;
	return 0;
}

/* Reads the pair object at sc->pos; *p is the caller's to put then (pair_put), even on error. */
static int
read_pair(struct scan *sc, int depth, int lax, struct pair *p)
{
	p->key = p->value = NULL;
	p->lax = lax;
	p->container = 0;
	return walk_object(sc, depth, pair_member, p);
}

static void
pair_put(struct pair *p)
{
	json_object_put(p->key);
	json_object_put(p->value);
}

static int
attributes_member(struct scan *sc, int depth, const char *key, void *arg)
{
	const char	*want = arg;
	json_object	*o;

	if (strcmp(key, "objectType") != 0 || at_container(sc))
		return skip_value(sc, depth);
	if (read_scalar(sc, &o) == -1)
		return -1;
	if (json_object_is_type(o, json_type_string))
		sc->pg->other_type = !string_is(o, want);
	json_object_put(o);
	return 0;
}

/* ---- customers */

static int
profile_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct dir_customer *c = arg;

	if (strcmp(key, "tenantId") == 0)
		return take_text(sc, &c->tenant_id);
	if (strcmp(key, "domain") == 0)
		return take_text(sc, &c->domain);
	if (strcmp(key, "companyName") == 0)
		return take_text(sc, &c->company_name);
	return skip_value(sc, depth);
}

static int
customer_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct dir_customer	*c = arg;
	char			 guid[GUID_LEN + 1], *id;

	if (strcmp(key, "id") == 0) {
		sc->pg->has_key = 1;
		if (take_text_mut(sc, &id) == -1)
			return -1;
		/* A GUID in capitals is the same customer: one form of it. */
		if (strlen(id) == GUID_LEN && guid_parse(id, GUID_LEN, guid) == 0)
			memcpy(id, guid, GUID_LEN);
		c->id = id;
		return 0;
	}
	if (strcmp(key, "companyProfile") == 0) {
		sc->pg->has_key = 1;
		return take_object(sc, depth, 0, profile_member, c);
	}
	if (strcmp(key, "relationshipToPartner") == 0)
		return take_text(sc, &c->relationship);
	if (sc->pg->kind == DIR_CUSTOMER && depth == 1 &&
	    strcmp(key, "attributes") == 0)
		return take_object(sc, depth, 1, attributes_member, "Customer");
	return skip_value(sc, depth);
}

/* ---- device batches */

struct batch_item {
	struct dir_device_batch	*b;
	long			 device_count;	/* deviceCount, for when devicesCount is no count */
};

static int
batch_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct batch_item	*bi = arg;
	struct dir_device_batch	*b = bi->b;

	if (strcmp(key, "id") == 0)
		return take_text(sc, &b->id);
	if (strcmp(key, "createdBy") == 0)
		return take_text(sc, &b->created_by);
	if (strcmp(key, "creationDate") == 0)
		return take_time(sc, &b->created_raw, &b->has_created,
		    &b->created);
	if (strcmp(key, "devicesCount") == 0)
		return take_count(sc, depth, &b->devices_count);
	if (strcmp(key, "deviceCount") == 0)
		return take_count(sc, depth, &bi->device_count);
	return skip_value(sc, depth);
}

/* ---- devices */

struct device_item {
	struct dir_device	*d;
	const char		*first;	/* the first policy's value */
	const char		*ztd;	/* the value of the first policy keyed "ztd" */
};

/* A policy: only its value is kept, and only when it may be the profile. */
static int
policy_element(struct scan *sc, int depth, void *arg)
{
	struct device_item	*di = arg;
	struct pair		 p;
	const char		*s;
	int			 rc, ztd;

	if (!at(sc, '{'))
		return skip_value(sc, depth);	/* not a policy */
	if ((rc = read_pair(sc, depth, 0, &p)) == 0 && p.value != NULL) {
		ztd = string_is(p.key, "ztd");
		if ((ztd && di->ztd == NULL) || di->first == NULL) {
			/* A number's text is json-c's: a policy value is an id, a string. */
			s = json_object_get_string(p.value);
			if ((s = copy_text(&sc->pg->arena, s,
			    json_object_is_type(p.value, json_type_string) ?
			    (size_t)json_object_get_string_len(p.value) :
			    strlen(s))) == NULL)
				rc = nomem(sc);
			else {
				if (ztd && di->ztd == NULL)
					di->ztd = s;
				if (di->first == NULL)
					di->first = s;
			}
		}
	}
	pair_put(&p);
	return rc;
}

static int
device_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct device_item	*di = arg;
	struct dir_device	*d = di->d;
	json_object		*o;

	if (strcmp(key, "id") == 0)
		return take_text(sc, &d->id);
	if (strcmp(key, "serialNumber") == 0)
		return take_text(sc, &d->serial_number);
	if (strcmp(key, "productKey") == 0)
		return take_text(sc, &d->product_key);
	if (strcmp(key, "oemManufacturerName") == 0)
		return take_text(sc, &d->manufacturer);
	if (strcmp(key, "modelName") == 0)
		return take_text(sc, &d->model);
	if (strcmp(key, "uploadedDate") == 0)
		return take_time(sc, &d->uploaded_raw, &d->has_uploaded,
		    &d->uploaded);
	if (strcmp(key, "hardwareHash") == 0) {
		/* Read for whether it is there; never copied anywhere. */
		if (at_container(sc))
			return shape(sc, "a field has the wrong type");
		if (read_scalar(sc, &o) == -1)
			return -1;
		d->has_hash = json_object_is_type(o, json_type_string) &&
		    json_object_get_string_len(o) > 0;
		json_object_put(o);
		return 0;
	}
	if (strcmp(key, "policies") == 0)
		return take_array(sc, depth, policy_element, di);
	return skip_value(sc, depth);
}

/* ---- pages */

static size_t
item_size(enum dir_kind k)
{
	switch (k) {
	case DIR_CUSTOMERS:
	case DIR_CUSTOMER:
		return sizeof(struct dir_customer);
	case DIR_DEVICE_BATCHES:
		return sizeof(struct dir_device_batch);
	default:
		return sizeof(struct dir_device);
	}
}

/* The string fields of an item of kind k: at most 8. */
static size_t
item_strings(enum dir_kind k, void *item, const char **out[8])
{
	struct dir_customer	*c = item;
	struct dir_device_batch	*b = item;
	struct dir_device	*d = item;
	size_t			 n = 0;

	switch (k) {
	case DIR_CUSTOMERS:
	case DIR_CUSTOMER:
		out[n++] = &c->id;
		out[n++] = &c->tenant_id;
		out[n++] = &c->company_name;
		out[n++] = &c->domain;
		out[n++] = &c->relationship;
		break;
	case DIR_DEVICE_BATCHES:
		out[n++] = &b->id;
		out[n++] = &b->created_by;
		out[n++] = &b->created_raw;
		break;
	default:
		out[n++] = &d->id;
		out[n++] = &d->serial_number;
		out[n++] = &d->product_key;
		out[n++] = &d->manufacturer;
		out[n++] = &d->model;
		out[n++] = &d->uploaded_raw;
		out[n++] = &d->profile;
		break;
	}
	return n;
}

/* Reads the item object at sc->pos into item (all of it set: strings "", no counts). */
static int
read_item(struct scan *sc, int depth, void *item)
{
	const char		**s[8];
	struct batch_item	  bi;
	struct device_item	  di;
	size_t			  i, n;
	int			  rc;

	memset(item, 0, sc->pg->size);
	n = item_strings(sc->pg->kind, item, s);
	for (i = 0; i < n; i++)
		*s[i] = "";
	switch (sc->pg->kind) {
	case DIR_CUSTOMERS:
	case DIR_CUSTOMER:
		return walk_object(sc, depth, customer_member, item);
	case DIR_DEVICE_BATCHES:
		bi.b = item;
		bi.b->devices_count = bi.device_count = -1;
		rc = walk_object(sc, depth, batch_member, &bi);
		if (bi.b->devices_count < 0)
			bi.b->devices_count = bi.device_count;
		return rc;
	default:
		di.d = item;
		di.first = di.ztd = NULL;
		rc = walk_object(sc, depth, device_member, &di);
		di.d->profile = di.ztd != NULL ? di.ztd : di.first != NULL ?
		    di.first : "";
		return rc;
	}
}

/* A slot for one more item of the page, or -1 (sc says why: too many, or memory). */
static int
new_item(struct scan *sc, void **item)
{
	struct page	*pg = sc->pg;
	size_t		 n;
	char		*p;

	if (pg->n == pg->room)
		return scan_error(sc, SCAN_TOO_MANY, NULL);
	if (pg->n == pg->cap) {
		n = pg->cap != 0 ? pg->cap * 2 : 16;
		if (n > pg->room)
			n = pg->room;	/* > cap: room > n here */
		if (n > SIZE_MAX / pg->size ||
		    (p = realloc(pg->items, n * pg->size)) == NULL)
			return nomem(sc);
		pg->items = p;
		pg->cap = n;
	}
	*item = pg->items + pg->n * pg->size;
	return 0;
}

/* An element of "items": an object is an item, anything else is skipped. */
static int
item_element(struct scan *sc, int depth, void *arg)
{
	void *item;

	(void)arg;
	if (!at(sc, '{'))
		return skip_value(sc, depth);
	if (new_item(sc, &item) == -1 || read_item(sc, depth, item) == -1)
		return -1;
	sc->pg->n++;
	return 0;
}

static int
header_element(struct scan *sc, int depth, void *arg)
{
	struct page	*pg = arg;
	struct pair	 p;
	int		 rc;

	if (!at(sc, '{'))
		return skip_value(sc, depth);
	/* The first MS-ContinuationToken header is the one. */
	if ((rc = read_pair(sc, depth, 1, &p)) == 0 && !pg->header_seen &&
	    string_is(p.key, "MS-ContinuationToken")) {
		pg->header_seen = 1;
		token_from(p.value, &pg->header);
		pg->header.present |= p.container;
	}
	pair_put(&p);
	return rc;
}

static int
next_member(struct scan *sc, int depth, const char *key, void *arg)
{
	if (strcmp(key, "headers") == 0 && at(sc, '['))
		return walk_array(sc, depth, header_element, arg);
	return skip_value(sc, depth);
}

/* links: lax, paging metadata; a next that is not an object is no next page. */
static int
links_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct page *pg = arg;

	if (strcmp(key, "next") == 0 && at(sc, '{')) {
		pg->has_next = 1;
		return walk_object(sc, depth, next_member, pg);
	}
	return skip_value(sc, depth);
}

static int
collection_member(struct scan *sc, int depth, const char *key, void *arg)
{
	struct page	*pg = arg;
	json_object	*o;

	if (strcmp(key, "items") == 0) {
		/* The last "items" wins, as in json-c's own objects. */
		pg->has_items = 1;
		pg->n = 0;
		arena_free(pg->arena);
		pg->arena = NULL;
		if (at(sc, '['))
			return walk_array(sc, depth, item_element, pg);
		if (at(sc, '{'))
			return shape(sc, "items is not an array");
		if (read_scalar(sc, &o) == -1)
			return -1;
		json_object_put(o);
		return o == NULL ? 0 : shape(sc, "items is not an array");
	}
	if (strcmp(key, "totalCount") == 0)
		return take_count(sc, depth, &pg->total);
	if (strcmp(key, "continuationToken") == 0)
		return take_token(sc, depth, &pg->top);
	if (strcmp(key, "links") == 0)
		return take_object(sc, depth, 1, links_member, pg);
	if (strcmp(key, "attributes") == 0)
		return take_object(sc, depth, 1, attributes_member,
		    "Collection");
	return skip_value(sc, depth);
}

/*
 * The page's last chunk holds a whole 64 KiB block, most of it unused for
 * a small page, and the cache counts what is held: give it a block of
 * just the size it uses. Only the page's own strings point into it, and
 * the page is not in the list yet.
 */
static void
compact(struct page *pg)
{
	struct chunk	*c = pg->arena, *n;
	const char	**s[8];
	size_t		  i, j, k;

	if ((n = arena_shrunk(c)) == NULL)
		return;
	for (i = 0; i < pg->n; i++) {
		k = item_strings(pg->kind, pg->items + i * pg->size, s);
		for (j = 0; j < k; j++)
			arena_repoint(s[j], c, n);
	}
	free(c);
	pg->arena = n;
}

static void
account(struct dir_list *l)
{
	struct chunk *c;

	l->bytes = 0;
	for (c = l->arena; c != NULL; c = c->next)
		l->bytes += sizeof(*c) + c->cap + MALLOC_OVERHEAD;
	if (l->customers != NULL)
		l->bytes += l->ncustomers * sizeof(*l->customers) +
		    MALLOC_OVERHEAD;
	if (l->batches != NULL)
		l->bytes += l->nbatches * sizeof(*l->batches) + MALLOC_OVERHEAD;
	if (l->devices != NULL)
		l->bytes += l->ndevices * sizeof(*l->devices) + MALLOC_OVERHEAD;
}

/* The continuation token to send back, and whether the page had one we refused. */
static void
page_next(const struct page *pg, char *next, int *refused)
{
	const struct token *t;

	*refused = 0;
	switch (pg->kind) {
	case DIR_CUSTOMER:
		return;
	case DIR_CUSTOMERS:
		if (!pg->has_next)
			return;
		t = pg->header_seen ? &pg->header : &pg->top;
		*refused = !t->ok;
		break;
	default:
		t = &pg->top;
		*refused = t->present && !t->ok && !t->empty;
		break;
	}
	if (t->ok)
		memcpy(next, t->text, strlen(t->text) + 1);
}

/* Moves the page's items and strings into the list: the one step that changes it. */
static int
take_page(struct dir_list *l, struct page *pg, char *next)
{
	void	**arr;
	size_t	 *count;
	char	 *p;

	switch (l->kind) {
	case DIR_CUSTOMERS:
	case DIR_CUSTOMER:
		arr = (void **)&l->customers;
		count = &l->ncustomers;
		break;
	case DIR_DEVICE_BATCHES:
		arr = (void **)&l->batches;
		count = &l->nbatches;
		break;
	default:
		arr = (void **)&l->devices;
		count = &l->ndevices;
		break;
	}
	if (pg->n > 0) {
		if (pg->n > SIZE_MAX / pg->size - *count ||
		    (p = realloc(*arr, (*count + pg->n) * pg->size)) == NULL)
			return -1;	/* *arr as it was */
		compact(pg);
		memcpy(p + *count * pg->size, pg->items, pg->n * pg->size);
		*arr = p;
		*count += pg->n;
		/* The page's chunks go before the list's: nothing moves. */
		if (pg->arena != NULL) {
			struct chunk *c = pg->arena;

			while (c->next != NULL)
				c = c->next;
			c->next = l->arena;
			l->arena = pg->arena;
			pg->arena = NULL;
		}
	}
	page_next(pg, next, &l->next_refused);
	l->total_count = pg->total;
	l->pages++;
	account(l);
	return 0;
}

static int
refuse(struct page *pg, char *next, char *err, size_t errsz, int rc,
    const char *why)
{
	free(pg->items);
	arena_free(pg->arena);
	next[0] = '\0';
	snprintf(err, errsz, "%s", why);
	return rc;
}

int
dir_parse_page(struct dir_list *l, const char *body, size_t len,
    size_t max_items, char *next, char *err, size_t errsz)
{
	struct page	 pg;
	struct scan	 sc;
	size_t		 held;
	void		*item;
	char		 why[128];
	int		 rc;

	memset(&pg, 0, sizeof(pg));
	next[0] = '\0';
	if ((unsigned)l->kind >= DIR__MAX)
		return refuse(&pg, next, err, errsz, DIR_BAD,
		    "wrong shape: not a kind of listing");
	if (len > DIR_BODY_MAX)
		return refuse(&pg, next, err, errsz, DIR_BAD, "body too large");
	if (len >= 3 && memcmp(body, "\xef\xbb\xbf", 3) == 0) {
		body += 3;
		len -= 3;
	}
	if (len == 0)
		return refuse(&pg, next, err, errsz, DIR_BAD, "empty body");
	if (!utf8_valid(body, len))
		return refuse(&pg, next, err, errsz, DIR_BAD,
		    "not JSON: invalid UTF-8");
	if (l->kind == DIR_CUSTOMER && l->ncustomers > 0)
		return refuse(&pg, next, err, errsz, DIR_BAD,
		    "wrong shape: the list has its one customer already");

	held = l->kind == DIR_DEVICE_BATCHES ? l->nbatches :
	    l->kind == DIR_DEVICES ? l->ndevices : l->ncustomers;
	pg.kind = l->kind;
	pg.size = item_size(l->kind);
	pg.room = max_items > held ? max_items - held : 0;
	pg.total = -1;
	memset(&sc, 0, sizeof(sc));
	sc.s = body;
	sc.len = len;
	sc.pg = &pg;
	if ((sc.tok = json_strict_tokener(1,
	    JSON_TOKENER_ALLOW_TRAILING_CHARS)) == NULL)
		rc = nomem(&sc);
	else {
		skip_ws(&sc);
		if (!at(&sc, '{'))
			/* Not read further: it is not a page, whatever it is. */
			rc = sc.pos < len && strchr("[\"-0123456789tfn",
			    body[sc.pos]) != NULL && body[sc.pos] != '\0' ?
			    shape(&sc, "not a JSON object") :
			    syntax(&sc, "unexpected character");
		else if (l->kind == DIR_CUSTOMER) {
			if ((rc = new_item(&sc, &item)) == 0 &&
			    (rc = read_item(&sc, 0, item)) == 0)
				pg.n = 1;
		} else
			rc = walk_object(&sc, 0, collection_member, &pg);
		skip_ws(&sc);
		if (rc == 0 && sc.pos < len)
			rc = syntax(&sc, "data after the value");
		json_tokener_free(sc.tok);
	}
	if (rc == 0 && l->kind == DIR_CUSTOMER && (!pg.has_key ||
	    pg.other_type))
		rc = shape(&sc, "an object that is not a Customer");
	else if (rc == 0 && l->kind != DIR_CUSTOMER && (!pg.has_items ||
	    pg.other_type))
		rc = shape(&sc, "an object that is not a Collection");

	if (rc == 0 && take_page(l, &pg, next) == -1)
		rc = nomem(&sc);
	switch (rc == 0 ? SCAN_OK : sc.fail) {
	case SCAN_OK:
		free(pg.items);
		arena_free(pg.arena);	/* the garbage of an earlier "items" */
		if (errsz > 0)
			err[0] = '\0';
		return DIR_OK;
	case SCAN_TOO_MANY:
		snprintf(why, sizeof(why), "too many items: more than the %zu "
		    "allowed", max_items);
		return refuse(&pg, next, err, errsz, DIR_TOO_MANY, why);
	case SCAN_SYNTAX:
		snprintf(why, sizeof(why), "not JSON: %s", sc.why);
		return refuse(&pg, next, err, errsz, DIR_BAD, why);
	case SCAN_SHAPE:
		snprintf(why, sizeof(why), "wrong shape: %s", sc.why);
		return refuse(&pg, next, err, errsz, DIR_BAD, why);
	default:
		return refuse(&pg, next, err, errsz, DIR_BAD, "out of memory");
	}
}

void
dir_list_free(struct dir_list *l)
{
	free(l->customers);
	free(l->batches);
	free(l->devices);
	arena_free(l->arena);
	memset(l, 0, sizeof(*l));
}

static int
batch_order(const void *a, const void *b)
{
	const struct dir_device_batch *x = a, *y = b;

	if (x->has_created != y->has_created)
		return x->has_created ? -1 : 1;
	if (x->has_created && x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

void
dir_sort_batches(struct dir_list *l)
{
	if (l->nbatches > 1)
		qsort(l->batches, l->nbatches, sizeof(*l->batches),
		    batch_order);
}

int
dir_batch_id_ok(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k;
	int			 bad;

	if (len == 0 || len > DIR_BATCH_ID_MAX ||
	    (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' &&
	    s[1] == '.'))
		return -1;
	for (i = 0; i < len; i += k) {
		k = char_at(u + i, len - i, &bad);
		if (bad)
			return -1;
		/* U+2028, U+2029: line breaks to JavaScript and some logs. */
		if (k == 3 && u[i] == 0xe2 && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
			return -1;
	}
	return 0;
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Percent-encoded output into a fixed buffer: a bound that is passed is remembered. */
struct enc {
	char	*out;
	size_t	 n, sz;
	int	 over;
};

static void
enc_byte(struct enc *e, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	if (unreserved(c)) {
		if (e->sz - e->n < 2) {
			e->over = 1;
			return;
		}
		e->out[e->n++] = (char)c;
		return;
	}
	if (e->sz - e->n < 4) {
		e->over = 1;
		return;
	}
	e->out[e->n++] = '%';
	e->out[e->n++] = hex[c >> 4];
	e->out[e->n++] = hex[c & 15];
}

static void
enc_str(struct enc *e, const char *s)
{
	for (; *s != '\0' && !e->over; s++)
		enc_byte(e, (unsigned char)*s);
}

static int
enc_end(struct enc *e)
{
	if (e->sz == 0)
		return -1;
	if (e->over || e->n > INT_MAX) {
		e->out[0] = '\0';
		return -1;
	}
	e->out[e->n] = '\0';
	return (int)e->n;
}

int
dir_segment_encode(const char *s, size_t len, char *out, size_t outsz)
{
	struct enc	 e = { out, 0, outsz, outsz == 0 };
	size_t		 i;

	for (i = 0; i < len && !e.over; i++)
		enc_byte(&e, (unsigned char)s[i]);
	return enc_end(&e);
}

int
dir_segment_decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t	 i, n = 0;
	int	 hi, lo;
	char	 c;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (len - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0 ||
			    (c = (char)(hi << 4 | lo)) == '\0') {
				out[0] = '\0';
				return -1;
			}
			i += 2;
		}
		if (outsz - n < 2) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	if (dir_batch_id_ok(out, n) == -1) {
		out[0] = '\0';
		return -1;
	}
	return (int)n;
}

int
dir_filter_query(enum dir_field field, const char *value, char *out,
    size_t outsz)
{
	static const char	 hex[] = "0123456789abcdef";
	struct enc		 e = { out, 0, outsz, outsz == 0 };
	const unsigned char	*u = (const unsigned char *)value;
	const char		*name;
	char			 esc[7];
	size_t			 i, n;

	switch (field) {
	case DIR_FIELD_COMPANY_NAME:
		name = "CompanyName";
		break;
	case DIR_FIELD_DOMAIN:
		name = "Domain";
		break;
	default:
		name = NULL;
		break;
	}
	/* Not valid UTF-8: no JSON string could say it. */
	if (name == NULL || value == NULL || !utf8_valid(value, n =
	    strlen(value))) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	enc_str(&e, "{\"Field\":\"");
	enc_str(&e, name);
	enc_str(&e, "\",\"Value\":\"");
	for (i = 0; i < n && !e.over; i++) {
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i];
			esc[2] = '\0';
		} else if (u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 &&
		    u[i + 1] >= 0x80 && u[i + 1] < 0xa0)) {
			/* A control character (C1 too) as \u00xx. */
			if (u[i] == 0xc2)
				i++;
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 15];
			esc[6] = '\0';
		} else {
			enc_byte(&e, u[i]);
			continue;
		}
		enc_str(&e, esc);
	}
	enc_str(&e, "\",\"Operator\":\"starts_with\"}");
	return enc_end(&e);
}
