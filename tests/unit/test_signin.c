/* test_signin.c: token endpoint answers: v1 strings, v2 numbers, Entra errors, junk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signin.h"
#include "t.h"

static struct signin_answer a;

static int
parse(long status, const char *body)
{
	signin_answer_free(&a);
	return signin_parse(status, body, strlen(body), &a);
}

/* v1: expires_in is a string; v2: a number. */
static void
test_v1_and_v2_token_answers(void)
{
	CHECK(parse(200, "{\"token_type\":\"Bearer\",\"expires_in\":\"3599\","
	    "\"ext_expires_in\":\"3599\",\"expires_on\":\"1700000000\","
	    "\"resource\":\"https://api.partnercenter.microsoft.com\","
	    "\"access_token\":\"eyJ0eXAi.abc.def\"}") == 0);
	CHECK(a.ok && a.expires_in == 3599 && a.refresh_token == NULL);
	CHECK_STR(a.access_token, "eyJ0eXAi.abc.def");
	CHECK(parse(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,"
	    "\"access_token\":\"t2\",\"refresh_token\":\"r2\"} \r\n") == 0);
	CHECK(a.expires_in == 3600);
	CHECK_STR(a.refresh_token, "r2");
	signin_answer_free(&a);
}

/* Entra's errors: the OAuth word and the AADSTS code, nothing else. */
static void
test_entra_errors_keep_the_word_and_the_code_only(void)
{
	CHECK(parse(401, "{\"error\":\"invalid_client\",\"error_description\":"
	    "\"AADSTS7000215: Invalid client secret provided.\\r\\nTrace ID: "
	    "abc\\r\\nCorrelation ID: def\",\"error_codes\":[7000215]}") == -1);
	CHECK_STR(a.error, "invalid_client");
	CHECK_STR(a.aadsts, "AADSTS7000215");
	CHECK(a.http_status == 401 && a.access_token == NULL);
	CHECK(strstr(a.detail, "Trace") == NULL);
	CHECK(parse(400, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70000: The grant is expired.\"}") == -1);
	CHECK_STR(a.aadsts, "AADSTS70000");
	signin_answer_free(&a);
}

/* An error word that is not one is dropped, not echoed. */
static void
test_an_error_word_that_is_not_one_is_dropped(void)
{
	CHECK(parse(400, "{\"error\":\"<script>\",\"error_description\":\"x\"}")
	    == -1);
	CHECK_STR(a.error, "http_400");
	CHECK_STR(a.aadsts, "");
	CHECK(parse(500, "<html>Service unavailable</html>") == -1);
	CHECK_STR(a.error, "http_500");
	signin_answer_free(&a);
}

/* A 200 that is not a usable token is a failure too. */
static void
test_a_200_without_a_usable_token_fails(void)
{
	CHECK(parse(200, "<html>Sign in</html>") == -1);
	CHECK_STR(a.error, "bad_answer");
	CHECK(parse(200, "{\"expires_in\":\"3599\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":\"0\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":\"12x\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":-5}") == -1);
	CHECK(parse(200, "{\"access_token\":\"a b\",\"expires_in\":60}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\\r\\nX: y\",\"expires_in\":60}")
	    == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60,"
	    "\"token_type\":\"MAC\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60,"
	    "\"refresh_token\":\"\"}") == -1);
	CHECK(parse(200, "{\"access_token\":\"t\",\"expires_in\":60} x") == -1);
	CHECK(parse(200, "[]") == -1);
	CHECK(parse(200, "") == -1);
	signin_answer_free(&a);
}

int
main(void)
{
	T_RUN(test_v1_and_v2_token_answers);
	T_RUN(test_entra_errors_keep_the_word_and_the_code_only);
	T_RUN(test_an_error_word_that_is_not_one_is_dropped);
	T_RUN(test_a_200_without_a_usable_token_fails);
	return t_done("test_signin");
}
