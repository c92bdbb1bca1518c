/*
 * repo_library_start(): libgit2 starts without parsing the system's CA
 * bundle (src/read/start.c), and reads repositories as before.
 *
 * Where libgit2 is built on mbedTLS (libmbedx509 is in the process), its
 * one call to read the bundle must land on herald's definition and be
 * refused; elsewhere nothing calls it, which is reported, not asserted.
 * The refusal leaves no error behind, and is only for libgit2's start:
 * CA files asked for later (GIT_OPT_SET_SSL_CERT_LOCATIONS) are read.
 *
 * Where libgit2 has SSH, its libssh2_init() at start and libssh2_exit() at
 * shutdown are answered by herald and do nothing; any other caller's reach
 * libssh2, which keeps working.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "herald/repo.h"
#include "tap.h"
#include "herald/banned.h"

#define CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static int find_mbedx509(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "libmbedx509"))
		*(int *)data = 1;
	return 0;
}

int libssh2_init(int flags);
void libssh2_exit(void);

/* libssh2 is in the process through libgit2 (and libcurl); the test does not link it */
static int ssh_session_made(void)
{
	void *(*init_ex)(void *, void *, void *, void *);
	int (*session_free)(void *);
	void *a = dlsym(RTLD_DEFAULT, "libssh2_session_init_ex");
	void *b = dlsym(RTLD_DEFAULT, "libssh2_session_free");
	void *session;

	if (!a || !b)
		return 0;
	*(void **)&init_ex = a;
	*(void **)&session_free = b;
	if (!(session = init_ex(NULL, NULL, NULL, NULL)))
		return 0;
	return session_free(session) == 0;
}

int main(void)
{
	int ssh = 0;
	unsigned starts = 0, stops = 0;
	int mbedtls = 0, major = 0, minor = 0, rev = 0;
	char dir[] = "/tmp/herald-test-start-XXXXXX";
	git_repository *git = NULL;
	struct repo *r;

	dl_iterate_phdr(find_mbedx509, &mbedtls);
	ok(repo_ca_file_reads_refused() == 0, "nothing was refused before libgit2 starts");
	repo_ssh_starts_skipped(&starts, &stops);
	ok(starts == 0 && stops == 0, "no SSH start was skipped before libgit2 starts");
	repo_library_start();
	git_libgit2_version(&major, &minor, &rev);
	ssh = (git_libgit2_features() & GIT_FEATURE_SSH) != 0;
	repo_ssh_starts_skipped(&starts, &stops);
	if (ssh) {
		ok(starts == 1 && stops == 0,
		   "libgit2's libssh2_init() was answered by herald, once (%u)", starts);
		ok(libssh2_init(0) == 0, "anyone else's libssh2_init() goes to libssh2 and succeeds");
		repo_ssh_starts_skipped(&starts, &stops);
		ok(starts == 1, "and is not counted as skipped (%u)", starts);
		ok(ssh_session_made(), "libssh2 makes (and frees) a session after the start");
	} else {
		skip("libgit2 %d.%d.%d has no SSH: it starts no libssh2", major, minor, rev);
	}
	if (mbedtls)
		ok(repo_ca_file_reads_refused() == 1,
		   "libgit2 %d.%d.%d on mbedTLS asked once to read its CA bundle, and was refused "
		   "(asked %u times)", major, minor, rev, repo_ca_file_reads_refused());
	else
		skip("libgit2 %d.%d.%d is not built on mbedTLS: it reads no CA bundle at start",
		     major, minor, rev);

	ok(git_error_last() == NULL || !strstr(git_error_last()->message, "CA"),
	   "libgit2 starts with no error left behind (%s)",
	   git_error_last() ? git_error_last()->message : "none");
	if (!mbedtls)
		skip("libgit2 is not built on mbedTLS");
	else if (access(CA_BUNDLE, R_OK))
		skip("no %s to read", CA_BUNDLE);
	else
		ok(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, CA_BUNDLE, NULL) == 0 &&
		   repo_ca_file_reads_refused() == 1,
		   "after the start, a CA file set with GIT_OPT_SET_SSL_CERT_LOCATIONS is read "
		   "by mbedTLS itself (%s)", git_error_last() ? git_error_last()->message : "no error");

	ok(mkdtemp(dir) != NULL, "a scratch folder");
	ok(git_repository_init(&git, dir, 1) == 0, "libgit2 makes a repository");
	git_repository_free(git);
	r = repo_open_at(dir);
	ok(r != NULL, "and herald opens it");
	repo_free(r);
	repo_library_stop();
	repo_ssh_starts_skipped(&starts, &stops);
	if (ssh) {
		ok(stops == 1, "libgit2's libssh2_exit() at shutdown was dropped, once (%u)", stops);
		ok(ssh_session_made(), "libssh2 still makes a session: the test's own start stands");
		libssh2_exit();
		repo_ssh_starts_skipped(&starts, &stops);
		ok(stops == 1, "the test's own libssh2_exit() went to libssh2 (%u dropped)", stops);
	}

	/* a second start in the same process (the tests do it) reads nothing either */
	repo_library_start();
	ok(!mbedtls || repo_ca_file_reads_refused() == 2, "a second start is refused too");
	repo_library_stop();
	repo_ssh_starts_skipped(&starts, &stops);
	ok(!ssh || (starts == 2 && stops == 2),
	   "and its SSH start and stop are skipped too (%u, %u)", starts, stops);
	{
		char cmd[sizeof(dir) + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ok(system(cmd) == 0, "the scratch folder is removed");
	}
	return done_testing();
}
