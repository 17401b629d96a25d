#include "xmlquiet.h"

static void drop_structured(void *ctx, xmlErrorPtr error)
{
}

static void drop_generic(void *ctx, const char *msg, ...)
{
}

void xml_quiet_begin(struct xml_quiet *q, xmlStructuredErrorFunc fn, void *ctx)
{
	q->serror = xmlStructuredError;
	q->sctx = xmlStructuredErrorContext;
	q->gerror = xmlGenericError;
	q->gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(ctx, fn ? fn : drop_structured);
	xmlSetGenericErrorFunc(NULL, drop_generic);
}

void xml_quiet_end(const struct xml_quiet *q)
{
	xmlSetStructuredErrorFunc(q->sctx, q->serror);
	xmlSetGenericErrorFunc(q->gctx, q->gerror);
}
