/* notify.h: where notifications go (the operator's targets file) and what each kind of target is sent (JSON, Slack, Teams), built from a finished batch. */
#ifndef BATCHSTATUS_NOTIFY_H
#define BATCHSTATUS_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "guid.h"
#include "i18n.h"

#define NOTIFY_TARGETS_MAX	16	/* lines of the targets file at most */
#define NOTIFY_URL_MAX		1023	/* a target's URL at most (bytes) */
#define NOTIFY_FILE_MAX		(64 * 1024)	/* the targets file at most */
#define NOTIFY_TOP_ERRORS	5	/* error codes named in a notification */

/* The kinds of target: the first word of a targets file line. */
enum notify_format {
	NOTIFY_JSON,	/* a JSON object of our own (below) */
	NOTIFY_SLACK,	/* a Slack incoming webhook: {"text": ...} */
	NOTIFY_TEAMS,	/* a Teams Workflows webhook: a message with an Adaptive Card */
	NOTIFY__MAX
};

struct notify_target {
	enum notify_format	 format;
	enum locale		 locale;	/* the words of its notifications (optional third word; en-US) */
	char			 url[NOTIFY_URL_MAX + 1];
};

struct notify_targets {
	struct notify_target	 t[NOTIFY_TARGETS_MAX];
	size_t			 n;
};

/* "json", "slack", "teams" */
const char	*notify_format_name(enum notify_format);

/*
 * Parses a targets file's text: one target a line, `FORMAT URL
 * [LANGUAGE]` (FORMAT json, slack or teams; URL https:// with a host, no
 * spaces or controls; LANGUAGE a catalog's tag, en-US when left out);
 * blank lines and lines starting with # are skipped. 0 with t filled
 * (n may be 0), or -1 with the line number and why in err (never the
 * URL: it is a credential).
 */
int	notify_targets_parse(const char *text, size_t len,
	    struct notify_targets *t, char *err, size_t errsz);
/* Reads the file: a secret file (closed to group and others), at most NOTIFY_FILE_MAX bytes. As notify_targets_parse. */
int	notify_targets_load(const char *path, struct notify_targets *t,
	    char *err, size_t errsz);

enum notice_kind {
	NOTICE_FINISHED,	/* the batch is final */
	NOTICE_STILL_RUNNING,	/* followed for the whole BATCHSTATUS_FOLLOW_HOURS and not final */
};

/* One error code of a finished batch, and how many devices have it. */
struct notice_error {
	const char	*code;		/* "808", or the name when there is no number */
	const char	*name;		/* ZtdDeviceAssignedToOtherTenant, or "" */
	const char	*explanation;	/* what it means and what to do, or "" */
	size_t		 n;
};

/* What a notification says, in its target's words (every string non-NULL, UTF-8). */
struct notice {
	enum notice_kind	 kind;
	const char		*customer;	/* the customer's ID */
	const char		*customer_name;	/* the company name, or "" */
	const char		*tracking;
	const char		*status;	/* Partner Center's word (finished_with_errors) */
	const char		*outcome;	/* view_outcome_word */
	const char		*title;		/* "Batch finished" */
	const char		*headline;	/* "Finished — 3 of 120 devices failed" */
	const char		*url;		/* the batch page; "" when no public URL is set */
	const char		*link_text;	/* "Open the batch" */
	const char		*customer_label, *tracking_label, *errors_label;
	const char		*counts_text;	/* "120 devices: 117 registered, 3 failed" */
	size_t			 total, registered, failed, running;
	struct notice_error	 errors[NOTIFY_TOP_ERRORS];
	size_t			 nerrors;
	int64_t			 at;		/* when it was found final (or given up on) */
};

/*
 * The body a target of this format is sent. json: {"event":
 * "batch.finished"|"batch.still_running", "customerId", "customerName",
 * "trackingId", "status", "outcome", "headline", "counts": {"total",
 * "registered", "failed", "running"}, "topErrors": [{"code", "name",
 * "explanation", "devices"}], "url", "at"}, null for what is missing.
 * 0, or -1 when out of memory.
 */
int	notify_body(enum notify_format, const struct notice *, struct buf *out);

#endif
