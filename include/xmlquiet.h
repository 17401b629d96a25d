#ifndef NEWSDIGEST_XMLQUIET_H
#define NEWSDIGEST_XMLQUIET_H
/*
 * libxml2's encoding and I/O layers report through its global error
 * handlers, which print to stderr by default, whatever the parse options
 * say. While we parse untrusted input they point at ours (or nowhere), and
 * are restored afterwards so other modules see what they set.
 */
#include <libxml/xmlerror.h>

struct xml_quiet {
	xmlStructuredErrorFunc serror;
	void *sctx;
	xmlGenericErrorFunc gerror;
	void *gctx;
};

/* Save the handlers; structured errors go to fn(ctx, error), or nowhere
 * when fn is NULL; generic messages go nowhere. */
void xml_quiet_begin(struct xml_quiet *q, xmlStructuredErrorFunc fn, void *ctx);
/* Put back what xml_quiet_begin saved. */
void xml_quiet_end(const struct xml_quiet *q);

#endif
