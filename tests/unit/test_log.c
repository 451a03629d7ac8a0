/* test_log.c: log records are one whole line each, in one write, with control characters escaped so input cannot forge lines; levels filter them. */
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "t.h"

/*
 * The records written while captured: fd 2 is one end of a SOCK_SEQPACKET
 * pair, which keeps each write(2) a message of its own, so a record that
 * took two writes shows as two messages.
 */
static int	sp[2] = { -1, -1 }, saved = -1;
static char	msgs[16][8192];
static size_t	nmsgs;

static void
capture(void)
{
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
	fflush(stderr);
	saved = dup(2);
	dup2(sp[1], 2);
}

/* fd 2 back; the messages read (each NUL-terminated) into msgs. */
static void
release(void)
{
	ssize_t n;

	dup2(saved, 2);
	close(saved);
	close(sp[1]);
	for (nmsgs = 0; nmsgs < 16 && (n = recv(sp[0], msgs[nmsgs],
	    sizeof(msgs[0]) - 1, MSG_DONTWAIT)) > 0; nmsgs++)
		msgs[nmsgs][n] = '\0';
	close(sp[0]);
	log_set_level(LOG_INFO);
}

/* Whether s is one record: a UTC time to the millisecond, the level, the message, and one newline, at the end. */
static int
one_record(const char *s, const char *level)
{
	regex_t	 r;
	char	 re[128];
	int	 ok;

	snprintf(re, sizeof(re), "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
	    "[0-9]{2}\\.[0-9]{3}Z %s [^\n]*\n$", level);
	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

static void
test_a_record_is_one_line_in_one_write(void)
{
	capture();
	log_info("reload: %s changed", "BATCHSTATUS_LOG_LEVEL");
	log_warn("upstream corr=%s: %d", "aaaa", 429);
	release();
	CHECK(nmsgs == 2);
	CHECK(one_record(msgs[0], "info"));
	CHECK_CONTAINS(msgs[0], " info reload: BATCHSTATUS_LOG_LEVEL changed\n");
	CHECK(one_record(msgs[1], "warn"));
	CHECK_CONTAINS(msgs[1], " warn upstream corr=aaaa: 429\n");
}

/* A newline, CR, ESC or DEL in what a request sent is shown as \xNN: no forged line, no terminal escape. */
static void
test_control_characters_are_escaped(void)
{
	capture();
	log_warn("customer=%s", "x\n2024-01-01T00:00:00.000Z error forged\r\x1b[2J\x7f\t.");
	release();
	CHECK(nmsgs == 1);
	CHECK(one_record(msgs[0], "warn"));
	CHECK_CONTAINS(msgs[0], "customer=x\\x0a2024-01-01T00:00:00.000Z error "
	    "forged\\x0d\\x1b[2J\\x7f\\x09.\n");
	CHECK(strchr(msgs[0], '\r') == NULL && strchr(msgs[0], '\x1b') == NULL);
	/* UTF-8 is text, not control: kept as it is. */
	capture();
	log_info("%s", "\xe6\x97\xa5\xe6\x9c\xac");
	release();
	CHECK(nmsgs == 1);
	CHECK_CONTAINS(msgs[0], " info \xe6\x97\xa5\xe6\x9c\xac\n");
}

/* Too long, or all control characters: cut, but still one line, still one write. */
static void
test_a_long_record_is_cut_but_whole(void)
{
	static char	 big[6000];

	memset(big, 'x', sizeof(big) - 1);
	capture();
	log_err("%s", big);
	memset(big, '\n', sizeof(big) - 1);
	log_err("%s", big);
	release();
	CHECK(nmsgs == 2);
	CHECK(one_record(msgs[0], "error") && strlen(msgs[0]) < 4200);
	CHECK(one_record(msgs[1], "error") && strlen(msgs[1]) < 4200);
	CHECK_CONTAINS(msgs[1], "\\x0a\\x0a");
}

/* Records above the level are dropped; a notice shows at warn; an error always. */
static void
test_the_level_filters_records(void)
{
	int enabled;

	capture();
	log_set_level(LOG_WARN);
	enabled = !log_enabled(LOG_INFO) && log_enabled(LOG_WARN);
	log_info("not shown");
	log_notice("reload: done");
	log_warn("a warning");
	log_set_level(LOG_ERROR);
	log_notice("not shown");
	log_err("an error");
	log_set_level(LOG_DEBUG);
	log_info("an info");
	release();
	CHECK(enabled);
	CHECK(nmsgs == 4);
	CHECK(one_record(msgs[0], "notice"));
	CHECK(one_record(msgs[1], "warn"));
	CHECK(one_record(msgs[2], "error"));
	CHECK(one_record(msgs[3], "info"));
	CHECK(strstr(msgs[0], "not shown") == NULL);
}

static void
test_levels_by_name(void)
{
	CHECK(log_level_from_name("error") == LOG_ERROR);
	CHECK(log_level_from_name("warn") == LOG_WARN);
	CHECK(log_level_from_name("info") == LOG_INFO);
	CHECK(log_level_from_name("debug") == LOG_DEBUG);
	CHECK(log_level_from_name("loud") == -1);
	CHECK(log_level_from_name("INFO") == -1);
	CHECK(log_level_from_name("") == -1);
}

int
main(void)
{
	T_RUN(test_a_record_is_one_line_in_one_write);
	T_RUN(test_control_characters_are_escaped);
	T_RUN(test_a_long_record_is_cut_but_whole);
	T_RUN(test_the_level_filters_records);
	T_RUN(test_levels_by_name);
	return t_done("test_log");
}
