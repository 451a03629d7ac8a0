/* config.c: settings from defaults, a key = value file and BATCHSTATUS_* variables, validated into one struct. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lines.h"
#include "log.h"
#include "secret.h"
#include "shared.h"
#include "text.h"
#include "token.h"

/*
 * What a setting's kind changes: how apply reads it. Checks of meaning (a
 * URL, a secret file, a listen address, ...) are config_load's, after every
 * source is read, since they look at settings together.
 */
enum kind {
	K_STRING,	/* text, up to its field's size */
	K_NUMBER,	/* a whole number within [min, max] */
	K_BYTES		/* the same, with an optional k/m/g suffix */
};

struct setting {
	const char	*name;	/* file key; the variable is BATCHSTATUS_ + upper case */
	enum kind	 kind;
	size_t		 off;	/* offset in struct config */
	size_t		 size;	/* for strings */
	long		 min, max;	/* for numbers */
	int		 live;		/* a reload (SIGHUP) applies it; else it waits for a restart */
};

#define STR(f) K_STRING, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0
#define NUM(f, k, lo, hi) k, offsetof(struct config, f), 0, lo, hi
#define LIVE	1
#define RESTART	0

static const struct setting settings[] = {
	{ "cloud", STR(cloud), RESTART },
	{ "pc_base_url", STR(pc_base_url), RESTART },
	{ "authority_url", STR(authority_url), RESTART },
	{ "token_file", STR(token_file), RESTART },
	{ "tenant_id", STR(tenant_id), RESTART },
	{ "client_id", STR(client_id), RESTART },
	{ "client_secret_file", STR(client_secret_file), RESTART },
	{ "refresh_token_file", STR(refresh_token_file), RESTART },
	{ "token_endpoint", STR(token_endpoint), RESTART },
	{ "ca_file", STR(ca_file), RESTART },
	{ "listen", STR(listen), RESTART },
	{ "templates_dir", STR(templates_dir), LIVE },
	/* Well under nginx's fastcgi_read_timeout (60 s). */
	{ "upstream_timeout_ms", NUM(upstream_timeout_ms, K_NUMBER, 100, 50000), LIVE },
	{ "max_body_bytes", NUM(max_body_bytes, K_BYTES, 1024, 1024L * 1024 * 1024), LIVE },
	{ "threads", NUM(threads, K_NUMBER, 0, 256), RESTART },
	{ "max_waiting", NUM(max_waiting, K_NUMBER, 1, 65536), RESTART },
	{ "max_devices", NUM(max_devices, K_NUMBER, 1, 10000000), LIVE },
	{ "upstream_connections", NUM(upstream_connections, K_NUMBER, 1, 4096), RESTART },
	{ "cache_finished_seconds", NUM(cache_finished_seconds, K_NUMBER, 0, 86400), LIVE },
	{ "cache_running_seconds", NUM(cache_running_seconds, K_NUMBER, 0, 600), LIVE },
	{ "cache_max_bytes", NUM(cache_max_bytes, K_BYTES, 0, 1024L * 1024 * 1024), LIVE },
	{ "max_retry_after", NUM(max_retry_after, K_NUMBER, 1, 86400), LIVE },
	{ "stale_seconds", NUM(stale_seconds, K_NUMBER, 0, 7 * 86400), LIVE },
	{ "cache_search_seconds", NUM(cache_search_seconds, K_NUMBER, 0, 86400), LIVE },
	{ "cache_customer_seconds", NUM(cache_customer_seconds, K_NUMBER, 0, 7 * 86400), LIVE },
	{ "cache_batch_list_seconds", NUM(cache_batch_list_seconds, K_NUMBER, 0, 86400), LIVE },
	{ "cache_devices_seconds", NUM(cache_devices_seconds, K_NUMBER, 0, 86400), LIVE },
	{ "max_pages", NUM(max_pages, K_NUMBER, 1, 10000), LIVE },
	{ "log_level", STR(log_level), LIVE },
	{ "frame_ancestors", STR(frame_ancestors), RESTART },
	{ "base_path", STR(base_path), RESTART },
	{ "allowed_customers", STR(allowed_customers), LIVE },
	{ "page_gate_dir", STR(page_gate_dir), RESTART },
	{ "shared", STR(shared), RESTART },
	{ "shared_password_file", STR(shared_password_file), RESTART },
	{ "shared_key_file", STR(shared_key_file), RESTART },
	{ "recent_key_file", STR(recent_key_file), RESTART },
	{ "notify_file", STR(notify_file), RESTART },
	{ "public_url", STR(public_url), RESTART },
	{ "state_dir", STR(state_dir), RESTART },
	{ "follow_viewed", NUM(follow_viewed, K_NUMBER, 0, 1), RESTART },
	{ "follow_hours", NUM(follow_hours, K_NUMBER, 1, 720), RESTART },
	{ "shared_timeout_ms", NUM(shared_timeout_ms, K_NUMBER, 5, 5000), RESTART },
};

/* The API base and the sign-in authority of each cloud (see the API notes). */
static const struct cloud {
	const char	*name, *api, *authority;
} clouds[] = {
	{ "global", "https://api.partnercenter.microsoft.com",
	    "https://login.microsoftonline.com" },
	{ "germany", "https://api.partnercenter.microsoft.com",
	    "https://login.microsoftonline.de" },
	{ "usgov", "https://api.partnercenter.microsoft.com",
	    "https://login.microsoftonline.us" },
	{ "china", "https://partner.partnercenterapi.microsoftonline.cn",
	    "https://login.chinacloudapi.cn" },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int
fail(char *err, size_t errsz, const char *name, const char *why)
{
	char	 var[64];
	size_t	 i;

	snprintf(var, sizeof(var), "BATCHSTATUS_%s", name);
	for (i = 12; var[i] != '\0'; i++)
		var[i] = (char)toupper((unsigned char)var[i]);
	snprintf(err, errsz, "%s (%s): %s", var, name, why);
	return -1;
}

static int
has_ctl_or_space(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Parses a whole decimal number with an optional k/m/g (binary) suffix. */
static int
parse_number(const char *s, int bytes, long *out)
{
	char		*end;
	long long	 v, mult = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	if (bytes && *end != '\0') {
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1024; break;
		case 'm': mult = 1024 * 1024; break;
		case 'g': mult = 1024 * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
			end += strlen(end);
	}
	if (*end != '\0' || v > LONG_MAX / mult)
		return -1;
	*out = (long)(v * mult);
	return 0;
}

static int
check_url(char *v, int *is_http, char *err, size_t errsz, const char *name)
{
	size_t		 n;
	const char	*host;

	if (has_ctl_or_space(v) || strpbrk(v, "?#") != NULL)
		return fail(err, errsz, name,
		    "must be a plain URL (no spaces, query or fragment)");
	if (strncasecmp(v, "https://", 8) == 0) {
		host = v + 8;
		*is_http = 0;
	} else if (strncasecmp(v, "http://", 7) == 0) {
		host = v + 7;
		*is_http = 1;
	} else
		return fail(err, errsz, name, "must start with https://");
	if (*host == '\0' || *host == '/')
		return fail(err, errsz, name, "has no host");
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		v[--n] = '\0';
	return 0;
}

static int
check_listen(const char *v, char *err, size_t errsz, const char *name)
{
	const char	*colon;
	long		 port;

	if (*v == '\0')
		return 0;
	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] != '/' || strlen(v + 5) >= 108)
			return fail(err, errsz, name,
			    "unix: needs an absolute path of under 108 bytes");
		return 0;
	}
	if ((colon = strrchr(v, ':')) == NULL || colon == v ||
	    parse_number(colon + 1, 0, &port) == -1 || port < 1 ||
	    port > 65535 || has_ctl_or_space(v))
		return fail(err, errsz, name,
		    "must be unix:/path or host:port");
	return 0;
}

static int
apply(struct config *cfg, const struct setting *s, const char *value,
    char *err, size_t errsz)
{
	char	*field = (char *)cfg + s->off;
	long	 n;

	switch (s->kind) {
	case K_NUMBER:
	case K_BYTES:
		if (parse_number(value, s->kind == K_BYTES, &n) == -1 ||
		    n < s->min || n > s->max) {
			char why[128];
			snprintf(why, sizeof(why),
			    "\"%.40s\" is not a whole number from %ld to %ld",
			    value, s->min, s->max);
			return fail(err, errsz, s->name, why);
		}
		*(long *)(void *)field = n;
		return 0;
	default:
		if (strlen(value) >= s->size)
			return fail(err, errsz, s->name, "is too long");
		memcpy(field, value, strlen(value) + 1);
		return 0;
	}
}

static const struct setting *
find_setting(const char *key)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, key) == 0)
			return &settings[i];
	return NULL;
}

/* One "key = value" line of the settings file. */
static int
one_setting(char *line, const struct lines_at *at, void *arg)
{
	const struct setting	*s;
	char			*key, *eq;

	if ((eq = strchr(line, '=')) == NULL)
		return lines_refuse(at, "expected key = value");
	*eq = '\0';
	key = lines_trim(line);
	if ((s = find_setting(key)) == NULL)
		return lines_refuse(at, "unknown setting \"%.64s\"", key);
	return apply(arg, s, lines_trim(eq + 1), at->err, at->errsz);
}

/*
 * CSP frame-ancestors sources: scheme://host[:port] origins (a * may
 * start the host), separated by spaces. Nothing that could end the
 * directive or the header (; , quotes, controls) gets through.
 */
static int
check_origins(const char *v, char *err, size_t errsz)
{
	const char	*p = v, *host;
	size_t		 n, i;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " ");
		if (n > 5 && strncmp(p, "https://", 8) == 0)
			host = p + 8;
		else if (n > 4 && strncmp(p, "http://", 7) == 0)
			host = p + 7;
		else
			return fail(err, errsz, "frame_ancestors", "each entry "
			    "must be an origin such as https://portal.example.com");
		if (host >= p + n)
			return fail(err, errsz, "frame_ancestors",
			    "an origin has no host");
		for (i = (size_t)(host - p); i < n; i++) {
			char c = p[i];
			if (!isalnum((unsigned char)c) && c != '.' && c != '-' &&
			    c != ':' && !(c == '*' && p + i == host))
				return fail(err, errsz, "frame_ancestors",
				    "an origin has a character that cannot be "
				    "in a host name (no paths)");
		}
		p += n;
	}
	return 0;
}

static int
resolve_cloud(struct config *cfg, char *err, size_t errsz)
{
	size_t i;

	for (i = 0; i < sizeof(clouds) / sizeof(clouds[0]); i++)
		if (strcasecmp(cfg->cloud, clouds[i].name) == 0)
			break;
	if (i == sizeof(clouds) / sizeof(clouds[0]))
		return fail(err, errsz, "cloud",
		    "must be global, china, usgov or germany");
	/* Set alone, either URL overrides its half of the cloud. */
	if (cfg->pc_base_url[0] == '\0')
		snprintf(cfg->pc_base_url, sizeof(cfg->pc_base_url), "%s",
		    clouds[i].api);
	if (cfg->authority_url[0] == '\0')
		snprintf(cfg->authority_url, sizeof(cfg->authority_url), "%s",
		    clouds[i].authority);
	return 0;
}

/* A tenant (GUID or domain) or client ID goes into a URL path or a form: a strict character set. */
static int
id_ok(const char *v)
{
	size_t i;

	if (*v == '\0' || *v == '.' || *v == '-')
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '.')
			return 0;
	return strstr(v, "..") == NULL;
}

static int
check_secret(const char *name, const char *path, char *err, size_t errsz)
{
	char why[CONFIG_PATH_MAX + 200];

	if (secret_check(path, why, sizeof(why)) == -1)
		return fail(err, errsz, name, why);
	return 0;
}

/* Several nodes through Redis: a usable URL, and the key (required) and password in secret files. */
static int
check_shared(const struct config *cfg, char *err, size_t errsz)
{
	char why[256];

	if (cfg->shared[0] == '\0')
		return 0;
	if (shared_url_ok(cfg->shared, why, sizeof(why)) == -1)
		return fail(err, errsz, "shared", why);
	if (cfg->shared_key_file[0] == '\0')
		return fail(err, errsz, "shared_key_file", "is required with "
		    "BATCHSTATUS_SHARED: the nodes' shared key, which seals "
		    "what they put in Redis");
	if (check_secret("shared_key_file", cfg->shared_key_file, err,
	    errsz) == -1)
		return -1;
	if (cfg->shared_password_file[0] != '\0' && check_secret(
	    "shared_password_file", cfg->shared_password_file, err, errsz) == -1)
		return -1;
	return 0;
}

/* Exactly one source of tokens, complete, with its secret files closed to others. */
static int
choose_token_source(struct config *cfg, char *err, size_t errsz)
{
	int app = cfg->tenant_id[0] || cfg->client_id[0] ||
	    cfg->client_secret_file[0] || cfg->refresh_token_file[0];

	if (strcmp(cfg->token_endpoint, "v1") != 0 &&
	    strcmp(cfg->token_endpoint, "v2") != 0)
		return fail(err, errsz, "token_endpoint", "must be v1 or v2");
	cfg->token_v2 = strcmp(cfg->token_endpoint, "v2") == 0;
	if (cfg->token_file[0] != '\0' && app)
		return fail(err, errsz, "token_file", "is set together with "
		    "tenant_id/client_id/client_secret_file: choose one "
		    "source of tokens");
	if (cfg->token_file[0] != '\0') {
		cfg->token_kind = TOKEN_FROM_FILE;
		return check_secret("token_file", cfg->token_file, err, errsz);
	}
	if (!app)
		return fail(err, errsz, "client_id", "no source of tokens: "
		    "set tenant_id, client_id and client_secret_file (or "
		    "token_file)");
	if (!id_ok(cfg->tenant_id))
		return fail(err, errsz, "tenant_id", cfg->tenant_id[0] ?
		    "must be a GUID or a domain name" : "is not set");
	if (!id_ok(cfg->client_id))
		return fail(err, errsz, "client_id", cfg->client_id[0] ?
		    "must be the application (client) ID, a GUID" :
		    "is not set");
	if (cfg->client_secret_file[0] == '\0')
		return fail(err, errsz, "client_secret_file", "is not set");
	if (check_secret("client_secret_file", cfg->client_secret_file, err,
	    errsz) == -1)
		return -1;
	cfg->token_kind = TOKEN_APP;
	if (cfg->refresh_token_file[0] != '\0') {
		if (check_secret("refresh_token_file", cfg->refresh_token_file,
		    err, errsz) == -1)
			return -1;
		cfg->token_kind = TOKEN_APP_USER;
	}
	snprintf(cfg->token_url, sizeof(cfg->token_url), "%s/%s/oauth2/%stoken",
	    cfg->authority_url, cfg->tenant_id, cfg->token_v2 ? "v2.0/" : "");
	return 0;
}

int
config_load(struct config *cfg, const char *path, char *err, size_t errsz)
{
	size_t		 i, j;
	char		 var[64];
	const char	*v;
	int		 is_http;

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->cloud, "global");
	strcpy(cfg->token_endpoint, "v1");
	strcpy(cfg->log_level, "info");
	strcpy(cfg->templates_dir, "templates");
	cfg->upstream_timeout_ms = 15000;
	cfg->max_body_bytes = 32L * 1024 * 1024;
	/* CPU work only (nothing waits on the network there): one thread per core. */
	cfg->threads = 0;
	cfg->max_waiting = 4096;
	cfg->max_devices = 100000;
	/* HTTP/1.1: as many calls at once; HTTP/2 multiplexes ~100 calls on each. */
	cfg->upstream_connections = 64;
	cfg->cache_finished_seconds = 600;
	cfg->cache_running_seconds = 5;
	cfg->cache_max_bytes = 64L * 1024 * 1024;
	cfg->max_retry_after = 300;
	cfg->stale_seconds = 3600;
	cfg->cache_search_seconds = 60;
	cfg->cache_customer_seconds = 3600;
	cfg->cache_batch_list_seconds = 300;
	cfg->cache_devices_seconds = 300;
	/* 100 devices a page: 1,000 pages hold BATCHSTATUS_MAX_DEVICES' default. */
	cfg->max_pages = 1000;
	cfg->shared_timeout_ms = 50;
	cfg->follow_hours = 24;

	if (path != NULL && lines_read(path, one_setting, cfg, err,
	    errsz) == -1)
		return -1;
	for (i = 0; i < NSETTINGS; i++) {
		snprintf(var, sizeof(var), "BATCHSTATUS_%s", settings[i].name);
		for (j = 12; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((v = getenv(var)) != NULL &&
		    apply(cfg, &settings[i], v, err, errsz) == -1)
			return -1;
	}

	if (resolve_cloud(cfg, err, errsz) == -1 ||
	    check_url(cfg->pc_base_url, &cfg->base_is_http, err, errsz,
	    "pc_base_url") == -1 ||
	    check_url(cfg->authority_url, &cfg->authority_is_http, err, errsz,
	    "authority_url") == -1)
		return -1;
	if (check_listen(cfg->listen, err, errsz, "listen") == -1)
		return -1;
	if (choose_token_source(cfg, err, errsz) == -1)
		return -1;
	if (check_origins(cfg->frame_ancestors, err, errsz) == -1)
		return -1;
	if (cfg->base_path[0] != '\0' && !mount_path_ok(cfg->base_path))
		return fail(err, errsz, "base_path", "must be like "
		    "/tools/batchstatus: a path of letters, digits and / _ . - ~, "
		    "no trailing slash");
	if ((cfg->log_level_n = log_level_from_name(cfg->log_level)) < 0)
		return fail(err, errsz, "log_level",
		    "must be error, warn, info or debug");
	if (cfg->ca_file[0] != '\0' && access(cfg->ca_file, R_OK) == -1)
		return fail(err, errsz, "ca_file", strerror(errno));
	if (cfg->templates_dir[0] == '\0')
		return fail(err, errsz, "templates_dir", "is empty");
	if (cfg->page_gate_dir[0] != '\0' && cfg->page_gate_dir[0] != '/')
		return fail(err, errsz, "page_gate_dir", "must be an absolute "
		    "path");
	if (check_shared(cfg, err, errsz) == -1)
		return -1;
	if (cfg->notify_file[0] != '\0' && check_secret("notify_file",
	    cfg->notify_file, err, errsz) == -1)
		return -1;
	if (cfg->public_url[0] != '\0' && check_url(cfg->public_url,
	    &is_http, err, errsz, "public_url") == -1)
		return -1;
	if (cfg->state_dir[0] != '\0' && cfg->state_dir[0] != '/')
		return fail(err, errsz, "state_dir", "must be an absolute path");
	cfg->connect_timeout_ms = cfg->upstream_timeout_ms < 5000 ?
	    cfg->upstream_timeout_ms : 5000;
	return 0;
}

void
config_take_live(struct config *cur, const struct config *n)
{
	const struct setting	*st;
	size_t			 i;

	for (i = 0; i < NSETTINGS; i++) {
		st = &settings[i];
		if (!st->live)
			continue;
		if (st->kind == K_NUMBER || st->kind == K_BYTES)
			*(long *)(void *)((char *)cur + st->off) =
			    *(const long *)(const void *)((const char *)n + st->off);
		else
			memcpy((char *)cur + st->off, (const char *)n + st->off,
			    st->size);
	}
	/* What is derived from a live setting. */
	cur->log_level_n = n->log_level_n;
}

int
config_changes(const struct config *a, const struct config *b,
    void (*fn)(const char *name, int live, void *arg), void *arg)
{
	const struct setting	*st;
	const char		*pa, *pb;
	char			 var[64];
	size_t			 i, j;
	int			 n = 0;

	for (i = 0; i < NSETTINGS; i++) {
		st = &settings[i];
		pa = (const char *)a + st->off;
		pb = (const char *)b + st->off;
		if (st->kind == K_NUMBER || st->kind == K_BYTES ?
		    *(const long *)(const void *)pa == *(const long *)(const void *)pb :
		    strcmp(pa, pb) == 0)
			continue;
		snprintf(var, sizeof(var), "BATCHSTATUS_%s", st->name);
		for (j = 12; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		fn(var, st->live, arg);
		n++;
	}
	return n;
}
