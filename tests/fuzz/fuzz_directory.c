/*
 * fuzz_directory.c: libFuzzer harness for Partner Center's customer,
 * device batch and device pages (dir_parse_page), and for the batch IDs
 * and path segments users give (dir_batch_id_ok, dir_segment_decode,
 * dir_segment_encode) and the search filter (dir_filter_query).
 *
 * The first byte picks the kind (mod 4), how many times the rest, the
 * body, is appended to one list (1 to 3) and the item bound (2 to 7).
 * Invariants (abort when broken): a refused page comes with a reason and
 * leaves the list as it was; an accepted one adds a page and at most the
 * bound of items in all, keeps the earlier pages' strings where they
 * were, and every string is valid UTF-8 without control characters (C0,
 * DEL, C1); the next token is "" or visible ASCII of at most
 * DIR_TOKEN_MAX; batches sort newest first. The body as a path segment:
 * what decodes is a good batch ID and encodes and decodes back the same;
 * what encodes decodes back when, and only when, it is a good batch ID.
 * As a search value: when it is UTF-8, the filter is percent-encoded
 * JSON whose Value is that text again. Seeds: tests/fuzz/corpus/directory/.
 * Run: `make fuzz`.
 */
#include <json-c/json.h>

#include "fuzz.h"

#include "directory.h"

#define SEG_MAX	1024	/* bytes of the body tried as a segment */

/* Whether s holds a C1 control character (U+0080..U+009F). */
static int
has_c1(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] < 0xa0)
			return 1;
	return 0;
}

static void
check_str(const char *s)
{
	FUZZ_CHECK(s != NULL);
	FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)));
	FUZZ_CHECK(!fuzz_has_control(s));
	FUZZ_CHECK(!has_c1(s));
}

static void
check_list(const struct dir_list *l, size_t max)
{
	size_t i;

	FUZZ_CHECK(l->ncustomers + l->nbatches + l->ndevices <= max);
	FUZZ_CHECK(l->kind != DIR_CUSTOMER || l->ncustomers <= 1);
	FUZZ_CHECK(l->bytes >= l->ncustomers * sizeof(*l->customers) +
	    l->nbatches * sizeof(*l->batches) + l->ndevices * sizeof(*l->devices));
	for (i = 0; i < l->ncustomers; i++) {
		check_str(l->customers[i].id);
		check_str(l->customers[i].tenant_id);
		check_str(l->customers[i].company_name);
		check_str(l->customers[i].domain);
		check_str(l->customers[i].relationship);
	}
	for (i = 0; i < l->nbatches; i++) {
		check_str(l->batches[i].id);
		check_str(l->batches[i].created_by);
		check_str(l->batches[i].created_raw);
		FUZZ_CHECK(l->batches[i].devices_count >= -1);
		FUZZ_CHECK(!l->batches[i].has_created ||
		    l->batches[i].created_raw[0] != '\0');
	}
	for (i = 0; i < l->ndevices; i++) {
		check_str(l->devices[i].id);
		check_str(l->devices[i].serial_number);
		check_str(l->devices[i].product_key);
		check_str(l->devices[i].manufacturer);
		check_str(l->devices[i].model);
		check_str(l->devices[i].uploaded_raw);
		check_str(l->devices[i].profile);
		FUZZ_CHECK(!l->devices[i].has_uploaded ||
		    l->devices[i].uploaded_raw[0] != '\0');
	}
}

static void
check_next(const char *next)
{
	size_t i, n = strlen(next);

	FUZZ_CHECK(n <= DIR_TOKEN_MAX);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(next[i] >= 0x21 && next[i] <= 0x7e);
}

/* The first string of the list and a copy of it: it must stay where it is. */
struct first {
	const char	*p;
	char		*copy;
};

static void
first_of(const struct dir_list *l, struct first *f)
{
	f->p = l->ncustomers ? l->customers[0].company_name : l->nbatches ?
	    l->batches[0].id : l->ndevices ? l->devices[0].serial_number : NULL;
	f->copy = f->p != NULL ? fuzz_strndup((const uint8_t *)f->p,
	    strlen(f->p)) : NULL;
}

static void
parse_pages(enum dir_kind kind, int times, size_t max, const char *body,
    size_t len)
{
	struct dir_list	 l, before;
	struct first	 f;
	char		 next[DIR_TOKEN_MAX + 1], err[128];
	size_t		 i, n;
	int		 rc, t;

	memset(&l, 0, sizeof(l));
	l.kind = kind;
	memset(&f, 0, sizeof(f));
	for (t = 0; t < times; t++) {
		memcpy(&before, &l, sizeof(l));
		n = l.ncustomers + l.nbatches + l.ndevices;
		err[0] = '\0';
		rc = dir_parse_page(&l, body, len, max, next, err, sizeof(err));
		FUZZ_CHECK(rc == DIR_OK || rc == DIR_BAD || rc == DIR_TOO_MANY);
		FUZZ_CHECK(strnlen(err, sizeof(err)) < sizeof(err));
		if (rc != DIR_OK) {
			FUZZ_CHECK(err[0] != '\0' && next[0] == '\0');
			FUZZ_CHECK(memcmp(&l, &before, sizeof(l)) == 0);
		} else {
			FUZZ_CHECK(l.pages == before.pages + 1);
			FUZZ_CHECK(l.ncustomers + l.nbatches + l.ndevices >= n);
			check_next(next);
		}
		check_list(&l, max);
		if (f.p != NULL)
			FUZZ_CHECK(strcmp(f.p, f.copy) == 0);
		else
			first_of(&l, &f);
	}
	dir_sort_batches(&l);
	for (i = 1; i < l.nbatches; i++) {
		const struct dir_device_batch *a = &l.batches[i - 1],
		    *b = &l.batches[i];

		FUZZ_CHECK(a->has_created || !b->has_created);
		FUZZ_CHECK(!a->has_created || !b->has_created ||
		    a->created >= b->created);
	}
	free(f.copy);
	dir_list_free(&l);
	FUZZ_CHECK(l.arena == NULL && l.bytes == 0);
}

static void
check_segment(const char *s, size_t len)
{
	static char	 dec[SEG_MAX + 1], enc[3 * SEG_MAX + 1],
			 back[SEG_MAX + 1];
	int		 n, m, ok;

	if (len > SEG_MAX)
		len = SEG_MAX;
	ok = dir_batch_id_ok(s, len);
	FUZZ_CHECK(ok == 0 || ok == -1);
	if (ok == 0) {
		FUZZ_CHECK(len >= 1 && len <= DIR_BATCH_ID_MAX);
		FUZZ_CHECK(memchr(s, '\0', len) == NULL);
		FUZZ_CHECK(fuzz_utf8_valid(s, len));
	}
	/* What decodes is a good ID, and goes there and back. */
	if ((n = dir_segment_decode(s, len, dec, sizeof(dec))) >= 0) {
		FUZZ_CHECK((size_t)n == strlen(dec));
		FUZZ_CHECK(dir_batch_id_ok(dec, (size_t)n) == 0);
		check_str(dec);
		m = dir_segment_encode(dec, (size_t)n, enc, sizeof(enc));
		FUZZ_CHECK(m >= 0 && (size_t)m == strlen(enc));
		FUZZ_CHECK(dir_segment_decode(enc, (size_t)m, back,
		    sizeof(back)) == n && memcmp(back, dec, (size_t)n) == 0);
	} else
		FUZZ_CHECK(dec[0] == '\0');
	/* What encodes decodes back exactly when it is a good ID. */
	m = dir_segment_encode(s, len, enc, sizeof(enc));
	FUZZ_CHECK(m >= 0 && (size_t)m == strlen(enc) && (size_t)m >= len);
	FUZZ_CHECK(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~%") == (size_t)m);
	n = dir_segment_decode(enc, (size_t)m, back, sizeof(back));
	FUZZ_CHECK((n >= 0) == (ok == 0));
	if (n >= 0)
		FUZZ_CHECK((size_t)n == len && memcmp(back, s, len) == 0);
}

static int
hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

static void
check_filter(const char *value)
{
	static char		 out[6 * 3 * SEG_MAX + 256], json[sizeof(out)];
	struct json_tokener	*tok;
	json_object		*root, *v;
	size_t			 i, n = 0, len = strlen(value);
	int			 m;

	if (len > SEG_MAX)
		return;
	m = dir_filter_query(DIR_FIELD_COMPANY_NAME, value, out, sizeof(out));
	if (!fuzz_utf8_valid(value, len)) {
		FUZZ_CHECK(m == -1 && out[0] == '\0');
		return;
	}
	FUZZ_CHECK(m >= 0 && (size_t)m == strlen(out));
	FUZZ_CHECK(strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~%") == (size_t)m);
	for (i = 0; i < (size_t)m; i++) {
		if (out[i] == '%') {
			FUZZ_CHECK(i + 2 < (size_t)m);
			json[n++] = (char)(hexval(out[i + 1]) << 4 |
			    hexval(out[i + 2]));
			i += 2;
		} else
			json[n++] = out[i];
	}
	json[n] = '\0';
	tok = json_tokener_new();
	FUZZ_CHECK(tok != NULL);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)n + 1);
	FUZZ_CHECK(json_tokener_get_error(tok) == json_tokener_success);
	FUZZ_CHECK(json_object_object_get_ex(root, "Value", &v));
	FUZZ_CHECK((size_t)json_object_get_string_len(v) == len &&
	    memcmp(json_object_get_string(v), value, len) == 0);
	json_object_put(root);
	json_tokener_free(tok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*body;
	size_t	 len;

	if (size == 0)
		return 0;
	len = size - 1;
	body = fuzz_strndup(data + 1, len);
	parse_pages((enum dir_kind)(data[0] % DIR__MAX), 1 + data[0] / 4 % 3,
	    2 + data[0] / 12 % 6, body, len);
	check_segment(body, len);
	check_filter(body);
	free(body);
	return 0;
}
