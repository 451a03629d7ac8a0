/* seal.c: the only file that calls OpenSSL's libcrypto: HMAC-SHA256 over an entry's name and bytes. */
#include "seal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "secret.h"

#define MAGIC	"BSS1"
#define MAC_LEN	32

static int
mac(const struct seal_key *k, const char *name, const void *p, size_t len,
    unsigned char out[MAC_LEN])
{
	EVP_MAC		*m;
	EVP_MAC_CTX	*c = NULL;
	OSSL_PARAM	 params[2];
	size_t		 n = 0;
	int		 ok = 0;

	if (k->len == 0 || (m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256",
	    0);
	params[1] = OSSL_PARAM_construct_end();
	if ((c = EVP_MAC_CTX_new(m)) != NULL)
		ok = EVP_MAC_init(c, k->bytes, k->len, params) &&
		    EVP_MAC_update(c, (const unsigned char *)name,
		    strlen(name) + 1) && EVP_MAC_update(c, p, len) &&
		    EVP_MAC_final(c, out, &n, MAC_LEN) && n == MAC_LEN;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

int
seal(const struct seal_key *k, const char *name, const void *payload,
    size_t len, struct buf *out)
{
	unsigned char m[MAC_LEN];

	if (mac(k, name, payload, len, m) == -1)
		return -1;
	buf_append(out, MAGIC, 4);
	buf_append(out, m, MAC_LEN);
	buf_append(out, payload, len);
	return out->failed ? -1 : 0;
}

int
seal_mac_hex(const struct seal_key *k, const char *name, const void *p,
    size_t len, char out[SEAL_HEX_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 m[MAC_LEN];
	size_t			 i;

	out[0] = '\0';
	if (mac(k, name, p, len, m) == -1)
		return -1;
	for (i = 0; i < MAC_LEN; i++) {
		out[2 * i] = hex[m[i] >> 4];
		out[2 * i + 1] = hex[m[i] & 15];
	}
	out[2 * MAC_LEN] = '\0';
	return 0;
}

int
seal_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int
unseal(const struct seal_key *k, const char *name, const void *data,
    size_t len, const void **payload, size_t *plen)
{
	const unsigned char	*d = data;
	unsigned char		 m[MAC_LEN];

	if (len < 4 + MAC_LEN || memcmp(d, MAGIC, 4) != 0 ||
	    mac(k, name, d + 4 + MAC_LEN, len - 4 - MAC_LEN, m) == -1 ||
	    CRYPTO_memcmp(m, d + 4, MAC_LEN) != 0)
		return -1;
	*payload = d + 4 + MAC_LEN;
	*plen = len - 4 - MAC_LEN;
	return 0;
}

int
seal_key_load(const char *path, struct seal_key *k, char *err, size_t errsz)
{
	char	buf[SEAL_KEY_MAX];
	size_t	n;

	memset(k, 0, sizeof(*k));
	if (secret_check(path, err, errsz) == -1 ||
	    secret_read(path, buf, sizeof(buf), err, errsz) == -1)
		return -1;
	if ((n = strlen(buf)) < SEAL_KEY_MIN) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(err, errsz, "%s: the key is shorter than %d characters "
		    "(make one with: openssl rand -hex 32)", path, SEAL_KEY_MIN);
		return -1;
	}
	memcpy(k->bytes, buf, n);
	k->len = n;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

#define SECRET_MAGIC	"BSE1"
#define NONCE_LEN	12
#define TAG_LEN		16

/* The cipher's key: SHA-256 of a label and the shared key, never the shared key itself. */
static int
secret_key(const struct seal_key *k, unsigned char out[32])
{
	static const char	label[] = "batchstatus secret v1:";
	unsigned char		in[sizeof(label) + SEAL_KEY_MAX];
	unsigned int		n = 0;
	int			ok;

	if (k->len == 0)
		return -1;
	memcpy(in, label, sizeof(label) - 1);
	memcpy(in + sizeof(label) - 1, k->bytes, k->len);
	ok = EVP_Digest(in, sizeof(label) - 1 + k->len, out, &n, EVP_sha256(),
	    NULL) && n == 32;
	OPENSSL_cleanse(in, sizeof(in));
	return ok ? 0 : -1;
}

int
seal_secret(const struct seal_key *k, const char *name, const void *plain,
    size_t len, struct buf *out)
{
	EVP_CIPHER_CTX	*c;
	unsigned char	 key[32], nonce[NONCE_LEN], tag[TAG_LEN], *ct;
	int		 n = 0, m = 0, ok = 0;

	if (len > 65536 || secret_key(k, key) == -1 ||
	    RAND_bytes(nonce, NONCE_LEN) != 1 ||
	    (ct = malloc(len + 16)) == NULL)
		return -1;
	if ((c = EVP_CIPHER_CTX_new()) != NULL)
		ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) &&
		    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)name,
		    (int)strlen(name)) &&
		    EVP_EncryptUpdate(c, ct, &n, plain, (int)len) &&
		    EVP_EncryptFinal_ex(c, ct + n, &m) &&
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag);
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(key, sizeof(key));
	if (ok) {
		buf_append(out, SECRET_MAGIC, 4);
		buf_append(out, nonce, NONCE_LEN);
		buf_append(out, tag, TAG_LEN);
		buf_append(out, ct, (size_t)(n + m));
	}
	free(ct);
	return ok && !out->failed ? 0 : -1;
}

int
unseal_secret(const struct seal_key *k, const char *name, const void *data,
    size_t len, char **out, size_t *outlen)
{
	const unsigned char	*d = data;
	EVP_CIPHER_CTX		*c;
	unsigned char		 key[32];
	size_t			 clen;
	char			*p;
	int			 n = 0, m = 0, ok = 0;

	*out = NULL;
	if (len < 4 + NONCE_LEN + TAG_LEN || memcmp(d, SECRET_MAGIC, 4) != 0 ||
	    (clen = len - 4 - NONCE_LEN - TAG_LEN) > 65536 ||
	    secret_key(k, key) == -1 || (p = malloc(clen + 1)) == NULL)
		return -1;
	if ((c = EVP_CIPHER_CTX_new()) != NULL)
		ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key,
		    d + 4) &&
		    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)name,
		    (int)strlen(name)) &&
		    EVP_DecryptUpdate(c, (unsigned char *)p, &n,
		    d + 4 + NONCE_LEN + TAG_LEN, (int)clen) &&
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
		    (void *)(d + 4 + NONCE_LEN)) &&
		    EVP_DecryptFinal_ex(c, (unsigned char *)p + n, &m) > 0;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok) {
		OPENSSL_cleanse(p, clen + 1);
		free(p);
		return -1;
	}
	p[n + m] = '\0';
	*out = p;
	*outlen = (size_t)(n + m);
	return 0;
}

void
seal_key_wipe(struct seal_key *k)
{
	OPENSSL_cleanse(k->bytes, sizeof(k->bytes));
	k->len = 0;
}
