/* view.c: the view model: a parsed batch turned into what a page, the JSON and the CSV show (statuses, counts, times); no request, no template. */
#include "view.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A known status as the view shows it. */
static struct status_info
known_info(const struct batch_status *bs)
{
	struct status_info si = { bs->key, bs->label, bs->css, bs->running };

	return si;
}

struct status_info
status_of(const char *raw)
{
	const struct batch_status	*bs = batch_status_find(raw);
	struct status_info		 si;

	if (bs != NULL)
		return known_info(bs);
	si.key = raw;
	si.label = NULL;
	si.css = "status-other";
	si.running = 0;
	return si;
}

static void
format_time(int64_t t, char sep, const char *zone, char *out, size_t outsz)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	/* Four-digit years always (strftime's %Y writes year 5 as "5"). */
	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(out, outsz, "%" PRId64, t);
	else
		snprintf(out, outsz, "%04d-%02d-%02d%c%02d:%02d:%02d%s",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, sep,
		    tm.tm_hour, tm.tm_min, tm.tm_sec, zone);
}

void
view_time_human(int64_t t, char *out, size_t outsz)
{
	format_time(t, ' ', " UTC", out, outsz);
}

void
view_time_iso(int64_t t, char *out, size_t outsz)
{
	format_time(t, 'T', "Z", out, outsz);
}

void
view_ago(int64_t now, int64_t t, enum locale loc, char *out, size_t outsz)
{
	int64_t		 age = now - t;
	const char	*unit;
	long		 n;
	char		 amount[64];

	out[0] = '\0';
	if (age < 0)
		return;		/* a clock ahead of ours: no "ago" to say */
	if (age < 60) {
		snprintf(out, outsz, "%s", i18n_text(loc, "batch.just_now"));
		return;
	}
	/* One unit, rounded down: "12 min ago", "3 h ago", "5 d ago". */
	if (age < 3600) {
		n = (long)(age / 60);
		unit = "unit.minute";
	} else if (age < 86400) {
		n = (long)(age / 3600);
		unit = "unit.hour";
	} else {
		n = (long)(age / 86400);
		unit = "unit.day";
	}
	snprintf(amount, sizeof(amount), "%ld %s", n, i18n_text(loc, unit));
	i18n_format(out, outsz, i18n_text(loc, "batch.ago"), amount, NULL);
}

void
view_duration(long s, enum locale loc, char *out, size_t outsz)
{
	long	 d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
	long	 sec = s % 60;
	size_t	 n = 0;

	out[0] = '\0';
	if (s < 0) {
		snprintf(out, outsz, "%s", i18n_text(loc, "status.unknown"));
		return;
	}
	if (d > 0)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", d,
		    i18n_text(loc, "unit.day"));
	if (h > 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", h,
		    i18n_text(loc, "unit.hour"));
	/* Seconds stop mattering once a batch has run for hours. */
	if (m > 0 && d == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", m,
		    i18n_text(loc, "unit.minute"));
	if ((sec > 0 || s == 0) && d == 0 && h == 0 && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%ld %s ", sec,
		    i18n_text(loc, "unit.second"));
	if (n > 0 && n <= outsz && out[n - 1] == ' ')
		out[n - 1] = '\0';
}

static void
count_status(struct batch_view *v, const struct status_info *si)
{
	size_t i;

	/* In any case: one status, one count, one filter (?status= is lower case). */
	for (i = 0; i < v->ncounts; i++)
		if (strcasecmp(v->counts[i].si.key, si->key) == 0) {
			v->counts[i].n++;
			return;
		}
	if (v->ncounts == VIEW_MAX_COUNTS - 1) {
		/* The last slot collects every further unknown status. */
		struct status_info other = { "other", "status.other",
		    "status-other", 0 };
		v->counts[v->ncounts].si = other;
		v->counts[v->ncounts++].n = 0;
	}
	if (v->ncounts == VIEW_MAX_COUNTS) {
		v->counts[VIEW_MAX_COUNTS - 1].n++;
		return;
	}
	v->counts[v->ncounts].si = *si;
	v->counts[v->ncounts++].n = 1;
}

int
view_device_failed(const struct batch_view *v, size_t i)
{
	const struct device *d = &v->b->devices[i];

	/* The known error was looked up once, by view_batch_build. */
	if (d->error_code[0] == '\0' && d->error_description[0] == '\0')
		return 0;
	return v->dev_error[i] == NULL || !v->dev_error[i]->registered;
}

void
view_status_word(const struct status_info *si, char *out, size_t outsz)
{
	size_t i;

	if (outsz == 0)
		return;
	if (si->key[0] == '\0') {
		snprintf(out, outsz, "none");
		return;
	}
	for (i = 0; si->key[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)si->key[i]);
	/* Cut short: never in the middle of a UTF-8 sequence (JSON and URLs must stay UTF-8). */
	if (si->key[i] != '\0') {
		size_t		 j = i, want;
		unsigned char	 lead;

		while (j > 0 && ((unsigned char)out[j - 1] & 0xc0) == 0x80)
			j--;
		if (j > 0 && (lead = (unsigned char)out[j - 1]) >= 0xc0) {
			want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
			if (i - (j - 1) < want)
				i = j - 1;
		}
	}
	out[i] = '\0';
}

/* Whether device i's error is the one ?code= names: the documented one, or one we do not know by its code or name. */
static int
code_matches(const struct batch_view *v, size_t i, const char *code)
{
	const struct device	*d = &v->b->devices[i];
	const struct errcode	*e = errcode_find(code, code);

	if (e != NULL)
		return v->dev_error[i] == e;
	return v->dev_error[i] == NULL && (strcasecmp(d->error_code, code) == 0 ||
	    strcasecmp(d->error_description, code) == 0);
}

int
view_device_shown(const struct batch_view *v, const struct view_filter *f,
    size_t i)
{
	const struct device	*d = &v->b->devices[i];
	const char		*q = f->search;
	char			 word[64];

	if (f->status[0] != '\0') {
		if (strcasecmp(f->status, "failed") == 0) {
			if (!view_device_failed(v, i))
				return 0;
		} else {
			view_status_word(&v->dev_status[i], word, sizeof(word));
			if (strcasecmp(f->status, word) != 0)
				return 0;
		}
	}
	if (f->code[0] != '\0' && !code_matches(v, i, f->code))
		return 0;
	/* What a reader has at hand: a serial, a product key, a code, or Intune's device ID. */
	return q[0] == '\0' || strcasestr(d->serial_number, q) != NULL ||
	    strcasestr(d->product_key, q) != NULL ||
	    strcasestr(d->error_code, q) != NULL ||
	    strcasestr(d->device_id, q) != NULL;
}

const char *
view_outcome_word(enum view_outcome o)
{
	static const char *const words[OUTCOME__MAX] = {
		[OUTCOME_RUNNING] = "running",
		[OUTCOME_ALL_REGISTERED] = "all_registered",
		[OUTCOME_SOME_FAILED] = "some_failed",
		[OUTCOME_ALL_FAILED] = "all_failed",
		[OUTCOME_NO_DEVICES] = "no_devices",
		[OUTCOME_UNKNOWN] = "unknown",
	};

	return (int)o >= 0 && o < OUTCOME__MAX ? words[o] : "unknown";
}

/* Counts a failed device under its kind: the documented error, or the code and description as they came. */
static void
count_fix(struct batch_view *v, const struct device *d, const struct errcode *e)
{
	struct fix_row	*f;
	size_t		 i;

	for (i = 0; i < v->nfixes; i++) {
		f = &v->fixes[i];
		if (e != NULL ? f->e == e : f->e == NULL &&
		    strcmp(f->code, d->error_code) == 0 &&
		    strcmp(f->description, d->error_description) == 0) {
			f->n++;
			return;
		}
	}
	if (v->nfixes == VIEW_MAX_FIXES) {
		/* Past the bound: the last row stands for every further kind, as one we do not know. */
		f = &v->fixes[VIEW_MAX_FIXES - 1];
		f->e = NULL;
		f->code = "";
		f->description = "";
		f->n++;
		return;
	}
	f = &v->fixes[v->nfixes++];
	f->e = e;
	f->code = d->error_code;
	f->description = d->error_description;
	f->n = 1;
}

/* Most devices first; among equals, the order they first came in. */
static void
sort_fixes(struct batch_view *v)
{
	struct fix_row	 t;
	size_t		 i, j;

	for (i = 1; i < v->nfixes; i++) {
		t = v->fixes[i];
		for (j = i; j > 0 && v->fixes[j - 1].n < t.n; j--)
			v->fixes[j] = v->fixes[j - 1];
		v->fixes[j] = t;
	}
}

/*
 * The outcome, from the devices: a batch that is still running is
 * running; one that is done (final, or every device final) is all
 * registered, all failed or some failed by its devices; anything else we
 * cannot tell.
 */
static enum view_outcome
outcome_of(const struct batch_view *v)
{
	const struct batch *b = v->b;

	if (v->running)
		return OUTCOME_RUNNING;
	if (!batch_status_final(b->status) && v->ndone < b->ndevices)
		return OUTCOME_UNKNOWN;
	if (b->ndevices == 0)
		return batch_status_final(b->status) ? OUTCOME_NO_DEVICES :
		    OUTCOME_UNKNOWN;
	if (v->nfailed == b->ndevices)
		return OUTCOME_ALL_FAILED;
	if (v->nfailed > 0)
		return OUTCOME_SOME_FAILED;
	if (v->nregistered == b->ndevices)
		return OUTCOME_ALL_REGISTERED;
	return OUTCOME_UNKNOWN;
}

int
view_batch_build(struct batch_view *v, const struct batch *b,
    const char *customer, const char *tracking, int64_t now)
{
	const struct batch_status	*bs;
	struct status_info		 si;
	size_t				 i, k;

	memset(v, 0, sizeof(*v));
	v->b = b;
	v->customer = customer;
	v->tracking = tracking;
	v->now = now;
	v->status = status_of(b->status);
	v->running = v->status.running;
	v->duration = -1;
	if (b->has_started && b->has_completed && b->completed >= b->started)
		v->duration = (long)(b->completed - b->started);
	else if (b->has_started && !b->has_completed && now >= b->started)
		v->duration = (long)(now - b->started);

	if (b->ndevices > 0) {
		v->dev_status = calloc(b->ndevices, sizeof(*v->dev_status));
		v->dev_error = calloc(b->ndevices, sizeof(*v->dev_error));
		if (v->dev_status == NULL || v->dev_error == NULL) {
			view_batch_free(v);
			return -1;
		}
	}
	/* Known statuses first, in a fixed order, so counts read the same on every page. */
	for (k = 0; (bs = batch_status_at(k)) != NULL; k++)
		for (i = 0; i < b->ndevices; i++)
			if (strcasecmp(b->devices[i].status, bs->key) == 0) {
				si = known_info(bs);
				count_status(v, &si);
				break;
			}
	for (k = 0; k < v->ncounts; k++)
		v->counts[k].n = 0;
	for (i = 0; i < b->ndevices; i++) {
		const struct device *d = &b->devices[i];

		v->dev_status[i] = status_of(d->status);
		count_status(v, &v->dev_status[i]);
		v->dev_error[i] = errcode_find(d->error_code,
		    d->error_description);
		/* Done: its status is final (finished, with or without errors). */
		if (batch_status_final(d->status))
			v->ndone++;
		if (view_device_failed(v, i)) {
			v->nfailed++;
			count_fix(v, d, v->dev_error[i]);
		} else if (batch_status_final(d->status))
			v->nregistered++;
	}
	sort_fixes(v);
	v->outcome = outcome_of(v);
	return 0;
}

void
view_batch_free(struct batch_view *v)
{
	free(v->dev_status);
	free(v->dev_error);
	v->dev_status = NULL;
	v->dev_error = NULL;
}

long
view_refresh_seconds(const struct batch_view *v)
{
	long running = v->b->has_started && v->now >= v->b->started ?
	    (long)(v->now - v->b->started) : 0;

	/* Often at first, when most batches finish; rarely for a long one. */
	if (running < 60)
		return 5;
	if (running < 180)
		return 10;
	if (running < 600)
		return 20;
	if (running < 1800)
		return 30;
	return 60;
}

const char *
view_status_label(const struct status_info *si, enum locale loc, char *buf,
    size_t bufsz)
{
	if (si->label != NULL)
		return i18n_text(loc, si->label);
	if (si->key[0] == '\0')
		return i18n_text(loc, "status.none");
	/* One we do not know, said to be one: "Unknown status: paused". */
	i18n_format(buf, bufsz, i18n_text(loc, "status.unknown_named"), si->key,
	    NULL);
	return buf;
}


const char *
view_stale_reason(const struct batch_view *v)
{
	const char *w;

	if (v->stale == BS_OK)
		return NULL;
	w = error_info(v->stale)->stale;
	return w != NULL ? w : "unavailable";
}

void
view_headline_of(const char *outcome, const char *status, size_t total,
    size_t part, enum locale loc, char *out, size_t outsz)
{
	struct status_info	 si = status_of(status);
	char			 key[48], t[24], k[24], lbl[VIEW_LABEL_MAX];
	int			 whole = strcmp(outcome, "all_failed") == 0 ||
				    strcmp(outcome, "all_registered") == 0;

	snprintf(t, sizeof(t), "%zu", total);
	snprintf(k, sizeof(k), "%zu", part);
	/* "Its one device" is a sentence of its own in every language. */
	snprintf(key, sizeof(key), "outcome.%s%s", outcome, total == 1 &&
	    whole ? "_one" : "");
	/*
	 * {0}: the status in words, but "Finished" when every device is
	 * registered (Partner Center says "with errors" for 806 alone);
	 * {1}: the devices it is about; {2}: all of them (a plural where the
	 * language has one).
	 */
	i18n_format3(out, outsz, i18n_plural(loc, key, (long)total),
	    strcmp(outcome, "all_registered") == 0 &&
	    batch_status_final(status) ? i18n_text(loc, "status.finished") :
	    view_status_label(&si, loc, lbl, sizeof(lbl)), whole ? t : k, t);
}

void
view_headline(const struct batch_view *v, enum locale loc, char *out,
    size_t outsz)
{
	view_headline_of(view_outcome_word(v->outcome), v->b->status,
	    v->b->ndevices, v->outcome == OUTCOME_RUNNING ? v->ndone :
	    v->nfailed, loc, out, outsz);
}
