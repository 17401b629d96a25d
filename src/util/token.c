#include "token.h"

#include <errno.h>
#include <nettle/base64.h>
#include <string.h>
#include <sys/random.h>

int token_new(struct buf *out, struct buf *err)
{
	uint8_t raw[TOKEN_BYTES];
	char text[BASE64_ENCODE_RAW_LENGTH(TOKEN_BYTES) + 1];
	struct base64_encode_ctx ctx;
	size_t done = 0;
	size_t len;
	ssize_t n;

	while (done < sizeof(raw)) {
		n = getrandom(raw + done, sizeof(raw) - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf_addf(err, "cannot get random bytes: %s", strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	base64url_encode_init(&ctx);
	len = base64_encode_update(&ctx, text, sizeof(raw), raw);
	len += base64_encode_final(&ctx, text + len);
	/* 16 bytes make 22 characters and two '=' of padding, which we drop */
	while (len && text[len - 1] == '=')
		len--;
	buf_reset(out);
	buf_add(out, text, len);
	return 0;
}

int token_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return i == TOKEN_CHARS;
}
