/* test_directory.c: customers, device batches and devices read from Partner Center's pages (shapes of tests/fixtures/customers.json), paging, bounds, batch IDs, path segments and the search filter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "directory.h"
#include "t.h"

static char next[DIR_TOKEN_MAX + 1];
static char err[128];

static int
page(struct dir_list *l, const char *body, size_t max)
{
	err[0] = '\0';
	return dir_parse_page(l, body, strlen(body), max, next, err,
	    sizeof(err));
}

static int
page_n(struct dir_list *l, const char *body, size_t len, size_t max)
{
	err[0] = '\0';
	return dir_parse_page(l, body, len, max, next, err, sizeof(err));
}

/* A fresh list of kind k with body as its one page. */
static int
one(struct dir_list *l, enum dir_kind k, const char *body)
{
	memset(l, 0, sizeof(*l));
	l->kind = k;
	return page(l, body, 1000);
}

#define CUSTOMER(id, tenant, domain, name)				\
    "{\"id\": \"" id "\", \"commerceId\": \"c0mm2971-61b4b6d7c793\",\n"	\
    " \"companyProfile\": {\"tenantId\": \"" tenant "\",\n"		\
    "   \"domain\": \"" domain "\", \"companyName\": \"" name "\",\n"	\
    "   \"links\": {\"self\": {\"uri\": \"/customers/" id		\
    "/profiles/company\", \"method\": \"GET\", \"headers\": []}},\n"	\
    "   \"attributes\": {\"objectType\": \"CustomerCompanyProfile\"}},\n" \
    " \"relationshipToPartner\": \"reseller\",\n"			\
    " \"allowDelegatedAccess\": true,\n"				\
    " \"links\": {\"self\": {\"uri\": \"/customers/" id "\", \"method\": " \
    "\"GET\", \"headers\": []}},\n"					\
    " \"attributes\": {\"objectType\": \"Customer\"}}"

static const char CUSTOMERS_PAGE[] =
    "{\n"
    "    \"totalCount\": 4,\n"
    "    \"items\": [\n"
    CUSTOMER("47021739-3426-40bf-9601-61b4b6d7c793",
	"47021739-3426-40bf-9601-61b4b6d7c793", "contoso.onmicrosoft.com",
	"Contoso") ",\n"
    CUSTOMER("c0570000-0000-4000-8000-000000000001",
	"c0570000-0000-4000-8000-000000000001", "fabrikam.onmicrosoft.com",
	"Fabrikam") ",\n"
    CUSTOMER("c0570000-0000-4000-8000-000000000002",
	"c0570000-0000-4000-8000-000000000002", "arvizturo.onmicrosoft.com",
	"Árvíztűrő Tükörfúrógép Kft.") ",\n"
    CUSTOMER("c0570000-0000-4000-8000-000000000003",
	"c0570000-0000-4000-8000-000000000003", "test-kk.onmicrosoft.com",
	"株式会社テスト") "\n"
    "    ],\n"
    "    \"links\": {\n"
    "        \"self\": {\"uri\": \"/customers?size=4\", \"method\": \"GET\", \"headers\": []},\n"
    "        \"next\": {\"uri\": \"/customers?size=4&seekOperation=Next\", \"method\": \"GET\",\n"
    "            \"headers\": [{\"key\": \"MS-ContinuationToken\", \"value\": \"eyJyIjoiY3VzdG9tZXJzIn0.c2ln\"}]}\n"
    "    },\n"
    "    \"continuationToken\": \"top-level-token\",\n"
    "    \"attributes\": {\"objectType\": \"Collection\"}\n"
    "}\n";

static const char BATCHES_PAGE[] =
    "{\"totalCount\": 4, \"items\": [\n"
    " {\"id\": \"2024-Q3 laptops\", \"createdBy\": \"admin@contoso.onmicrosoft.com\",\n"
    "  \"creationDate\": \"2024-07-01T09:00:00.123Z\", \"devicesCount\": 250,\n"
    "  \"devicesLink\": {\"uri\": \"/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/2024-Q3%20laptops/devices\", \"method\": \"GET\", \"headers\": []},\n"
    "  \"attributes\": {\"objectType\": \"DeviceBatch\"}},\n"
    " {\"id\": \"Árvíz 東京 100% kész\", \"createdBy\": \"kovacs.anna@contoso.onmicrosoft.com\",\n"
    "  \"creationDate\": \"2024-08-15T12:30:00Z\", \"deviceCount\": 3,\n"
    "  \"attributes\": {\"objectType\": \"DeviceBatch\"}},\n"
    " {\"id\": \"spring kiosks\", \"createdBy\": \"admin@contoso.onmicrosoft.com\",\n"
    "  \"creationDate\": \"2024-03-10T08:00:00Z\", \"devicesCount\": 12},\n"
    " {\"id\": \"empty batch\", \"createdBy\": \"admin@contoso.onmicrosoft.com\",\n"
    "  \"creationDate\": \"2024-01-05T07:00:00Z\", \"deviceCount\": 0}\n"
    "], \"links\": {\"self\": {\"uri\": \"/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches\", \"method\": \"GET\", \"headers\": []}},\n"
    " \"attributes\": {\"objectType\": \"Collection\"}}";

#define HASH1	"uoNkKUclN5v7N2vX+9O7ZQ1qD8AUHTTESctaskja90P5rIQEM/uzaUk5MLlwjxzE1lzqeiT3hPADoLCbPsJmJH+SFQtItFCPIFNPfET6nR1cos/hBS0OZHx04rrQeblM"
#define HASH2	"97QQ2xz+niDTFdE96SAYuexpxd8WlXYLs/x9c0H1kP0tgGDrihS8utf/l7sV8jmqYoOpeW+vxyHM9YhaJBwnhI/orYKg+oimSHPBi2ZfVVj3eQOl/b0+rUWHch/+Ak8X"

static const char DEVICES_PAGE[] =
    "{\"totalCount\": 2, \"items\": [\n"
    " {\"id\": \"7c09d808-3517-9d63-d889-4fe93ced6ae5\", \"serialNumber\": \"CTS-Q3-0001\",\n"
    "  \"productKey\": \"00001-00007-00013-04242-00031\",\n"
    "  \"hardwareHash\": \"" HASH1 "\",\n"
    "  \"modelName\": \"Surface Laptop 5\", \"oemManufacturerName\": \"Microsoft Corporation\",\n"
    "  \"policies\": [{\"key\": \"o_o_b_e\", \"value\": \"4e1a7c2b-0000-4c3d-9e8f-00000000a11e\"}],\n"
    "  \"uploadedDate\": \"2024-07-01T09:00:01Z\", \"allowedOperations\": [\"PATCH\", \"DELETE\"],\n"
    "  \"attributes\": {\"objectType\": \"Device\"}},\n"
    " {\"id\": \"520e8d9f-54d9-8adf-149f-7f8837742375\", \"serialNumber\": \"CTS-Q3-0002\",\n"
    "  \"productKey\": \"00002-00014-00026-04242-00062\",\n"
    "  \"hardwareHash\": \"" HASH2 "\",\n"
    "  \"modelName\": \"ThinkPad T14\", \"oemManufacturerName\": \"Lenovo\",\n"
    "  \"policies\": [{\"key\": \"o_o_b_e\", \"value\": \"4e1a7c2b-0000-4c3d-9e8f-00000000a11e\"}],\n"
    "  \"uploadedDate\": \"2024-07-01T09:00:02Z\", \"allowedOperations\": [\"PATCH\", \"DELETE\"],\n"
    "  \"attributes\": {\"objectType\": \"Device\"}}\n"
    "], \"links\": {\"self\": {\"uri\": \"/customers/c/deviceBatches/b/devices\", \"method\": \"GET\", \"headers\": []},\n"
    "   \"next\": {\"uri\": \"/customers/c/deviceBatches/b/devices\", \"method\": \"GET\",\n"
    "     \"headers\": [{\"key\": \"MS-ContinuationToken\", \"value\": \"header-token\"}]}},\n"
    " \"continuationToken\": \"eyJyIjoiZGV2aWNlcyIsIm8iOjEwMH0.sig\",\n"
    " \"attributes\": {\"objectType\": \"Collection\"}}";

/* A page of n devices numbered from first, with a continuation token unless tok is NULL. */
static char *
devices_page(int first, int n, const char *tok)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_printf(&b, "{\"totalCount\": %d, \"items\": [", n);
	for (i = first; i < first + n; i++)
		buf_printf(&b, "%s{\"id\": \"dev-%04d\", \"serialNumber\": "
		    "\"SN-%04d\", \"productKey\": \"PK-%04d\", \"hardwareHash\": "
		    "\"HASH-%04d-abcdefghijklmnopqrstuvwxyz\", \"modelName\": "
		    "\"Model %d\", \"oemManufacturerName\": \"Maker\", "
		    "\"policies\": [{\"key\": \"o_o_b_e\", \"value\": \"prof-%d\"}],"
		    " \"uploadedDate\": \"2024-07-01T09:00:01Z\"}",
		    i == first ? "" : ",", i, i, i, i, i, i);
	buf_puts(&b, "], \"links\": {\"self\": {\"uri\": \"/x\"}}");
	if (tok != NULL)
		buf_printf(&b, ", \"continuationToken\": \"%s\"", tok);
	buf_puts(&b, ", \"attributes\": {\"objectType\": \"Collection\"}}");
	return buf_steal(&b, NULL);
}

/* Calls fn on every string the list holds. */
static void
each_string(const struct dir_list *l, void (*fn)(const char *, void *),
    void *arg)
{
	size_t i;

	for (i = 0; i < l->ncustomers; i++) {
		fn(l->customers[i].id, arg);
		fn(l->customers[i].tenant_id, arg);
		fn(l->customers[i].company_name, arg);
		fn(l->customers[i].domain, arg);
		fn(l->customers[i].relationship, arg);
	}
	for (i = 0; i < l->nbatches; i++) {
		fn(l->batches[i].id, arg);
		fn(l->batches[i].created_by, arg);
		fn(l->batches[i].created_raw, arg);
	}
	for (i = 0; i < l->ndevices; i++) {
		fn(l->devices[i].id, arg);
		fn(l->devices[i].serial_number, arg);
		fn(l->devices[i].product_key, arg);
		fn(l->devices[i].manufacturer, arg);
		fn(l->devices[i].model, arg);
		fn(l->devices[i].uploaded_raw, arg);
		fn(l->devices[i].profile, arg);
	}
}

static void
test_customers_page(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_CUSTOMERS, CUSTOMERS_PAGE) == DIR_OK);
	CHECK_STR(err, "");
	CHECK(l.ncustomers == 4);
	CHECK(l.pages == 1);
	CHECK(l.total_count == 4);
	CHECK(l.batches == NULL && l.devices == NULL);
	if (l.ncustomers == 4) {
		CHECK_STR(l.customers[0].id, "47021739-3426-40bf-9601-61b4b6d7c793");
		CHECK_STR(l.customers[0].tenant_id,
		    "47021739-3426-40bf-9601-61b4b6d7c793");
		CHECK_STR(l.customers[0].domain, "contoso.onmicrosoft.com");
		CHECK_STR(l.customers[0].company_name, "Contoso");
		CHECK_STR(l.customers[0].relationship, "reseller");
		CHECK_STR(l.customers[2].company_name,
		    "Árvíztűrő Tükörfúrógép Kft.");
		CHECK_STR(l.customers[3].company_name, "株式会社テスト");
		CHECK_STR(l.customers[3].domain, "test-kk.onmicrosoft.com");
	}
	/* links.next's header wins over the top-level token. */
	CHECK_STR(next, "eyJyIjoiY3VzdG9tZXJzIn0.c2ln");
	CHECK(!l.next_refused);
	dir_list_free(&l);
}

static void
test_one_customer(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_CUSTOMER, CUSTOMER("C0570000-0000-4000-8000-00000000000A",
	    "c0570000-0000-4000-8000-00000000000a", "x.onmicrosoft.com",
	    "株式会社テスト")) == DIR_OK);
	CHECK(l.ncustomers == 1);
	if (l.ncustomers == 1) {
		/* A GUID id in capitals is written one way. */
		CHECK_STR(l.customers[0].id,
		    "c0570000-0000-4000-8000-00000000000a");
		CHECK_STR(l.customers[0].company_name, "株式会社テスト");
	}
	CHECK_STR(next, "");
	CHECK(l.total_count == -1);
	/* It holds one: a second is refused, and changes nothing. */
	CHECK(page(&l, CUSTOMER("x", "y", "z", "w"), 10) == DIR_BAD);
	CHECK(l.ncustomers == 1 && l.pages == 1);
	dir_list_free(&l);

	/* An id that is not a GUID stays as it came. */
	CHECK(one(&l, DIR_CUSTOMER, "{\"id\": \"Not-A-GUID\"}") == DIR_OK);
	CHECK(l.ncustomers == 1 && strcmp(l.customers[0].id, "Not-A-GUID") == 0);
	dir_list_free(&l);

	/* A collection, an error body, another resource: not a Customer. */
	CHECK(one(&l, DIR_CUSTOMER, CUSTOMERS_PAGE) == DIR_BAD);
	CHECK_CONTAINS(err, "wrong shape");
	CHECK(l.ncustomers == 0 && l.pages == 0);
	CHECK(one(&l, DIR_CUSTOMER, "{\"code\": 600016, \"description\": "
	    "\"The customer was not found\"}") == DIR_BAD);
	CHECK(one(&l, DIR_CUSTOMER, "{\"id\": \"x\", \"attributes\": "
	    "{\"objectType\": \"DeviceBatch\"}}") == DIR_BAD);
	CHECK(one(&l, DIR_CUSTOMER, "{\"id\": \"x\", \"attributes\": "
	    "{\"objectType\": \"customer\"}}") == DIR_OK);
	dir_list_free(&l);
	/* The item bound holds here too. */
	memset(&l, 0, sizeof(l));
	l.kind = DIR_CUSTOMER;
	CHECK(page(&l, "{\"id\": \"x\"}", 0) == DIR_TOO_MANY);
	dir_list_free(&l);
}

static void
test_device_batches_page(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICE_BATCHES, BATCHES_PAGE) == DIR_OK);
	CHECK(l.nbatches == 4 && l.total_count == 4);
	if (l.nbatches == 4) {
		CHECK_STR(l.batches[0].id, "2024-Q3 laptops");
		CHECK_STR(l.batches[0].created_by,
		    "admin@contoso.onmicrosoft.com");
		CHECK_STR(l.batches[0].created_raw, "2024-07-01T09:00:00.123Z");
		CHECK(l.batches[0].has_created &&
		    l.batches[0].created == 1719824400);
		CHECK(l.batches[0].devices_count == 250);
		CHECK_STR(l.batches[1].id, "Árvíz 東京 100% kész");
		CHECK(l.batches[1].devices_count == 3);	/* deviceCount */
		CHECK(l.batches[2].devices_count == 12);
		CHECK(l.batches[3].devices_count == 0);
	}
	CHECK_STR(next, "");
	dir_list_free(&l);
}

static void
test_device_count_spellings(void)
{
	struct dir_list	 l;
	static const struct {
		const char	*fields;
		long		 want;
	} cases[] = {
		{ "\"devicesCount\": 7", 7 },
		{ "\"deviceCount\": 7", 7 },
		{ "\"devicesCount\": 7, \"deviceCount\": 9", 7 },
		{ "\"deviceCount\": 9, \"devicesCount\": 7", 7 },
		{ "\"devicesCount\": \"7\", \"deviceCount\": 9", 9 },
		{ "\"devicesCount\": \"7\"", -1 },
		{ "\"devicesCount\": -1", -1 },
		{ "\"devicesCount\": 2.5", -1 },
		{ "\"devicesCount\": 1e3", -1 },
		{ "\"devicesCount\": true", -1 },
		{ "\"devicesCount\": null", -1 },
		{ "\"devicesCount\": [1]", -1 },
		{ "\"devicesCount\": {\"n\": 1}", -1 },
		{ "\"devicesCount\": 99999999999999999999999", -1 },
		{ "\"devicesCount\": 0", 0 },
		{ "", -1 },
	};
	char	 body[256];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"items\": [{\"id\": \"b\"%s%s}]}",
		    cases[i].fields[0] != '\0' ? ", " : "", cases[i].fields);
		CHECK(one(&l, DIR_DEVICE_BATCHES, body) == DIR_OK);
		CHECK(l.nbatches == 1 && l.batches[0].devices_count ==
		    cases[i].want);
		if (l.nbatches != 1 || l.batches[0].devices_count != cases[i].want)
			fprintf(stderr, "  case %s\n", body);
		dir_list_free(&l);
	}
}

static void
test_devices_page(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICES, DEVICES_PAGE) == DIR_OK);
	CHECK(l.ndevices == 2 && l.total_count == 2);
	if (l.ndevices == 2) {
		CHECK_STR(l.devices[0].id, "7c09d808-3517-9d63-d889-4fe93ced6ae5");
		CHECK_STR(l.devices[0].serial_number, "CTS-Q3-0001");
		CHECK_STR(l.devices[0].product_key,
		    "00001-00007-00013-04242-00031");
		CHECK_STR(l.devices[0].model, "Surface Laptop 5");
		CHECK_STR(l.devices[0].manufacturer, "Microsoft Corporation");
		CHECK_STR(l.devices[0].profile,
		    "4e1a7c2b-0000-4c3d-9e8f-00000000a11e");
		CHECK_STR(l.devices[0].uploaded_raw, "2024-07-01T09:00:01Z");
		CHECK(l.devices[0].has_uploaded &&
		    l.devices[0].uploaded == 1719824401);
		CHECK(l.devices[0].has_hash && l.devices[1].has_hash);
		CHECK_STR(l.devices[1].manufacturer, "Lenovo");
	}
	/* Devices: the top-level token, not links.next's header. */
	CHECK_STR(next, "eyJyIjoiZGV2aWNlcyIsIm8iOjEwMH0.sig");
	dir_list_free(&l);
}

static void
test_missing_and_null_fields(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICES, "{\"items\": [{}, {\"id\": null, "
	    "\"serialNumber\": null, \"productKey\": null, \"hardwareHash\": "
	    "null, \"modelName\": null, \"oemManufacturerName\": null, "
	    "\"policies\": null, \"uploadedDate\": null}]}") == DIR_OK);
	CHECK(l.ndevices == 2 && l.total_count == -1);
	if (l.ndevices == 2) {
		CHECK_STR(l.devices[1].id, "");
		CHECK_STR(l.devices[1].serial_number, "");
		CHECK_STR(l.devices[1].product_key, "");
		CHECK_STR(l.devices[1].model, "");
		CHECK_STR(l.devices[1].manufacturer, "");
		CHECK_STR(l.devices[1].uploaded_raw, "");
		CHECK_STR(l.devices[1].profile, "");
		CHECK(!l.devices[1].has_uploaded && !l.devices[1].has_hash);
		CHECK_STR(l.devices[0].id, "");
		CHECK_STR(l.devices[0].profile, "");
	}
	dir_list_free(&l);

	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [{\"id\": \"c\", "
	    "\"companyProfile\": null}, {\"companyProfile\": {}}]}") == DIR_OK);
	CHECK(l.ncustomers == 2);
	if (l.ncustomers == 2) {
		CHECK_STR(l.customers[0].id, "c");
		CHECK_STR(l.customers[0].company_name, "");
		CHECK_STR(l.customers[1].id, "");
		CHECK_STR(l.customers[1].tenant_id, "");
		CHECK_STR(l.customers[1].relationship, "");
	}
	dir_list_free(&l);

	CHECK(one(&l, DIR_DEVICE_BATCHES, "{\"items\": [{\"creationDate\": "
	    "\"yesterday\"}, {\"creationDate\": null}]}") == DIR_OK);
	CHECK(l.nbatches == 2);
	if (l.nbatches == 2) {
		CHECK_STR(l.batches[0].created_raw, "yesterday");
		CHECK(!l.batches[0].has_created && !l.batches[1].has_created);
		CHECK(l.batches[0].devices_count == -1);
		CHECK_STR(l.batches[1].created_by, "");
	}
	/* An empty collection, and null items, are pages too. */
	CHECK(page(&l, "{\"totalCount\": 0, \"items\": []}", 10) == DIR_OK);
	CHECK(page(&l, "{\"items\": null}", 10) == DIR_OK);
	CHECK(l.nbatches == 2 && l.pages == 3 && l.total_count == -1);
	dir_list_free(&l);
}

static void
test_numbers_and_booleans_as_text(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICES, "{\"items\": [{\"serialNumber\": "
	    "12345678901234567890123, \"productKey\": -1.50e3, \"id\": true, "
	    "\"modelName\": 0 }]}") == DIR_OK);
	CHECK(l.ndevices == 1);
	if (l.ndevices == 1) {
		CHECK_STR(l.devices[0].serial_number, "12345678901234567890123");
		CHECK_STR(l.devices[0].product_key, "-1.50e3");
		CHECK_STR(l.devices[0].id, "true");
		CHECK_STR(l.devices[0].model, "0");
	}
	dir_list_free(&l);
}

static void
test_non_objects_are_skipped(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [1, \"x\", null, [], "
	    "[{\"id\": \"nested\"}], true, {\"id\": \"kept\"}, 2.5]}") == DIR_OK);
	CHECK(l.ncustomers == 1);
	if (l.ncustomers == 1)
		CHECK_STR(l.customers[0].id, "kept");
	dir_list_free(&l);
}

/* Everything a caller can see of a list, to tell it did not change. */
struct snap {
	size_t		 n, pages, bytes;
	long		 total;
	const void	*arr, *arena;
	const char	*first_id;
	char		 first_copy[64];
};

static void
snap(const struct dir_list *l, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->n = l->ncustomers + l->nbatches + l->ndevices;
	s->pages = l->pages;
	s->bytes = l->bytes;
	s->total = l->total_count;
	s->arr = l->customers != NULL ? (const void *)l->customers :
	    l->batches != NULL ? (const void *)l->batches :
	    (const void *)l->devices;
	s->arena = l->arena;
	s->first_id = l->ncustomers ? l->customers[0].id : l->nbatches ?
	    l->batches[0].id : l->ndevices ? l->devices[0].id : NULL;
	if (s->first_id != NULL)
		snprintf(s->first_copy, sizeof(s->first_copy), "%s", s->first_id);
}

static int
same(const struct dir_list *l, const struct snap *s)
{
	struct snap now;

	snap(l, &now);
	return now.n == s->n && now.pages == s->pages && now.bytes == s->bytes &&
	    now.total == s->total && now.arr == s->arr &&
	    now.arena == s->arena && now.first_id == s->first_id &&
	    (s->first_id == NULL || strcmp(s->first_id, s->first_copy) == 0);
}

static void
test_wrong_shapes_are_refused_and_change_nothing(void)
{
	static const struct {
		enum dir_kind	 kind;
		const char	*body;
		const char	*why;
	} bad[] = {
		{ DIR_DEVICES, "", "empty body" },
		{ DIR_DEVICES, "\xef\xbb\xbf", "empty body" },
		{ DIR_DEVICES, "[]", "wrong shape" },
		{ DIR_DEVICES, "[{\"items\": []}]", "wrong shape" },
		{ DIR_DEVICES, "42", "wrong shape" },
		{ DIR_DEVICES, "\"items\"", "wrong shape" },
		{ DIR_DEVICES, "null", "wrong shape" },
		{ DIR_DEVICES, "<html><body>Sign in</body></html>", "not JSON" },
		{ DIR_DEVICES, "   ", "not JSON" },
		{ DIR_DEVICES, "{}", "wrong shape" },
		{ DIR_DEVICES, "{\"totalCount\": 0}", "wrong shape" },
		{ DIR_DEVICES, "{\"code\": \"600040\", \"description\": "
		    "\"The device batch was not found\"}", "wrong shape" },
		{ DIR_DEVICES, "{\"statusCode\": 429, \"message\": \"Rate limit "
		    "is exceeded. Try again in 57 seconds.\"}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": {}}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": 5}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": \"[]\"}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [], \"attributes\": {\"objectType\": "
		    "\"BatchUploadDetails\"}}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"id\": {}}]}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"serialNumber\": [\"a\"]}]}",
		    "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"policies\": {}}]}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"policies\": \"ztd\"}]}",
		    "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"policies\": [{\"value\": []}]}]}",
		    "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"hardwareHash\": {}}]}",
		    "wrong shape" },
		{ DIR_CUSTOMERS, "{\"items\": [{\"companyProfile\": \"x\"}]}",
		    "wrong shape" },
		{ DIR_CUSTOMERS, "{\"items\": [{\"companyProfile\": "
		    "{\"companyName\": {}}}]}", "wrong shape" },
		{ DIR_DEVICES, "{\"items\": [{\"id\": \"a\"}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [{\"id\": \"a\"},]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [], }", "not JSON" },
		{ DIR_DEVICES, "{\"items\": []} {}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": []}x", "not JSON" },
		{ DIR_DEVICES, "{'items': []}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": ['a']}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [NaN]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [-Infinity]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [01]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [1 2]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [tRUE]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\" []}", "not JSON" },
		{ DIR_DEVICES, "{items: []}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [\"\\x\"]}", "not JSON" },
		{ DIR_DEVICES, "{\"items\": [\"caf\xc3\"]}", "invalid UTF-8" },
		{ DIR_DEVICES, "{\"items\": [\"\xed\xa0\x80\"]}", "invalid UTF-8" },
		{ DIR_DEVICES, "{\"items\": [], \"x\": \"\xc0\xaf\"}",
		    "invalid UTF-8" },
	};
	struct dir_list	 l;
	struct snap	 s;
	size_t		 i;
	int		 rc;

	CHECK(one(&l, DIR_DEVICES, DEVICES_PAGE) == DIR_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		l.kind = bad[i].kind;
		snap(&l, &s);
		strcpy(next, "stale");
		rc = page(&l, bad[i].body, 1000);
		CHECK(rc == DIR_BAD);
		CHECK(same(&l, &s));
		CHECK_STR(next, "");
		if (rc != DIR_BAD || strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "  body %s: rc %d, err \"%s\", want \"%s\"\n",
			    bad[i].body, rc, err, bad[i].why);
		CHECK(strstr(err, bad[i].why) != NULL);
		/* No body text in the reason. */
		CHECK(strstr(err, "Sign in") == NULL && strstr(err, "600040") == NULL);
	}
	dir_list_free(&l);
}

static void
test_a_bom_and_whitespace(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICE_BATCHES, "\xef\xbb\xbf \r\n\t{\"items\": "
	    "[ { \"id\" : \"b\" } ] }\n\n") == DIR_OK);
	CHECK(l.nbatches == 1);
	dir_list_free(&l);
	/* JSON's four whitespace bytes only. */
	CHECK(one(&l, DIR_DEVICE_BATCHES, "{\"items\":\f[]}") == DIR_BAD);
	CHECK(one(&l, DIR_DEVICE_BATCHES, "{\"items\":\v[]}") == DIR_BAD);
	CHECK(page_n(&l, "{\"items\":[]}\n\0", 14, 10) == DIR_BAD);
	CHECK_CONTAINS(err, "NUL");
	CHECK(page_n(&l, "{\"items\":[\0]}", 13, 10) == DIR_BAD);
	dir_list_free(&l);
}

static void
test_duplicate_keys_last_wins(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [{\"id\": \"a\"}, {\"id\": "
	    "\"b\"}], \"totalCount\": 2, \"items\": [{\"id\": \"c\", \"id\": "
	    "\"d\"}], \"totalCount\": 1}") == DIR_OK);
	CHECK(l.ncustomers == 1 && l.total_count == 1);
	if (l.ncustomers == 1)
		CHECK_STR(l.customers[0].id, "d");
	dir_list_free(&l);
}

static void
test_depth(void)
{
	struct dir_list	 l;
	struct buf	 b;
	int		 i;

	/* The top object and 31 arrays: 32 levels, fine. */
	buf_init(&b);
	buf_puts(&b, "{\"items\": [], \"x\": ");
	for (i = 0; i < 31; i++)
		buf_putc(&b, '[');
	for (i = 0; i < 31; i++)
		buf_putc(&b, ']');
	buf_putc(&b, '}');
	CHECK(one(&l, DIR_DEVICES, b.data) == DIR_OK);
	dir_list_free(&l);
	buf_reset(&b);
	buf_puts(&b, "{\"items\": [], \"x\": ");
	for (i = 0; i < 32; i++)
		buf_putc(&b, '[');
	for (i = 0; i < 32; i++)
		buf_putc(&b, ']');
	buf_putc(&b, '}');
	CHECK(one(&l, DIR_DEVICES, b.data) == DIR_BAD);
	CHECK_CONTAINS(err, "nesting too deep");
	dir_list_free(&l);
	/* Many more: refused as soon as the limit is passed, no deep stack. */
	buf_reset(&b);
	buf_puts(&b, "{\"items\": [");
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "{\"a\":");
	CHECK(one(&l, DIR_DEVICES, b.data) == DIR_BAD);
	CHECK_CONTAINS(err, "nesting too deep");
	dir_list_free(&l);
	buf_free(&b);
}

static void
test_customer_token_from_links(void)
{
	struct dir_list l;

	/* The header in any case, whatever else the headers hold. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [], \"links\": {\"next\": "
	    "{\"uri\": \"/customers?size=2&seekOperation=Next\", \"headers\": "
	    "[{\"key\": \"X-Other\", \"value\": \"no\"}, 7, {\"key\": "
	    "\"ms-continuationtoken\", \"value\": \"abc+/=\"}, {\"key\": "
	    "\"MS-ContinuationToken\", \"value\": \"second\"}]}}}") == DIR_OK);
	CHECK_STR(next, "abc+/=");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	/* No such header: the top-level token, when links.next is there. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"continuationToken\": \"top\", "
	    "\"items\": [], \"links\": {\"next\": {\"uri\": \"/c\", "
	    "\"headers\": []}}}") == DIR_OK);
	CHECK_STR(next, "top");
	dir_list_free(&l);
	/* No links.next: the last page, whatever token it has. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"continuationToken\": \"top\", "
	    "\"items\": [], \"links\": {\"self\": {\"uri\": \"/c\"}}}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [], \"links\": {\"next\": "
	    "null}}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	/* links.next but no token at all: more announced, none to ask with. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [], \"links\": {\"next\": "
	    "{\"uri\": \"/c\"}}}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(l.next_refused);
	dir_list_free(&l);
	/* links of another shape: no next page, not an error. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [], \"links\": [1], "
	    "\"continuationToken\": \"t\"}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [], \"links\": {\"next\": "
	    "\"/c\"}, \"continuationToken\": \"t\"}") == DIR_OK);
	CHECK_STR(next, "");
	dir_list_free(&l);
}

static void
test_devices_token(void)
{
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICES, "{\"items\": [], \"continuationToken\": "
	    "\"tok\"}") == DIR_OK);
	CHECK_STR(next, "tok");
	dir_list_free(&l);
	CHECK(one(&l, DIR_DEVICES, "{\"items\": []}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	CHECK(one(&l, DIR_DEVICES, "{\"items\": [], \"continuationToken\": "
	    "null}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	/* The devices call's token is the top-level one only. */
	CHECK(one(&l, DIR_DEVICES, "{\"items\": [], \"links\": {\"next\": "
	    "{\"headers\": [{\"key\": \"MS-ContinuationToken\", \"value\": "
	    "\"h\"}]}}}") == DIR_OK);
	CHECK_STR(next, "");
	dir_list_free(&l);
}

static void
test_token_refused(void)
{
	struct dir_list	 l;
	struct buf	 b;
	char		*tok;
	size_t		 i;
	static const char *bad[] = {
		"\"a b\"", "\"a\\u0001b\"", "\"a\\tb\"", "\"caf\xc3\xa9\"",
		"\"a\\u007fb\"", "\"a\\u0000b\"", "42", "true", "[\"t\"]",
		"{\"t\": 1}",
	};

	/* DIR_TOKEN_MAX is fine, one more is not. */
	tok = malloc(DIR_TOKEN_MAX + 2);
	memset(tok, 'A', DIR_TOKEN_MAX + 1);
	tok[DIR_TOKEN_MAX] = '\0';
	buf_init(&b);
	buf_printf(&b, "{\"items\": [], \"continuationToken\": \"%s\"}", tok);
	CHECK(one(&l, DIR_DEVICES, b.data) == DIR_OK);
	CHECK(strlen(next) == DIR_TOKEN_MAX && strcmp(next, tok) == 0);
	CHECK(!l.next_refused);
	dir_list_free(&l);
	tok[DIR_TOKEN_MAX] = 'A';
	tok[DIR_TOKEN_MAX + 1] = '\0';
	buf_reset(&b);
	buf_printf(&b, "{\"items\": [], \"continuationToken\": \"%s\"}", tok);
	CHECK(one(&l, DIR_DEVICES, b.data) == DIR_OK);
	CHECK_STR(next, "");
	CHECK(l.next_refused);
	dir_list_free(&l);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		buf_printf(&b, "{\"items\": [], \"continuationToken\": %s}",
		    bad[i]);
		CHECK(one(&l, DIR_DEVICES, b.data) == DIR_OK);
		CHECK_STR(next, "");
		CHECK(l.next_refused);
		dir_list_free(&l);
		/* The same in a customer search's header. */
		buf_reset(&b);
		buf_printf(&b, "{\"items\": [], \"links\": {\"next\": "
		    "{\"headers\": [{\"key\": \"MS-ContinuationToken\", "
		    "\"value\": %s}]}}, \"continuationToken\": \"good\"}",
		    bad[i]);
		CHECK(one(&l, DIR_CUSTOMERS, b.data) == DIR_OK);
		CHECK_STR(next, "");
		CHECK(l.next_refused);
		dir_list_free(&l);
	}
	/* "" is no next page, for devices. */
	CHECK(one(&l, DIR_DEVICES, "{\"items\": [], \"continuationToken\": "
	    "\"\"}") == DIR_OK);
	CHECK_STR(next, "");
	CHECK(!l.next_refused);
	dir_list_free(&l);
	buf_free(&b);
	free(tok);
}

static void
test_three_pages_keep_earlier_strings(void)
{
	struct dir_list	 l;
	char		*p1 = devices_page(1, 100, "t1");
	char		*p2 = devices_page(101, 100, "t2");
	char		*p3 = devices_page(201, 50, NULL);
	const char	*id1, *serial50, *profile100;
	size_t		 i;
	char		 want[32];
	int		 ok = 1;

	memset(&l, 0, sizeof(l));
	l.kind = DIR_DEVICES;
	CHECK(page(&l, p1, 1000) == DIR_OK);
	CHECK_STR(next, "t1");
	CHECK(l.ndevices == 100);
	if (l.ndevices != 100)
		goto out;
	id1 = l.devices[0].id;
	serial50 = l.devices[49].serial_number;
	profile100 = l.devices[99].profile;
	/* The body is not kept: scribbled over, the strings stay. */
	memset(p1, 'x', strlen(p1));
	CHECK(page(&l, p2, 1000) == DIR_OK);
	CHECK_STR(next, "t2");
	CHECK(page(&l, p3, 1000) == DIR_OK);
	CHECK_STR(next, "");
	CHECK(l.ndevices == 250 && l.pages == 3 && l.total_count == 50);
	/* The array moved perhaps; the strings of page 1 did not. */
	CHECK(l.devices[0].id == id1);
	CHECK(l.devices[49].serial_number == serial50);
	CHECK(l.devices[99].profile == profile100);
	CHECK_STR(id1, "dev-0001");
	CHECK_STR(serial50, "SN-0050");
	CHECK_STR(profile100, "prof-100");
	for (i = 0; i < l.ndevices; i++) {
		snprintf(want, sizeof(want), "dev-%04zu", i + 1);
		ok &= strcmp(l.devices[i].id, want) == 0;
		snprintf(want, sizeof(want), "PK-%04zu", i + 1);
		ok &= strcmp(l.devices[i].product_key, want) == 0;
		ok &= l.devices[i].has_hash;
	}
	CHECK(ok);
out:
	dir_list_free(&l);
	CHECK(l.ndevices == 0 && l.devices == NULL && l.arena == NULL);
	free(p1);
	free(p2);
	free(p3);
}

static void
test_too_many_at_the_bound(void)
{
	struct dir_list	 l;
	struct snap	 s;
	char		*p100 = devices_page(1, 100, "t");
	char		*p50 = devices_page(101, 50, "t");
	char		*p1 = devices_page(151, 1, NULL);

	memset(&l, 0, sizeof(l));
	l.kind = DIR_DEVICES;
	CHECK(page(&l, p100, 150) == DIR_OK);
	snap(&l, &s);
	strcpy(next, "stale");
	CHECK(page(&l, p100, 150) == DIR_TOO_MANY);
	CHECK_CONTAINS(err, "150");
	CHECK_STR(next, "");
	CHECK(same(&l, &s));
	CHECK(l.ndevices == 100 && l.pages == 1);
	/* Exactly up to the bound is fine. */
	CHECK(page(&l, p50, 150) == DIR_OK);
	CHECK(l.ndevices == 150 && l.pages == 2);
	snap(&l, &s);
	CHECK(page(&l, p1, 150) == DIR_TOO_MANY);
	CHECK(same(&l, &s));
	/* Non-objects do not count; an empty page fits. */
	CHECK(page(&l, "{\"items\": [1, null, \"x\"]}", 150) == DIR_OK);
	CHECK(l.ndevices == 150 && l.pages == 3);
	dir_list_free(&l);

	/* One page past a bound of its own. */
	memset(&l, 0, sizeof(l));
	l.kind = DIR_DEVICES;
	CHECK(page(&l, p100, 99) == DIR_TOO_MANY);
	CHECK(l.ndevices == 0 && l.pages == 0 && l.devices == NULL &&
	    l.arena == NULL && l.bytes == 0);
	CHECK(page(&l, p100, 100) == DIR_OK);
	CHECK(l.ndevices == 100);
	dir_list_free(&l);
	free(p100);
	free(p50);
	free(p1);
}

struct hash_look {
	const char	*hash;
	int		 found;
};

static void
look_for_hash(const char *s, void *arg)
{
	struct hash_look *h = arg;

	if (strcmp(s, h->hash) == 0 || strstr(s, h->hash) != NULL ||
	    (s[0] != '\0' && strstr(h->hash, s) != NULL && strlen(s) > 16))
		h->found = 1;
}

static void
test_hash_is_never_kept(void)
{
	struct dir_list		 l;
	struct hash_look	 h;

	CHECK(one(&l, DIR_DEVICES, DEVICES_PAGE) == DIR_OK);
	CHECK(l.ndevices == 2 && l.devices[0].has_hash);
	h.found = 0;
	h.hash = HASH1;
	each_string(&l, look_for_hash, &h);
	h.hash = HASH2;
	each_string(&l, look_for_hash, &h);
	CHECK(!h.found);
	dir_list_free(&l);

	CHECK(one(&l, DIR_DEVICES, "{\"items\": [{\"hardwareHash\": \"\"}, "
	    "{\"hardwareHash\": null}, {}, {\"hardwareHash\": 12}, "
	    "{\"hardwareHash\": \"x\"}, {\"hardwareHash\": \"x\", "
	    "\"hardwareHash\": \"\"}]}") == DIR_OK);
	CHECK(l.ndevices == 6);
	if (l.ndevices == 6) {
		CHECK(!l.devices[0].has_hash);
		CHECK(!l.devices[1].has_hash);
		CHECK(!l.devices[2].has_hash);
		CHECK(!l.devices[3].has_hash);
		CHECK(l.devices[4].has_hash);
		CHECK(!l.devices[5].has_hash);
	}
	dir_list_free(&l);
}

static void
test_profile_from_policies(void)
{
	struct dir_list	 l;
	static const struct {
		const char	*policies;
		const char	*want;
	} cases[] = {
		{ "[{\"key\": \"o_o_b_e\", \"value\": \"first\"}, {\"key\": "
		    "\"ZTD\", \"value\": \"the-ztd\"}]", "the-ztd" },
		{ "[{\"key\": \"ztd\", \"value\": \"z1\"}, {\"key\": \"ztd\", "
		    "\"value\": \"z2\"}]", "z1" },
		{ "[{\"value\": \"v\", \"key\": \"Ztd\"}]", "v" },
		{ "[{\"key\": \"a\", \"value\": \"first\"}, {\"key\": \"b\", "
		    "\"value\": \"second\"}]", "first" },
		{ "[7, \"ztd\", {\"key\": \"a\"}, {\"key\": \"b\", \"value\": "
		    "null}, {\"key\": \"c\", \"value\": \"c-value\"}]", "c-value" },
		{ "[{\"key\": \"ztd\\u0000x\", \"value\": \"not-ztd\"}, "
		    "{\"key\": \"ztd\", \"value\": \"ztd\"}]", "ztd" },
		{ "[{\"key\": \"ztd\", \"value\": 5}]", "5" },
		{ "[]", "" },
		{ "null", "" },
	};
	char	 body[512];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body), "{\"items\": [{\"policies\": %s}]}",
		    cases[i].policies);
		CHECK(one(&l, DIR_DEVICES, body) == DIR_OK);
		CHECK(l.ndevices == 1);
		if (l.ndevices == 1)
			CHECK_STR(l.devices[0].profile, cases[i].want);
		dir_list_free(&l);
	}
}

static void
test_control_characters_are_replaced(void)
{
	struct dir_list l;

	/* C0 (NUL too), DEL and C1 become U+FFFD, one each; other text stays. */
	CHECK(one(&l, DIR_CUSTOMERS, "{\"items\": [{\"companyProfile\": "
	    "{\"companyName\": \"a\\u0007b\\u007fc\\u0085d\\u0000e\\u009f\", "
	    "\"domain\": \"tab\there\", \"tenantId\": \"\\u00a0\\u2028\\ud83d\\ude00\"}, "
	    "\"id\": \"\xc2\x80\"}]}") == DIR_OK);
	CHECK(l.ncustomers == 1);
	if (l.ncustomers == 1) {
		CHECK_STR(l.customers[0].company_name, "a\xef\xbf\xbd" "b"
		    "\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd" "e\xef\xbf\xbd");
		CHECK_STR(l.customers[0].domain, "tab\xef\xbf\xbdhere");
		CHECK_STR(l.customers[0].tenant_id,
		    "\xc2\xa0\xe2\x80\xa8\xf0\x9f\x98\x80");
		CHECK_STR(l.customers[0].id, "\xef\xbf\xbd");
	}
	dir_list_free(&l);
	/* A lone surrogate escape is json-c's U+FFFD. */
	CHECK(one(&l, DIR_DEVICE_BATCHES, "{\"items\": [{\"id\": "
	    "\"x\\ud800y\"}]}") == DIR_OK);
	CHECK(l.nbatches == 1 && strcmp(l.batches[0].id,
	    "x\xef\xbf\xbdy") == 0);
	dir_list_free(&l);
}

static void
test_body_too_large(void)
{
	struct dir_list	 l;
	char		*big;

	big = malloc(DIR_BODY_MAX + 1);
	memset(big, ' ', DIR_BODY_MAX + 1);
	memcpy(big, "{\"items\": []}", 13);
	memset(&l, 0, sizeof(l));
	l.kind = DIR_DEVICES;
	CHECK(page_n(&l, big, DIR_BODY_MAX + 1, 10) == DIR_BAD);
	CHECK_STR(err, "body too large");
	CHECK(l.pages == 0);
	/* Exactly the bound is read. */
	CHECK(page_n(&l, big, DIR_BODY_MAX, 10) == DIR_OK);
	CHECK(l.pages == 1);
	dir_list_free(&l);
	free(big);
}

static void
test_bytes_held(void)
{
	struct dir_list	 l;
	size_t		 one_page;
	char		*p = devices_page(1, 100, NULL);

	CHECK(one(&l, DIR_CUSTOMER, "{\"id\": \"c\"}") == DIR_OK);
	/* A page of a few strings holds no 64 KiB block. */
	CHECK(l.bytes >= sizeof(struct dir_customer) && l.bytes < 512);
	dir_list_free(&l);
	CHECK(l.bytes == 0);

	CHECK(one(&l, DIR_DEVICES, p) == DIR_OK);
	one_page = l.bytes;
	CHECK(one_page >= 100 * sizeof(struct dir_device) + 100 * 40);
	CHECK(one_page < 100 * sizeof(struct dir_device) + 65536);
	CHECK(page(&l, p, 1000) == DIR_OK);
	CHECK(l.bytes > one_page && l.bytes <= 2 * one_page + 64);
	dir_list_free(&l);
	free(p);
}

static int
sorted_ids(const struct dir_list *l, const char *const *want, size_t n)
{
	size_t i;

	if (l->nbatches != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(l->batches[i].id, want[i]) != 0)
			return 0;
	return 1;
}

static void
test_sort_newest_first(void)
{
	static const char *const want[] = {
		"Árvíz 東京 100% kész", "2024-Q3 laptops", "spring kiosks",
		"empty batch",
	};
	static const char *const want2[] = {
		"a-late", "b-late", "c-mid", "a-none", "b-unreadable",
	};
	struct dir_list l;

	CHECK(one(&l, DIR_DEVICE_BATCHES, BATCHES_PAGE) == DIR_OK);
	dir_sort_batches(&l);
	CHECK(sorted_ids(&l, want, 4));
	dir_list_free(&l);

	CHECK(one(&l, DIR_DEVICE_BATCHES, "{\"items\": ["
	    "{\"id\": \"b-unreadable\", \"creationDate\": \"soon\"},"
	    "{\"id\": \"c-mid\", \"creationDate\": \"2024-01-01T00:00:00Z\"},"
	    "{\"id\": \"b-late\", \"creationDate\": \"2024-06-01T02:00:00+02:00\"},"
	    "{\"id\": \"a-none\"},"
	    "{\"id\": \"a-late\", \"creationDate\": \"2024-06-01T00:00:00Z\"}]}") ==
	    DIR_OK);
	dir_sort_batches(&l);
	CHECK(sorted_ids(&l, want2, 5));
	dir_list_free(&l);
	/* Nothing, and one, are sorted too. */
	memset(&l, 0, sizeof(l));
	dir_sort_batches(&l);
	CHECK(l.nbatches == 0);
}

static int
id_ok(const char *s)
{
	return dir_batch_id_ok(s, strlen(s));
}

static void
test_batch_id_validation(void)
{
	char long_id[DIR_BATCH_ID_MAX + 2];

	CHECK(id_ok("2024-Q3 laptops") == 0);
	CHECK(id_ok("a/b") == 0);
	CHECK(id_ok("100% kész") == 0);
	CHECK(id_ok("Árvíz 東京 100% kész") == 0);
	CHECK(id_ok("emoji \xf0\x9f\x98\x80") == 0);
	CHECK(id_ok("<img src=x onerror=alert(1)> & 'b' \"q\"") == 0);
	CHECK(id_ok("...") == 0);
	CHECK(id_ok(".a") == 0);
	CHECK(id_ok(" ") == 0);
	memset(long_id, 'x', sizeof(long_id));
	CHECK(dir_batch_id_ok(long_id, DIR_BATCH_ID_MAX) == 0);
	CHECK(dir_batch_id_ok(long_id, DIR_BATCH_ID_MAX + 1) == -1);
	CHECK(id_ok("") == -1);
	CHECK(id_ok(".") == -1);
	CHECK(id_ok("..") == -1);
	CHECK(id_ok("a\tb") == -1);
	CHECK(id_ok("a\nb") == -1);
	CHECK(id_ok("a\x1f") == -1);
	CHECK(id_ok("a\x7f") == -1);
	CHECK(id_ok("a\xc2\x85") == -1);	/* U+0085, C1 */
	CHECK(id_ok("a\xc2\x9f") == -1);
	CHECK(id_ok("a\xc2\xa0") == 0);	/* U+00A0: not a control */
	CHECK(id_ok("a\xe2\x80\xa8") == -1);	/* U+2028 */
	CHECK(id_ok("a\xe2\x80\xa9") == -1);	/* U+2029 */
	CHECK(dir_batch_id_ok("a\0b", 3) == -1);
	CHECK(id_ok("caf\xc3") == -1);
	CHECK(id_ok("\xc0\xaf") == -1);
	CHECK(id_ok("\xed\xa0\x80") == -1);
	CHECK(id_ok("\xff") == -1);
}

static const char *
enc(const char *s)
{
	static char out[1024];

	return dir_segment_encode(s, strlen(s), out, sizeof(out)) >= 0 ? out :
	    NULL;
}

static const char *
dec(const char *s)
{
	static char out[1024];

	return dir_segment_decode(s, strlen(s), out, sizeof(out)) >= 0 ? out :
	    NULL;
}

static void
test_segment_round_trips(void)
{
	static const char *ids[] = {
		"2024-Q3 laptops", "a/b", "100%", "é", "100% kész",
		"Árvíz 東京 100% kész", "a+b", "A-Z_a.z~0", "?#[]@!$&'()*+,;=",
		"<img src=x onerror=alert(1)> & 'b' \"q\"", "...",
	};
	char	 out[16];
	size_t	 i;

	CHECK_STR(enc("2024-Q3 laptops"), "2024-Q3%20laptops");
	CHECK_STR(enc("a/b"), "a%2Fb");
	CHECK_STR(enc("100%"), "100%25");
	CHECK_STR(enc("é"), "%C3%A9");
	CHECK_STR(enc("100% kész"), "100%25%20k%C3%A9sz");
	CHECK_STR(enc("Árvíz 東京 100% kész"),
	    "%C3%81rv%C3%ADz%20%E6%9D%B1%E4%BA%AC%20100%25%20k%C3%A9sz");
	CHECK_STR(enc("a+b"), "a%2Bb");
	CHECK_STR(enc("A-Z_a.z~0"), "A-Z_a.z~0");
	CHECK_STR(enc(""), "");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK_STR(dec(enc(ids[i])), ids[i]);
	/* Either case of hex; bytes that need no escape as they are; '+' is '+'. */
	CHECK_STR(dec("%c3%a9%C3%A9"), "éé");
	CHECK_STR(dec("2024-Q3 laptops"), "2024-Q3 laptops");
	CHECK_STR(dec("a+b"), "a+b");
	CHECK_STR(dec("k\xc3\xa9sz"), "kész");
	CHECK_STR(dec("%2F"), "/");
	CHECK_STR(dec("100%25%20k%C3%A9sz"), "100% kész");
	/* The fixture's own devicesLink segment. */
	CHECK_STR(dec("%C3%81rv%C3%ADz%20%E6%9D%B1%E4%BA%AC%20100%25%20k%C3%A9sz"),
	    "Árvíz 東京 100% kész");
	/* Sizes: the NUL counts. */
	CHECK(dir_segment_encode("abc", 3, out, 4) == 3);
	CHECK(dir_segment_encode("abc", 3, out, 3) == -1);
	CHECK(dir_segment_encode("a b", 3, out, 6) == 5);
	CHECK(dir_segment_encode("a b", 3, out, 5) == -1);
	CHECK(dir_segment_encode("", 0, out, 0) == -1);
	CHECK(dir_segment_decode("abc", 3, out, 4) == 3);
	CHECK(dir_segment_decode("abc", 3, out, 3) == -1);
	CHECK(dir_segment_decode("%41", 3, out, 2) == 1 && strcmp(out, "A") == 0);
}

static void
test_segment_decode_refusals(void)
{
	char	 big[3 * (DIR_BATCH_ID_MAX + 1) + 1];
	char	 out[1024];
	size_t	 i;

	CHECK(dec("100%") == NULL);
	CHECK(dec("100% kész") == NULL);
	CHECK(dec("%") == NULL);
	CHECK(dec("%4") == NULL);
	CHECK(dec("%4g") == NULL);
	CHECK(dec("%g4") == NULL);
	CHECK(dec("%%41") == NULL);
	CHECK(dec("a%00b") == NULL);
	CHECK(dec("%0a") == NULL);	/* a control */
	CHECK(dec("%7F") == NULL);
	CHECK(dec("%C2%85") == NULL);
	CHECK(dec("%E2%80%A8") == NULL);
	CHECK(dec("%C3") == NULL);	/* not UTF-8 */
	CHECK(dec("%FF") == NULL);
	CHECK(dec("%C0%AF") == NULL);	/* an overlong '/' */
	CHECK(dec("") == NULL);
	CHECK(dec(".") == NULL);
	CHECK(dec("..") == NULL);
	CHECK(dec("%2E%2E") == NULL);
	CHECK(dec("%2e") == NULL);
	/* A result past DIR_BATCH_ID_MAX, even in a buffer it fits. */
	for (i = 0; i < DIR_BATCH_ID_MAX + 1; i++)
		memcpy(big + 3 * i, "%41", 3);
	big[3 * (DIR_BATCH_ID_MAX + 1)] = '\0';
	CHECK(dir_segment_decode(big, strlen(big), out, sizeof(out)) == -1);
	CHECK_STR(out, "");
	CHECK(dir_segment_decode(big, strlen(big) - 3, out, sizeof(out)) ==
	    DIR_BATCH_ID_MAX);
	CHECK(dir_segment_decode("a", 1, out, 0) == -1);
}

static const char *
filter(enum dir_field f, const char *v)
{
	static char out[2048];

	return dir_filter_query(f, v, out, sizeof(out)) >= 0 ? out : NULL;
}

static void
test_filter_query(void)
{
	char out[64];

	CHECK_STR(filter(DIR_FIELD_COMPANY_NAME, "cont"),
	    "%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22cont%22%2C"
	    "%22Operator%22%3A%22starts_with%22%7D");
	CHECK_STR(filter(DIR_FIELD_DOMAIN, "contoso.onmicrosoft.com"),
	    "%7B%22Field%22%3A%22Domain%22%2C%22Value%22%3A%22contoso."
	    "onmicrosoft.com%22%2C%22Operator%22%3A%22starts_with%22%7D");
	CHECK_STR(filter(DIR_FIELD_COMPANY_NAME, "Árvíz"),
	    "%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22%C3%81rv"
	    "%C3%ADz%22%2C%22Operator%22%3A%22starts_with%22%7D");
	/* {"Field":"CompanyName","Value":"a\"b\\c Árvíz","Operator":"starts_with"} */
	CHECK_STR(filter(DIR_FIELD_COMPANY_NAME, "a\"b\\c Árvíz"),
	    "%7B%22Field%22%3A%22CompanyName%22%2C%22Value%22%3A%22a%5C%22b"
	    "%5C%5Cc%20%C3%81rv%C3%ADz%22%2C%22Operator%22%3A%22starts_with"
	    "%22%7D");
	/* Controls as \u00xx: tab, DEL, U+0085; '+' and '&' encoded. */
	CHECK_STR(filter(DIR_FIELD_DOMAIN, "\t\x7f\xc2\x85+&"),
	    "%7B%22Field%22%3A%22Domain%22%2C%22Value%22%3A%22%5Cu0009"
	    "%5Cu007f%5Cu0085%2B%26%22%2C%22Operator%22%3A%22starts_with"
	    "%22%7D");
	CHECK_STR(filter(DIR_FIELD_DOMAIN, ""),
	    "%7B%22Field%22%3A%22Domain%22%2C%22Value%22%3A%22%22%2C"
	    "%22Operator%22%3A%22starts_with%22%7D");
	/* Too small, not UTF-8, no such field: -1 and "". */
	strcpy(out, "stale");
	CHECK(dir_filter_query(DIR_FIELD_DOMAIN, "x", out, sizeof(out)) == -1);
	CHECK_STR(out, "");
	CHECK(filter(DIR_FIELD_DOMAIN, "caf\xc3") == NULL);
	CHECK(filter((enum dir_field)7, "x") == NULL);
	CHECK(filter(DIR_FIELD_DOMAIN, NULL) == NULL);
	CHECK(dir_filter_query(DIR_FIELD_DOMAIN, "x", out, 0) == -1);
}

int
main(void)
{
	T_RUN(test_customers_page);
	T_RUN(test_one_customer);
	T_RUN(test_device_batches_page);
	T_RUN(test_device_count_spellings);
	T_RUN(test_devices_page);
	T_RUN(test_missing_and_null_fields);
	T_RUN(test_numbers_and_booleans_as_text);
	T_RUN(test_non_objects_are_skipped);
	T_RUN(test_wrong_shapes_are_refused_and_change_nothing);
	T_RUN(test_a_bom_and_whitespace);
	T_RUN(test_duplicate_keys_last_wins);
	T_RUN(test_depth);
	T_RUN(test_customer_token_from_links);
	T_RUN(test_devices_token);
	T_RUN(test_token_refused);
	T_RUN(test_three_pages_keep_earlier_strings);
	T_RUN(test_too_many_at_the_bound);
	T_RUN(test_hash_is_never_kept);
	T_RUN(test_profile_from_policies);
	T_RUN(test_control_characters_are_replaced);
	T_RUN(test_body_too_large);
	T_RUN(test_bytes_held);
	T_RUN(test_sort_newest_first);
	T_RUN(test_batch_id_validation);
	T_RUN(test_segment_round_trips);
	T_RUN(test_segment_decode_refusals);
	T_RUN(test_filter_query);
	return t_done("test_directory");
}
