/* log.h: one-line log records to stderr, safe from any thread. */
#ifndef BATCHSTATUS_LOG_H
#define BATCHSTATUS_LOG_H

void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
