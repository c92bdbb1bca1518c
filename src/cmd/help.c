#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "herald/help.h"
#include "herald/strbuf.h"
#include "herald/usage.h"
#include "herald/banned.h"

char *help_page_path(const char *name, int section)
{
	/* relative to the binary's folder, most specific first */
	static const char *const near_exe[] = {
		"../share/man", /* PREFIX/bin/herald */
		"../man",       /* build/herald */
		"../../man",    /* build/san/herald */
	};
	static const char *const endings[] = { "", ".gz" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *slash;
	size_t i, j;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(near_exe); i++) {
		for (j = 0; j < ARRAY_SIZE(endings); j++) {
			struct stat st;
			char *path = xstrfmt("%.*s/%s/man%d/%s.%d%s",
					     (int)(slash - exe), exe, near_exe[i],
					     section, name, section, endings[j]);

			if (!stat(path, &st) && S_ISREG(st.st_mode))
				return path;
			free(path);
		}
	}
	return NULL;
}

/* Does `man -w SECTION NAME` find the page? Its output is not wanted. */
static int man_knows(const char *name, const char *section)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 0;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("man", "man", "-w", section, name, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int help_show_page(const char *name, int section)
{
	char sect[16];
	char *path = help_page_path(name, section);

	snprintf(sect, sizeof(sect), "%d", section);
	if (!path && !man_knows(name, sect))
		return 1;
	fflush(stdout);
	fflush(stderr);
	if (path)
		execlp("man", "man", "-l", path, (char *)NULL);
	else
		execlp("man", "man", sect, name, (char *)NULL);
	free(path);
	if (errno == ENOENT)
		return 1; /* no man on this machine */
	return error("cannot run man: %s", strerror(errno));
}
