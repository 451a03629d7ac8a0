/* signin.c: the token endpoint's form and its JSON answer (json-c); secrets are wiped after use. */
#include "signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json_strict.h"
#include "wipe.h"

#define SIGNIN_MAX_LIFETIME	86400L	/* seconds */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A JSON value that may come as a string ("3599", v1) or a number (3599, v2). */
static long
seconds_of(json_object *v)
{
	const char	*s;
	char		*end;
	long		 n;

	if (v == NULL)
		return -1;
	switch (json_object_get_type(v)) {
	case json_type_int:
		n = (long)json_object_get_int64(v);
		break;
	case json_type_string:
		s = json_object_get_string(v);
		if (*s < '0' || *s > '9' || strlen(s) > 9)
			return -1;
		n = strtol(s, &end, 10);
		if (*end != '\0')
			return -1;
		break;
	default:
		return -1;
	}
	/* A token lives about an hour; more than a day is not an answer we trust. */
	return n > 0 && n <= SIGNIN_MAX_LIFETIME ? n : -1;
}

static const char *
string_of(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Whether s is a usable bearer value: visible ASCII, not empty, not huge. */
static int
token_like(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    i > 16000)
			return 0;
	return 1;
}

/* Copies the first AADSTSnnnn code out of an error_description. */
static void
find_aadsts(const char *desc, char *out, size_t outsz)
{
	const char	*p;
	size_t		 n = 6;

	out[0] = '\0';
	if (desc == NULL || (p = strstr(desc, "AADSTS")) == NULL)
		return;
	while (p[n] >= '0' && p[n] <= '9' && n < outsz - 1)
		n++;
	if (n == 6)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The OAuth error word, if it is one (letters and underscores): never free text. */
static void
copy_word(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < outsz - 1; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || c == '_'))
			break;
		out[i] = c;
	}
	out[i] = '\0';
	if (s != NULL && s[i] != '\0')
		out[0] = '\0';
}

int
signin_parse(long http_status, const char *body, size_t len,
    struct signin_answer *a)
{
	json_object		*root, *v;
	const char		*at, *rt, *type;
	long			 exp;

	memset(a, 0, sizeof(*a));
	a->http_status = http_status;
	if (len > SIGNIN_MAX_BODY || len > 0x7fffffff) {
		snprintf(a->error, sizeof(a->error), "bad_answer");
		snprintf(a->detail, sizeof(a->detail), "answer too large");
		return -1;
	}
	root = json_strict_parse(body, len, 8);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		if (http_status == 200)
			snprintf(a->error, sizeof(a->error), "bad_answer");
		else
			snprintf(a->error, sizeof(a->error), "http_%ld",
			    http_status);
		snprintf(a->detail, sizeof(a->detail), "HTTP %ld, %s",
		    http_status, root == NULL ? "not JSON" : "not an object");
		json_object_put(root);
		return -1;
	}
	if (http_status != 200) {
		copy_word(string_of(root, "error"), a->error, sizeof(a->error));
		if (a->error[0] == '\0')
			snprintf(a->error, sizeof(a->error), "http_%ld",
			    http_status);
		find_aadsts(string_of(root, "error_description"), a->aadsts,
		    sizeof(a->aadsts));
		snprintf(a->detail, sizeof(a->detail), "HTTP %ld", http_status);
		json_object_put(root);
		return -1;
	}
	at = string_of(root, "access_token");
	rt = string_of(root, "refresh_token");
	type = string_of(root, "token_type");
	exp = json_object_object_get_ex(root, "expires_in", &v) ?
	    seconds_of(v) : -1;
	if (!token_like(at) || (type != NULL && strcasecmp(type, "Bearer")) ||
	    exp <= 0 || (rt != NULL && !token_like(rt))) {
		snprintf(a->error, sizeof(a->error), "bad_answer");
		snprintf(a->detail, sizeof(a->detail), "%s",
		    !token_like(at) ? "no usable access_token" :
		    exp <= 0 ? "no usable expires_in" :
		    (rt != NULL && !token_like(rt)) ? "unusable refresh_token" :
		    "token_type is not Bearer");
		json_object_put(root);
		return -1;
	}
	a->access_token = dup_or_null(at);
	a->refresh_token = dup_or_null(rt);
	a->expires_in = exp;
	/* json-c's copies of the tokens go with the tree: wipe them first. */
	explicit_bzero((char *)at, strlen(at));
	if (rt != NULL)
		explicit_bzero((char *)rt, strlen(rt));
	json_object_put(root);
	if (a->access_token == NULL || (rt != NULL && a->refresh_token == NULL)) {
		signin_answer_free(a);
		snprintf(a->error, sizeof(a->error), "internal");
		snprintf(a->detail, sizeof(a->detail), "out of memory");
		return -1;
	}
	a->ok = 1;
	return 0;
}

/* Appends name=escaped(value) to the form. */
static void
form_add(struct buf *form, const char *name, const char *value)
{
	buf_printf(form, "%s%s=", form->len ? "&" : "", name);
	buf_put_escaped(form, value != NULL ? value : "");
}

int
signin_form(const struct signin_opts *o, const char *client_secret,
    const char *refresh_token, struct buf *form)
{
	form_add(form, "grant_type", refresh_token != NULL ?
	    "refresh_token" : "client_credentials");
	form_add(form, "client_id", o->client_id);
	form_add(form, "client_secret", client_secret);
	if (refresh_token != NULL)
		form_add(form, "refresh_token", refresh_token);
	if (o->v2)
		form_add(form, "scope", SIGNIN_RESOURCE "/.default");
	else
		form_add(form, "resource", SIGNIN_RESOURCE);
	return form->failed ? -1 : 0;
}

void
signin_result(const struct pc_result *r, struct signin_answer *a)
{
	if (r->outcome != PC_ANSWER) {
		memset(a, 0, sizeof(*a));
		snprintf(a->error, sizeof(a->error), "%s",
		    r->outcome == PC_TIMEOUT ? "timeout" :
		    r->outcome == PC_TLS ? "tls" :
		    r->outcome == PC_TOO_LARGE ||
		    r->outcome == PC_BAD_HEADER ? "bad_answer" :
		    r->outcome == PC_INTERNAL ? "internal" : "unreachable");
		snprintf(a->detail, sizeof(a->detail), "%.250s", r->detail);
	} else
		signin_parse(r->http_status, r->body != NULL ? r->body : "",
		    r->len, a);
	a->elapsed_ms = r->elapsed_ms;
}

void
signin_answer_free(struct signin_answer *a)
{
	wipe_str(a->access_token);
	wipe_str(a->refresh_token);
	a->access_token = a->refresh_token = NULL;
}
