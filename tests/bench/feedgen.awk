# Shared by the benchmarks that generate feeds (fetch.sh, parse.sh): RFC 822
# dates from Unix time without date(1) per item, pseudo-random words on the
# mandate's themes, and the tables they need (call feedgen_init in BEGIN).
function rfc822(t,   days, secs, z, era, doe, yoe, y, doy, mp, d, m) {
	days = int(t / 86400); secs = t - days * 86400
	z = days + 719468; era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
	return sprintf("%s, %02d %s %04d %02d:%02d:%02d +0000", wd[(days + 4) % 7], d, mon[m], y,
		int(secs / 3600), int(secs % 3600 / 60), secs % 60)
}
function words(n, seed,   s, k) {
	s = w[1 + seed % nw]
	for (k = 1; k < n; k++) s = s " " w[1 + (seed * 7 + k * 13) % nw]
	return s
}
function feedgen_init(   a, k) {
	split("Sun Mon Tue Wed Thu Fri Sat", a, " "); for (k = 0; k < 7; k++) wd[k] = a[k + 1]
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ")
	nw = split("court ruling surveillance warrant privacy charter rights tribunal " \
		"minister security agency oversight bill amendment parliament review " \
		"detention appeal judge evidence secret intelligence data retention " \
		"inquiry report committee watchdog complaint decision hearing counsel " \
		"federal provincial national border terrorism listing sanctions travel " \
		"no-fly police powers encryption journalists sources protest assembly", w, " ")
}
