/* test_metrics.c: the counters and the Prometheus text at /metrics: names, HELP and TYPE lines, labels, values. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "t.h"

/*
 * The counters are the process's, shared by every test here: each test
 * reads a value before and after what it does and checks the difference,
 * so none depends on what another counted.
 */

/* The text as /metrics shows it, with the gauges their owners pass in. */
static char *
text(long entries, long bytes, long evictions, long waiting)
{
	static struct buf b;

	buf_free(&b);
	metrics_write(&b, entries, bytes, evictions, waiting);
	return b.data;
}

/* The value of the sample line that starts with series ("name{labels}"), or -1 when there is none. */
static double
value(const char *series)
{
	const char	*t = text(0, 0, 0, 0), *p;
	size_t		 n = strlen(series);

	for (p = t; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void
test_requests_are_counted_by_route_and_status(void)
{
	const char	*html = "batchstatus_requests_total{route=\"batch_html\",status=\"200\"}";
	const char	*other = "batchstatus_requests_total{route=\"batch_csv\",status=\"other\"}";
	double		 before = value(html), before_other = value(other);

	metrics_request("batch_html", 200);
	metrics_request("batch_html", 200);
	CHECK(value(html) == (before < 0 ? 0 : before) + 2);
	/* A status the table does not list is "other", not lost. */
	metrics_request("batch_csv", 418);
	CHECK(value(other) == (before_other < 0 ? 0 : before_other) + 1);
}

/* A route and status never met has no line: the text holds only what happened. */
static void
test_a_series_never_counted_has_no_line(void)
{
	CHECK(value("batchstatus_requests_total{route=\"metrics\",status=\"405\"}") == -1);
	CHECK_LACKS(text(0, 0, 0, 0), "route=\"metrics\",status=\"405\"");
}

/* No route counts as other; a new name gets its own row without a list here (route.c's table names them). */
static void
test_routes_take_rows_by_name(void)
{
	const char	*s = "batchstatus_requests_total{route=\"other\",status=\"404\"}";
	const char	*n = "batchstatus_requests_total{route=\"a_new_page\",status=\"200\"}";
	double		 before = value(s);

	metrics_request(NULL, 404);
	CHECK(value(s) == (before < 0 ? 0 : before) + 1);
	metrics_request("other", 404);
	CHECK(value(s) == (before < 0 ? 0 : before) + 2);
	CHECK(value(n) == -1);
	metrics_request("a_new_page", 200);
	CHECK(value(n) == 1);
}

/* An upstream call: its outcome by the error's key, its time in the histogram's buckets, sum and count. */
static void
test_an_upstream_call_is_counted_and_timed(void)
{
	const char	*timeout = "batchstatus_upstream_calls_total{outcome=\"timeout\"}";
	const char	*le01 = "batchstatus_upstream_latency_seconds_bucket{le=\"0.1\"}";
	const char	*le025 = "batchstatus_upstream_latency_seconds_bucket{le=\"0.25\"}";
	const char	*inf = "batchstatus_upstream_latency_seconds_bucket{le=\"+Inf\"}";
	const char	*count = "batchstatus_upstream_latency_seconds_count";
	const char	*sum = "batchstatus_upstream_latency_seconds_sum";
	double		 t = value(timeout), a = value(le01), b = value(le025);
	double		 i = value(inf), c = value(count), s = value(sum);

	metrics_upstream(BS_ERR_TIMEOUT, 120);
	CHECK(value(timeout) == t + 1);
	CHECK(value(le01) == a && value(le025) == b + 1);
	CHECK(value(inf) == i + 1 && value(count) == c + 1);
	CHECK(value(sum) > s + 0.119 && value(sum) < s + 0.121);
	/* The errors no call can have are not outcomes. */
	CHECK_LACKS(text(0, 0, 0, 0), "outcome=\"bad_input\"");
	CHECK_LACKS(text(0, 0, 0, 0), "outcome=\"busy\"");
}

/* Histogram buckets are cumulative, and +Inf is the count. */
static void
test_latency_buckets_are_cumulative(void)
{
	static const char *const les[] = { "0.025", "0.05", "0.1", "0.25", "0.5",
	    "1", "2.5", "5", "10", "30", "+Inf" };
	char	 series[96];
	double	 prev = -1, v;
	size_t	 k;
	int	 ok = 1;

	metrics_upstream(BS_OK, 40000);	/* past the last bound: +Inf only */
	for (k = 0; k < sizeof(les) / sizeof(les[0]); k++) {
		snprintf(series, sizeof(series),
		    "batchstatus_upstream_latency_seconds_bucket{le=\"%s\"}", les[k]);
		v = value(series);
		if (v < 0 || v < prev)
			ok = 0;
		prev = v;
	}
	CHECK(ok);
	CHECK(value("batchstatus_upstream_latency_seconds_bucket{le=\"+Inf\"}") ==
	    value("batchstatus_upstream_latency_seconds_count"));
	CHECK(value("batchstatus_upstream_latency_seconds_bucket{le=\"30\"}") <
	    value("batchstatus_upstream_latency_seconds_bucket{le=\"+Inf\"}"));
}

static void
test_cache_results_are_counted_by_name(void)
{
	const char	*s = "batchstatus_cache_requests_total{result=\"coalesced\"}";
	double		 before = value(s);

	metrics_cache(MC_COALESCED);
	CHECK(value(s) == before + 1);
	CHECK_STR(metrics_cache_name(MC_STALE), "stale");
	CHECK_STR(metrics_cache_name((enum metric_cache)99), "unknown");
}

/* Held answers by the reason the page gives: unreachable and TLS are both "unavailable"; no reason is not counted. */
static void
test_stale_answers_are_counted_by_reason(void)
{
	const char	*s = "batchstatus_stale_answers_total{reason=\"unavailable\"}";
	const char	*t = "batchstatus_stale_answers_total{reason=\"throttled\"}";
	double		 before = value(s), tb = value(t);

	metrics_stale(BS_ERR_UNREACHABLE);
	metrics_stale(BS_ERR_TLS);
	metrics_stale(BS_OK);
	CHECK(value(s) == before + 2);
	CHECK(value(t) == tb);
}

/* The gauges: what the owners pass in, and the counts kept here. */
static void
test_gauges_show_what_they_are_given(void)
{
	const char	*t;
	double		 busy = value("batchstatus_threads_busy");

	metrics_set_threads(6);
	metrics_busy(1);
	t = text(3, 4096, 2, 7);
	CHECK_CONTAINS(t, "\nbatchstatus_cache_entries 3\n");
	CHECK_CONTAINS(t, "\nbatchstatus_cache_bytes 4096\n");
	CHECK_CONTAINS(t, "\nbatchstatus_cache_evictions_total 2\n");
	CHECK_CONTAINS(t, "\nbatchstatus_requests_waiting 7\n");
	CHECK_CONTAINS(t, "\nbatchstatus_threads 6\n");
	CHECK(value("batchstatus_threads_busy") == busy + 1);
	metrics_busy(-1);
	CHECK(value("batchstatus_threads_busy") == busy);
}

/* Admission, shedding, calls in flight, connections and sign-ins. */
static void
test_the_core_counters(void)
{
	double	adm = value("batchstatus_requests_admitted_total");
	double	shed = value("batchstatus_requests_shed_total");
	double	fl = value("batchstatus_upstream_in_flight");
	double	con = value("batchstatus_upstream_connections_total");
	double	ok = value("batchstatus_token_requests_total{outcome=\"renewed\"}");
	double	bad = value("batchstatus_token_requests_total{outcome=\"failed\"}");

	metrics_admitted();
	metrics_shed();
	metrics_shed();
	metrics_in_flight(1);
	metrics_upstream_connects(3);
	metrics_token(1);
	metrics_token(0);
	metrics_token(0);
	CHECK(value("batchstatus_requests_admitted_total") == adm + 1);
	CHECK(value("batchstatus_requests_shed_total") == shed + 2);
	CHECK(value("batchstatus_upstream_in_flight") == fl + 1);
	CHECK(value("batchstatus_upstream_connections_total") == con + 3);
	CHECK(value("batchstatus_token_requests_total{outcome=\"renewed\"}") == ok + 1);
	CHECK(value("batchstatus_token_requests_total{outcome=\"failed\"}") == bad + 2);
	metrics_in_flight(-1);
	CHECK(value("batchstatus_upstream_in_flight") == fl);
}

/* The shared lines only with BATCHSTATUS_SHARED: Redis up or not, and every outcome. */
static void
test_shared_lines_only_when_shared(void)
{
	static const char *const results[] = { "hit", "locked", "waited",
	    "paused", "forged", "alone", "down", "up" };
	char	 s[96];
	size_t	 i;
	int	 ok = 1;

	metrics_shared_up(-1);
	CHECK_LACKS(text(0, 0, 0, 0), "batchstatus_shared");
	metrics_shared_up(1);
	metrics_shared(MS_FORGED);
	CHECK(value("batchstatus_shared_up") == 1);
	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++) {
		snprintf(s, sizeof(s), "batchstatus_shared_total{result=\"%s\"}",
		    results[i]);
		if (value(s) < 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(value("batchstatus_shared_total{result=\"forged\"}") >= 1);
	metrics_shared_up(0);
	CHECK(value("batchstatus_shared_up") == 0);
	metrics_shared_up(-1);
}

/*
 * Every sample is NAME[{label="value",...}] NUMBER, and its family has a
 * HELP and a TYPE line before it; counters end in _total; a histogram's
 * samples are its _bucket, _sum and _count.
 */
static void
test_every_sample_has_help_type_and_a_valid_form(void)
{
	regex_t		 sample, help, type;
	const char	*t, *p, *e;
	char		 line[512], name[128], seen_help[8192] = " ",
			 seen_type[8192] = " ", key[140], *cut;
	int		 bad = 0, samples = 0;

	metrics_shared_up(1);	/* the optional lines too */
	metrics_request("form", 200);
	t = text(1, 2, 3, 4);
	CHECK(regcomp(&sample, "^[a-z_]+(\\{[a-z]+=\"[^\"\\\\]*\"(,[a-z]+=\"[^\"\\\\]*\")*\\})? "
	    "[0-9]+(\\.[0-9]+)?$", REG_EXTENDED | REG_NOSUB) == 0);
	CHECK(regcomp(&help, "^# HELP [a-z_]+ [A-Z].*\\.$", REG_EXTENDED | REG_NOSUB) == 0);
	CHECK(regcomp(&type, "^# TYPE [a-z_]+ (counter|gauge|histogram)$",
	    REG_EXTENDED | REG_NOSUB) == 0);
	for (p = t; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL) {
			bad++;	/* the text ends with a newline */
			break;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
		if (strncmp(line, "# HELP ", 7) == 0) {
			bad += regexec(&help, line, 0, NULL, 0) != 0;
			sscanf(line + 7, "%127s", name);
			snprintf(key, sizeof(key), " %s ", name);
			strncat(seen_help, key + 1, sizeof(seen_help) - strlen(seen_help) - 1);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			bad += regexec(&type, line, 0, NULL, 0) != 0;
			sscanf(line + 7, "%127s", name);
			snprintf(key, sizeof(key), " %s ", name);
			/* A TYPE after its HELP; a counter's name ends in _total. */
			bad += strstr(seen_help, key) == NULL;
			bad += strstr(line, " counter") != NULL &&
			    strcmp(name + strlen(name) - 6, "_total") != 0;
			strncat(seen_type, key + 1, sizeof(seen_type) - strlen(seen_type) - 1);
			continue;
		}
		samples++;
		if (regexec(&sample, line, 0, NULL, 0) != 0) {
			fprintf(stderr, "not a sample: %s\n", line);
			bad++;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, "{ "), line);
		snprintf(key, sizeof(key), " %s ", name);
		if (strstr(seen_type, key) == NULL) {
			/* A histogram's own suffixes belong to its family. */
			if ((cut = strstr(name, "_bucket")) != NULL ||
			    (cut = strstr(name, "_sum")) != NULL ||
			    (cut = strstr(name, "_count")) != NULL)
				*cut = '\0';
			snprintf(key, sizeof(key), " %s ", name);
			if (strstr(seen_type, key) == NULL) {
				fprintf(stderr, "no TYPE before: %s\n", line);
				bad++;
			}
		}
	}
	CHECK(samples > 40);
	CHECK(bad == 0);
	regfree(&sample);
	regfree(&help);
	regfree(&type);
	metrics_shared_up(-1);
}

int
main(void)
{
	T_RUN(test_requests_are_counted_by_route_and_status);
	T_RUN(test_a_series_never_counted_has_no_line);
	T_RUN(test_routes_take_rows_by_name);
	T_RUN(test_an_upstream_call_is_counted_and_timed);
	T_RUN(test_latency_buckets_are_cumulative);
	T_RUN(test_cache_results_are_counted_by_name);
	T_RUN(test_stale_answers_are_counted_by_reason);
	T_RUN(test_gauges_show_what_they_are_given);
	T_RUN(test_the_core_counters);
	T_RUN(test_shared_lines_only_when_shared);
	T_RUN(test_every_sample_has_help_type_and_a_valid_form);
	return t_done("test_metrics");
}
