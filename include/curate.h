#ifndef NEWSDIGEST_CURATE_H
#define NEWSDIGEST_CURATE_H
/*
 * The curate stage: tag the stored items with the topic list, store each
 * tag with its evidence, decide inclusion, and group syndicated copies of
 * one story into clusters. Reads items and feeds; writes item_topics and
 * items' curated_at, score, included and cluster.
 */
#include <stdio.h>

#include "buf.h"
#include "config.h"
#include "match.h"
#include "progress.h"
#include "store.h"
#include "topics.h"

enum curate_flags {
	CURATE_ALL = 1 << 0,    /* re-tag every item, not only new and changed ones */
};

struct curate_report {
	long items;             /* tagged in this run */
	long included;
	long with_topics;       /* tagged with at least one topic */
	long left;              /* still waiting (over [curate] max_items) */
	long clustered;         /* items of this run that share a story with another */
	long too_big;           /* beyond textnorm's limits: stored without topics */
};

/* The matcher options from [curate]. */
void curate_match_options(const struct config *cfg, struct match_options *o);

/* Load [curate] topics into t and compile it into *m (matcher_free it,
 * then topics_release t). Returns 0, or -1 with "cannot parse 'FILE':
 * line N: ..." or the like in err (t and *m then hold nothing). */
int curate_prepare(const struct config *cfg, struct topics *t, struct matcher **m,
		   struct buf *err);

/* The one-line summary of a run, for the report. */
void curate_summary(const struct curate_report *rep, struct buf *out);

/*
 * Tag the items not tagged since they last changed (all with CURATE_ALL),
 * at most [curate] max_items, oldest first, in one transaction; then
 * re-cluster the items within [curate] cluster_days of them. Returns 0, or
 * -1 with the reason in err (nothing of the run is kept: run it again).
 */
int curate_run(struct store *st, const struct config *cfg, const struct topics *t,
	       struct matcher *m, int flags, struct progress *progress,
	       struct curate_report *rep, struct buf *err);

/* The stored tags and evidence of item id, for a person, to out. Returns 0,
 * 1 when there is no such item, or -1 with the reason in err. */
int curate_explain(struct store *st, const struct topics *t, long long id, FILE *out,
		   struct buf *err);

/* The evidence of tag k of r as a JSON array ([{"topic", "phrase", "field",
 * "position", "points"}]), appended to out. */
void curate_evidence_json(const struct topics *t, const struct match_result *r,
			  size_t topic, struct buf *out);

#endif
