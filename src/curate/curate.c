/*
 * The curate stage over the store (see curate.h). One transaction for the
 * whole run: a crash or a store error leaves every item as it was, to be
 * tagged again by the next run, never half-tagged.
 */
#include "curate.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "xalloc.h"

#define SECONDS_PER_DAY 86400LL
/* Titles shorter than this (in significant words) are never joined by
 * title alone: "Weekly roundup" is not a story. */
#define CLUSTER_MIN_WORDS 4

static const char *const field_names[] = { "title", "summary" };

static double round2(double x);
static const char *or_unknown(json_t *v);
static int split_hints(const char *topics, char ***hints, size_t *n);
static int store_tags(struct store *st, sqlite3_stmt *del, sqlite3_stmt *ins,
		      sqlite3_stmt *upd, const struct topics *t, long long id,
		      const struct match_result *r, long long now, struct buf *json,
		      struct buf *err);
static int cmp_ll(const void *a, const void *b);
static size_t cluster_size(const long long *ids, size_t n, long long id);
static int recluster(struct store *st, const struct config *cfg, long long since,
		     const long long *tagged, size_t ntagged, struct curate_report *rep,
		     struct buf *err);

/* A string of the stored evidence, which a hand-edited store may lack. */
static const char *or_unknown(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "?";
}

static double round2(double x)
{
	return round(x * 100.0) / 100.0;
}

void curate_match_options(const struct config *cfg, struct match_options *o)
{
	o->title_weight = cfg->curate.title_weight;
	o->topic_min = cfg->curate.topic_min;
	o->topic_share = cfg->curate.topic_share;
	o->min_score = cfg->curate.min_score;
	o->hint_bonus = cfg->curate.hint_bonus;
	o->context_window = cfg->curate.context_window;
}

int curate_prepare(const struct config *cfg, struct topics *t, struct matcher **m,
		   struct buf *err)
{
	struct match_options o;

	*m = NULL;
	if (topics_load(t, cfg->curate.topics, err) < 0)
		return -1;
	curate_match_options(cfg, &o);
	*m = matcher_new(t, &o, err);
	if (!*m) {
		topics_release(t);
		return -1;
	}
	return 0;
}

void curate_summary(const struct curate_report *rep, struct buf *out)
{
	buf_addf(out, "tagged %ld items: %ld included, %ld with a topic, %ld telling a story "
		 "another item tells too", rep->items, rep->included, rep->with_topics,
		 rep->clustered);
	if (rep->too_big)
		buf_addf(out, "; %ld too long to read, left without topics", rep->too_big);
	if (rep->left)
		buf_addf(out, "; %ld left for the next run ([curate] max_items)", rep->left);
}

void curate_evidence_json(const struct topics *t, const struct match_result *r,
			  size_t topic, struct buf *out)
{
	const struct match_evidence *e;
	json_t *arr = json_array(), *o;
	char *s;
	size_t i;

	for (i = 0; i < r->nev; i++) {
		e = &r->ev[i];
		if (e->topic != topic)
			continue;
		o = json_object();
		json_object_set_new(o, "topic", json_string(t->v[e->topic].id));
		json_object_set_new(o, "phrase", json_string(t->v[e->topic].phrases[e->phrase].text));
		json_object_set_new(o, "field", json_string(field_names[e->field]));
		json_object_set_new(o, "position", json_integer((json_int_t)e->offset));
		json_object_set_new(o, "points", json_real(round2(e->points)));
		json_array_append_new(arr, o);
	}
	s = json_dumps(arr, JSON_COMPACT | JSON_REAL_PRECISION(6));
	if (!s)
		xdie_oom();
	buf_addstr(out, s);
	free(s);
	json_decref(arr);
}

/* feeds.topics, "id id", into a vector of strings. */
static int split_hints(const char *topics, char ***hints, size_t *n)
{
	const char *p = topics ? topics : "";
	size_t k, alloc = 0;

	*hints = NULL;
	*n = 0;
	while (*p) {
		p += strspn(p, " ");
		k = strcspn(p, " ");
		if (!k)
			break;
		xgrow(hints, &alloc, *n + 1, sizeof(**hints));
		(*hints)[(*n)++] = xstrndup(p, k);
		p += k;
	}
	return 0;
}

static int store_tags(struct store *st, sqlite3_stmt *del, sqlite3_stmt *ins,
		      sqlite3_stmt *upd, const struct topics *t, long long id,
		      const struct match_result *r, long long now, struct buf *json,
		      struct buf *err)
{
	size_t k;

	sqlite3_reset(del);
	sqlite3_bind_int64(del, 1, id);
	if (sqlite3_step(del) != SQLITE_DONE)
		return store_fail(st, "clearing an item's topics", err);
	for (k = 0; k < r->ntags; k++) {
		buf_reset(json);
		curate_evidence_json(t, r, r->tags[k].topic, json);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_bind_text(ins, 2, t->v[r->tags[k].topic].id, -1, SQLITE_STATIC);
		sqlite3_bind_double(ins, 3, round2(r->tags[k].score));
		sqlite3_bind_text(ins, 4, json->s, (int)json->len, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return store_fail(st, "storing an item's topics", err);
	}
	sqlite3_reset(upd);
	sqlite3_bind_int64(upd, 1, now);
	sqlite3_bind_double(upd, 2, round2(r->score));
	sqlite3_bind_int(upd, 3, r->include);
	sqlite3_bind_int64(upd, 4, id);
	if (sqlite3_step(upd) != SQLITE_DONE)
		return store_fail(st, "storing an item's score", err);
	return 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* How many of the sorted ids[0..n) are id. */
static size_t cluster_size(const long long *ids, size_t n, long long id)
{
	size_t lo = 0, hi = n, mid, first;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < n && ids[lo] == id)
		lo++;
	return lo - first;
}

/* Re-cluster every item at most cluster_days before `since` or later;
 * count the items of tagged[0..ntagged) (sorted ids: this run's) that share
 * their story with another. */
static int recluster(struct store *st, const struct config *cfg, long long since,
		     const long long *tagged, size_t ntagged, struct curate_report *rep,
		     struct buf *err)
{
	struct cluster_options o = {
		cfg->curate.cluster_similarity,
		cfg->curate.cluster_days * SECONDS_PER_DAY,
		CLUSTER_MIN_WORDS,
	};
	struct cluster_item *items = NULL;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct text_norm *tn = NULL;
	size_t n = 0, alloc = 0, i;
	long long *old = NULL, *ids = NULL;
	int rc, ret = -1;

	if (store_prepare(st, "SELECT id, coalesce(published_at, fetched_at), title, "
			  "canonical_url, cluster FROM items "
			  "WHERE coalesce(published_at, fetched_at) >= ?1", &sel, err) < 0 ||
	    store_prepare(st, "UPDATE items SET cluster = ?2 WHERE id = ?1", &upd, err) < 0)
		goto out;
	sqlite3_bind_int64(sel, 1, since - o.window);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		xgrow(&items, &alloc, n + 1, sizeof(*items));
		old = xrealloc(old, alloc * sizeof(*old));
		items[n].id = sqlite3_column_int64(sel, 0);
		items[n].when = sqlite3_column_int64(sel, 1);
		items[n].title = store_column_dup(sel, 2);
		items[n].canonical_url = store_column_dup(sel, 3);
		old[n] = sqlite3_column_type(sel, 4) == SQLITE_NULL ? -1
								   : sqlite3_column_int64(sel, 4);
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading items to cluster", err);
		goto out;
	}
	tn = text_norm_new();
	if (cluster_items(tn, items, n, &o) < 0) {
		buf_addstr(err, "clustering: a title is beyond the text limits");
		goto out;
	}
	/* the size of each story, by its cluster id, through a sorted copy */
	ids = xmalloc((n ? n : 1) * sizeof(*ids));
	for (i = 0; i < n; i++)
		ids[i] = items[i].cluster;
	qsort(ids, n, sizeof(*ids), cmp_ll);
	for (i = 0; i < n; i++) {
		if (bsearch(&items[i].id, tagged, ntagged, sizeof(*tagged), cmp_ll) &&
		    cluster_size(ids, n, items[i].cluster) > 1)
			rep->clustered++;
		if (items[i].cluster == old[i])
			continue;
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, items[i].id);
		sqlite3_bind_int64(upd, 2, items[i].cluster);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_fail(st, "storing clusters", err);
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		free((char *)items[i].title);
		free((char *)items[i].canonical_url);
	}
	free(items);
	free(old);
	free(ids);
	text_norm_free(tn);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return ret;
}

int curate_run(struct store *st, const struct config *cfg, const struct topics *t,
	       struct matcher *m, int flags, struct progress *progress,
	       struct curate_report *rep, struct buf *err)
{
	sqlite3_stmt *sel = NULL, *del = NULL, *ins = NULL, *upd = NULL;
	struct match_result r;
	struct match_input in;
	struct buf json = BUF_INIT;
	char **hints = NULL;
	long long *tagged = NULL;
	size_t nhints = 0, i, ntagged = 0, tagged_alloc = 0;
	long long now = (long long)time(NULL), id, when, since = 0, total = 0;
	int rc, began = 0, ret = -1;
	char *lang, *source, *title, *summary, *topics;

	memset(rep, 0, sizeof(*rep));
	match_result_init(&r);
	if (store_query_int(st, (flags & CURATE_ALL)
			    ? "SELECT count(*) FROM items"
			    : "SELECT count(*) FROM items WHERE curated_at IS NULL",
			    "counting items to tag", &total, err) < 0)
		goto out;
	if (store_begin(st, err) < 0)
		goto out;
	began = 1;
	if (store_prepare(st, (flags & CURATE_ALL)
			  ? "SELECT i.id, i.title, i.summary_text, coalesce(i.lang, f.lang), "
			    "coalesce(f.title, f.feed_title, f.url), f.topics, "
			    "coalesce(i.published_at, i.fetched_at) FROM items i "
			    "JOIN feeds f ON f.id = i.feed ORDER BY i.id LIMIT ?"
			  : "SELECT i.id, i.title, i.summary_text, coalesce(i.lang, f.lang), "
			    "coalesce(f.title, f.feed_title, f.url), f.topics, "
			    "coalesce(i.published_at, i.fetched_at) FROM items i "
			    "JOIN feeds f ON f.id = i.feed WHERE i.curated_at IS NULL "
			    "ORDER BY i.id LIMIT ?", &sel, err) < 0 ||
	    store_prepare(st, "DELETE FROM item_topics WHERE item = ?", &del, err) < 0 ||
	    store_prepare(st, "INSERT INTO item_topics (item, topic, score, evidence) "
			  "VALUES (?, ?, ?, ?)", &ins, err) < 0 ||
	    store_prepare(st, "UPDATE items SET curated_at = ?, score = ?, included = ? "
			  "WHERE id = ?", &upd, err) < 0)
		goto out;
	sqlite3_bind_int64(sel, 1, cfg->curate.max_items);
	progress_start(progress, stderr, "tagging items", "items",
		       (uint64_t)(total < cfg->curate.max_items ? total : cfg->curate.max_items),
		       1000);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		id = sqlite3_column_int64(sel, 0);
		title = store_column_dup(sel, 1);
		summary = store_column_dup(sel, 2);
		lang = store_column_dup(sel, 3);
		source = store_column_dup(sel, 4);
		topics = store_column_dup(sel, 5);
		when = sqlite3_column_int64(sel, 6);
		split_hints(topics, &hints, &nhints);
		in = (struct match_input){ title, summary, lang, source,
					   (const char *const *)hints, nhints };
		/* an item too big to read is stored as tagged with nothing:
		 * one item never holds the others up */
		if (matcher_run(m, &in, &r) < 0) {
			rep->too_big++;
			match_result_release(&r);
		}
		rc = store_tags(st, del, ins, upd, t, id, &r, now, &json, err);
		for (i = 0; i < nhints; i++)
			free(hints[i]);
		free(hints);
		free(title);
		free(summary);
		free(lang);
		free(source);
		free(topics);
		if (rc < 0)
			goto out;
		if (!ntagged || when < since)
			since = when;
		xgrow(&tagged, &tagged_alloc, ntagged + 1, sizeof(*tagged));
		tagged[ntagged++] = id;
		rep->items++;
		rep->included += r.include;
		rep->with_topics += r.ntags > 0;
		progress_update(progress, (uint64_t)rep->items);
	}
	progress_finish(progress);
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading items to tag", err);
		goto out;
	}
	if (ntagged) {
		qsort(tagged, ntagged, sizeof(*tagged), cmp_ll);
		if (recluster(st, cfg, since, tagged, ntagged, rep, err) < 0)
			goto out;
	}
	if (store_commit(st, err) < 0)
		goto out;
	began = 0;
	rep->left = (long)total - rep->items;
	ret = 0;
out:
	progress_clear(progress);
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	if (began)
		store_rollback(st);
	match_result_release(&r);
	buf_release(&json);
	free(tagged);
	return ret;
}

int curate_explain(struct store *st, const struct topics *t, long long id, FILE *out,
		   struct buf *err)
{
	sqlite3_stmt *item = NULL, *tags = NULL;
	json_t *ev, *e;
	json_error_t jerr;
	const struct topic *tp;
	const char *topic, *evidence;
	struct buf text = BUF_INIT;
	size_t k;
	int rc, ret = -1;

	if (store_prepare(st, "SELECT i.title, coalesce(i.lang, f.lang, ''), "
			  "coalesce(f.title, f.feed_title, f.url), i.curated_at, i.score, "
			  "i.included, i.cluster, f.topics FROM items i "
			  "JOIN feeds f ON f.id = i.feed WHERE i.id = ?", &item, err) < 0 ||
	    store_prepare(st, "SELECT topic, score, evidence FROM item_topics "
			  "WHERE item = ? ORDER BY score DESC, topic", &tags, err) < 0)
		goto out;
	sqlite3_bind_int64(item, 1, id);
	rc = sqlite3_step(item);
	if (rc == SQLITE_DONE) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		store_fail(st, "reading the item", err);
		goto out;
	}
	/* feed text on a terminal: control characters made harmless */
	buf_reset(&text);
	buf_addsanitized(&text, (const char *)sqlite3_column_text(item, 0));
	fprintf(out, "item %lld: %s\n", id, text.s);
	buf_reset(&text);
	buf_addsanitized(&text, (const char *)sqlite3_column_text(item, 2));
	fprintf(out, "  feed: %s", text.s);
	if (*(const char *)sqlite3_column_text(item, 7))
		fprintf(out, " (leans to: %s)", (const char *)sqlite3_column_text(item, 7));
	fprintf(out, "\n  language: %s\n",
		*(const char *)sqlite3_column_text(item, 1)
		? (const char *)sqlite3_column_text(item, 1) : "(guessed from the text)");
	if (sqlite3_column_type(item, 3) == SQLITE_NULL) {
		fputs("  not tagged yet (or changed since): run 'newsdigest curate'\n", out);
		ret = 0;
		goto out;
	}
	fprintf(out, "  score: %.2f, %s\n", sqlite3_column_double(item, 4),
		sqlite3_column_int(item, 5) ? "included" : "not included");
	if (sqlite3_column_int64(item, 6) != id && sqlite3_column_type(item, 6) != SQLITE_NULL)
		fprintf(out, "  same story as item %lld\n", sqlite3_column_int64(item, 6));
	sqlite3_bind_int64(tags, 1, id);
	while ((rc = sqlite3_step(tags)) == SQLITE_ROW) {
		topic = (const char *)sqlite3_column_text(tags, 0);
		tp = topics_find(t, topic);
		fprintf(out, "  %s (%s): %.2f\n", topic, tp ? tp->title : "not in the topic list",
			sqlite3_column_double(tags, 1));
		evidence = (const char *)sqlite3_column_text(tags, 2);
		ev = evidence ? json_loads(evidence, 0, &jerr) : NULL;
		for (k = 0; ev && k < json_array_size(ev); k++) {
			e = json_array_get(ev, k);
			buf_reset(&text);
			buf_addsanitized(&text, or_unknown(json_object_get(e, "phrase")));
			fprintf(out, "    \"%s\" in the %s at byte %lld: %.2f\n", text.s,
				or_unknown(json_object_get(e, "field")),
				(long long)json_integer_value(json_object_get(e, "position")),
				json_number_value(json_object_get(e, "points")));
		}
		json_decref(ev);
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading the item's topics", err);
		goto out;
	}
	ret = 0;
out:
	buf_release(&text);
	sqlite3_finalize(item);
	sqlite3_finalize(tags);
	return ret;
}
