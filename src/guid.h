/* guid.h: GUIDs as the project uses them: parsed, normalised, generated, and read out of whatever people paste. */
#ifndef BATCHSTATUS_GUID_H
#define BATCHSTATUS_GUID_H

#include <stddef.h>

#define GUID_LEN	36	/* 8-4-4-4-12 hex digits and dashes, no braces */

/*
 * Parses a GUID from s[0..len): surrounding spaces/tabs and one pair of
 * braces are allowed, hex digits in either case. Writes the lower-case
 * canonical form and a NUL to out. Returns 0, or -1 when it is not a GUID.
 */
int	guid_parse(const char *s, size_t len, char out[GUID_LEN + 1]);

/* What a pasted value turned out to be (guid_read_paste). */
enum guid_paste {
	GUID_PASTE_EMPTY,	/* nothing but blanks and invisible characters */
	GUID_PASTE_ID,		/* one GUID, in id */
	GUID_PASTE_PAIR,	/* a status Location or one of our batch URLs: customer, and the tracking ID in id */
	GUID_PASTE_DEVICE_BATCH,	/* a .../customers/{c}/deviceBatches/... URL: it names no tracking ID */
	GUID_PASTE_BAD_ID,	/* a status Location or batch URL whose ID is not a whole GUID (cut short, mistyped) */
	GUID_PASTE_NOT_STATUS,	/* an address or "Location:" that is no batch status Location */
	GUID_PASTE_NOT_GUID,	/* anything else */
};

/* What guid_read_paste read: the kind, and its canonical GUIDs ("" where it has none). */
struct guid_read {
	enum guid_paste	 kind;
	char		 customer[GUID_LEN + 1];	/* GUID_PASTE_PAIR */
	char		 id[GUID_LEN + 1];	/* GUID_PASTE_ID: the GUID; GUID_PASTE_PAIR: the tracking ID */
};

/*
 * Reads a value as people paste it into either field of the form (s[0..len),
 * decoded; any bytes). Forgiven, in any order and nesting:
 *  - blanks (space, tab, CR, LF, U+00A0, U+202F, U+3000) at the ends,
 *    and the invisible U+200B, U+200C, U+200D, U+2060 and U+FEFF anywhere;
 *  - lines around the one line that names the Location (a block of
 *    response headers, a JSON object over several lines);
 *  - quotes (' " ` and the curly ones), <...>, one pair of {...} and a
 *    trailing comma or semicolon around it;
 *  - a header line's or JSON member's name: Location:, "Location": (any case);
 *  - urn:uuid: before a GUID; a GUID without its dashes (32 hex digits).
 * What is left is a GUID, or an address: [http(s)://host][any path, e.g.
 * the mount point or /v1]/customers/{c}/batchJobStatus/{t} (Partner
 * Center's Location) or /customers/{c}/batches/{t}[.json|.csv] (ours),
 * "customers/" without its slash, a trailing slash, ?query and #fragment
 * ignored. Nothing else is guessed: a GUID is only ever one whole GUID.
 * Always fills out: its kind tells which GUIDs it holds, canonical.
 */
void	guid_read_paste(const char *s, size_t len, struct guid_read *out);

/* Writes a fresh random (version 4) GUID. */
void	guid_new(char out[GUID_LEN + 1]);

#endif
