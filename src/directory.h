/* directory.h: Partner Center's customers, device batches and devices as plain C structs, read page by page from their JSON; nothing above this sees JSON. */
#ifndef BATCHSTATUS_DIRECTORY_H
#define BATCHSTATUS_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>

/* What a listing holds: one kind per Partner Center call. */
enum dir_kind {
	DIR_CUSTOMERS,		/* GET /v1/customers?size&filter (a search), paged by links.next */
	DIR_CUSTOMER,		/* GET /v1/customers/{id}: one Customer object (not a collection) */
	DIR_DEVICE_BATCHES,	/* GET /v1/customers/{id}/deviceBatches */
	DIR_DEVICES,		/* GET /v1/customers/{id}/deviceBatches/{batch}/devices, paged by continuationToken */
	DIR__MAX
};

#define DIR_TOKEN_MAX	4096	/* longest continuation token we send back */
#define DIR_MAX_DEPTH	32	/* JSON nesting limit of a page; the real shapes need 6 */
#define DIR_BODY_MAX	(32u << 20)	/* a page larger than this is refused unread */

/* Every string is valid UTF-8 without control characters, never NULL ("" when absent or null). */
struct dir_customer {
	const char	*id;		/* the customer's id, lower case when it is a GUID */
	const char	*tenant_id;	/* companyProfile.tenantId */
	const char	*company_name;	/* companyProfile.companyName */
	const char	*domain;	/* companyProfile.domain */
	const char	*relationship;	/* relationshipToPartner */
};

struct dir_device_batch {
	const char	*id;		/* the uploader's name for it: any UTF-8 */
	const char	*created_by;
	const char	*created_raw;	/* creationDate as it came */
	int		 has_created;
	int64_t		 created;	/* seconds since the epoch, UTC (batch_parse_time) */
	long		 devices_count;	/* devicesCount, or deviceCount; -1 when neither */
};

struct dir_device {
	const char	*id;
	const char	*serial_number;
	const char	*product_key;
	const char	*manufacturer;	/* oemManufacturerName */
	const char	*model;		/* modelName */
	const char	*uploaded_raw;	/* uploadedDate as it came */
	int		 has_uploaded;
	int64_t		 uploaded;
	int		 has_hash;	/* hardwareHash is a non-empty string: the hash itself is never kept */
	const char	*profile;	/* the value of policies[] whose key is "ztd" (any case), else the first policy's value, else "" (a policy without a value, or null, does not count) */
};

/* A listing: every page read so far, appended in order. Zero it before the first page. */
struct dir_list {
	enum dir_kind		 kind;
	struct dir_customer	*customers;	/* DIR_CUSTOMERS, DIR_CUSTOMER (then at most 1) */
	size_t			 ncustomers;
	struct dir_device_batch	*batches;	/* DIR_DEVICE_BATCHES */
	size_t			 nbatches;
	struct dir_device	*devices;	/* DIR_DEVICES */
	size_t			 ndevices;
	long			 total_count;	/* the last page's totalCount; -1 when absent */
	size_t			 pages;		/* pages appended */
	int			 truncated;	/* set by the caller: the page bound or the item bound stopped the paging */
	int			 next_refused;	/* the last page said there is more, but its token was refused (next ""): the listing may be incomplete */
	int64_t			 fetched_at;	/* set by the caller (fetch): when this answer came; 0 unknown */
	size_t			 bytes;		/* memory held, for the cache's bound */
	void			*arena;		/* owns every string and array above */
};

enum dir_parse_result { DIR_OK = 0, DIR_BAD = -1, DIR_TOO_MANY = -2 };

/*
 * Reads one page of kind l->kind (an optional UTF-8 BOM, then strict,
 * UTF-8-validated JSON of at most 32 levels, via json_strict.h) and
 * appends its items to l (l->pages++). A collection is
 * {"totalCount", "items": [...], "links": {...}, "continuationToken"?,
 * "attributes"}; DIR_CUSTOMER is one Customer object. Unknown fields,
 * missing and null fields are fine; items that are not objects are
 * skipped; a body of another shape is not fine (DIR_BAD).
 *
 * next (size DIR_TOKEN_MAX + 1) gets the continuation token to send
 * back for the next page: for DIR_DEVICES the top-level
 * "continuationToken"; for DIR_CUSTOMERS the value of the
 * "MS-ContinuationToken" header (any case) in links.next.headers[], or
 * else the top-level "continuationToken" when links.next exists. ""
 * when there is no next page (no links.next and no continuationToken),
 * and also when the token is empty, longer than DIR_TOKEN_MAX, or holds
 * a byte outside visible ASCII (0x21..0x7e) — it goes into a header.
 * (l->next_refused then tells the caller that more was announced: for
 * DIR_CUSTOMERS, links.next without a token it can send; else a
 * continuationToken that is not "" but was refused.) DIR_DEVICE_BATCHES
 * is read as DIR_DEVICES: no paging is documented, but a
 * continuationToken would be given.
 *
 * DIR_TOO_MANY when the items would pass max_items in all (what the list
 * held before plus this page); the list then keeps what it had (l is
 * unchanged), so the caller may show what it has, truncated.
 *
 * On DIR_BAD (err gets a short reason without body text: "empty body",
 * "not JSON: ...", "wrong shape: ...", "out of memory") l is unchanged too.
 * The body is not copied; strings are copied into l's arena.
 *
 * Field types: a text field holding an object or array is the wrong
 * shape (as companyProfile or policies not an object or array, and items
 * not an array); a number or boolean there gives its JSON text. A count
 * (devicesCount, deviceCount, totalCount) of any other type is -1; links
 * of another shape are no next page. The last of duplicate keys wins,
 * "items" too. An attributes.objectType other than "Collection" (or
 * "Customer" for DIR_CUSTOMER, which also needs an id or companyProfile)
 * is the wrong shape; so is a collection without "items" (null is fine),
 * and a DIR_CUSTOMER page for a list that has its customer already.
 * Peak memory: the items kept, the strings of the one value being read
 * (json-c reads one key or scalar at a time), and the C stack of at most
 * DIR_MAX_DEPTH levels.
 */
int	dir_parse_page(struct dir_list *l, const char *body, size_t len,
	    size_t max_items, char *next, char *err, size_t errsz);
void	dir_list_free(struct dir_list *);

/* Newest first by creation date (unreadable dates last, then by id): the customer page's order. */
void	dir_sort_batches(struct dir_list *);

/*
 * A device batch's id as a user may give it: valid UTF-8, 1 to
 * DIR_BATCH_ID_MAX bytes, no control characters (C0, DEL, C1), no
 * U+2028/2029, not "." or "..". 0 when fine, else -1.
 */
#define DIR_BATCH_ID_MAX	256
int	dir_batch_id_ok(const char *s, size_t len);

/*
 * Percent-encodes s as one URL path segment (RFC 3986: unreserved bytes
 * ALPHA DIGIT - . _ ~ stay, every other byte is %XX upper case, '/' too)
 * into out (size outsz). Returns the length, or -1 when it does not fit.
 */
int	dir_segment_encode(const char *s, size_t len, char *out, size_t outsz);
/*
 * Decodes a percent-encoded path segment (as nginx passes REQUEST_URI:
 * raw) into out (size outsz, NUL-terminated): %XX in either case; a '%'
 * not followed by two hex digits, an encoded NUL, or a result that fails
 * dir_batch_id_ok is -1. '+' stays '+' (a path, not a form).
 */
int	dir_segment_decode(const char *s, size_t len, char *out, size_t outsz);

/* A search filter as Partner Center wants it. */
enum dir_field { DIR_FIELD_COMPANY_NAME, DIR_FIELD_DOMAIN };
/*
 * The filter JSON {"Field":"CompanyName"|"Domain","Value":"...","Operator":"starts_with"}
 * (value JSON-escaped: quotes, backslash, controls as \u00XX; UTF-8 as is), then
 * URL-encoded for the query string (every byte but unreserved as %XX), into out.
 * Returns the length, or -1 when it does not fit (or value is not valid UTF-8,
 * or field is neither). Controls are C0, DEL and C1, written \u00xx in lower case.
 */
int	dir_filter_query(enum dir_field, const char *value, char *out, size_t outsz);

#endif
