#include <stdio.h>
#include <string.h>

#include "herald/command.h"
#include "herald/install.h"
#include "herald/options.h"
#include "herald/repo.h"
#include "herald/usage.h"
#include "herald/banned.h"

static const char install_usage[] =
	"usage: herald install [--uninstall] [--hooks DIR] [REPO]\n"
	"\n"
	"Installs herald's post-receive and pre-receive hooks into REPO (default:\n"
	"the repository herald is in), in core.hooksPath when that is set. A hook\n"
	"already there is kept and runs first, as <hook>.herald-chained; where a\n"
	"<hook>.d/ folder exists (Gitea, GitLab), herald's hook goes there as\n"
	"<hook>.d/herald instead. Installing again only refreshes herald's hooks.\n"
	"Then prints the cron lines, and the commands that enable the systemd timers\n"
	"herald ships for this repository, that run 'herald deliver' and 'tick'.\n";

int cmd_install(int argc, char **argv)
{
	const char *templates = NULL;
	int uninstall = 0, ret = 0, first;
	struct install in;
	struct repo *r = NULL;
	const struct option_spec opts[] = {
		OPT_FLAG("uninstall", 0, &uninstall,
			 "remove herald's hooks and put back the ones they chained"),
		OPT_STRING("hooks", 0, &templates, "DIR",
			   "read the hook scripts from DIR (default: $HERALD_HOOKS_DIR,\n"
			   "else share/herald/hooks next to the binary, else built in)"),
		OPT_END(),
	};

	memset(&in, 0, sizeof(in));
	if ((first = options_command(argc, argv, opts, install_usage, 1,
				     "install takes one repository", &ret)) < 0)
		return ret;
	r = first < argc ? repo_open_at(argv[first]) : repo_open();
	if (!r || install_init(&in, r, templates, stdout) < 0) {
		ret = EXIT_FATAL;
		goto out;
	}
	if ((uninstall ? install_remove_hooks(&in) : install_hooks(&in)) < 0)
		ret = EXIT_FATAL;
	else if (!uninstall)
		install_print_schedules(&in);
out:
	install_release(&in);
	repo_free(r);
	return ret;
}
