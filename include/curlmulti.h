#ifndef NEWSDIGEST_CURLMULTI_H
#define NEWSDIGEST_CURLMULTI_H
/*
 * What the two libcurl users (fetch/http.c and send/smtp.c) share: the
 * process-wide start-up, and the loop over a multi handle's finished
 * transfers.
 */
#include <curl/curl.h>

#include "buf.h"

/*
 * curl_global_init, once, at first use, so that a command that never
 * fetches or sends never pays for TLS start-up. There is no matching
 * curl_global_cleanup: it is not thread-safe, and the process exit returns
 * what it holds (valgrind: "still reachable", the TLS library's tables,
 * never a definite leak). Not thread-safe itself: the first call must come
 * before any threads. 0, or -1 with a sentence in err.
 */
int curlmulti_global_init(struct buf *err);

/*
 * Call done(ctx, private, result) for each transfer of multi that has
 * finished, where private is its CURLOPT_PRIVATE. done may remove the
 * handle from multi (the message it came in dies with that, so it is not
 * handed over).
 */
void curlmulti_each_done(CURLM *multi, void (*done)(void *ctx, char *private, CURLcode result),
			 void *ctx);

#endif
