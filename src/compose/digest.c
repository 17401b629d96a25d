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

static void unsubscribe_link(const struct config *cfg, const char *token, struct buf *out);

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

/* The https page with the token when there is one, else a mailto: whose
 * subject carries the token. */
static void unsubscribe_link(const struct config *cfg, const char *token, struct buf *out)
{
	const char *p;

	if (*cfg->mail.unsubscribe_url) {
		buf_addf(out, "%s%ctoken=", cfg->mail.unsubscribe_url,
			 strchr(cfg->mail.unsubscribe_url, '?') ? '&' : '?');
	} else {
		buf_addf(out, "mailto:%s?subject=unsubscribe%%20", cfg->mail.unsubscribe_mailto);
	}
	/* tokens are base64url; anything else is percent-encoded all the same */
	for (p = token; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			buf_addch(out, *p);
		else
			buf_addf(out, "%%%02X", (unsigned char)*p);
	}
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
	unsubscribe_link(dg->cfg, p->token, &link);
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
