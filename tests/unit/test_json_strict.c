/* test_json_strict.c: the strict parse: one value and where it ended, a value cut short, and a whole document with nothing but whitespace after it. */
#include <string.h>

#include "json_strict.h"
#include "t.h"

static void
test_a_value_says_where_it_ended(void)
{
	struct json_tokener	*tok = json_strict_tokener(4,
	    JSON_TOKENER_ALLOW_TRAILING_CHARS);
	json_object		*o;
	size_t			 end;

	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	CHECK(json_strict_value(tok, "{\"a\":1},x", 9, &o, &end) ==
	    json_tokener_success);
	CHECK(json_object_is_type(o, json_type_object) && end == 7);
	json_object_put(o);
	CHECK(json_strict_value(tok, "null,", 5, &o, &end) ==
	    json_tokener_success);
	CHECK(o == NULL && end == 4);
	json_tokener_free(tok);
}

static void
test_a_value_cut_short_leaves_nothing_held(void)
{
	struct json_tokener	*tok = json_strict_tokener(4, 0);
	json_object		*o = (json_object *)1;
	size_t			 end;

	CHECK(tok != NULL);
	if (tok == NULL)
		return;
	CHECK(json_strict_value(tok, "[1,2", 4, &o, &end) ==
	    json_tokener_continue);
	CHECK(o == NULL);
	/* The next value starts afresh, not inside the last one. */
	CHECK(json_strict_value(tok, "[3]", 3, &o, &end) ==
	    json_tokener_success);
	CHECK(json_object_array_length(o) == 1);
	json_object_put(o);
	json_tokener_free(tok);
}

static void
test_a_document_is_one_value_and_whitespace(void)
{
	static const char *const bad[] = { "{} x", "{}{}", "{\"a\":\"\xff\"}",
	    "[[[1]]]", "{'a':1", "", "null" };
	json_object	*o;
	size_t		 i;

	o = json_strict_parse("{\"a\":[1]} \r\n\t", 13, 3);
	CHECK(json_object_is_type(o, json_type_object));
	json_object_put(o);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_strict_parse(bad[i], strlen(bad[i]), 3);
		CHECK(o == NULL);
		json_object_put(o);
	}
}

int
main(void)
{
	T_RUN(test_a_value_says_where_it_ended);
	T_RUN(test_a_value_cut_short_leaves_nothing_held);
	T_RUN(test_a_document_is_one_value_and_whitespace);
	return t_done("test_json_strict");
}
