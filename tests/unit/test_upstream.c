/* test_upstream.c: the Partner Center GET against a tiny local HTTP server: headers sent, answers, caps, deadlines, failures. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetch.h"
#include "t.h"
#include "upstream.h"

#define HEAD_LEN "HTTP/1.1 200 OK\r\nContent-Length: 199900\r\n" \
    "Connection: close\r\n\r\n"
#define HEAD_NOLEN "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"

static int		 lfd;
static int		 port;
static char		 got[8192];	/* the last request the server read */
static const char	*answer;	/* what it sends back; NULL: say nothing */
static size_t		 answer_len;

static void *
serve(void *arg)
{
	int	 c;
	ssize_t	 n;
	size_t	 len;

	(void)arg;
	while ((c = accept(lfd, NULL, NULL)) >= 0) {
		len = 0;
		while (len < sizeof(got) - 1 &&
		    (n = read(c, got + len, sizeof(got) - 1 - len)) > 0) {
			len += (size_t)n;
			got[len] = '\0';
			/* Answer at the end of the headers, or at once to a TLS hello. */
			if (strstr(got, "\r\n\r\n") != NULL ||
			    strncmp(got, "GET ", len < 4 ? len : 4) != 0)
				break;
		}
		if (answer != NULL)
			(void)!write(c, answer, answer_len);
		else	/* say nothing until the client gives up */
			while (read(c, got, sizeof(got) - 1) > 0)
				;
		close(c);
	}
	return NULL;
}

static void
call(struct upstream *u, const char *resp, struct upstream_result *r)
{
	answer = resp;
	answer_len = resp ? strlen(resp) : 0;
	got[0] = '\0';
	upstream_get(u, "47021739-3426-40bf-9601-61b4b6d7c793",
	    "0127ed8e-ff72-4983-a3d8-e8d8bd378932",
	    "aaaa0000-bb11-2222-33cc-444444dddddd", "hu-HU", "sekrit-token", r);
}

int
main(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	pthread_t		 th;
	struct upstream_opts	 o;
	struct upstream		*u;
	struct upstream_result	 r;
	char			 base[64], first_id[GUID_LEN + 1];
	static char		 big[200000];

	CHECK(upstream_parse_retry_after("57", 0) == 57);
	CHECK(upstream_parse_retry_after(" 0 ", 0) == 0);
	CHECK(upstream_parse_retry_after("999999", 0) == 86400);
	CHECK(upstream_parse_retry_after("soon", 0) == -1);
	CHECK(upstream_parse_retry_after("5x", 0) == -1);
	CHECK(upstream_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480 - 30) == 30);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(lfd, 16) == 0);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	pthread_create(&th, NULL, serve, NULL);

	CHECK(upstream_global_init() == 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	memset(&o, 0, sizeof(o));
	o.base_url = base;
	o.timeout_ms = 700;
	o.connect_timeout_ms = 500;
	o.max_body_bytes = 100000;
	o.app_name = "batchstatus/test";
	u = upstream_new(&o);

	call(u, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 2\r\nConnection: close\r\n\r\n{}", &r);
	CHECK(r.outcome == UP_ANSWER && r.http_status == 200);
	CHECK(r.len == 2 && strcmp(r.body, "{}") == 0);
	CHECK_STR(r.content_type, "application/json");
	CHECK(fetch_classify(&r) == BS_OK);
	/* What Partner Center gets: the documented path and headers. */
	CHECK(strncmp(got, "GET /v1/customers/47021739-3426-40bf-9601-"
	    "61b4b6d7c793/batchJobStatus/0127ed8e-ff72-4983-a3d8-e8d8bd378932 "
	    "HTTP/1.1\r\n", 105) == 0);
	CHECK_CONTAINS(got, "\r\nAuthorization: Bearer sekrit-token\r\n");
	CHECK_CONTAINS(got, "\r\nAccept: application/json\r\n");
	CHECK_CONTAINS(got, "\r\nMS-CorrelationId: "
	    "aaaa0000-bb11-2222-33cc-444444dddddd\r\n");
	CHECK_CONTAINS(got, "\r\nX-Locale: hu-HU\r\n");
	CHECK_CONTAINS(got, "\r\nMS-PartnerCenter-Application: batchstatus/test\r\n");
	CHECK_CONTAINS(got, "\r\nMS-RequestId: ");
	CHECK(strstr(got, r.request_id) != NULL);
	strcpy(first_id, r.request_id);
	upstream_result_free(&r);

	/* A fresh MS-RequestId per call; 429 with Retry-After. */
	call(u, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 57\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n", &r);
	CHECK(strcmp(r.request_id, first_id) != 0);
	CHECK(r.http_status == 429 && r.retry_after == 57);
	CHECK(fetch_classify(&r) == BS_ERR_THROTTLED);
	upstream_result_free(&r);

	call(u, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", &r);
	CHECK(fetch_classify(&r) == BS_ERR_NO_SUCH_BATCH);
	upstream_result_free(&r);
	call(u, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", &r);
	CHECK(fetch_classify(&r) == BS_ERR_CREDENTIALS);
	upstream_result_free(&r);
	call(u, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", &r);
	CHECK(fetch_classify(&r) == BS_ERR_CREDENTIALS);
	upstream_result_free(&r);
	call(u, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", &r);
	CHECK(fetch_classify(&r) == BS_ERR_UPSTREAM_STATUS);
	upstream_result_free(&r);

	/* The body cap: by Content-Length up front, and while streaming without one. */
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, HEAD_LEN, sizeof(HEAD_LEN) - 1);
	call(u, big, &r);
	CHECK(r.outcome == UP_TOO_LARGE && r.body == NULL);
	CHECK(fetch_classify(&r) == BS_ERR_TOO_LARGE);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, HEAD_NOLEN, sizeof(HEAD_NOLEN) - 1);
	call(u, big, &r);
	CHECK(r.outcome == UP_TOO_LARGE);

	/* A server that never answers: the deadline. A closed port: unreachable. */
	call(u, NULL, &r);
	CHECK(r.outcome == UP_TIMEOUT);
	CHECK(fetch_classify(&r) == BS_ERR_TIMEOUT);
	call(u, "", &r);	/* hangs up without a word */
	CHECK(r.outcome == UP_CONNECT);
	CHECK(fetch_classify(&r) == BS_ERR_UNREACHABLE);
	upstream_free(u);

	/* TLS against a server that does not speak it. */
	snprintf(base, sizeof(base), "https://127.0.0.1:%d", port);
	u = upstream_new(&o);
	call(u, "HTTP/1.1 200 OK\r\n\r\n", &r);
	CHECK(r.outcome == UP_TLS);
	CHECK(fetch_classify(&r) == BS_ERR_TLS);
	upstream_free(u);

	close(lfd);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	u = upstream_new(&o);
	call(u, "", &r);
	CHECK(r.outcome == UP_CONNECT);
	upstream_free(u);
	upstream_global_cleanup();
	return t_done("test_upstream");
}
