#include "curlmulti.h"

static int curl_ready;

int curlmulti_global_init(struct buf *err)
{
	CURLcode rc;

	if (curl_ready)
		return 0;
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		buf_addf(err, "cannot initialise libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	curl_ready = 1;
	return 0;
}

void curlmulti_each_done(CURLM *multi, void (*done)(void *ctx, char *private, CURLcode result),
			 void *ctx)
{
	for (;;) {
		int left = 0;
		CURLMsg *msg = curl_multi_info_read(multi, &left);
		char *private = NULL;

		if (!msg)
			break;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &private);
		/* msg is read before done: it dies with the handle's removal */
		done(ctx, private, msg->data.result);
	}
}
