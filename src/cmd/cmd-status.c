#include <stdbool.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "herald/command.h"
#include "herald/duration.h"
#include "herald/fileio.h"
#include "herald/gitstate.h"
#include "herald/health.h"
#include "herald/options.h"
#include "herald/repo.h"
#include "herald/setup.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char status_usage[] =
	"usage: herald status [--json] [--prometheus FILE] [--state git|local]\n"
	"\n"
	"How deliveries are going: for each target the last success, the last\n"
	"failure and its error; the outbox's pending deliveries, how long the\n"
	"oldest has waited, and the dead ones; the commit each branch was last\n"
	"announced up to (refs/herald/heads/*).\n"
	"\n"
	"Exits 1 when there are dead deliveries, when the oldest pending one\n"
	"or a watched branch's unannounced tip has waited longer than git config\n"
	"herald.alertAfter (seconds, or a number with s, m, h or d; default 1h),\n"
	"or when herald cannot write its own files, so cron or a monitoring\n"
	"check can alert; the reasons go to stderr.\n"
;

#define DEFAULT_ALERT_AFTER 3600

static int load_alert_after(struct repo *r, long long *out)
{
	char *v = repo_config_string(r, "herald.alertAfter");
	int ret = 0;

	*out = DEFAULT_ALERT_AFTER;
	if (v && duration_parse(v, out) < 0)
		ret = error("herald.alertAfter: '%s' is not a duration "
			    "(seconds, or a number with s, m, h or d)", v);
	free(v);
	return ret;
}

static int check_state(const char *arg)
{
	if (strcmp(arg, "git") && strcmp(arg, "local"))
		return error("--state is git or local, not '%s'", arg);
	return 0;
}

static int check_file(const char *arg)
{
	return *arg ? 0 : error("--prometheus needs a file");
}

int cmd_status(int argc, char **argv)
{
	struct setup st;
	struct health rp;
	struct strbuf prom = STRBUF_INIT;
	const char *prom_file = NULL, *where = NULL;
	json_t *doc = NULL;
	long long alert_after;
	int json = 0, ret = 0;
	bool in_git = false;
	size_t i;
	const struct option_spec opts[] = {
		OPT_FLAG("json", 0, &json, "print one JSON document (keys sorted)"),
		OPT_STRING_CHECKED("prometheus", 0, &prom_file, "FILE",
				   "also write FILE, atomically, for node_exporter's\n"
				   "textfile collector", check_file),
		OPT_STRING_CHECKED("state", 0, &where, "WHERE",
				   "git: read refs/herald/state (fetched from\n"
				   "herald.remote) as 'herald ci' keeps it; local:\n"
				   "$GIT_DIR/herald (default: herald.state, else local)", check_state),
		OPT_END(),
	};

	setup_init(&st);
	memset(&rp, 0, sizeof(rp));
	if (options_command(argc, argv, opts, status_usage, 0,
			    "status takes no arguments", &ret) < 0)
		goto out;
	if (setup_open(&st) < 0 || load_alert_after(st.repo, &alert_after) < 0 ||
	    gitstate_wanted(st.repo, where, false, &in_git) < 0 ||
	    health_load(&rp, st.repo, (long long)time(NULL), alert_after, in_git) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if (json) {
		doc = health_json(&rp);
		json_dumpf(doc, stdout, JSON_SORT_KEYS | JSON_INDENT(2));
		putchar('\n');
	} else {
		health_print_text(&rp, stdout);
	}
	if (prom_file) {
		health_prometheus(&rp, &prom);
		if (fileio_write_atomic(prom_file, prom.buf, prom.len, 0644) < 0) {
			ret = EXIT_FATAL;
			goto out;
		}
	}
	for (i = 0; i < rp.alerts.nr; i++)
		fprintf(stderr, "herald: alert: %s\n", rp.alerts.v[i]);
	if (rp.alerts.nr)
		ret = EXIT_FINDINGS;
out:
	json_decref(doc);
	strbuf_release(&prom);
	health_release(&rp);
	setup_release(&st);
	return ret;
}
