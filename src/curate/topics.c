/*
 * feeds/topics.ini: the topic list. A reader of our own rather than inih:
 * keys repeat here (a topic's phrases run over many `en =` lines), lines
 * are long, and every message must name its line, none of which the
 * packaged inih allows (see config.c).
 *
 * ACCEPTED (the whole format; feeds/topics.ini documents it for editors)
 *   # or ; at the start of a line: a comment. Blank lines.
 *   [ID]         a topic; ID is lower-case letters, digits and '-'.
 *   [reference]  signs of an evergreen page (keys source, phrase, penalty).
 *   key = value  white space around both is ignored; a value may hold
 *                several phrases separated by ';'; "phrase ^W" weighs W.
 */
#include "topics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char *const topics_mandated[] = {
	"national-security", "anti-terrorism", "civil-liberties", "drones",
	"dissent", "guantanamo", "torture", "surveillance",
	"security-certificates", "oversight", "border-perimeter", "no-fly",
	"islamophobia-profiling", "citizenship", "listed-entities", "extradition",
};
const size_t topics_nmandated = sizeof(topics_mandated) / sizeof(topics_mandated[0]);

#define MAX_WEIGHT 100.0

struct reader {
	struct topics *t;
	struct topic *cur;      /* NULL in [reference] or before any section */
	int in_reference;
	int in_section;
	unsigned line;
	size_t nphrases;
	struct buf *err;
};

static char *trim(char *s);
static int valid_id(const char *s);
static int parse_number(const char *v, double lo, double hi, double *out);
static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add_phrase(struct reader *r, struct topic_phrase **v, size_t *n, size_t *alloc,
		      char *text, enum topic_phrase_kind kind, enum topic_phrase_lang lang,
		      const char *context);
static int add_list(struct reader *r, struct topic_phrase **v, size_t *n, size_t *alloc,
		    char *value, enum topic_phrase_kind kind, enum topic_phrase_lang lang);
static int add_rule(struct reader *r, char *value);
static int section(struct reader *r, char *name);
static int set_once(struct reader *r, char **field, const char *key, const char *value);
static int topic_key(struct reader *r, const char *key, char *value);
static int reference_key(struct reader *r, const char *key, char *value);
static int finish_topic(struct reader *r);
static void phrase_release(struct topic_phrase *p);

void topics_init(struct topics *t)
{
	memset(t, 0, sizeof(*t));
}

static void phrase_release(struct topic_phrase *p)
{
	free(p->text);
	free(p->context);
}

void topics_release(struct topics *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].id);
		free(t->v[i].title);
		free(t->v[i].title_fr);
		for (j = 0; j < t->v[i].n; j++)
			phrase_release(&t->v[i].phrases[j]);
		free(t->v[i].phrases);
	}
	free(t->v);
	for (i = 0; i < t->reference.nsources; i++)
		free(t->reference.sources[i]);
	free(t->reference.sources);
	for (i = 0; i < t->reference.n; i++)
		phrase_release(&t->reference.phrases[i]);
	free(t->reference.phrases);
	free(t->file);
	topics_init(t);
}

const struct topic *topics_find(const struct topics *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].id, id))
			return &t->v[i];
	return NULL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static int valid_id(const char *s)
{
	if (!*s || *s == '-')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

static int parse_number(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *trim(end) || errno || !(d >= lo && d <= hi))
		return -1;
	*out = d;
	return 0;
}

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	buf_addf(r->err, "cannot parse '%s': line %u: ", r->t->file, r->line);
	va_start(ap, fmt);
	buf_vaddf(r->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* text: one phrase, maybe with a " ^W" weight; trimmed here. */
static int add_phrase(struct reader *r, struct topic_phrase **v, size_t *n, size_t *alloc,
		      char *text, enum topic_phrase_kind kind, enum topic_phrase_lang lang,
		      const char *context)
{
	struct topic_phrase *p;
	char *caret;
	double weight = 1.0;

	text = trim(text);
	caret = strrchr(text, '^');
	if (caret) {
		if (parse_number(caret + 1, 0.01, MAX_WEIGHT, &weight) < 0)
			return fail(r, "bad weight '%s' (a number from 0.01 to 100 after '^')",
				    caret + 1);
		*caret = '\0';
		text = trim(text);
	}
	if (!*text)
		return fail(r, "empty phrase (two ';' in a row, or a ';' at an end?)");
	if (strlen(text) > TOPICS_MAX_PHRASE)
		return fail(r, "phrase longer than %d bytes", TOPICS_MAX_PHRASE);
	if (kind == PHRASE_ACRONYM && strpbrk(text, " \t"))
		return fail(r, "acronym '%s' is more than one word (use en = or fr =)", text);
	if (++r->nphrases > TOPICS_MAX_PHRASES)
		return fail(r, "more than %d phrases in the file", TOPICS_MAX_PHRASES);
	xgrow(v, alloc, *n + 1, sizeof(**v));
	p = &(*v)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->text = xstrdup(text);
	p->context = context ? xstrdup(context) : NULL;
	p->weight = weight;
	p->kind = kind;
	p->lang = lang;
	p->line = r->line;
	return 0;
}

static int add_list(struct reader *r, struct topic_phrase **v, size_t *n, size_t *alloc,
		    char *value, enum topic_phrase_kind kind, enum topic_phrase_lang lang)
{
	char *p = value, *semi;

	for (;;) {
		semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		if (add_phrase(r, v, n, alloc, p, kind, lang, NULL) < 0)
			return -1;
		if (!semi)
			return 0;
		p = semi + 1;
	}
}

/* requires = PHRASE; PHRASE => WORD; WORD */
static int add_rule(struct reader *r, char *value)
{
	struct topic *tp = r->cur;
	char *arrow = strstr(value, "=>"), *words, *w, *semi;
	struct buf ctx = BUF_INIT;
	int ret = -1;

	if (!arrow)
		return fail(r, "requires needs 'PHRASES => CONTEXT WORDS'");
	*arrow = '\0';
	words = arrow + 2;
	for (w = words; ; w = semi + 1) {
		semi = strchr(w, ';');
		if (semi)
			*semi = '\0';
		w = trim(w);
		if (!*w) {
			fail(r, "empty context word after '=>'");
			goto out;
		}
		if (ctx.len)
			buf_addstr(&ctx, "; ");
		buf_addstr(&ctx, w);
		if (!semi)
			break;
	}
	for (w = value; ; w = semi + 1) {
		semi = strchr(w, ';');
		if (semi)
			*semi = '\0';
		if (add_phrase(r, &tp->phrases, &tp->n, &tp->alloc, w, PHRASE_CONTEXT,
			       PHRASE_LANG_ANY, ctx.s) < 0)
			goto out;
		if (!semi)
			break;
	}
	ret = 0;
out:
	buf_release(&ctx);
	return ret;
}

static int finish_topic(struct reader *r)
{
	struct topic *tp = r->cur;
	size_t i;

	if (!tp)
		return 0;
	r->line = tp->line;
	if (!tp->title)
		return fail(r, "topic [%s] has no title", tp->id);
	if (!tp->title_fr)
		return fail(r, "topic [%s] has no title_fr", tp->id);
	if (!tp->priority)
		return fail(r, "topic [%s] has no priority", tp->id);
	for (i = 0; i < tp->n; i++)
		if (tp->phrases[i].kind != PHRASE_EXCLUDE)
			break;
	if (i == tp->n)
		return fail(r, "topic [%s] has no phrases (en =, fr =, acronym = or requires =)",
			    tp->id);
	for (i = 0; i + 1 < r->t->n; i++)
		if (r->t->v[i].priority == tp->priority)
			return fail(r, "topics [%s] and [%s] have the same priority %ld",
				    r->t->v[i].id, tp->id, tp->priority);
	r->cur = NULL;
	return 0;
}

static int section(struct reader *r, char *name)
{
	struct topic *tp;
	unsigned line = r->line;
	size_t i;

	if (finish_topic(r) < 0)
		return -1;
	r->line = line;
	r->in_section = 1;
	r->in_reference = !strcmp(name, "reference");
	if (r->in_reference)
		return 0;
	if (!valid_id(name))
		return fail(r, "bad topic id [%s] (lower-case letters, digits and '-')", name);
	for (i = 0; i < r->t->n; i++)
		if (!strcmp(r->t->v[i].id, name))
			return fail(r, "topic [%s] is defined twice (first on line %u)", name,
				    r->t->v[i].line);
	if (r->t->n >= TOPICS_MAX_TOPICS)
		return fail(r, "more than %d topics", TOPICS_MAX_TOPICS);
	xgrow(&r->t->v, &r->t->alloc, r->t->n + 1, sizeof(*r->t->v));
	tp = &r->t->v[r->t->n++];
	memset(tp, 0, sizeof(*tp));
	tp->id = xstrdup(name);
	tp->weight = 1.0;
	tp->line = line;
	r->cur = tp;
	return 0;
}

static int set_once(struct reader *r, char **field, const char *key, const char *value)
{
	if (*field)
		return fail(r, "'%s' is set twice in [%s]", key, r->cur->id);
	if (!*value)
		return fail(r, "'%s' is empty", key);
	*field = xstrdup(value);
	return 0;
}

static int topic_key(struct reader *r, const char *key, char *value)
{
	struct topic *tp = r->cur;
	double d;

	if (!strcmp(key, "title"))
		return set_once(r, &tp->title, key, value);
	if (!strcmp(key, "title_fr"))
		return set_once(r, &tp->title_fr, key, value);
	if (!strcmp(key, "priority")) {
		if (tp->priority)
			return fail(r, "'priority' is set twice in [%s]", tp->id);
		if (parse_number(value, 1, TOPICS_MAX_TOPICS, &d) < 0 || d != (long)d)
			return fail(r, "priority must be a whole number from 1 to %d",
				    TOPICS_MAX_TOPICS);
		tp->priority = (long)d;
		return 0;
	}
	if (!strcmp(key, "weight")) {
		if (parse_number(value, 0.01, MAX_WEIGHT, &tp->weight) < 0)
			return fail(r, "weight must be a number from 0.01 to 100");
		return 0;
	}
	if (!strcmp(key, "en"))
		return add_list(r, &tp->phrases, &tp->n, &tp->alloc, value, PHRASE_PLAIN,
				PHRASE_LANG_EN);
	if (!strcmp(key, "fr"))
		return add_list(r, &tp->phrases, &tp->n, &tp->alloc, value, PHRASE_PLAIN,
				PHRASE_LANG_FR);
	if (!strcmp(key, "acronym"))
		return add_list(r, &tp->phrases, &tp->n, &tp->alloc, value, PHRASE_ACRONYM,
				PHRASE_LANG_ANY);
	if (!strcmp(key, "exclude"))
		return add_list(r, &tp->phrases, &tp->n, &tp->alloc, value, PHRASE_EXCLUDE,
				PHRASE_LANG_ANY);
	if (!strcmp(key, "requires"))
		return add_rule(r, value);
	return fail(r, "unknown key '%s' in [%s] (title, title_fr, priority, weight, "
		    "en, fr, acronym, requires, exclude)", key, tp->id);
}

static int reference_key(struct reader *r, const char *key, char *value)
{
	struct topics_reference *ref = &r->t->reference;
	char *p, *semi;

	if (!strcmp(key, "penalty")) {
		if (parse_number(value, 0, 1000, &ref->penalty) < 0)
			return fail(r, "penalty must be a number from 0 to 1000");
		return 0;
	}
	if (!strcmp(key, "phrase"))
		return add_list(r, &ref->phrases, &ref->n, &ref->alloc, value, PHRASE_PLAIN,
				PHRASE_LANG_ANY);
	if (!strcmp(key, "source")) {
		for (p = value; ; p = semi + 1) {
			semi = strchr(p, ';');
			if (semi)
				*semi = '\0';
			p = trim(p);
			if (!*p)
				return fail(r, "empty source (two ';' in a row?)");
			xgrow(&ref->sources, &ref->sources_alloc, ref->nsources + 1,
			      sizeof(*ref->sources));
			ref->sources[ref->nsources++] = xstrdup(p);
			if (!semi)
				return 0;
		}
	}
	return fail(r, "unknown key '%s' in [reference] (source, phrase, penalty)", key);
}

int topics_load(struct topics *t, const char *path, struct buf *err)
{
	struct reader r = { 0 };
	char line[TOPICS_MAX_LINE + 2], *s, *eq, *end;
	FILE *in;
	int ret = -1;

	topics_init(t);
	t->file = xstrdup(path);
	r.t = t;
	r.err = err;
	in = fopen(path, "r");
	if (!in) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), in)) {
		r.line++;
		if (strlen(line) > TOPICS_MAX_LINE && !strchr(line, '\n')) {
			fail(&r, "line longer than %d bytes", TOPICS_MAX_LINE);
			goto out;
		}
		s = trim(line);
		if (r.line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s = trim(s + 3);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			end = strchr(s, ']');
			if (!end || *trim(end + 1)) {
				fail(&r, "expected '[topic-id]'");
				goto out;
			}
			*end = '\0';
			if (section(&r, trim(s + 1)) < 0)
				goto out;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			fail(&r, "expected '[topic-id]' or 'key = value'");
			goto out;
		}
		*eq = '\0';
		if (!r.in_section) {
			fail(&r, "'%s' is outside any [section]", trim(s));
			goto out;
		}
		if ((r.in_reference ? reference_key(&r, trim(s), trim(eq + 1))
				    : topic_key(&r, trim(s), trim(eq + 1))) < 0)
			goto out;
	}
	if (ferror(in)) {
		buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (finish_topic(&r) < 0)
		goto out;
	if (!t->n) {
		buf_addf(err, "cannot parse '%s': no topics", path);
		goto out;
	}
	ret = 0;
out:
	if (in)
		fclose(in);
	if (ret)
		topics_release(t);
	return ret;
}
