#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "herald/strbuf.h"
#include "herald/toml.h"
#include "tap.h"
#include "herald/banned.h"

/*
 * jansson cannot load an object key holding "\u0000"; such expected files
 * are loaded with U+E000 in its place, and our keys and strings are mapped
 * the same way before comparing.
 */
#define NUL_STANDIN "\xee\x80\x80"
static int nul_mapped;

static void map_nul(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; i < len; i++) {
		if (s[i] || !nul_mapped)
			strbuf_addch(sb, s[i]);
		else
			strbuf_addstr(sb, NUL_STANDIN);
	}
}

/* --- toml-test's comparison: values, not spellings --- */

struct when {
	int y, mo, d, h, mi, s, off;
	long ns;
};

static int when_parse(const char *s, int date, int time, int zone,
		      struct when *w)
{
	int n = 0;

	memset(w, 0, sizeof(*w));
	if (date) {
		if (sscanf(s, "%4d-%2d-%2d%n", &w->y, &w->mo, &w->d, &n) != 3 || n != 10)
			return 0;
		s += n;
		if (time) {
			if (*s != 'T' && *s != 't' && *s != ' ')
				return 0;
			s++;
		}
	}
	if (time) {
		long scale = 100000000;

		if (sscanf(s, "%2d:%2d:%2d%n", &w->h, &w->mi, &w->s, &n) != 3 || n != 8)
			return 0;
		s += n;
		if (*s == '.') {
			for (s++; *s >= '0' && *s <= '9'; s++, scale /= 10)
				w->ns += (*s - '0') * scale;
		}
	}
	if (zone) {
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else {
			int oh, om;

			if ((*s != '+' && *s != '-') ||
			    sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
				return 0;
			w->off = (oh * 60 + om) * (*s == '-' ? -1 : 1);
			s += 6;
		}
	}
	return !*s;
}

static long long days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static long long when_instant(const struct when *w)
{
	return days_from_civil(w->y, w->mo, w->d) * 86400 + w->h * 3600 +
	       w->mi * 60 + w->s - w->off * 60;
}

static int leaf_of(const json_t *v, const char **type, const json_t **value)
{
	const json_t *t, *x;

	if (!json_is_object(v) || json_object_size(v) != 2)
		return 0;
	t = json_object_get(v, "type");
	x = json_object_get(v, "value");
	if (!json_is_string(t) || !json_is_string(x))
		return 0;
	*type = json_string_value(t);
	*value = x;
	return 1;
}

static int leaf_equal(const char *type, const json_t *want, const json_t *have)
{
	const char *w = json_string_value(want), *h = json_string_value(have);
	struct strbuf sb = STRBUF_INIT;
	int date, time, zone, ret;
	struct when a, b;
	char *end1, *end2;

	if (!strcmp(type, "string")) {
		map_nul(&sb, h, json_string_length(have));
		ret = sb.len == json_string_length(want) &&
		      !memcmp(sb.buf, w, sb.len);
		strbuf_release(&sb);
		return ret;
	}
	if (!strcmp(type, "integer")) {
		long long x = strtoll(w, &end1, 10), y = strtoll(h, &end2, 10);

		return !*end1 && !*end2 && x == y;
	}
	if (!strcmp(type, "float")) {
		double x = strtod(w, &end1), y = strtod(h, &end2);

		return !*end1 && !*end2 && ((isnan(x) && isnan(y)) || x == y);
	}
	if (!strcmp(type, "bool"))
		return !strcmp(w, h);
	date = strcmp(type, "time-local") != 0;
	time = strcmp(type, "date-local") != 0;
	zone = !strcmp(type, "datetime");
	if (!date && !time)
		return 0;
	if (strcmp(type, "datetime") && strcmp(type, "datetime-local") &&
	    strcmp(type, "date-local") && strcmp(type, "time-local"))
		return 0;
	if (!when_parse(w, date, time, zone, &a) || !when_parse(h, date, time, zone, &b))
		return 0;
	if (zone)
		return when_instant(&a) == when_instant(&b) && a.ns == b.ns;
	return a.y == b.y && a.mo == b.mo && a.d == b.d && a.h == b.h &&
	       a.mi == b.mi && a.s == b.s && a.ns == b.ns;
}

static int values_equal(const json_t *want, const json_t *have)
{
	const char *wtype, *htype;
	const json_t *wv, *hv;

	if (leaf_of(want, &wtype, &wv)) {
		return leaf_of(have, &htype, &hv) && !strcmp(wtype, htype) &&
		       leaf_equal(wtype, wv, hv);
	}
	if (json_is_object(want)) {
		struct strbuf sb = STRBUF_INIT;
		const char *key;
		size_t klen;
		json_t *v;
		int ret = 1;

		if (!json_is_object(have) || json_object_size(want) != json_object_size(have))
			return 0;
		json_object_keylen_foreach((json_t *)have, key, klen, v) {
			const json_t *w;

			map_nul(&sb, key, klen);
			w = json_object_getn(want, sb.buf, sb.len);
			if (!w || !values_equal(w, v)) {
				ret = 0;
				break;
			}
		}
		strbuf_release(&sb);
		return ret;
	}
	if (json_is_array(want)) {
		size_t i;

		if (!json_is_array(have) || json_array_size(want) != json_array_size(have))
			return 0;
		for (i = 0; i < json_array_size(want); i++)
			if (!values_equal(json_array_get(want, i), json_array_get(have, i)))
				return 0;
		return 1;
	}
	return json_equal((json_t *)want, (json_t *)have);
}

static int tagged_equal(const char *want, const char *have)
{
	json_t *w = json_loads(want, 0, NULL), *h = json_loads(have, 0, NULL);
	int ret = w && h && values_equal(w, h);

	json_decref(w);
	json_decref(h);
	return ret;
}

/* The comparison must not be vacuous: check what it calls equal. */
static void test_compare(void)
{
	static const struct {
		const char *want, *have;
		int equal;
	} cases[] = {
		{ "{\"a\":{\"type\":\"integer\",\"value\":\"1\"}}",
		  "{\"a\":{\"type\":\"integer\",\"value\":\"1\"}}", 1 },
		{ "{\"a\":{\"type\":\"integer\",\"value\":\"1\"}}",
		  "{\"a\":{\"type\":\"integer\",\"value\":\"2\"}}", 0 },
		{ "{\"a\":{\"type\":\"integer\",\"value\":\"1\"}}",
		  "{\"a\":{\"type\":\"float\",\"value\":\"1\"}}", 0 },
		{ "{\"a\":{\"type\":\"float\",\"value\":\"1.0\"}}",
		  "{\"a\":{\"type\":\"float\",\"value\":\"1e0\"}}", 1 },
		{ "{\"a\":{\"type\":\"float\",\"value\":\"nan\"}}",
		  "{\"a\":{\"type\":\"float\",\"value\":\"nan\"}}", 1 },
		{ "{\"a\":{\"type\":\"float\",\"value\":\"inf\"}}",
		  "{\"a\":{\"type\":\"float\",\"value\":\"-inf\"}}", 0 },
		{ "{\"a\":{\"type\":\"datetime\",\"value\":\"1979-05-27T07:32:00Z\"}}",
		  "{\"a\":{\"type\":\"datetime\",\"value\":\"1979-05-27 00:32:00.000-07:00\"}}", 1 },
		{ "{\"a\":{\"type\":\"datetime\",\"value\":\"1979-05-27T07:32:00Z\"}}",
		  "{\"a\":{\"type\":\"datetime\",\"value\":\"1979-05-27T07:32:00+01:00\"}}", 0 },
		{ "{\"a\":{\"type\":\"time-local\",\"value\":\"07:32:00.1\"}}",
		  "{\"a\":{\"type\":\"time-local\",\"value\":\"07:32:00.100\"}}", 1 },
		{ "{\"a\":{\"type\":\"string\",\"value\":\"x\"}}",
		  "{\"a\":{\"type\":\"string\",\"value\":\"x \"}}", 0 },
		{ "{\"a\":[]}", "{\"a\":{}}", 0 },
		{ "{\"a\":{}}", "{\"b\":{}}", 0 },
		{ "{\"a\":{}}", "{\"a\":{}, \"b\":{}}", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok(tagged_equal(cases[i].want, cases[i].have) == cases[i].equal,
		   "compare: %s %s %s", cases[i].want,
		   cases[i].equal ? "==" : "!=", cases[i].have);
}

/* Loads an expected file, standing in for "\u0000" when jansson needs it. */
static json_t *load_expected(const char *path)
{
	struct strbuf sb = STRBUF_INIT, mapped = STRBUF_INIT;
	json_error_t jerr;
	json_t *j = NULL;
	size_t i;

	nul_mapped = 0;
	if (strbuf_read_file(&sb, path, 1 << 22) < 0)
		goto out;
	j = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, &jerr);
	if (j)
		goto out;
	for (i = 0; i < sb.len; i++) {
		if (sb.buf[i] == '\\' && i + 6 <= sb.len &&
		    !memcmp(sb.buf + i, "\\u0000", 6)) {
			strbuf_addstr(&mapped, "\\ue000");
			i += 5;
		} else if (sb.buf[i] == '\\' && i + 1 < sb.len) {
			strbuf_add(&mapped, sb.buf + i, 2);
			i++;
		} else {
			strbuf_addch(&mapped, sb.buf[i]);
		}
	}
	nul_mapped = 1;
	j = json_loadb(mapped.buf, mapped.len, JSON_ALLOW_NUL, &jerr);
	if (!j)
		diag("%s: %s", path, jerr.text);
out:
	strbuf_release(&sb);
	strbuf_release(&mapped);
	return j;
}

static void test_suite_case(const char *dir, const char *name, int *passed,
			    int *total_valid, int *rejected, int *total_invalid)
{
	struct strbuf path = STRBUF_INIT, input = STRBUF_INIT;
	struct toml_error err = { 0 };
	json_t *have = NULL, *plain = NULL, *want = NULL;
	int valid = !strncmp(name, "valid/", 6), good = 0;

	strbuf_addf(&path, "%s/%s.toml", dir, name);
	if (strbuf_read_file(&input, path.buf, 1 << 22) < 0) {
		ok(0, "%s", name);
		diag("cannot read '%s'", path.buf);
		goto out;
	}
	if (valid) {
		(*total_valid)++;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.json", dir, name);
		want = load_expected(path.buf);
		if (toml_parse(input.buf, input.len, TOML_TAGGED, &have, &err))
			diag("%d:%d: error: %s", err.line, err.column, err.message);
		else if (toml_parse(input.buf, input.len, 0, &plain, &err))
			diag("plain mode: %d:%d: error: %s", err.line, err.column, err.message);
		good = want && have && plain && values_equal(want, have);
		if (!good && have) {
			char *dump = json_dumps(have, JSON_SORT_KEYS | JSON_COMPACT);

			diag("got: %s", dump ? dump : "(null)");
			free(dump);
		}
		*passed += good;
	} else {
		(*total_invalid)++;
		good = toml_parse(input.buf, input.len, TOML_TAGGED, &have, &err) &&
		       !have && err.line > 0 && err.column > 0 && err.message[0];
		*rejected += good;
	}
	ok(good, "%s", name);
out:
	json_decref(have);
	json_decref(plain);
	json_decref(want);
	strbuf_release(&path);
	strbuf_release(&input);
}

static void test_suite(void)
{
	struct strbuf dir = STRBUF_INIT, list = STRBUF_INIT, name = STRBUF_INIT;
	const char *shared = getenv("HERALD_SHARED");
	int passed = 0, total_valid = 0, rejected = 0, total_invalid = 0;
	size_t i, start;

	strbuf_addf(&dir, "%s/spec/toml/tests", shared && *shared ? shared : "../shared");
	strbuf_addf(&name, "%s/files-toml-1.0.0", dir.buf);
	if (strbuf_read_file(&list, name.buf, 1 << 20) < 0) {
		skip("toml-test suite not found at '%s' (set HERALD_SHARED)", dir.buf);
		goto out;
	}
	for (start = i = 0; i <= list.len; i++) {
		size_t len = i - start;

		if (i < list.len && list.buf[i] != '\n')
			continue;
		if (len > 5 && !memcmp(list.buf + i - 5, ".toml", 5)) {
			strbuf_reset(&name);
			strbuf_add(&name, list.buf + start, len - 5);
			test_suite_case(dir.buf, name.buf, &passed, &total_valid,
					&rejected, &total_invalid);
		}
		start = i + 1;
	}
	diag("toml-test 1.0.0: valid %d/%d, invalid rejected %d/%d", passed,
	     total_valid, rejected, total_invalid);
out:
	strbuf_release(&dir);
	strbuf_release(&list);
	strbuf_release(&name);
}

/* --- our own cases --- */

static json_t *parse_ok(const char *text, unsigned flags)
{
	struct toml_error err = { 0 };
	json_t *v;

	if (toml_parse(text, strlen(text), flags, &v, &err))
		diag("%d:%d: error: %s", err.line, err.column, err.message);
	return v;
}

static void test_plain(void)
{
	json_t *v = parse_ok("int = 42\n"
			     "neg = -9_223_372_036_854_775_808\n"
			     "hex = 0xff\n"
			     "flt = 3.5\n"
			     "exp = 1e3\n"
			     "inf = inf\n"
			     "ninf = -inf\n"
			     "nan = -nan\n"
			     "yes = true\n"
			     "odt = 1979-05-27 07:32:00z\n"
			     "odt2 = 1979-05-27T00:32:00.999-07:00\n"
			     "ldt = 1979-05-27t07:32:00\n"
			     "ld = 1979-05-27\n"
			     "lt = 07:32:00.5\n"
			     "s = \"a\\tb\\u0000c\"\n"
			     "arr = [1, \"two\", 3.0]\n"
			     "[tbl]\n"
			     "x.y = 1\n", 0);

	if (!ok(v != NULL, "plain: parses")) {
		json_decref(v);
		return;
	}
	ok(json_is_integer(json_object_get(v, "int")) &&
	   json_integer_value(json_object_get(v, "int")) == 42, "plain: integer");
	ok(json_integer_value(json_object_get(v, "neg")) == INT64_MIN,
	   "plain: smallest integer");
	ok(json_integer_value(json_object_get(v, "hex")) == 255, "plain: hex");
	ok(json_is_real(json_object_get(v, "flt")) &&
	   json_real_value(json_object_get(v, "flt")) == 3.5, "plain: float");
	ok(json_is_real(json_object_get(v, "exp")) &&
	   json_real_value(json_object_get(v, "exp")) == 1000.0, "plain: exponent is a float");
	is_str(json_string_value(json_object_get(v, "inf")), "inf", "plain: inf");
	is_str(json_string_value(json_object_get(v, "ninf")), "-inf", "plain: -inf");
	is_str(json_string_value(json_object_get(v, "nan")), "nan", "plain: nan");
	ok(json_is_true(json_object_get(v, "yes")), "plain: boolean");
	is_str(json_string_value(json_object_get(v, "odt")), "1979-05-27T07:32:00Z",
	       "plain: offset date-time in RFC 3339 form");
	is_str(json_string_value(json_object_get(v, "odt2")),
	       "1979-05-27T00:32:00.999-07:00", "plain: offset kept");
	is_str(json_string_value(json_object_get(v, "ldt")), "1979-05-27T07:32:00",
	       "plain: local date-time");
	is_str(json_string_value(json_object_get(v, "ld")), "1979-05-27", "plain: date");
	is_str(json_string_value(json_object_get(v, "lt")), "07:32:00.5", "plain: time");
	ok(json_string_length(json_object_get(v, "s")) == 5 &&
	   !memcmp(json_string_value(json_object_get(v, "s")), "a\tb\0c", 5),
	   "plain: escapes and embedded NUL");
	ok(json_array_size(json_object_get(v, "arr")) == 3 &&
	   json_is_string(json_array_get(json_object_get(v, "arr"), 1)),
	   "plain: mixed array");
	ok(json_integer_value(json_object_get(json_object_get(json_object_get(v, "tbl"), "x"), "y")) == 1,
	   "plain: dotted key under a table");
	json_decref(v);
}

static void test_tagged(void)
{
	json_t *v = parse_ok("a = 0xff\nb = [1.5]\n[c]\nd = 1979-05-27 07:32:00Z\n",
			     TOML_TAGGED);
	char *dump = v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

	is_str(dump,
	       "{\"a\":{\"type\":\"integer\",\"value\":\"255\"},"
	       "\"b\":[{\"type\":\"float\",\"value\":\"1.5\"}],"
	       "\"c\":{\"d\":{\"type\":\"datetime\",\"value\":\"1979-05-27T07:32:00Z\"}}}",
	       "tagged: form");
	free(dump);
	json_decref(v);
}

static void expect_error(const char *text, size_t len, int line, int column,
			 const char *message, const char *what)
{
	struct toml_error err = { 0 };
	json_t *v = (json_t *)&err; /* must be reset to NULL */
	int ret = toml_parse(text, len, 0, &v, &err);

	if (!ok(ret == -1 && !v && err.line == line && err.column == column &&
		(!message || !strcmp(err.message, message)), "error: %s", what))
		diag("got %d, %d:%d: %s", ret, err.line, err.column, err.message);
	if (ret == 0)
		json_decref(v);
}

static void test_errors(void)
{
	expect_error("a = 1\nb = 2 3\n", 14, 2, 7, "expected end of line, found '3'",
		     "junk after a value");
	expect_error("a = 1\r\na = 2\r\n", 14, 2, 1, "key 'a' is already defined",
		     "duplicate key after CRLF");
	expect_error("[a]\n[a]\n", 8, 2, 2, "table 'a' is already defined",
		     "table defined twice");
	expect_error("[a]\nb.c = 1\n[a.b]\n", 18, 3, 4,
		     "table 'a.b' is already defined by dotted keys",
		     "header over a dotted-key table");
	expect_error("s = \"\xff\"\n", 8, 1, 6, "invalid utf-8", "invalid UTF-8");
	expect_error("x = 1979-02-29\n", 15, 1, 13, "day 29 does not exist in 1979-02",
		     "not a leap year");
	expect_error("x = 9223372036854775808\n", 24, 1, 5,
		     "integer '9223372036854775808' does not fit in 64 bits",
		     "integer overflow");
	expect_error("a = \"x\ny\"\n", 10, 1, 5, NULL, "newline in a basic string");
	expect_error("a = 1\rb = 2\n", 12, 1, 6, "expected end of line, found bare carriage return",
		     "bare CR");
	expect_error("a = { b = 1, }\n", 15, 1, 14, "trailing comma in inline table",
		     "trailing comma in an inline table");
	expect_error("a = {}\n[a]\n", 11, 2, 2, "table 'a' is already defined as an inline table",
		     "inline table is closed");
	expect_error("a = []\n[[a]]\n", 13, 2, 3, "cannot append a table to array value 'a'",
		     "static array is closed");
	expect_error("# \x01\n", 4, 1, 3, "control character U+0001 in comment",
		     "control character in a comment");
}

static void test_depth(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct toml_error err = { 0 };
	json_t *v = NULL;
	int i;

	strbuf_addstr(&sb, "a = ");
	strbuf_addchars(&sb, '[', TOML_MAX_DEPTH);
	strbuf_addchars(&sb, ']', TOML_MAX_DEPTH);
	ok(!toml_parse(sb.buf, sb.len, 0, &v, &err), "depth: %d nested arrays parse",
	   TOML_MAX_DEPTH);
	json_decref(v);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a = ");
	strbuf_addchars(&sb, '[', TOML_MAX_DEPTH + 1);
	strbuf_addchars(&sb, ']', TOML_MAX_DEPTH + 1);
	ok(toml_parse(sb.buf, sb.len, 0, &v, &err) && !v &&
	   strstr(err.message, "nesting deeper"), "depth: %d nested arrays fail",
	   TOML_MAX_DEPTH + 1);

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a = ");
	strbuf_addchars(&sb, '[', 1000000);
	ok(toml_parse(sb.buf, sb.len, 0, &v, &err) && !v && err.column == 4 + TOML_MAX_DEPTH + 1,
	   "depth: a million '[' fail at the limit");

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a = ");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, "{b=");
	ok(toml_parse(sb.buf, sb.len, 0, &v, &err) && !v &&
	   strstr(err.message, "nesting deeper"), "depth: deep inline tables fail");

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "a");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&sb, ".a");
	strbuf_addstr(&sb, " = 1\n");
	ok(toml_parse(sb.buf, sb.len, 0, &v, &err) && !v &&
	   strstr(err.message, "more than"), "depth: long dotted key fails");

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "[[a");
	for (i = 1; i < 100; i++)
		strbuf_addstr(&sb, ".a");
	strbuf_addstr(&sb, "]]\nb = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
	ok(toml_parse(sb.buf, sb.len, 0, &v, &err) && !v &&
	   strstr(err.message, "nesting deeper"), "depth: header and array levels add up");
	strbuf_release(&sb);
}

/* Exact-size copies, so sanitizers and valgrind see any read past the end. */
static void test_unterminated(void)
{
	static const struct {
		const char *text;
		int valid;
	} cases[] = {
		{ "a = 12", 1 },
		{ "a = true", 1 },
		{ "a = 1979-05-27", 1 },
		{ "a = 1979-05-27 ", 1 },
		{ "a = 07:32:00", 1 },
		{ "a = 'x'", 1 },
		{ "a = \"\"\"x\"\"\"", 1 },
		{ "a = [1]", 1 },
		{ "a = {b = 1}", 1 },
		{ "[a]", 1 },
		{ "# comment", 1 },
		{ "a = tru", 0 },
		{ "a = \"abc", 0 },
		{ "a = \"abc\\", 0 },
		{ "a = \"\\u12", 0 },
		{ "a = '''x''", 0 },
		{ "a = \"\"\"x\\", 0 },
		{ "a = \"\"\"x\\ ", 0 },
		{ "a = 1979-05-2", 0 },
		{ "a = 1979-05-27 07:32", 0 },
		{ "a = 1979-05-27T07:32:00.", 0 },
		{ "a = 1979-05-27T07:32:00+07", 0 },
		{ "a = 0x", 0 },
		{ "a = 1e", 0 },
		{ "a = 1_", 0 },
		{ "a = 07:3", 0 },
		{ "a = [1,", 0 },
		{ "a = {b = 1", 0 },
		{ "a.", 0 },
		{ "a =", 0 },
		{ "[a", 0 },
		{ "[[a]", 0 },
		{ "# comment\r", 0 },
		{ "a = 1\r", 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len = strlen(cases[i].text);
		char *copy = xmalloc(len);
		struct toml_error err = { 0 };
		json_t *v = NULL;
		int ret;

		memcpy(copy, cases[i].text, len);
		ret = toml_parse(copy, len, TOML_TAGGED, &v, &err);
		if (!ok(cases[i].valid ? !ret : ret && err.line == 1 && err.column > 0,
			"unterminated buffer: %s", cases[i].text))
			diag("%d:%d: %s", err.line, err.column, err.message);
		json_decref(v);
		free(copy);
	}
}

/*
 * CPU time of this process: the bound below guards against quadratic
 * parsing, and a busy machine stretches wall time, not the work done.
 */
static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#if defined(__SANITIZE_ADDRESS__)
#define SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOW_BUILD 1
#endif
#endif

/* Valgrind and ASan slow everything down; only then is the bound loose. */
static double time_limit(void)
{
	const char *preload = getenv("LD_PRELOAD");

#ifdef SLOW_BUILD
	return 30;
#endif
	if (getenv("HERALD_VALGRIND") || (preload && strstr(preload, "vgpreload")))
		return 60;
	return 1;
}

static void add_big_line(struct strbuf *sb, int shape, int i)
{
	switch (shape) {
	case 0:
		strbuf_addf(sb, "k%d = %d\n", i, i);
		break;
	case 1:
		strbuf_addf(sb, "[t%d]\nv = %d\n", i, i);
		break;
	case 2:
		strbuf_addf(sb, "[[t]]\nv%d = %d\n", i, i);
		break;
	default:
		strbuf_addf(sb, "d.k%d = %d\n", i, i);
		break;
	}
}

static void test_big(const char *what, int shape, size_t want_size,
		     const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	struct toml_error err = { 0 };
	json_t *v = NULL, *x;
	double start, took;
	int i;

	for (i = 0; i < 100000; i++)
		add_big_line(&sb, shape, i);
	start = now_seconds();
	toml_parse(sb.buf, sb.len, 0, &v, &err);
	took = now_seconds() - start;
	x = key ? json_object_get(v, key) : v;
	if (!ok(v && (json_is_array(x) ? json_array_size(x) : json_object_size(x)) == want_size,
		"big: %s", what))
		diag("%d:%d: %s", err.line, err.column, err.message);
	ok(took < time_limit(), "big: %s in %.3f s", what, took);
	json_decref(v);
	strbuf_release(&sb);
}

static void test_bigs(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct toml_error err = { 0 };
	json_t *v = NULL;
	int i;

	test_big("100,000 keys in one table", 0, 100000, NULL);
	test_big("100,000 tables", 1, 100000, NULL);
	test_big("100,000 array-of-tables elements", 2, 100000, "t");
	test_big("100,000 dotted keys", 3, 100000, "d");

	strbuf_addstr(&sb, "a = [");
	for (i = 0; i < 100000; i++)
		strbuf_addf(&sb, "%d,", i);
	strbuf_addstr(&sb, "]\nb = \"");
	strbuf_addchars(&sb, 'x', 1 << 20);
	strbuf_addstr(&sb, "\"\n");
	ok(!toml_parse(sb.buf, sb.len, 0, &v, &err) &&
	   json_array_size(json_object_get(v, "a")) == 100000 &&
	   json_string_length(json_object_get(v, "b")) == 1 << 20,
	   "big: long array and long string");
	json_decref(v);
	strbuf_release(&sb);
}

int main(void)
{
	test_plain();
	test_tagged();
	test_errors();
	test_depth();
	test_unterminated();
	test_bigs();
	test_compare();
	test_suite();
	return done_testing();
}
