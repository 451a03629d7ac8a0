/* config.h: the server's settings, from the environment and an optional file, at start and on a reload. */
#ifndef BATCHSTATUS_CONFIG_H
#define BATCHSTATUS_CONFIG_H

#include <stddef.h>

#define CONFIG_PATH_MAX	1024

struct config {
	char	cloud[16];		/* global, china, usgov, germany */
	char	pc_base_url[512];	/* no trailing slash; default: the cloud's */
	char	authority_url[512];	/* sign-in; no trailing slash; default: the cloud's */
	/* The token: token_file, or tenant_id + client_id + client_secret_file (+ refresh_token_file). */
	char	token_file[CONFIG_PATH_MAX];
	char	tenant_id[128];
	char	client_id[128];
	char	client_secret_file[CONFIG_PATH_MAX];
	char	refresh_token_file[CONFIG_PATH_MAX];
	char	token_endpoint[8];	/* v1 (resource=) or v2 (scope=) */
	char	log_level[8];		/* error, warn, info, debug */
	char	frame_ancestors[1024];	/* origins that may embed the pages, besides 'self' */
	char	allowed_customers[CONFIG_PATH_MAX];	/* file of customer IDs; "" allows every customer */
	char	base_path[128];		/* mounted under this path (/tools/batchstatus); "" at the root */
	char	ca_file[CONFIG_PATH_MAX];	/* empty: the system's CAs */
	char	listen[CONFIG_PATH_MAX];	/* "unix:/path", "host:port", or empty for fd 0 */
	char	templates_dir[CONFIG_PATH_MAX];
	char	page_gate_dir[CONFIG_PATH_MAX];	/* where to tell nginx whose kept pages it may serve; "" none */
	char	shared[CONFIG_PATH_MAX];	/* redis://HOST:PORT/DB or redis+unix:/PATH; "" this node alone */
	char	shared_password_file[CONFIG_PATH_MAX];
	char	shared_key_file[CONFIG_PATH_MAX];	/* required with shared: seals entries */
	char	recent_key_file[CONFIG_PATH_MAX];	/* signs the recent-lookups cookie; made when missing ("": $STATE_DIRECTORY/recent-key, else the shared key, else off) */
	char	notify_file[CONFIG_PATH_MAX];	/* notification targets (a secret file); "": notifications off */
	char	public_url[512];	/* the site's address as users reach it, for links in notifications; "" none */
	char	state_dir[CONFIG_PATH_MAX];	/* state that survives restarts; "": $STATE_DIRECTORY */
	long	follow_viewed;		/* 1: viewing a running batch follows it */
	long	follow_hours;		/* a batch is followed this long at most */
	long	shared_timeout_ms;	/* a Redis answer at most; slower counts as away */
	long	upstream_timeout_ms;	/* one request's whole fetch: sign-in wait, call and retry */
	long	connect_timeout_ms;	/* derived: TCP + TLS part of it */
	long	max_body_bytes;
	long	threads;		/* CPU worker threads; 0: one per core */
	long	max_waiting;		/* requests parked on Partner Center at most */
	long	max_devices;		/* devices in one batch at most */
	long	upstream_connections;	/* per upstream host (HTTP/1.1 calls at once; HTTP/2 connections) */
	long	cache_finished_seconds;	/* 0: finished batches are not kept */
	long	cache_running_seconds;	/* 0: running batches are not kept */
	long	cache_max_bytes;
	long	max_retry_after;	/* seconds a 429 may pause every call, at most */
	long	stale_seconds;		/* an earlier answer may stand in for a failed call this long */
	long	cache_search_seconds;	/* customer searches are kept this long */
	long	cache_customer_seconds;	/* a customer's name and domain */
	long	cache_batch_list_seconds;	/* a customer's device batches */
	long	cache_devices_seconds;	/* a device batch's devices */
	long	max_pages;		/* pages of one paged listing at most */
	int	base_is_http;	/* plain http:// base: allowed for local testing, warned about */
	/* Derived. */
	int	token_kind;		/* enum token_kind */
	int	token_v2;
	char	token_url[768];		/* {authority}/{tenant}/oauth2[/v2.0]/token */
	int	authority_is_http;
	int	log_level_n;		/* enum log_level */
};

/*
 * Fills cfg from defaults, then the file (when path is not NULL), then
 * BATCHSTATUS_* environment variables. On a bad value returns -1 with a
 * message naming the setting in err. Secret files must exist and be closed
 * to group and others.
 */
int	config_load(struct config *cfg, const char *path, char *err, size_t errsz);

/*
 * For a reload: calls fn with the variable name (BATCHSTATUS_...) of every
 * setting whose value differs between a and b, and whether a reload
 * applies it (live) or it waits for a restart. Returns how many differ.
 */
int	config_changes(const struct config *a, const struct config *b,
	    void (*fn)(const char *name, int live, void *arg), void *arg);
/* For a reload: copies into cur the settings a reload applies (the table marks them), and what derives from them. */
void	config_take_live(struct config *cur, const struct config *n);

#endif
