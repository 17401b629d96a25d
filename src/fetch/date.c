/*
 * Feed dates to UTC seconds.
 *
 * Hand-written on purpose: nothing packaged for Debian parses the dates
 * feeds really carry with any leniency, strptime(3) reads month and day
 * names from the current locale (so "Jan" fails under fr_FR and "janv."
 * never works), and timegm/mktime bring TZ and the C library's idea of
 * ranges with them. The conversion below is plain days-from-civil
 * arithmetic, so the result depends on the input string alone.
 *
 * ACCEPTED FORMATS
 *
 * RFC 822 / 1123 / 2822 and their relatives:
 *   Thu, 01 Jan 2004 19:48:21 GMT        the textbook form
 *   Thu, 01 Jan 2004 19:48:21 +0200      numeric zones: +hhmm, +hh:mm, +hh, +h
 *   Thu, 01 Jan 2004 19:48:21 -05:00
 *   Thursday, 01-Jan-04 19:48:21 GMT     RFC 850 (dashes around the month)
 *   Sun Jan  4 16:29:06 2004             asctime(3)
 *   Sun Jul 15 01:16:00 +0000 2012       asctime with a zone (Twitter)
 *   Thu Aug 30 2012 17:26:16 +0200       month before day (JavaScript)
 *   Fri, 2006/09/15 08:19:53 EDT         YYYY/MM/DD (Perforce)
 * Named zones: UT, UTC, GMT, Z, Etc/GMT, Etc/UTC, WET, WEST, BST, CET,
 *   CEST, MET, MEST, MEZ, MESZ, EET, EEST, MSK, IST (India), JST, KST,
 *   HKT, SGT, AWST, ACST, ACDT, AEST, AEDT, NZST, NZDT, AST, ADT, NST,
 *   NDT, EST, EDT, CST, CDT, MST, MDT, PST, PDT, AKST, AKDT, HST, and the
 *   bare AT, ET, CT, MT, PT (Disney's feeds). Military letters A-I, K-Z
 *   take their military meaning (A = +0100, N = -0100, Z = UTC); RFC 2822
 *   says to treat them as -0000 because RFC 822 had the signs backwards,
 *   but the feeds that still send them mean the military zone.
 *   GMT+hh:mm, UTC-5 and the like: the offset has its ordinary sign (not
 *   the POSIX TZ inversion).
 *
 * RFC 3339 and ISO 8601:
 *   2004-01-01T19:48:21Z                 RFC 3339
 *   2004-01-01T19:48:21.538+01:00        fractional seconds (dropped)
 *   2004-01-01T19:48:21+0100, +01        offsets without colon, hours only
 *   2004-01-01T19:48Z                    no seconds
 *   2004-01-01T19:48:21                  no zone: UTC
 *   2004-01-01 19:48:21 -00:20           space for T, space before zone (MSSQL)
 *   2004-01-01, 2004-01, 2004            date only: midnight UTC, first of
 *                                        month, first of year
 *   20040101T194821Z, 20040101           basic (compact) format
 *   2004-335, 2004335                    ordinal dates
 *   2004-W01-4, 2004W014                 week dates
 *   03-12-31, 031231, -03-12, -0312      two-digit-year forms of ISO 8601:2000
 *   2004-07-08 23:56:58 GMT              named zone after an ISO time
 *
 * TOLERATED MISTAKES
 *   two-digit years anywhere: < 50 is 20xx, else 19xx (RFC 2822 4.3)
 *   missing seconds; missing time (midnight); missing zone (UTC)
 *   day names: wrong, missing, abbreviated or in any language; the first
 *     word before the date is ignored whatever it says
 *   extra spaces and commas anywhere ("Mon, 13 Feb, 2012", "Fri,24 Nov")
 *   any case ("THU, 01 JAN 2004", "2004-01-01t19:48:21z")
 *   one-digit hours ("9:15"); one-digit days ("Thu,  5 Apr 2012")
 *   ordinal suffixes on days: 1st, 2nd, 3rd, 4th, 1er
 *   12-hour clocks: "07:48 PM", Korean 오전/오후
 *   a three-digit month with a leading zero, 2003-012-31 (Google)
 *   hour 24:00:00 is midnight of the next day; second 60 becomes 59
 *   an unknown alphabetic zone after the time (up to 5 letters) is UTC:
 *     a date a few hours off beats no date
 *   month names, full or abbreviated, with or without a final dot, accents
 *     optional: English; French (janvier/janv., février/févr./fevrier,
 *     mars, avril/avr., mai, juin, juillet/juil., août/aout,
 *     septembre/sept., octobre/oct., novembre/nov., décembre/déc.);
 *     German; Dutch; Spanish; Italian; Hungarian (2004-július-13); Greek
 *     (Ιούλ, Ιουλίου); day names in any of these are ignored as above
 *   Korean blog dates: 2004-05-25 오후 11:23:17 (nate) and
 *     2004년 05월 28일 01:31:15 (onblog), both in KST (+0900)
 *
 * REJECTED
 *   anything outside 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z after the
 *   zone is applied; out-of-range fields (month 13, 31 Apr, 29 Feb 2003,
 *   25:00, minute 60, second 61, zone +24:00 or minute 60); junk after the
 *   date; unknown words other than the leading day name; five-digit
 *   numbers (YYDDD and over-long years are indistinguishable).
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

/* 9999-12-31T23:59:59Z */
#define DATE_MAX 253402300799LL

struct dparts {
	long long year;
	int mon;
	int day;
	int hour;
	int min;
	int sec;
	int off;	/* minutes east of UTC */
	int pm;		/* 0 none, 1 am, 2 pm */
};

static int is_space(int c);
static int is_digit(int c);
static int is_wordch(int c);
static int is_leap(long long y);
static int month_days(long long y, int m);
static long long days_from_civil(long long y, int m, int d);
static void civil_from_days(long long z, long long *y, int *m, int *d);
static int count_digits(const char *p);
static int get_num(const char **pp, int n);
static int two_digit_year(int yy);
static size_t fold_word(const char *s, size_t n, char *out, size_t size);
static int list_has(const char *list, const char *w);
static int month_lookup(const char *w);
static int zone_lookup(const char *w, int *off);
static int parse_offset(const char **pp, int *off);
static int parse_clock(const char **pp, struct dparts *d);
static int parse_zone_word(const char **pp, struct dparts *d, int strict);
static int set_ordinal(struct dparts *d, int ord);
static int set_week(struct dparts *d, int week, int wday);
static int parse_iso(const char *s, struct dparts *d);
static int parse_rfc(const char *s, struct dparts *d);
static int parts_to_time(struct dparts *d, long long *out);

/*
 * Month names by language, folded (lower case, accents dropped, no dots).
 * Greek is kept in Greek letters after folding: tonos and dialytika go.
 */
static const char *const month_names[12] = {
	"jan january janv janvier januar janner januari jan enero ene gennaio gen "
	"ιαν ιανουαριου ιανουαριος",
	"feb february fev fevr fevrier februar febr februari febrero febbraio "
	"φεβ φεβρουαριου φεβρουαριος",
	"mar march mars marz maerz maart marc marcius marzo "
	"μαρ μαρτιου μαρτιος",
	"apr april avr avril aprilis abr abril aprile "
	"απρ απριλιου απριλιος",
	"may mai mei maj majus mayo maggio mag "
	"μαι μαιου μαιος",
	"jun june juin juni jun junius junio giugno giu "
	"ιουν ιον ιουνιου ιουνιος",
	"jul july juil juillet juli julius julio luglio lug "
	"ιουλ ιολ ιουλιου ιουλιος",
	"aug august aout augustus augusztus agosto ago "
	"αυγ αυγουστου αυγουστος",
	"sep sept september septembre szept szeptember septiembre setiembre "
	"settembre set σεπ σεπτεμβριου σεπτεμβριος",
	"oct october octobre okt oktober october octubre ottobre ott "
	"οκτ οκτωβριου οκτωβριος",
	"nov november novembre noviembre "
	"νοε νοεμβριου νοεμβριος",
	"dec december decembre dez dezember diciembre dicembre dic "
	"δεκ δεκεμβριου δεκεμβριος",
};

struct zone {
	const char *name;
	int off;
};

/* IST is India: the Irish and Israeli readings are rarer in feeds. */
static const struct zone zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "west", 60 }, { "bst", 60 }, { "cet", 60 }, { "cest", 120 },
	{ "met", 60 }, { "mest", 120 }, { "mez", 60 }, { "mesz", 120 },
	{ "eet", 120 }, { "eest", 180 }, { "msk", 180 }, { "ist", 330 },
	{ "jst", 540 }, { "kst", 540 }, { "hkt", 480 }, { "sgt", 480 },
	{ "awst", 480 }, { "acst", 570 }, { "acdt", 630 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "ast", -240 }, { "adt", -180 }, { "nst", -210 }, { "ndt", -150 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
	{ "at", -240 }, { "et", -300 }, { "ct", -360 }, { "mt", -420 },
	{ "pt", -480 },
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Letters, and any byte of a multi-byte UTF-8 sequence. */
static int is_wordch(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (unsigned char)c >= 0x80;
}

static int is_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long long y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* Howard Hinnant's days_from_civil: proleptic Gregorian, any year. */
static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int count_digits(const char *p)
{
	int n = 0;

	while (is_digit(p[n]))
		n++;
	return n;
}

/* Read exactly n digits (the caller has counted them); n stays small. */
static int get_num(const char **pp, int n)
{
	int v = 0;

	while (n-- > 0) {
		v = v * 10 + (**pp - '0');
		(*pp)++;
	}
	return v;
}

static int two_digit_year(int yy)
{
	return yy < 50 ? 2000 + yy : 1900 + yy;
}

/*
 * Fold a word for table lookup: ASCII lower case, Latin-1 and Hungarian
 * accented letters to their base letter, Greek to lower case without
 * tonos or dialytika, dots dropped. Other UTF-8 is copied. Returns the
 * folded length, or 0 when it does not fit.
 */
static size_t fold_word(const char *s, size_t n, char *out, size_t size)
{
	/* U+00E0..U+00FF; upper case U+00C0..U+00DE maps here by +0x20 */
	static const char latin1[] = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned cp = u[i];
		size_t len = 1;

		if (cp >= 0xc0 && cp < 0xe0 && i + 1 < n &&
		    (u[i + 1] & 0xc0) == 0x80) {
			cp = ((cp & 0x1f) << 6) | (u[i + 1] & 0x3f);
			len = 2;
		} else if (cp >= 0x80) {
			/* three- and four-byte sequences are copied */
			while (i + len < n && (u[i + len] & 0xc0) == 0x80)
				len++;
			if (o + len + 1 > size)
				return 0;
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		i += len;
		if (cp == '.')
			continue;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		else if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
			cp = (unsigned char)latin1[cp + 0x20 - 0xe0];
		else if (cp >= 0xe0 && cp <= 0xff)
			cp = (unsigned char)latin1[cp - 0xe0];
		else if (cp == 0x150 || cp == 0x151)
			cp = 'o';
		else if (cp == 0x170 || cp == 0x171)
			cp = 'u';
		else if (cp >= 0x391 && cp <= 0x3a9)
			cp += 0x20;
		if (cp == 0x386 || cp == 0x3ac)
			cp = 0x3b1;
		else if (cp == 0x388 || cp == 0x3ad)
			cp = 0x3b5;
		else if (cp == 0x389 || cp == 0x3ae)
			cp = 0x3b7;
		else if (cp == 0x38a || cp == 0x3af || cp == 0x3ca ||
			 cp == 0x390 || cp == 0x3aa)
			cp = 0x3b9;
		else if (cp == 0x38c || cp == 0x3cc)
			cp = 0x3bf;
		else if (cp == 0x38e || cp == 0x3cd || cp == 0x3cb ||
			 cp == 0x3b0 || cp == 0x3ab)
			cp = 0x3c5;
		else if (cp == 0x38f || cp == 0x3ce)
			cp = 0x3c9;
		if (cp < 0x80) {
			if (o + 2 > size)
				return 0;
			out[o++] = (char)cp;
		} else {
			if (o + 3 > size)
				return 0;
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}

/* Whether w is one of the space-separated words of list. */
static int list_has(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (len == n && !memcmp(p, w, n))
			return 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* 1..12, or 0 when w (folded) names no month. */
static int month_lookup(const char *w)
{
	static const char english[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int i;

	if (!*w)
		return 0;
	/* nearly every feed writes RFC 822's English abbreviations: find
	 * those without walking every language's list */
	if (strlen(w) == 3)
		for (i = 0; i < 12; i++)
			if (!memcmp(w, english + 3 * i, 3))
				return i + 1;
	for (i = 0; i < 12; i++)
		if (list_has(month_names[i], w))
			return i + 1;
	return 0;
}

static int zone_lookup(const char *w, int *off)
{
	size_t i;

	if (!strncmp(w, "etc/", 4))
		w += 4;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (!strcmp(zones[i].name, w)) {
			*off = zones[i].off;
			return 0;
		}
	}
	/* military letters; J is local time and has no offset to give */
	if (w[0] >= 'a' && w[0] <= 'z' && !w[1] && w[0] != 'j') {
		if (w[0] <= 'i')
			*off = (w[0] - 'a' + 1) * 60;
		else if (w[0] <= 'm')
			*off = (w[0] - 'k' + 10) * 60;
		else if (w[0] <= 'y')
			*off = -(w[0] - 'n' + 1) * 60;
		else
			*off = 0;
		return 0;
	}
	return -1;
}

/* At '+' or '-': +hhmm, +hh:mm, +hh or +h. */
static int parse_offset(const char **pp, int *off)
{
	const char *p = *pp;
	int sign = *p == '-' ? -1 : 1;
	int n, hh, mm = 0;

	p++;
	n = count_digits(p);
	if (n == 4) {
		hh = get_num(&p, 2);
		mm = get_num(&p, 2);
	} else if (n == 1 || n == 2) {
		hh = get_num(&p, n);
		if (*p == ':') {
			p++;
			if (count_digits(p) != 2)
				return -1;
			mm = get_num(&p, 2);
		}
	} else {
		return -1;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*off = sign * (hh * 60 + mm);
	*pp = p;
	return 0;
}

/* h[h]:mm[:ss][.frac]; a fourth field or a stray digit is an error. */
static int parse_clock(const char **pp, struct dparts *d)
{
	const char *p = *pp;
	int n = count_digits(p);

	if (n < 1 || n > 2)
		return -1;
	d->hour = get_num(&p, n);
	if (*p != ':' || count_digits(p + 1) != 2)
		return -1;
	p++;
	d->min = get_num(&p, 2);
	d->sec = 0;
	if (*p == ':') {
		p++;
		if (count_digits(p) != 2)
			return -1;
		d->sec = get_num(&p, 2);
		if ((*p == '.' || *p == ',') && is_digit(p[1])) {
			p++;
			while (is_digit(*p))
				p++;
		}
	}
	if (*p == ':' || is_digit(*p))
		return -1;
	*pp = p;
	return 0;
}

/*
 * A zone name at *pp, with GMT+hh:mm-style offsets, and AM/PM. Unknown
 * names are an error when strict, else UTC (see the list at the top).
 */
static int parse_zone_word(const char **pp, struct dparts *d, int strict)
{
	const char *p = *pp;
	const char *start = p;
	char w[64];
	int off;

	while (is_wordch(*p) || *p == '.' || *p == '/' || *p == '_')
		p++;
	if (!fold_word(start, (size_t)(p - start), w, sizeof(w)))
		return -1;
	if (!strcmp(w, "am") || !strcmp(w, "pm")) {
		if (d->pm)
			return -1;
		d->pm = w[0] == 'a' ? 1 : 2;
		*pp = p;
		return 1;
	}
	if (zone_lookup(w, &off) < 0) {
		if (strict || p - start > 5)
			return -1;
		for (; start < p; start++)
			if (!((*start >= 'a' && *start <= 'z') ||
			      (*start >= 'A' && *start <= 'Z')))
				return -1;
		off = 0;
	}
	if (off == 0 && (*p == '+' || *p == '-') && is_digit(p[1])) {
		if (parse_offset(&p, &off) < 0)
			return -1;
	}
	d->off = off;
	*pp = p;
	return 0;
}

static int set_ordinal(struct dparts *d, int ord)
{
	long long y;

	if (ord < 1 || ord > (is_leap(d->year) ? 366 : 365))
		return -1;
	civil_from_days(days_from_civil(d->year, 1, 1) + ord - 1,
			&y, &d->mon, &d->day);
	return 0;
}

/* ISO week date: week 1 is the one holding 4 January. */
static int set_week(struct dparts *d, int week, int wday)
{
	long long jan4, monday, y;

	if (week < 1 || week > 53 || wday < 1 || wday > 7)
		return -1;
	jan4 = days_from_civil(d->year, 1, 4);
	/* 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays */
	monday = jan4 - ((jan4 % 7 + 7 + 3) % 7);
	/* week 53 exists only when its Thursday is still in the year */
	civil_from_days(monday + (week - 1) * 7 + 3, &y, &d->mon, &d->day);
	if (y != d->year)
		return -1;
	civil_from_days(monday + (week - 1) * 7 + wday - 1,
			&y, &d->mon, &d->day);
	d->year = y;
	return 0;
}

/* ISO 8601 and its relatives; see the list at the top. */
static int parse_iso(const char *s, struct dparts *d)
{
	static const char ko_year[] = "년", ko_month[] = "월", ko_day[] = "일";
	static const char ko_am[] = "오전", ko_pm[] = "오후";
	const char *p = s;
	int n, have_day = 1;

	n = count_digits(p);
	if (*p == '-' && n == 0) {
		/* -YYMM, -YY-MM */
		p++;
		if (count_digits(p) < 2)
			return -1;
		d->year = two_digit_year(get_num(&p, 2));
		if (*p == '-')
			p++;
		if (count_digits(p) != 2)
			return -1;
		d->mon = get_num(&p, 2);
		d->day = 1;
		have_day = 0;
	} else if (n == 4) {
		d->year = get_num(&p, 4);
		d->mon = 1;
		d->day = 1;
		if (!strncmp(p, ko_year, strlen(ko_year))) {
			p += strlen(ko_year);
			while (is_space(*p))
				p++;
			n = count_digits(p);
			if (n < 1 || n > 2)
				return -1;
			d->mon = get_num(&p, n);
			if (strncmp(p, ko_month, strlen(ko_month)))
				return -1;
			p += strlen(ko_month);
			while (is_space(*p))
				p++;
			n = count_digits(p);
			if (n < 1 || n > 2)
				return -1;
			d->day = get_num(&p, n);
			if (strncmp(p, ko_day, strlen(ko_day)))
				return -1;
			p += strlen(ko_day);
			d->off = 9 * 60;
		} else if (*p == '-' && (p[1] == 'W' || p[1] == 'w')) {
			int week, wday = 1;

			p += 2;
			if (count_digits(p) != 2)
				return -1;
			week = get_num(&p, 2);
			if (*p == '-') {
				p++;
				if (count_digits(p) != 1)
					return -1;
				wday = get_num(&p, 1);
			}
			if (set_week(d, week, wday) < 0)
				return -1;
		} else if (*p == 'W' || *p == 'w') {
			int week, wday = 1;

			p++;
			n = count_digits(p);
			if (n != 2 && n != 3)
				return -1;
			week = get_num(&p, 2);
			if (n == 3)
				wday = get_num(&p, 1);
			if (set_week(d, week, wday) < 0)
				return -1;
		} else if (*p == '-') {
			p++;
			n = count_digits(p);
			if (n == 2 || (n == 3 && p[0] == '0' && p[3] == '-')) {
				/* the 3-digit "012" month is Google's */
				if (n == 3)
					p++;
				d->mon = get_num(&p, 2);
			} else if (n == 3) {
				if (set_ordinal(d, get_num(&p, 3)) < 0)
					return -1;
				goto clock;
			} else if (n == 0 && is_wordch(*p)) {
				const char *start = p;
				char w[64];

				while (is_wordch(*p) || *p == '.')
					p++;
				if (!fold_word(start, (size_t)(p - start),
					       w, sizeof(w)))
					return -1;
				d->mon = month_lookup(w);
				if (!d->mon)
					return -1;
			} else {
				return -1;
			}
			if (*p == '-') {
				p++;
				n = count_digits(p);
				if (n < 1 || n > 2)
					return -1;
				d->day = get_num(&p, n);
			} else {
				have_day = 0;
			}
		} else if (*p) {
			return -1;
		} else {
			have_day = 0;
		}
	} else if (n == 8) {
		d->year = get_num(&p, 4);
		d->mon = get_num(&p, 2);
		d->day = get_num(&p, 2);
	} else if (n == 7) {
		d->year = get_num(&p, 4);
		if (set_ordinal(d, get_num(&p, 3)) < 0)
			return -1;
	} else if (n == 6) {
		d->year = two_digit_year(get_num(&p, 2));
		d->mon = get_num(&p, 2);
		d->day = get_num(&p, 2);
	} else if (n == 2 && p[2] == '-') {
		d->year = two_digit_year(get_num(&p, 2));
		p++;
		if (count_digits(p) != 2 || p[2] != '-')
			return -1;
		d->mon = get_num(&p, 2);
		p++;
		if (count_digits(p) != 2)
			return -1;
		d->day = get_num(&p, 2);
	} else {
		return -1;
	}

clock:
	if (!*p)
		goto out;
	if (!have_day)
		return -1;
	if (*p == 'T' || *p == 't') {
		p++;
	} else if (is_space(*p)) {
		while (is_space(*p))
			p++;
		if (!strncmp(p, ko_am, strlen(ko_am)) ||
		    !strncmp(p, ko_pm, strlen(ko_pm))) {
			d->pm = !strncmp(p, ko_pm, strlen(ko_pm)) ? 2 : 1;
			p += strlen(ko_am);
			d->off = 9 * 60;
			while (is_space(*p))
				p++;
		}
		if (!*p)
			goto out;
	} else {
		return -1;
	}
	n = count_digits(p);
	if (p[n] == ':') {
		if (parse_clock(&p, d) < 0)
			return -1;
	} else if (n == 2 || n == 4 || n == 6) {
		d->hour = get_num(&p, 2);
		if (n >= 4)
			d->min = get_num(&p, 2);
		if (n == 6)
			d->sec = get_num(&p, 2);
		if ((*p == '.' || *p == ',') && is_digit(p[1])) {
			p++;
			while (is_digit(*p))
				p++;
		}
	} else {
		return -1;
	}
	while (is_space(*p))
		p++;
	if (*p == 'Z' || *p == 'z') {
		d->off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		if (parse_offset(&p, &d->off) < 0)
			return -1;
	} else if (is_wordch(*p)) {
		if (parse_zone_word(&p, d, 1) < 0)
			return -1;
	}
	while (is_space(*p))
		p++;
	if (*p)
		return -1;
out:
	return 0;
}

/*
 * RFC 822 and everything shaped like it: a bag of tokens (day name, day,
 * month name, year, clock, zone) in whatever order the feed chose, each
 * allowed once. A month name is required, or a YYYY/MM/DD date.
 */
static int parse_rfc(const char *s, struct dparts *d)
{
	const char *p = s;
	int have_day = 0, have_year = 0, have_time = 0, have_zone = 0;
	int tokens = 0, after_month = 0, mon_first = 0;

	d->mon = 0;
	while (*p) {
		int n;

		if (is_space(*p) || *p == ',') {
			p++;
			continue;
		}
		tokens++;
		if (is_digit(*p)) {
			n = count_digits(p);
			after_month = 0;
			if (p[n] == ':') {
				if (have_time || parse_clock(&p, d) < 0)
					return -1;
				have_time = 1;
				continue;
			}
			if (p[n] == '/') {
				/* YYYY/MM/DD */
				if (n != 4 || have_year || have_day || d->mon)
					return -1;
				d->year = get_num(&p, 4);
				p++;
				n = count_digits(p);
				if (n < 1 || n > 2 || p[n] != '/')
					return -1;
				d->mon = get_num(&p, n);
				p++;
				n = count_digits(p);
				if (n < 1 || n > 2)
					return -1;
				d->day = get_num(&p, n);
				have_year = have_day = 1;
				continue;
			}
			if (n == 4 && !have_year) {
				d->year = get_num(&p, 4);
				have_year = 1;
			} else if (n <= 2 && !have_day) {
				d->day = get_num(&p, n);
				have_day = 1;
				/* 1st, 2nd, 3rd, 4th, 1er */
				if ((!strncmp(p, "st", 2) || !strncmp(p, "nd", 2) ||
				     !strncmp(p, "rd", 2) || !strncmp(p, "th", 2) ||
				     !strncmp(p, "er", 2)) && !is_wordch(p[2]))
					p += 2;
			} else if (n <= 2 && !have_year) {
				d->year = two_digit_year(get_num(&p, n));
				have_year = 1;
			} else {
				return -1;
			}
			/* RFC 850: 01-Jan-04 */
			if (*p == '-' && is_wordch(p[1]))
				p++;
			continue;
		}
		if (*p == '+' || *p == '-') {
			if (after_month && *p == '-' && is_digit(p[1])) {
				p++;
				after_month = 0;
				continue;
			}
			if (have_zone || !have_time)
				return -1;
			if (parse_offset(&p, &d->off) < 0)
				return -1;
			have_zone = 1;
			continue;
		}
		if (is_wordch(*p)) {
			const char *start = p;
			char w[64];
			int mon;

			while (is_wordch(*p) || *p == '.' || *p == '/' ||
			       *p == '_')
				p++;
			if (!fold_word(start, (size_t)(p - start), w,
				       sizeof(w)))
				return -1;
			mon = month_lookup(w);
			after_month = 0;
			/* "mar" is Tuesday in Spanish: a second month name
			 * wins over one that stood in the day name's place */
			if (mon && (!d->mon || mon_first)) {
				d->mon = mon;
				mon_first = tokens == 1;
				after_month = 1;
				continue;
			}
			if (tokens == 1)
				continue;	/* the day name, whatever it says */
			if (!have_time)
				return -1;
			p = start;
			n = parse_zone_word(&p, d, 0);
			if (n < 0)
				return -1;
			if (n == 0) {
				if (have_zone)
					return -1;
				have_zone = 1;
			}
			continue;
		}
		return -1;
	}
	if (!have_day || !have_year || !d->mon)
		return -1;
	return 0;
}

static int parts_to_time(struct dparts *d, long long *out)
{
	long long t;

	if (d->pm) {
		if (d->hour < 1 || d->hour > 12)
			return -1;
		if (d->hour == 12)
			d->hour = 0;
		if (d->pm == 2)
			d->hour += 12;
	}
	if (d->year < 1 || d->year > 9999 || d->mon < 1 || d->mon > 12)
		return -1;
	if (d->day < 1 || d->day > month_days(d->year, d->mon))
		return -1;
	if (d->hour > 24 || d->min > 59 || d->sec > 60)
		return -1;
	if (d->hour == 24 && (d->min || d->sec))
		return -1;
	/* a leap second cannot be represented in time_t arithmetic */
	if (d->sec == 60)
		d->sec = 59;
	t = days_from_civil(d->year, d->mon, d->day) * 86400 +
	    d->hour * 3600 + d->min * 60 + d->sec - (long long)d->off * 60;
	if (t < 0 || t > DATE_MAX)
		return -1;
	*out = t;
	return 0;
}

int date_parse(const char *s, long long *out)
{
	struct dparts d;
	char tmp[256];
	size_t len;

	if (!s)
		return -1;
	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len && is_space(s[len - 1]))
		len--;
	/* no real date is this long; the copy makes trailing space go away */
	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';

	memset(&d, 0, sizeof(d));
	if (parse_iso(tmp, &d) == 0 && parts_to_time(&d, out) == 0)
		return 0;
	memset(&d, 0, sizeof(d));
	if (parse_rfc(tmp, &d) == 0 && parts_to_time(&d, out) == 0)
		return 0;
	return -1;
}

void date_format_rfc3339(long long t, char *out, size_t size)
{
	long long days, secs, y;
	int m, d;

	if (!size)
		return;
	days = t / 86400;
	secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
