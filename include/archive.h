#ifndef NEWSDIGEST_ARCHIVE_H
#define NEWSDIGEST_ARCHIVE_H
/*
 * The public archive of sent digests: the folder the organisation uploads
 * to its web site (by default digests/archive/). It holds
 *
 *   WEEK.html    one page per issue (2026-W48.html): the digest as the HTML
 *                mail shows it, without anything personal, in
 *                templates/archive-page.html
 *   index.html   every issue, newest first (templates/archive-index.html)
 *   feed.xml     Atom 1.0 (RFC 4287) of the newest ARCHIVE_FEED_ENTRIES
 *                issues, each with its page's body as content type="html"
 *   issues.tsv   what index.html and feed.xml are rebuilt from
 *
 * issues.tsv, version 1: UTF-8 text, one record a line, fields separated
 * by a tab, "\\", "\t", "\n" and "\r" escaped with a backslash. Lines
 * starting with '#' and empty lines are ignored.
 *
 *   version  1
 *   feed-id  the feed's atom:id, chosen once (tag:DOMAIN,YEAR:LIST-ID with
 *            DOMAIN from [mail] from, YEAR of the first issue's date,
 *            LIST-ID from [mail] list_id) and kept, so that it never
 *            changes; an entry's id is the feed's id, '/', its week
 *   issue    WEEK ISSUE DATE TITLE SUBJECT   (the draft's front matter)
 *
 * An issue whose WEEK.html was deleted is dropped from the manifest, the
 * index and the feed on the next archive_add: deleting a page unpublishes
 * it. The body an older entry carries in the feed is read back from its
 * page, between the comments <!-- newsdigest:body --> and
 * <!-- /newsdigest:body --> that archive_add puts around it (the rendered
 * Markdown never holds a comment).
 *
 * Links are absolute under [mail] archive_url when it is set
 * (ARCHIVE_URL/2026-W48.html, as the mail's "view in a browser" link),
 * else relative to the folder.
 */
#include "buf.h"
#include "config.h"
#include "draft.h"

#define ARCHIVE_FEED_ENTRIES 50                 /* entries in feed.xml */
#define ARCHIVE_MAX_ISSUES 10000                /* issues in the manifest */
#define ARCHIVE_MAX_READ (64 * 1024 * 1024)     /* bytes of a page or manifest read back */

/*
 * Add the approved draft d to the archive folder dir (created if missing,
 * its parent must exist): write DIR/WEEK.html, then DIR/issues.tsv,
 * DIR/index.html and DIR/feed.xml, each atomically (atomic.h), mode 0644.
 * Adding a week already there replaces its page and its entry. The front
 * matter must hold title, issue (a number), week (an ISO week), date (a
 * date date.h reads, e.g. 2026-11-27) and subject; the body is rendered
 * with render.h as digest.h does ([compose] allow_raw_html honoured).
 * Returns 0, or -1 with "what: why" appended to err: a bad front matter
 * ("cannot archive 'FILE': no 'date'"), a template error ("FILE:LINE:
 * ..."), a manifest that cannot be read ("cannot read 'DIR/issues.tsv':
 * line N: ..."; nothing is then written), a file that cannot be written
 * ("cannot write 'PATH': ..."), no domain in [mail] from for the feed's id.
 * Each file is always whole, the old one or the new one; after a failure
 * part way, adding the week again brings them all up to date.
 */
int archive_add(const struct config *cfg, const struct draft_doc *d, const char *dir,
		struct buf *err);

#endif
