/* config.h: the server's settings, read once from the environment and an optional file, then immutable. */
#ifndef BATCHSTATUS_CONFIG_H
#define BATCHSTATUS_CONFIG_H

#include <stddef.h>

#define CONFIG_PATH_MAX	1024

struct config {
	char	pc_base_url[512];	/* no trailing slash */
	char	token_file[CONFIG_PATH_MAX];
	char	ca_file[CONFIG_PATH_MAX];	/* empty: the system's CAs */
	char	listen[CONFIG_PATH_MAX];	/* "unix:/path", "host:port", or empty for fd 0 */
	char	templates_dir[CONFIG_PATH_MAX];
	long	upstream_timeout_ms;	/* overall deadline of one upstream call */
	long	connect_timeout_ms;	/* derived: TCP + TLS part of it */
	long	max_body_bytes;
	long	threads;
	long	cache_finished_seconds;	/* 0: finished batches are not kept */
	long	cache_running_seconds;	/* 0: running batches are not kept */
	long	cache_max_bytes;
	int	base_is_http;	/* plain http:// base: allowed for local testing, warned about */
};

/*
 * Fills cfg from defaults, then the file (when path is not NULL), then
 * BATCHSTATUS_* environment variables. On a bad value returns -1 with a
 * message naming the setting in err.
 */
int	config_load(struct config *cfg, const char *path, char *err, size_t errsz);

#endif
