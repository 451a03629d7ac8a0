/* notify.c: the targets file's parser and the three bodies a finished batch's notification is sent as (json-c's writer). */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "secret.h"
#include "view.h"

static const char *const format_names[NOTIFY__MAX] = {
	[NOTIFY_JSON] = "json",
	[NOTIFY_SLACK] = "slack",
	[NOTIFY_TEAMS] = "teams",
};

const char *
notify_format_name(enum notify_format f)
{
	return (unsigned)f < NOTIFY__MAX ? format_names[f] : "?";
}

/* A word of the line: [s, e) is not blank; *p moves past it and the blanks after. */
static size_t
word(const char **p, const char *end, const char **w)
{
	const char *s = *p;

	*w = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	return (size_t)(s - *w);
}

static int
url_ok(const char *u, size_t n)
{
	size_t i;

	if (n < 9 || n > NOTIFY_URL_MAX || strncasecmp(u, "https://", 8) != 0 ||
	    u[8] == '/' || u[8] == '?' || u[8] == '#' || u[8] == '@')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f)
			return 0;
	return 1;
}

static int
line_fail(char *err, size_t errsz, size_t line, const char *why)
{
	snprintf(err, errsz, "line %zu: %s", line, why);
	return -1;
}

int
notify_targets_parse(const char *text, size_t len, struct notify_targets *t,
    char *err, size_t errsz)
{
	const char	*p = text, *end = text + len, *eol, *w;
	size_t		 line = 0, n, f;
	struct notify_target *nt;
	int		 loc;

	memset(t, 0, sizeof(*t));
	if (memchr(text, '\0', len) != NULL)
		return line_fail(err, errsz, 1, "the file has a NUL byte");
	while (p < end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		/* The line without its CR and trailing blanks. */
		n = (size_t)(eol - p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' ||
		    p[n - 1] == '\t'))
			n--;
		if (n == 0 || *p == '#') {
			p = eol + (eol < end);
			continue;
		}
		{
			const char *le = p + n;

			if (t->n == NOTIFY_TARGETS_MAX)
				return line_fail(err, errsz, line,
				    "more than 16 targets");
			nt = &t->t[t->n];
			n = word(&p, le, &w);
			for (f = 0; f < NOTIFY__MAX; f++)
				if (strlen(format_names[f]) == n &&
				    strncasecmp(w, format_names[f], n) == 0)
					break;
			if (f == NOTIFY__MAX)
				return line_fail(err, errsz, line,
				    "the first word must be json, slack or teams");
			nt->format = (enum notify_format)f;
			n = word(&p, le, &w);
			if (!url_ok(w, n))
				return line_fail(err, errsz, line,
				    "the second word must be an https:// URL "
				    "(no spaces, at most 1023 bytes)");
			memcpy(nt->url, w, n);
			nt->url[n] = '\0';
			nt->locale = LOC_EN_US;
			if (p < le) {
				n = word(&p, le, &w);
				if ((loc = i18n_from_tag(w, n)) < 0)
					return line_fail(err, errsz, line,
					    "the third word must be a language: "
					    "en-US, hu-HU, ja-JP or zh-TW");
				nt->locale = (enum locale)loc;
			}
			if (p < le)
				return line_fail(err, errsz, line,
				    "more than three words");
			t->n++;
		}
		p = eol + (eol < end);
	}
	return 0;
}

int
notify_targets_load(const char *path, struct notify_targets *t, char *err,
    size_t errsz)
{
	static char	 text[NOTIFY_FILE_MAX + 1];
	char		 why[256];
	ssize_t		 r;
	size_t		 len = 0;
	int		 fd;

	if (secret_check(path, err, errsz) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (len <= NOTIFY_FILE_MAX &&
	    (r = read(fd, text + len, NOTIFY_FILE_MAX + 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	if (len > NOTIFY_FILE_MAX) {
		snprintf(err, errsz, "%s: larger than 64 KiB", path);
		return -1;
	}
	if (notify_targets_parse(text, len, t, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "%s: %s", path, why);
		memset(text, 0, sizeof(text));
		return -1;
	}
	/* The URLs are credentials: none stays behind in the buffer. */
	memset(text, 0, sizeof(text));
	return 0;
}

/* json-c adds to objects without reporting allocation failures; count them ourselves. */
static void
put(json_object *o, const char *key, json_object *v, int *bad)
{
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

static void
append(json_object *a, json_object *v, int *bad)
{
	if (v == NULL || json_object_array_add(a, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

static json_object *
str_or_null(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

static int
write_json(json_object *o, int bad, struct buf *out)
{
	const char	*s;
	int		 rc = -1;

	if (!bad && (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		rc = buf_puts(out, s);
	json_object_put(o);
	return rc;
}

static json_object *
body_json(const struct notice *n, int *bad)
{
	json_object	*o, *c, *a, *e;
	char		 at[32];
	size_t		 i;

	if ((o = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	put(o, "event", json_object_new_string(n->kind == NOTICE_FINISHED ?
	    "batch.finished" : "batch.still_running"), bad);
	put(o, "customerId", json_object_new_string(n->customer), bad);
	put(o, "customerName", str_or_null(n->customer_name), bad);
	put(o, "trackingId", json_object_new_string(n->tracking), bad);
	put(o, "status", str_or_null(n->status), bad);
	put(o, "outcome", str_or_null(n->outcome), bad);
	put(o, "headline", json_object_new_string(n->headline), bad);
	if ((c = json_object_new_object()) == NULL)
		*bad = 1;
	else {
		put(c, "total", json_object_new_int64((int64_t)n->total), bad);
		put(c, "registered", json_object_new_int64((int64_t)n->registered), bad);
		put(c, "failed", json_object_new_int64((int64_t)n->failed), bad);
		put(c, "running", json_object_new_int64((int64_t)n->running), bad);
		put(o, "counts", c, bad);
	}
	if ((a = json_object_new_array()) == NULL)
		*bad = 1;
	else {
		for (i = 0; i < n->nerrors; i++) {
			if ((e = json_object_new_object()) == NULL) {
				*bad = 1;
				continue;
			}
			put(e, "code", str_or_null(n->errors[i].code), bad);
			put(e, "name", str_or_null(n->errors[i].name), bad);
			put(e, "explanation",
			    str_or_null(n->errors[i].explanation), bad);
			put(e, "devices",
			    json_object_new_int64((int64_t)n->errors[i].n), bad);
			append(a, e, bad);
		}
		put(o, "topErrors", a, bad);
	}
	put(o, "url", str_or_null(n->url), bad);
	view_time_iso(n->at, at, sizeof(at));
	put(o, "at", json_object_new_string(at), bad);
	return o;
}

/* One error's line: "808 ZtdDeviceAssignedToOtherTenant (3): explanation". */
static void
error_line(struct buf *b, const struct notice_error *e, const char *bullet)
{
	buf_printf(b, "%s%s%s%s (%zu)%s%s", bullet, e->code,
	    e->name[0] != '\0' && strcmp(e->name, e->code) != 0 ? " " : "",
	    strcmp(e->name, e->code) != 0 ? e->name : "", e->n,
	    e->explanation[0] != '\0' ? ": " : "", e->explanation);
}

/*
 * Slack's text is mrkdwn: &, < and > are its only escapes, and a link is
 * <url|text>; what Partner Center or a customer's name says stays text.
 */
static void
slack_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		default: buf_putc(b, *s);
		}
}

static json_object *
body_slack(const struct notice *n, int *bad)
{
	json_object	*o;
	struct buf	 t, line;
	size_t		 i;

	buf_init(&t);
	buf_init(&line);
	buf_puts(&t, "*");
	slack_escape(&t, n->title);
	buf_puts(&t, "*: ");
	slack_escape(&t, n->headline);
	buf_printf(&t, "\n%s: ", n->customer_label);
	slack_escape(&t, n->customer_name[0] != '\0' ? n->customer_name :
	    n->customer);
	if (n->customer_name[0] != '\0')
		buf_printf(&t, " (%s)", n->customer);
	buf_printf(&t, "\n%s: %s", n->tracking_label, n->tracking);
	buf_puts(&t, "\n");
	slack_escape(&t, n->counts_text);
	if (n->nerrors > 0) {
		buf_printf(&t, "\n%s:", n->errors_label);
		for (i = 0; i < n->nerrors; i++) {
			buf_reset(&line);
			error_line(&line, &n->errors[i], "\n• ");
			if (line.data != NULL)
				slack_escape(&t, line.data);
		}
	}
	if (n->url[0] != '\0') {
		buf_puts(&t, "\n<");
		slack_escape(&t, n->url);
		buf_puts(&t, "|");
		slack_escape(&t, n->link_text);
		buf_puts(&t, ">");
	}
	buf_free(&line);
	if (t.failed || (o = json_object_new_object()) == NULL) {
		buf_free(&t);
		*bad = 1;
		return NULL;
	}
	put(o, "text", json_object_new_string(t.data), bad);
	buf_free(&t);
	return o;
}

static json_object *
text_block(const char *text, const char *weight, const char *size, int *bad)
{
	json_object *b;

	if ((b = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	put(b, "type", json_object_new_string("TextBlock"), bad);
	put(b, "text", json_object_new_string(text), bad);
	put(b, "wrap", json_object_new_boolean(1), bad);
	if (weight != NULL)
		put(b, "weight", json_object_new_string(weight), bad);
	if (size != NULL)
		put(b, "size", json_object_new_string(size), bad);
	return b;
}

static json_object *
fact(const char *title, const char *value, int *bad)
{
	json_object *f;

	if ((f = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	put(f, "title", json_object_new_string(title), bad);
	put(f, "value", json_object_new_string(value), bad);
	return f;
}

/*
 * A Teams Workflows webhook ("When a Teams webhook request is received")
 * takes a message whose attachment is an Adaptive Card. Card text is
 * Markdown-like: what upstream says goes in TextBlocks and facts, which
 * show it as it is apart from a few markers, never as HTML.
 */
static json_object *
body_teams(const struct notice *n, int *bad)
{
	json_object	*msg, *atts, *att, *card, *body, *facts, *fs, *acts, *act;
	struct buf	 who, line;
	size_t		 i;

	if ((msg = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	buf_init(&who);
	buf_init(&line);
	put(msg, "type", json_object_new_string("message"), bad);
	atts = json_object_new_array();
	att = json_object_new_object();
	card = json_object_new_object();
	body = json_object_new_array();
	facts = json_object_new_array();
	fs = json_object_new_object();
	if (atts == NULL || att == NULL || card == NULL || body == NULL ||
	    facts == NULL || fs == NULL) {
		json_object_put(atts);
		json_object_put(att);
		json_object_put(card);
		json_object_put(body);
		json_object_put(facts);
		json_object_put(fs);
		*bad = 1;
		return msg;
	}
	put(card, "$schema", json_object_new_string(
	    "http://adaptivecards.io/schemas/adaptive-card.json"), bad);
	put(card, "type", json_object_new_string("AdaptiveCard"), bad);
	put(card, "version", json_object_new_string("1.4"), bad);
	append(body, text_block(n->title, "Bolder", "Medium", bad), bad);
	append(body, text_block(n->headline, "Bolder", NULL, bad), bad);
	if (n->customer_name[0] != '\0')
		buf_printf(&who, "%s (%s)", n->customer_name, n->customer);
	else
		buf_puts(&who, n->customer);
	append(facts, fact(n->customer_label, who.failed ? n->customer :
	    who.data, bad), bad);
	append(facts, fact(n->tracking_label, n->tracking, bad), bad);
	put(fs, "type", json_object_new_string("FactSet"), bad);
	put(fs, "facts", facts, bad);
	append(body, fs, bad);
	append(body, text_block(n->counts_text, NULL, NULL, bad), bad);
	if (n->nerrors > 0) {
		append(body, text_block(n->errors_label, "Bolder", NULL, bad),
		    bad);
		for (i = 0; i < n->nerrors; i++) {
			buf_reset(&line);
			error_line(&line, &n->errors[i], "- ");
			append(body, text_block(line.failed ? "" : line.data,
			    NULL, NULL, bad), bad);
		}
	}
	put(card, "body", body, bad);
	if (n->url[0] != '\0' && (acts = json_object_new_array()) != NULL) {
		if ((act = json_object_new_object()) != NULL) {
			put(act, "type", json_object_new_string("Action.OpenUrl"),
			    bad);
			put(act, "title", json_object_new_string(n->link_text), bad);
			put(act, "url", json_object_new_string(n->url), bad);
			append(acts, act, bad);
		}
		put(card, "actions", acts, bad);
	}
	put(att, "contentType", json_object_new_string(
	    "application/vnd.microsoft.card.adaptive"), bad);
	put(att, "contentUrl", NULL, bad);
	put(att, "content", card, bad);
	append(atts, att, bad);
	put(msg, "attachments", atts, bad);
	if (who.failed || line.failed)
		*bad = 1;
	buf_free(&who);
	buf_free(&line);
	return msg;
}

int
notify_body(enum notify_format f, const struct notice *n, struct buf *out)
{
	json_object	*o;
	int		 bad = 0;

	switch (f) {
	case NOTIFY_JSON:
		o = body_json(n, &bad);
		break;
	case NOTIFY_SLACK:
		o = body_slack(n, &bad);
		break;
	case NOTIFY_TEAMS:
		o = body_teams(n, &bad);
		break;
	default:
		return -1;
	}
	if (o == NULL)
		return -1;
	return write_json(o, bad, out);
}
