#ifndef NEWSDIGEST_CSS_H
#define NEWSDIGEST_CSS_H
/*
 * The style attribute of untrusted HTML: which declarations may stay.
 */
#include "buf.h"

/*
 * Keep from the inline style `style` only the declarations whose property
 * is presentational (colour, font, text alignment, box sizes and spacing,
 * borders; never position, background images or anything that loads or
 * runs) and whose value is made of plain CSS tokens: keywords, numbers
 * with units, #hex colours, rgb()/rgba()/hsl()/hsla() of numbers, quoted
 * font names, commas, '/' and a final !important. Anything else in a
 * value (url(), expression(), escapes, comments, other functions, stray
 * punctuation) drops that declaration. Writes "name: value;" pairs joined
 * by one space into out (replacing its contents); out is empty when
 * nothing stays. Names keep the case they were written in.
 */
void css_filter_style(const char *style, struct buf *out);

#endif
