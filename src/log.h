/* log.h: one-line log records to stderr, safe from any thread. */
#ifndef BATCHSTATUS_LOG_H
#define BATCHSTATUS_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* The level by name (error, warn, info, debug), or -1. */
int	log_level_from_name(const char *);
/* Records above this level are dropped; info until set. Set once, before threads. */
void	log_set_level(enum log_level);
int	log_enabled(enum log_level);

void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Something normal an operator did (a reload): shown at warn, as warnings are. */
void	log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
