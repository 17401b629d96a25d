/*
 * What goes in a week's draft (see compose.h). Three queries over the
 * window, all through the items_when index: the included items, best
 * first; the other items of each chosen story; the near misses. The
 * selection is small (max_items), so it is built in memory.
 */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#define SECONDS_PER_DAY 86400LL
/* Other sources listed for one story at most. */
#define MAX_ALSO 8

/* An item's date, as the items_when index spells it. */
#define ITEM_WHEN "coalesce(i.published_at, i.fetched_at)"

static void item_release(struct compose_item *it);
static void read_item(sqlite3_stmt *s, struct compose_item *it);
static int topic_index(const struct topics *t, const char *id, size_t *out);
static int add_also(struct store *st, sqlite3_stmt *q, struct compose_item *it,
		    long long cluster, struct buf *err);
static int select_near(struct store *st, const struct config *cfg,
		       struct compose_selection *sel, struct buf *err);
static int select_failing(struct store *st, struct compose_selection *sel, struct buf *err);

int compose_week_parse(const char *s, struct compose_week *w)
{
	struct tm tm = { 0 };
	int year, week, n = 0, wday;
	long long jan4;

	/* exactly DDDD-WDD: sscanf alone would take "2026-W 8" and "2026-W+8" */
	for (n = 0; n < 8; n++)
		if (n == 4 ? s[n] != '-' : n == 5 ? s[n] != 'W' : !(s[n] >= '0' && s[n] <= '9'))
			return -1;
	if (s[8] || sscanf(s, "%4d-W%2d", &year, &week) != 2 ||
	    year < 1970 || week < 1 || week > 53)
		return -1;
	/* week 1 is the week holding 4 January */
	tm.tm_year = year - 1900;
	tm.tm_mon = 0;
	tm.tm_mday = 4;
	jan4 = (long long)timegm(&tm);
	wday = (int)((jan4 / SECONDS_PER_DAY + 3) % 7);    /* 0 = Monday */
	w->year = year;
	w->week = week;
	w->start = jan4 - wday * SECONDS_PER_DAY + (long long)(week - 1) * 7 * SECONDS_PER_DAY;
	w->end = w->start + 7 * SECONDS_PER_DAY;
	/* week 53 exists only in some years */
	if (week == 53) {
		struct compose_week check;

		compose_week_of(w->start, &check);
		if (check.week != 53)
			return -1;
	}
	return 0;
}

void compose_week_of(long long t, struct compose_week *w)
{
	char name[16];
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(name, sizeof(name), "%G-W%V", &tm);
	w->year = atoi(name);
	w->week = atoi(name + 6);
	/* the Monday of that week */
	w->start = t - t % SECONDS_PER_DAY - (long long)((tm.tm_wday + 6) % 7) * SECONDS_PER_DAY;
	w->end = w->start + 7 * SECONDS_PER_DAY;
}

void compose_week_name(const struct compose_week *w, char *out, size_t size)
{
	snprintf(out, size, "%04d-W%02d", w->year, w->week);
}

static void item_release(struct compose_item *it)
{
	size_t i;

	free(it->title);
	free(it->url);
	free(it->summary);
	free(it->source);
	free(it->topics);
	free(it->evidence);
	for (i = 0; i < it->nalso; i++) {
		free(it->also[i].name);
		free(it->also[i].url);
	}
	free(it->also);
	memset(it, 0, sizeof(*it));
}

void compose_selection_release(struct compose_selection *sel)
{
	size_t i, j;

	for (i = 0; i < sel->nsections; i++) {
		for (j = 0; j < sel->sections[i].n; j++)
			item_release(&sel->sections[i].items[j]);
		free(sel->sections[i].items);
	}
	free(sel->sections);
	for (i = 0; i < sel->nnear; i++)
		item_release(&sel->near[i]);
	free(sel->near);
	for (i = 0; i < sel->nfailing; i++) {
		free(sel->failing[i].title);
		free(sel->failing[i].url);
		free(sel->failing[i].error);
	}
	free(sel->failing);
	memset(sel, 0, sizeof(*sel));
}

/* Columns 0-8 of the item queries below. */
#define ITEM_COLUMNS \
	"i.id, i.title, i.url, i.summary_text, coalesce(f.title, f.feed_title, f.url), " \
	ITEM_WHEN ", coalesce(i.score, 0), " \
	"(SELECT group_concat(topic, ',') FROM (SELECT topic FROM item_topics " \
	" WHERE item = i.id ORDER BY score DESC, topic)), " \
	"(SELECT group_concat(DISTINCT json_extract(e.value, '$.phrase')) " \
	" FROM item_topics it, json_each(it.evidence) e WHERE it.item = i.id)"

static void read_item(sqlite3_stmt *s, struct compose_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(s, 0);
	it->title = store_column_dup(s, 1);
	it->url = store_column_dup(s, 2);
	it->summary = store_column_dup(s, 3);
	it->source = store_column_dup(s, 4);
	it->when = sqlite3_column_int64(s, 5);
	it->score = sqlite3_column_double(s, 6);
	it->topics = store_column_dup(s, 7);
	it->evidence = store_column_dup(s, 8);
	if (!it->title)
		it->title = xstrdup("");
	if (!it->topics)
		it->topics = xstrdup("");
}

static int topic_index(const struct topics *t, const char *id, size_t *out)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].id, id)) {
			*out = i;
			return 0;
		}
	return -1;
}

static int add_also(struct store *st, sqlite3_stmt *q, struct compose_item *it,
		    long long cluster, struct buf *err)
{
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_int64(q, 1, cluster);
	sqlite3_bind_int64(q, 2, it->id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && it->nalso < MAX_ALSO) {
		it->also = xrealloc(it->also, (it->nalso + 1) * sizeof(*it->also));
		it->also[it->nalso].name = store_column_dup(q, 0);
		it->also[it->nalso].url = store_column_dup(q, 1);
		if (!it->also[it->nalso].name)
			it->also[it->nalso].name = xstrdup("");
		it->nalso++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading the copies of a story", err);
	return 0;
}

static int select_near(struct store *st, const struct config *cfg,
		       struct compose_selection *sel, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = -1;

	if (store_prepare(st, "SELECT " ITEM_COLUMNS " FROM items i JOIN feeds f ON f.id = i.feed "
			  "WHERE " ITEM_WHEN " >= ?1 AND " ITEM_WHEN " < ?2 AND i.included = 0 "
			  "AND i.score > 0 AND i.score >= ?3 ORDER BY i.score DESC, i.id LIMIT ?4",
			  &q, err) < 0)
		goto out;
	sqlite3_bind_int64(q, 1, sel->from);
	sqlite3_bind_int64(q, 2, sel->to);
	sqlite3_bind_double(q, 3, cfg->curate.min_score / 2);
	sqlite3_bind_int(q, 4, COMPOSE_MAX_NEAR);
	sel->near = xcalloc(COMPOSE_MAX_NEAR, sizeof(*sel->near));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		read_item(q, &sel->near[sel->nnear++]);
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading near misses", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	return ret;
}

static int select_failing(struct store *st, struct compose_selection *sel, struct buf *err)
{
	sqlite3_stmt *q = NULL;
	size_t alloc = 0;
	int rc, ret = -1;

	if (store_prepare(st, "SELECT coalesce(title, feed_title, url), url, coalesce(error, ''), "
			  "failures FROM feeds WHERE status = 'error' AND disabled = 0 "
			  "ORDER BY failures DESC, url", &q, err) < 0)
		goto out;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		xgrow(&sel->failing, &alloc, sel->nfailing + 1, sizeof(*sel->failing));
		sel->failing[sel->nfailing].title = store_column_dup(q, 0);
		sel->failing[sel->nfailing].url = store_column_dup(q, 1);
		sel->failing[sel->nfailing].error = store_column_dup(q, 2);
		sel->failing[sel->nfailing].failures = sqlite3_column_int(q, 3);
		sel->nfailing++;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading failing feeds", err);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(q);
	return ret;
}

int compose_select(struct store *st, const struct config *cfg, const struct topics *t,
		   const struct compose_week *w, struct compose_selection *sel,
		   struct buf *err)
{
	sqlite3_stmt *q = NULL, *also = NULL;
	struct compose_section *by_topic = NULL;
	struct compose_item it;
	long long cluster, *seen = NULL;
	size_t nseen = 0, seen_alloc = 0, k, i, topic;
	char *comma;
	int rc, ret = -1;

	memset(sel, 0, sizeof(*sel));
	sel->week = *w;
	sel->to = w->end;
	sel->from = w->end - cfg->compose.window_days * SECONDS_PER_DAY;
	by_topic = xcalloc(t->n ? t->n : 1, sizeof(*by_topic));
	if (store_prepare(st, "SELECT " ITEM_COLUMNS ", coalesce(i.cluster, i.id) "
			  "FROM items i JOIN feeds f ON f.id = i.feed "
			  "WHERE " ITEM_WHEN " >= ?1 AND " ITEM_WHEN " < ?2 AND i.included = 1 "
			  "ORDER BY i.score DESC, " ITEM_WHEN " DESC, i.id", &q, err) < 0 ||
	    store_prepare(st, "SELECT coalesce(f.title, f.feed_title, f.url), i.url "
			  "FROM items i JOIN feeds f ON f.id = i.feed "
			  "WHERE i.cluster = ?1 AND i.id != ?2 ORDER BY i.id", &also, err) < 0)
		goto out;
	sqlite3_bind_int64(q, 1, sel->from);
	sqlite3_bind_int64(q, 2, sel->to);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		cluster = sqlite3_column_int64(q, 9);
		/* one line per story: its best item, met first */
		for (k = 0; k < nseen && seen[k] != cluster; k++)
			;
		if (k < nseen)
			continue;
		xgrow(&seen, &seen_alloc, nseen + 1, sizeof(*seen));
		seen[nseen++] = cluster;
		read_item(q, &it);
		comma = strchr(it.topics, ',');
		if (comma)
			*comma = '\0';
		rc = topic_index(t, it.topics, &topic);
		if (comma)
			*comma = ',';
		if (rc < 0) {
			/* tagged with a topic since taken off the list */
			item_release(&it);
			continue;
		}
		it.topic = topic;
		sel->stories++;
		if (by_topic[topic].n >= (size_t)cfg->compose.max_per_section ||
		    sel->nitems >= (size_t)cfg->compose.max_items) {
			by_topic[topic].dropped++;
			item_release(&it);
			continue;
		}
		if (add_also(st, also, &it, cluster, err) < 0) {
			item_release(&it);
			goto out;
		}
		by_topic[topic].items = xrealloc(by_topic[topic].items,
						 (by_topic[topic].n + 1) * sizeof(it));
		by_topic[topic].items[by_topic[topic].n++] = it;
		sel->nitems++;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "reading the week's items", err);
		goto out;
	}
	/* sections in priority order (insertion: a few topics); a topic whose
	 * items were all left out by the caps keeps its section, which says so */
	sel->sections = xcalloc(t->n ? t->n : 1, sizeof(*sel->sections));
	for (i = 0; i < t->n; i++) {
		if (!by_topic[i].n && !by_topic[i].dropped)
			continue;
		by_topic[i].topic = i;
		for (k = sel->nsections; k > 0 &&
		     t->v[sel->sections[k - 1].topic].priority > t->v[i].priority; k--)
			sel->sections[k] = sel->sections[k - 1];
		sel->sections[k] = by_topic[i];
		sel->nsections++;
		memset(&by_topic[i], 0, sizeof(by_topic[i]));
	}
	if (select_near(st, cfg, sel, err) < 0 || select_failing(st, sel, err) < 0)
		goto out;
	ret = 0;
out:
	if (by_topic)
		for (i = 0; i < t->n; i++) {
			for (k = 0; k < by_topic[i].n; k++)
				item_release(&by_topic[i].items[k]);
			free(by_topic[i].items);
		}
	free(by_topic);
	free(seen);
	sqlite3_finalize(q);
	sqlite3_finalize(also);
	if (ret)
		compose_selection_release(sel);
	return ret;
}
