/* page_follow.c: the follow button on a running batch's page, and its POST: a valid token from this site's own page, then 303 back to the batch. */
#include "pages.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "follow.h"
#include "log.h"

void
page_follow_fill(struct tdict *body, struct handler_job *hj,
    struct fetch_ctx *fetch, const struct batch_view *v)
{
	const struct request	*req = &hj->req;
	struct follow_item	 it;
	struct tdict		*s;
	char			 path[160], url[1024], token[FOLLOW_TOKEN_MAX + 1];

	if (fetch == NULL || fetch->follow == NULL)
		return;
	if (follow_get(fetch->follow, req->customer, req->tracking, &it)) {
		if (it.f.ended != 0 || (s = tdict_section(body,
		    "FOLLOWED")) == NULL)
			return;
		tdict_set(s, "TEXT", i18n_text(req->locale, "follow.followed"));
		link_url(url, sizeof(url), &req->link, NULL, "/following", NULL);
		tdict_set(s, "LIST_URL", url);
		return;
	}
	if (!v->running || (s = tdict_section(body, "FOLLOW")) == NULL)
		return;
	link_batch_path(path, sizeof(path), req->customer, req->tracking,
	    "/follow");
	link_url(url, sizeof(url), &req->link, NULL, path, NULL);
	tdict_set(s, "URL", url);
	follow_token(fetch->follow, req->customer, req->tracking, hj->now, token);
	tdict_set(s, "TOKEN", token);
}

/* The token= of an application/x-www-form-urlencoded body (its characters need no decoding), or "". */
static void
form_token(const char *body, size_t len, char *out, size_t outsz)
{
	const char	*p = body, *end = body + len, *amp;
	size_t		 n;

	out[0] = '\0';
	while (p != NULL && p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		n = (size_t)((amp != NULL ? amp : end) - p);
		if (n > 6 && strncmp(p, "token=", 6) == 0) {
			if (n - 6 < outsz) {
				memcpy(out, p + 6, n - 6);
				out[n - 6] = '\0';
			}
			return;
		}
		p = amp != NULL ? amp + 1 : NULL;
	}
}

/* The host[:port] of an origin ("https://host:port"), or NULL. */
static const char *
origin_host(const char *origin)
{
	const char *p = strstr(origin, "://");

	return p != NULL && p[3] != '\0' ? p + 3 : NULL;
}

/*
 * Whether the browser says the POST comes from this site: Sec-Fetch-Site
 * same-origin when sent, and an Origin (when sent) naming this Host or
 * the public URL's. Browsers send at least one of them with every form
 * POST; a request with neither (a script) still needs a valid token.
 */
static int
same_site(const struct http_in *in, const char *public_url)
{
	const char	*h, *pub;
	size_t		 n;

	if (in->fetch_site != NULL &&
	    strcasecmp(in->fetch_site, "same-origin") != 0)
		return 0;
	if (in->origin == NULL)
		return 1;
	if ((h = origin_host(in->origin)) == NULL || strchr(h, '/') != NULL)
		return 0;
	if (in->host != NULL && strcasecmp(h, in->host) == 0)
		return 1;
	if (public_url != NULL && (pub = origin_host(public_url)) != NULL) {
		n = strcspn(pub, "/");
		if (strlen(h) == n && strncasecmp(h, pub, n) == 0)
			return 1;
	}
	return 0;
}

static void
refuse(struct handler_job *hj, const char *why)
{
	log_warn("follow %s/%s refused: %s (corr=%s)", hj->req.customer,
	    hj->req.tracking, why, hj->res.correlation_id);
	page_error_show(&hj->res, BS_ERR_FOLLOW_REFUSED, &hj->req, -1, NULL);
}

void
page_follow(struct handler_job *hj, struct fetch_ctx *fetch)
{
	const struct http_in	*in = hj->in;
	const struct request	*req = &hj->req;
	struct response		*res = &hj->res;
	char			 token[FOLLOW_TOKEN_MAX + 2], path[160];

	if (fetch == NULL || fetch->follow == NULL) {
		page_error_show(res, BS_ERR_NO_ROUTE, req, -1, NULL);
		return;
	}
	if (in->body_over)
		return refuse(hj, "body too large");
	if (!same_site(in, follow_public_url(fetch->follow)))
		return refuse(hj, "from another site");
	form_token(in->body != NULL ? in->body : "", in->body_len, token,
	    sizeof(token));
	if (!follow_token_ok(fetch->follow, req->customer, req->tracking, token,
	    hj->now))
		return refuse(hj, token[0] == '\0' ? "no token" :
		    "token not valid or stale");
	switch (follow_add(fetch->follow, req->customer, req->tracking)) {
	case FOLLOW_ADDED:
	case FOLLOW_ALREADY:
		break;
	case FOLLOW_FULL:
		page_error_show(res, BS_ERR_FOLLOW_FULL, req, 60, NULL);
		return;
	default:
		page_error_show(res, BS_ERR_INTERNAL, req, -1, NULL);
		return;
	}
	res->status = 303;
	res->outcome = "followed";
	link_batch_path(path, sizeof(path), req->customer, req->tracking, "");
	link_url(res->location, sizeof(res->location), &req->link, NULL, path,
	    NULL);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "See %s\n", res->location);
}
