# newsdigest: one plain Makefile. `make run` and `make test` install what is
# missing (Debian 12, apt-get; through sudo when not root), build, and run.

PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1
SHAREDIR  = $(PREFIX)/share/newsdigest
CC       ?= cc
CFLAGS   ?= -O2 -g
BUILD    ?= build
BIN      ?= newsdigest

# Debian packages: what the program links, and what the tests add.
RUN_PKGS  = pkg-config libinih-dev libsqlite3-dev libxml2-dev nettle-dev libidn2-dev \
            libcurl4-gnutls-dev libjansson-dev libutf8proc-dev libstemmer-dev \
            libcmark-dev libyaml-dev libetpan-dev ca-certificates
TEST_PKGS = $(RUN_PKGS) libcmocka-dev sqlite3 libxml2-utils postfix nginx-light \
            curl time man-db groff-base python3 procps iproute2 openssl \
            chromium fonts-noto-color-emoji spamassassin
LIBS_PC   = libxml-2.0 sqlite3 inih nettle libidn2 libcurl jansson libutf8proc \
            libcmark yaml-0.1

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wformat=2 -Wvla -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Iinclude $(shell pkg-config --cflags $(LIBS_PC)) \
             $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
# libstemmer ships no .pc file; libetpan's links non-PIE and over-links
LIBS = $(shell pkg-config --libs $(LIBS_PC)) -lstemmer -letpan -lm

SRC      = $(sort $(wildcard src/*.c src/*/*.c))
LIB_SRC  = $(filter-out src/main.c,$(SRC))
LIB_OBJ  = $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC))
MAIN_OBJ = $(BUILD)/src/main.o
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all run test asan check unit install uninstall clean deps deps-test screenshots

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS) -lcmocka

unit: $(UNIT_BIN)

# Install the Debian packages that are missing, and nothing else.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  echo 'postfix postfix/main_mailer_type select Local only' | $(SUDO) debconf-set-selections; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(RUN_PKGS))

deps-test:
	$(call install_missing,$(TEST_PKGS))

# The weekly job with the default configuration (./newsdigest.ini if present).
# Exit 69 means no feed could be fetched: on a machine without network that
# is expected, so make says so instead of failing; any other failure fails.
run: deps
	$(MAKE) all
	@./$(BIN) run; s=$$?; \
	if [ $$s = 69 ]; then echo "make run: no feed could be fetched (no network?); the rest of the job ran"; \
	elif [ $$s != 0 ]; then exit $$s; fi

# Every test: cmocka unit tests and shell integration tests.
test: deps-test
	$(MAKE) all unit
	tests/run.sh $(BIN) $(BUILD)/tests

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps-test
	$(MAKE) BUILD=build-asan BIN=build-asan/newsdigest SAN=1 build-asan/newsdigest unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  tests/run.sh build-asan/newsdigest build-asan/tests

# For developers: build and run the tests without the install step.
check: all unit
	tests/run.sh $(BIN) $(BUILD)/tests

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(SHAREDIR)/templates $(DESTDIR)$(SHAREDIR)/feeds
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/newsdigest
	install -m 644 doc/newsdigest.1 $(DESTDIR)$(MANDIR)/newsdigest.1
	install -m 644 config.example.ini $(DESTDIR)$(SHAREDIR)/config.example.ini
	install -m 644 feeds/feeds.opml $(DESTDIR)$(SHAREDIR)/feeds/feeds.opml
	install -m 644 feeds/topics.ini $(DESTDIR)$(SHAREDIR)/feeds/topics.ini
	cp -R templates/. $(DESTDIR)$(SHAREDIR)/templates/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/newsdigest $(DESTDIR)$(MANDIR)/newsdigest.1
	rm -rf $(DESTDIR)$(SHAREDIR)

# doc/screenshots/preview-600.png and -375.png for the README: the preview
# of tests/fixtures/t1620/draft.md in headless Chromium, with the built-in
# configuration. Chromium makes no window narrower than 500 pixels, so the
# page is shown in an iframe of the width, as t1620 does (frame.html).
SHOTS_TMP = $(abspath $(BUILD))/screenshots
screenshots: all
	@command -v chromium >/dev/null 2>&1 || { echo "make screenshots: no chromium (make deps-test installs it)"; exit 1; }
	@mkdir -p doc/screenshots $(SHOTS_TMP)
	./$(BIN) -c /dev/null preview tests/fixtures/t1620/draft.md -o $(SHOTS_TMP)/preview.html
	cp tests/fixtures/t1620/frame.html $(SHOTS_TMP)/frame.html
	@for w in 600 375; do \
	  echo "doc/screenshots/preview-$$w.png"; \
	  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
	    --user-data-dir=$(SHOTS_TMP)/profile --window-size=$$w,1400 \
	    --screenshot=$(CURDIR)/doc/screenshots/preview-$$w.png \
	    "file://$(SHOTS_TMP)/frame.html?w=$$w&h=1400" >$(SHOTS_TMP)/chromium.log 2>&1 || \
	    { cat $(SHOTS_TMP)/chromium.log; exit 1; }; \
	done

clean:
	rm -rf build build-asan $(BIN)

-include $(wildcard $(BUILD)/src/*.d $(BUILD)/src/*/*.d $(BUILD)/tests/*.d)
