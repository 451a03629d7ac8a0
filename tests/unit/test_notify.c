/* test_notify.c: the targets file (formats, https only, languages, comments, bounds, errors that never show a URL) and the three bodies (their shape, hostile text kept as text). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "notify.h"
#include "t.h"

static int
parse(const char *text, struct notify_targets *t, char *err, size_t errsz)
{
	return notify_targets_parse(text, strlen(text), t, err, errsz);
}

static void
test_three_formats_comments_blank_lines_and_a_language(void)
{
	struct notify_targets	 t;
	char			 err[256];

	CHECK(parse("# the team's channels\n\njson https://hooks.example/a\r\n"
	    "  slack\thttps://hooks.slack.test/services/T/B/x  \n"
	    "TEAMS https://x.logic.azure.test/workflows/1?sig=abc ja-JP\n", &t,
	    err, sizeof(err)) == 0);
	CHECK(t.n == 3);
	CHECK(t.t[0].format == NOTIFY_JSON && t.t[0].locale == LOC_EN_US);
	CHECK_STR(t.t[0].url, "https://hooks.example/a");
	CHECK(t.t[1].format == NOTIFY_SLACK);
	CHECK_STR(t.t[1].url, "https://hooks.slack.test/services/T/B/x");
	CHECK(t.t[2].format == NOTIFY_TEAMS && t.t[2].locale == LOC_JA_JP);
	CHECK_STR(t.t[2].url, "https://x.logic.azure.test/workflows/1?sig=abc");
	CHECK(parse("", &t, err, sizeof(err)) == 0 && t.n == 0);
	CHECK(parse("# nothing\n", &t, err, sizeof(err)) == 0 && t.n == 0);
}

static void
test_bad_lines_are_refused_by_line_number_without_their_url(void)
{
	struct notify_targets	 t;
	char			 err[256], many[4096];
	int			 i;

	CHECK(parse("json https://ok.example/\nemail https://secret.example/k1\n",
	    &t, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "line 2");
	CHECK_LACKS(err, "secret.example");
	CHECK(parse("slack http://plain.example/secret-token\n", &t, err,
	    sizeof(err)) == -1);
	CHECK_LACKS(err, "secret-token");
	CHECK(parse("slack https://\n", &t, err, sizeof(err)) == -1);
	CHECK(parse("slack https:///path\n", &t, err, sizeof(err)) == -1);
	CHECK(parse("json\n", &t, err, sizeof(err)) == -1);
	CHECK(parse("json https://a.example/ xx-XX\n", &t, err, sizeof(err)) == -1);
	CHECK(parse("json https://a.example/ en-US extra\n", &t, err,
	    sizeof(err)) == -1);
	CHECK(parse("json https://a.example/\xc3\xa9\n", &t, err, sizeof(err)) == -1);
	CHECK(notify_targets_parse("json https://a.example/\0x\n", 25, &t, err,
	    sizeof(err)) == -1);
	many[0] = '\0';
	for (i = 0; i < NOTIFY_TARGETS_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "json https://h%d.example/\n", i);
	CHECK(parse(many, &t, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "line 17");
}

static void
test_a_url_over_the_bound_is_refused(void)
{
	struct notify_targets	 t;
	char			 err[256], line[NOTIFY_URL_MAX + 64];

	snprintf(line, sizeof(line), "json https://a.example/");
	while (strlen(line) < 5 + NOTIFY_URL_MAX)
		strcat(line, "x");
	CHECK(parse(line, &t, err, sizeof(err)) == 0 &&
	    strlen(t.t[0].url) == NOTIFY_URL_MAX);
	strcat(line, "x");
	CHECK(parse(line, &t, err, sizeof(err)) == -1);
}

static void
test_the_file_must_be_closed_to_others(void)
{
	struct notify_targets	 t;
	char			 path[] = "/tmp/bs-notify-XXXXXX", err[512];
	int			 fd = mkstemp(path);
	const char		 text[] = "slack https://hooks.example/very-secret\n";

	CHECK(fd >= 0 && write(fd, text, sizeof(text) - 1) ==
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	chmod(path, 0600);
	CHECK(notify_targets_load(path, &t, err, sizeof(err)) == 0 && t.n == 1);
	chmod(path, 0644);
	CHECK(notify_targets_load(path, &t, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, path);
	CHECK_LACKS(err, "very-secret");
	unlink(path);
	CHECK(notify_targets_load(path, &t, err, sizeof(err)) == -1);
}

/* A notice whose every string is hostile. */
static void
hostile(struct notice *n)
{
	memset(n, 0, sizeof(*n));
	n->kind = NOTICE_FINISHED;
	n->customer = "47021739-3426-40bf-9601-61b4b6d7c793";
	n->customer_name = "<b>Evil & \"Co\"</b> <!channel>";
	n->tracking = "0127ed8e-ff72-4983-a3d8-e8d8bd378932";
	n->status = "finished_with_errors";
	n->outcome = "some_failed";
	n->title = "Batch finished";
	n->headline = "Finished with errors — 3 of 120 devices failed";
	n->url = "https://tools.example/customers/x/batches/y";
	n->link_text = "Open the batch";
	n->customer_label = "Customer";
	n->tracking_label = "Tracking ID";
	n->errors_label = "Top errors";
	n->counts_text = "120 devices: 117 registered, 3 failed";
	n->total = 120;
	n->registered = 117;
	n->failed = 3;
	n->errors[0].code = "808";
	n->errors[0].name = "ZtdDeviceAssignedToOtherTenant";
	n->errors[0].explanation = "Deregister it <first>.";
	n->errors[0].n = 3;
	n->nerrors = 1;
	n->at = 1700000000;
}

static json_object *
body_of(enum notify_format f, const struct notice *n)
{
	struct buf	 b;
	json_object	*o;

	buf_init(&b);
	CHECK(notify_body(f, n, &b) == 0);
	o = b.data != NULL ? json_tokener_parse(b.data) : NULL;
	buf_free(&b);
	CHECK(o != NULL);
	return o;
}

static const char *
str_at(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static void
test_the_json_body_names_the_batch_counts_and_errors(void)
{
	struct notice	 n;
	json_object	*o, *c, *e, *a;

	hostile(&n);
	if ((o = body_of(NOTIFY_JSON, &n)) == NULL)
		return;
	CHECK_STR(str_at(o, "event"), "batch.finished");
	CHECK_STR(str_at(o, "trackingId"), n.tracking);
	CHECK_STR(str_at(o, "customerId"), n.customer);
	CHECK_STR(str_at(o, "customerName"), n.customer_name);
	CHECK_STR(str_at(o, "headline"), n.headline);
	CHECK_STR(str_at(o, "url"), n.url);
	CHECK_STR(str_at(o, "at"), "2023-11-14T22:13:20Z");
	CHECK(json_object_object_get_ex(o, "counts", &c) &&
	    json_object_object_get_ex(c, "failed", &e) &&
	    json_object_get_int(e) == 3);
	CHECK(json_object_object_get_ex(o, "topErrors", &a) &&
	    json_object_array_length(a) == 1 &&
	    strcmp(str_at(json_object_array_get_idx(a, 0), "code"), "808") == 0);
	json_object_put(o);
	n.kind = NOTICE_STILL_RUNNING;
	n.url = "";
	if ((o = body_of(NOTIFY_JSON, &n)) == NULL)
		return;
	CHECK_STR(str_at(o, "event"), "batch.still_running");
	CHECK(json_object_object_get_ex(o, "url", &e) && e == NULL);
	json_object_put(o);
}

static void
test_slack_text_escapes_its_markup_and_links_the_page(void)
{
	struct notice	 n;
	json_object	*o;
	const char	*t;

	hostile(&n);
	if ((o = body_of(NOTIFY_SLACK, &n)) == NULL)
		return;
	t = str_at(o, "text");
	CHECK_CONTAINS(t, "*Batch finished*");
	CHECK_CONTAINS(t, "&lt;b&gt;Evil &amp; \"Co\"&lt;/b&gt; &lt;!channel&gt;");
	CHECK_LACKS(t, "<!channel>");
	CHECK_CONTAINS(t, "<https://tools.example/customers/x/batches/y|Open the batch>");
	CHECK_CONTAINS(t, "808 ZtdDeviceAssignedToOtherTenant (3): Deregister it &lt;first&gt;.");
	CHECK_CONTAINS(t, "120 devices: 117 registered, 3 failed");
	json_object_put(o);
}

static void
test_teams_gets_an_adaptive_card_with_facts_and_a_link(void)
{
	struct notice	 n;
	json_object	*o, *atts, *att, *card, *body, *acts;
	struct buf	 b;

	hostile(&n);
	if ((o = body_of(NOTIFY_TEAMS, &n)) == NULL)
		return;
	CHECK_STR(str_at(o, "type"), "message");
	CHECK(json_object_object_get_ex(o, "attachments", &atts) &&
	    json_object_array_length(atts) == 1);
	att = json_object_array_get_idx(atts, 0);
	CHECK_STR(str_at(att, "contentType"),
	    "application/vnd.microsoft.card.adaptive");
	CHECK(json_object_object_get_ex(att, "content", &card));
	CHECK_STR(str_at(card, "type"), "AdaptiveCard");
	CHECK(json_object_object_get_ex(card, "body", &body) &&
	    json_object_array_length(body) >= 4);
	CHECK_STR(str_at(json_object_array_get_idx(body, 0), "text"),
	    "Batch finished");
	CHECK(json_object_object_get_ex(card, "actions", &acts) &&
	    strcmp(str_at(json_object_array_get_idx(acts, 0), "url"),
	    n.url) == 0);
	json_object_put(o);
	buf_init(&b);
	CHECK(notify_body(NOTIFY_TEAMS, &n, &b) == 0);
	CHECK_CONTAINS(b.data, "\\\"Co\\\"");
	buf_free(&b);
}

int
main(void)
{
	T_RUN(test_three_formats_comments_blank_lines_and_a_language);
	T_RUN(test_bad_lines_are_refused_by_line_number_without_their_url);
	T_RUN(test_a_url_over_the_bound_is_refused);
	T_RUN(test_the_file_must_be_closed_to_others);
	T_RUN(test_the_json_body_names_the_batch_counts_and_errors);
	T_RUN(test_slack_text_escapes_its_markup_and_links_the_page);
	T_RUN(test_teams_gets_an_adaptive_card_with_facts_and_a_link);
	return t_done("test_notify");
}
