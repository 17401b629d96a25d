/*
 * The message a subscriber reads (see digest.h). What is the same for
 * everyone (the rendered body, the compiled templates, the front matter)
 * is built once in digest_new; digest_personalise only fills a context.
 */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "template.h"
#include "token.h"
#include "xalloc.h"

const struct digest_person digest_sample_person = {
	"Sample Subscriber", "subscriber@example.org", "SAMPLE-TOKEN"
};

/* The front matter keys the templates show. */
static const char *const shown_keys[] = { "title", "issue", "week", "date", "subject" };

struct digest {
	const struct config *cfg;
	struct template *html_tpl, *text_tpl;
	struct buf body_html, body_text;
	char *meta[sizeof(shown_keys) / sizeof(shown_keys[0])];
	char *archive_page;     /* the page in the archive, or NULL */
};


struct digest *digest_new(const struct config *cfg, const struct draft_doc *d,
			  struct buf *err)
{
	struct digest *dg = xcalloc(1, sizeof(*dg));
	struct render_options ro = RENDER_OPTIONS_INIT;
	struct render_doc *doc = NULL;
	struct buf path = BUF_INIT;
	const char *v;
	size_t i;

	dg->cfg = cfg;
	ro.allow_raw_html = cfg->compose.allow_raw_html;
	doc = render_parse(d->text + d->body, d->len - d->body);
	if (!doc || render_html(doc, &ro, &dg->body_html) < 0 ||
	    render_text(doc, &ro, &dg->body_text) < 0) {
		buf_addf(err, "%s: cannot render the Markdown (too large?)", d->path);
		goto fail;
	}
	buf_addf(&path, "%s/digest.html", cfg->compose.templates);
	dg->html_tpl = template_load(path.s, TPL_HTML, err);
	if (!dg->html_tpl)
		goto fail;
	buf_reset(&path);
	buf_addf(&path, "%s/digest.txt", cfg->compose.templates);
	dg->text_tpl = template_load(path.s, TPL_TEXT, err);
	if (!dg->text_tpl)
		goto fail;
	for (i = 0; i < sizeof(shown_keys) / sizeof(shown_keys[0]); i++) {
		v = draft_meta(d, shown_keys[i]);
		dg->meta[i] = xstrdup(v ? v : "");
	}
	v = draft_meta(d, "week");
	if (*cfg->mail.archive_url && v) {
		size_t n = strlen(cfg->mail.archive_url);

		struct buf page = BUF_INIT;

		buf_addf(&page, "%s%s%s.html", cfg->mail.archive_url,
			 n && cfg->mail.archive_url[n - 1] == '/' ? "" : "/", v);
		dg->archive_page = buf_detach(&page);
	}
	render_doc_free(doc);
	buf_release(&path);
	return dg;
fail:
	render_doc_free(doc);
	buf_release(&path);
	digest_free(dg);
	return NULL;
}

void digest_free(struct digest *dg)
{
	size_t i;

	if (!dg)
		return;
	template_free(dg->html_tpl);
	template_free(dg->text_tpl);
	buf_release(&dg->body_html);
	buf_release(&dg->body_text);
	for (i = 0; i < sizeof(shown_keys) / sizeof(shown_keys[0]); i++)
		free(dg->meta[i]);
	free(dg->archive_page);
	free(dg);
}

const char *digest_subject(const struct digest *dg)
{
	return dg->meta[4];
}

/* tokens are base64url; anything else is percent-encoded all the same */
static void add_token(struct buf *out, const char *token)
{
	for (const char *p = token; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			buf_addch(out, *p);
		else
			buf_addf(out, "%%%02X", (unsigned char)*p);
	}
}

void digest_unsubscribe_mailto(const struct config *cfg, const char *token, struct buf *out)
{
	buf_addf(out, "mailto:%s?subject=unsubscribe%%20", cfg->mail.unsubscribe_mailto);
	add_token(out, token);
}

int digest_unsubscribe_https(const struct config *cfg, const char *token, struct buf *out)
{
	if (!*cfg->mail.unsubscribe_url)
		return 0;
	buf_addf(out, "%s%ctoken=", cfg->mail.unsubscribe_url,
		 strchr(cfg->mail.unsubscribe_url, '?') ? '&' : '?');
	add_token(out, token);
	return 1;
}

int digest_personalise(const struct digest *dg, const struct digest_person *p,
		       struct buf *html, struct buf *text, struct buf *err)
{
	struct tpl_context *c = tpl_context_new();
	struct buf link = BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < sizeof(shown_keys) / sizeof(shown_keys[0]); i++)
		tpl_set_str(c, shown_keys[i], dg->meta[i]);
	if (dg->archive_page)
		tpl_set_str(c, "archive_url", dg->archive_page);
	else
		tpl_set_bool(c, "archive_url", 0);
	if (p->name && *p->name)
		tpl_set_str(c, "name", p->name);
	else
		tpl_set_bool(c, "name", 0);
	tpl_set_str(c, "email", p->email);
	if (!digest_unsubscribe_https(dg->cfg, p->token, &link))
		digest_unsubscribe_mailto(dg->cfg, p->token, &link);
	tpl_set_str(c, "unsubscribe", link.s);
	tpl_set_str(c, "body", dg->body_html.s);
	buf_reset(html);
	if (template_render(dg->html_tpl, c, html, err) < 0)
		goto out;
	tpl_set_str(c, "body", dg->body_text.s);
	buf_reset(text);
	if (template_render(dg->text_tpl, c, text, err) < 0)
		goto out;
	ret = 0;
out:
	tpl_context_free(c);
	buf_release(&link);
	return ret;
}

/*
 * Placeholders for the personal values. The '&' shows where the template
 * escapes a value ("&amp;" there) and where it copies it; a token is
 * base64url, the same escaped or not, and goes through the unsubscribe
 * link's percent-encoding unchanged, so its placeholder has no '&'.
 */
#define MARK "ndZ9q0"
static const struct {
	const char *text;
	int field, escaped;
} marks[] = {
	{ MARK "name&amp;", DIGEST_FIELD_NAME, 1 },
	{ MARK "name&", DIGEST_FIELD_NAME, 0 },
	{ MARK "mail&amp;", DIGEST_FIELD_EMAIL, 1 },
	{ MARK "mail&", DIGEST_FIELD_EMAIL, 0 },
	{ MARK "tokn", DIGEST_FIELD_TOKEN, 0 },
};

/* Cut text at the placeholders into *pieces. */
static size_t cut(const struct buf *text, struct digest_piece **pieces)
{
	const char *p = text->s, *end = text->s + text->len, *m;
	size_t n = 0, cap = 8;

	*pieces = xmalloc(cap * sizeof(**pieces));
	while (p < end) {
		size_t k = 0;

		if (n + 2 > cap) {
			cap *= 2;
			*pieces = xrealloc(*pieces, cap * sizeof(**pieces));
		}
		m = strstr(p, MARK);
		if (!m) {
			(*pieces)[n++] = (struct digest_piece){ p, (size_t)(end - p), DIGEST_FIELD_NONE, 0 };
			break;
		}
		if (m > p)
			(*pieces)[n++] = (struct digest_piece){ p, (size_t)(m - p), DIGEST_FIELD_NONE, 0 };
		while (strncmp(m, marks[k].text, strlen(marks[k].text)))
			k++;    /* one of them: the text holds no MARK of its own */
		(*pieces)[n++] = (struct digest_piece){ NULL, 0, marks[k].field, marks[k].escaped };
		p = m + strlen(marks[k].text);
	}
	return n;
}

int digest_split(const struct digest *dg, int named, struct digest_split *out,
		 struct buf *err)
{
	const struct digest_person plain = { named ? "x" : "", "", "" };
	const struct digest_person marked = { named ? MARK "name&" : "", MARK "mail&", MARK "tokn" };

	memset(out, 0, sizeof(*out));
	out->html = out->text = (struct buf)BUF_INIT;
	/* rendered without placeholders first: no MARK may come from elsewhere */
	if (digest_personalise(dg, &plain, &out->html, &out->text, err) < 0)
		return -1;
	if (strstr(out->html.s, MARK) || strstr(out->text.s, MARK)) {
		buf_addstr(err, "the draft or a template holds the text '" MARK "'");
		digest_split_release(out);
		return -1;
	}
	if (digest_personalise(dg, &marked, &out->html, &out->text, err) < 0) {
		digest_split_release(out);
		return -1;
	}
	out->nhtml = cut(&out->html, &out->html_pieces);
	out->ntext = cut(&out->text, &out->text_pieces);
	return 0;
}

void digest_split_release(struct digest_split *s)
{
	buf_release(&s->html);
	buf_release(&s->text);
	free(s->html_pieces);
	free(s->text_pieces);
	s->html_pieces = s->text_pieces = NULL;
	s->nhtml = s->ntext = 0;
}

int digest_piece_value(const struct digest_piece *pc, const struct digest_person *p,
		       struct buf *out)
{
	const char *v = pc->field == DIGEST_FIELD_NAME ? p->name
		      : pc->field == DIGEST_FIELD_EMAIL ? p->email : p->token;

	if (!v)
		v = "";
	if (pc->field == DIGEST_FIELD_TOKEN && !token_valid(v))
		return -1;
	if (pc->escaped)
		return template_escape_html(out, v, strlen(v));
	return buf_addstr(out, v);
}
