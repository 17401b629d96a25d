/*
 * An allow-list filter for inline CSS. Hand-written: Debian has no C CSS
 * sanitiser (libcroco parses CSS but judges nothing, and is unmaintained),
 * and the grammar we accept is deliberately tiny: a declaration either
 * consists of the tokens listed in css.h or is dropped whole, so there is
 * no partial parse of something clever to get wrong.
 */
#include "css.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sorted (strcmp order): bsearch below. */
static const char *const allowed_properties[] = {
	"background", "background-color", "border", "border-bottom",
	"border-bottom-color", "border-bottom-style", "border-bottom-width",
	"border-collapse", "border-color", "border-left", "border-left-color",
	"border-left-style", "border-left-width", "border-right",
	"border-right-color", "border-right-style", "border-right-width",
	"border-spacing", "border-style", "border-top", "border-top-color",
	"border-top-style", "border-top-width", "border-width", "clear",
	"color", "cursor", "direction", "display", "float", "font",
	"font-family", "font-size", "font-style", "font-variant",
	"font-weight", "height", "letter-spacing", "line-height",
	"list-style-type", "margin", "margin-bottom", "margin-left",
	"margin-right", "margin-top", "max-width", "min-width", "overflow",
	"padding", "padding-bottom", "padding-left", "padding-right",
	"padding-top", "text-align", "text-decoration", "text-indent",
	"text-transform", "unicode-bidi", "vertical-align", "white-space",
	"width", "word-spacing", "word-wrap",
};

#define NPROPS (sizeof(allowed_properties) / sizeof(allowed_properties[0]))
/* Longer than any allowed property: such names are refused unread. */
#define MAX_PROPERTY 32

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int cmp_property(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int property_allowed(const char *name, size_t len)
{
	char lower[MAX_PROPERTY + 1];
	size_t i;

	if (!len || len > MAX_PROPERTY)
		return 0;
	for (i = 0; i < len; i++)
		lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	lower[len] = '\0';
	return bsearch(lower, allowed_properties, NPROPS, sizeof(allowed_properties[0]),
		       cmp_property) != NULL;
}

/* 1 for no unit or a CSS length or angle unit. */
static int unit_known(const char *u, size_t len)
{
	static const char *const units[] = {
		"ch", "cm", "deg", "em", "ex", "in", "mm", "pc", "pt", "px",
		"rem", "vh", "vmax", "vmin", "vw",
	};
	size_t i;

	if (!len)
		return 1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i]) == len && !strncasecmp(u, units[i], len))
			return 1;
	return 0;
}

/* Length of a number with an optional unit or '%' at p, 0 if none. */
static size_t number_len(const char *p, const char *end)
{
	const char *q = p;
	size_t digits = 0, unit = 0;

	if (q < end && (*q == '-' || *q == '+'))
		q++;
	while (q < end && is_digit(*q)) {
		q++;
		digits++;
	}
	if (q < end && *q == '.') {
		q++;
		while (q < end && is_digit(*q)) {
			q++;
			digits++;
		}
	}
	if (!digits)
		return 0;
	if (q < end && *q == '%')
		return (size_t)(q + 1 - p);
	while (q + unit < end && is_alpha(q[unit]))
		unit++;
	return unit_known(q, unit) ? (size_t)(q + unit - p) : 0;
}

/* A colour function of numbers only: "rgb(0, 128, 0)". */
static size_t color_function_len(const char *p, const char *end)
{
	static const char *const names[] = { "rgb(", "rgba(", "hsl(", "hsla(" };
	const char *q;
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if ((size_t)(end - p) > n && !strncasecmp(p, names[i], n))
			break;
	}
	if (i == sizeof(names) / sizeof(names[0]))
		return 0;
	for (q = p + n; q < end && *q != ')'; q++)
		if (!is_digit(*q) && !is_space(*q) && !strchr(".,%/-", *q))
			return 0;
	return q < end ? (size_t)(q + 1 - p) : 0;
}

/* 1 when [p, end) is a value made of the tokens css.h allows. */
static int value_allowed(const char *p, const char *end)
{
	const char *q;
	size_t n;
	int tokens = 0;

	while (p < end) {
		if (is_space(*p) || *p == ',' || *p == '/') {
			p++;
			continue;
		}
		if (*p == '!') {
			for (q = p + 1; q < end && is_space(*q); q++)
				;
			if ((size_t)(end - q) < 9 || strncasecmp(q, "important", 9))
				return 0;
			for (q += 9; q < end && is_space(*q); q++)
				;
			return q == end && tokens > 0;
		}
		if (*p == '#') {
			for (q = p + 1; q < end && strchr("0123456789abcdefABCDEF", *q); q++)
				;
			n = (size_t)(q - p - 1);
			if (n != 3 && n != 4 && n != 6 && n != 8)
				return 0;
		} else if (*p == '\'' || *p == '"') {
			for (q = p + 1; q < end && *q != *p; q++)
				if (!is_alpha(*q) && !is_digit(*q) && *q != ' ' &&
				    *q != '-' && *q != '_')
					return 0;
			if (q == end)
				return 0;
			q++;
		} else if ((n = color_function_len(p, end))) {
			q = p + n;
		} else if ((n = number_len(p, end))) {
			q = p + n;
		} else if (is_alpha(*p) || *p == '-') {
			for (q = p; q < end && (is_alpha(*q) || is_digit(*q) || *q == '-'); q++)
				;
		} else {
			return 0;
		}
		/* a token runs into the next only through a separator */
		if (q < end && !is_space(*q) && !strchr(",/!", *q))
			return 0;
		p = q;
		tokens++;
	}
	return tokens > 0;
}

void css_filter_style(const char *style, struct buf *out)
{
	const char *p = style, *decl_end, *colon, *name_end, *v, *v_end;

	buf_reset(out);
	/* comments and escapes can hide a url( or an expression( from a
	 * token scan: a style holding either keeps nothing */
	if (strchr(style, '\\') || strstr(style, "/*"))
		return;
	while (*p) {
		decl_end = p + strcspn(p, ";");
		colon = memchr(p, ':', (size_t)(decl_end - p));
		if (colon) {
			while (p < colon && is_space(*p))
				p++;
			for (name_end = colon; name_end > p && is_space(name_end[-1]); name_end--)
				;
			for (v = colon + 1; v < decl_end && is_space(*v); v++)
				;
			v_end = decl_end;
			if (property_allowed(p, (size_t)(name_end - p)) &&
			    value_allowed(v, v_end)) {
				if (out->len)
					buf_addch(out, ' ');
				buf_add(out, p, (size_t)(name_end - p));
				buf_addstr(out, ": ");
				buf_add(out, v, (size_t)(v_end - v));
				buf_addch(out, ';');
			}
		}
		p = *decl_end ? decl_end + 1 : decl_end;
	}
}
