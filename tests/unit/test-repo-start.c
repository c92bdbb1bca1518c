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
 * shutdown are answered by herald and do nothing: where libssh2 is built on
 * OpenSSL, no OpenSSL engine is loaded after the start, and one is after
 * the test's own libssh2_init(), which went to libssh2. After the shutdown
 * libssh2 still counts the test's start: making a session does not start
 * it again.
 *
 * Where GnuTLS is in the process (through libcurl's librtmp and libldap),
 * its constructor did not start it: a hash fails before gnutls_global_init()
 * and is right after it, as it is for librtmp and libldap, which call it.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

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

/* Does the loaded library `lib` (a soname) name `needed` among its DT_NEEDED? */
static int lib_needs(const char *lib, const char *needed)
{
	void *h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
	struct link_map *lm = NULL;
	const ElfW(Dyn) *d;
	const char *strtab = NULL;
	int found = 0;

	if (!h)
		return 0;
	if (!dlinfo(h, RTLD_DI_LINKMAP, &lm) && lm) {
		for (d = lm->l_ld; d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_STRTAB)
				strtab = (const char *)d->d_un.d_ptr;
		for (d = lm->l_ld; strtab && d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_NEEDED && !strncmp(strtab + d->d_un.d_val, needed,
							      strlen(needed)))
				found = 1;
	}
	dlclose(h);
	return found;
}

/* Has OpenSSL any engine loaded (libssh2's start loads the built-in ones)? */
static int engines_loaded(void)
{
	void *(*first)(void);
	int (*release)(void *);
	void *a = dlsym(RTLD_DEFAULT, "ENGINE_get_first");
	void *b = dlsym(RTLD_DEFAULT, "ENGINE_free");
	void *e;

	if (!a || !b)
		return 0;
	*(void **)&first = a;
	*(void **)&release = b;
	if (!(e = first()))
		return 0;
	release(e);
	return 1;
}

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

static int find_gnutls(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libgnutls.so.")) {
		snprintf(data, 4096, "%s", info->dlpi_name);
		return 1;
	}
	return 0;
}

/* GnuTLS's hash of "abc", and what it returned; SHA-256 is 6 in gnutls_digest_algorithm_t. */
static int gnutls_sha256_abc(void *lib, unsigned char out[32])
{
	int (*hash)(int, const void *, size_t, void *);
	void *sym = dlsym(lib, "gnutls_hash_fast");

	if (!sym)
		return -1;
	*(void **)&hash = sym;
	memset(out, 0, 32);
	return hash(6, "abc", 3, out);
}

static void gnutls_started_by_its_users_only(void)
{
	static const unsigned char abc[4] = { 0xba, 0x78, 0x16, 0xbf };
	char path[4096] = "";
	unsigned char digest[32];
	int (*init)(void);
	void (*deinit)(void);
	void *lib, *a, *b;
	int before, after;

	if (!dl_iterate_phdr(find_gnutls, path)) {
		/* the test calls libcurl, so it links it as herald does */
		skip("GnuTLS is not in the process (%s): nothing starts it", curl_version());
		return;
	}
	lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	a = lib ? dlsym(lib, "gnutls_global_init") : NULL;
	b = lib ? dlsym(lib, "gnutls_global_deinit") : NULL;
	if (!a || !b) {
		ok(0, "%s has gnutls_global_init() and gnutls_global_deinit()", path);
		return;
	}
	*(void **)&init = a;
	*(void **)&deinit = b;
	before = gnutls_sha256_abc(lib, digest);
	ok(before < 0, "GnuTLS did not start itself: a hash fails before gnutls_global_init() (%d)",
	   before);
	ok(init() == 0, "gnutls_global_init() starts it, as librtmp and libldap call it");
	after = gnutls_sha256_abc(lib, digest);
	ok(after == 0 && !memcmp(digest, abc, sizeof(abc)),
	   "and then its SHA-256 of \"abc\" is right (%d, %02x%02x%02x%02x)", after, digest[0],
	   digest[1], digest[2], digest[3]);
	deinit();
	dlclose(lib);
}

int main(void)
{
	int ssh = 0, on_openssl = 0, engines_at_start = 0;
	unsigned starts = 0, stops = 0, forwarded = 0, before;
	int mbedtls = 0, major = 0, minor = 0, rev = 0;
	char dir[] = "/tmp/herald-test-start-XXXXXX";
	git_repository *git = NULL;
	struct repo *r;

	dl_iterate_phdr(find_mbedx509, &mbedtls);
	gnutls_started_by_its_users_only();
	ok(repo_ca_file_reads_refused() == 0, "nothing was refused before libgit2 starts");
	repo_ssh_calls(&starts, &stops, &forwarded);
	ok(starts == 0 && stops == 0 && forwarded == 0, "no SSH call before libgit2 starts");
	repo_library_start();
	git_libgit2_version(&major, &minor, &rev);
	ssh = (git_libgit2_features() & GIT_FEATURE_SSH) != 0;
	on_openssl = lib_needs("libssh2.so.1", "libcrypto.so");
	engines_at_start = engines_loaded();
	repo_ssh_calls(&starts, &stops, &forwarded);
	if (ssh) {
		ok(starts == 1 && stops == 0 && forwarded == 0,
		   "libgit2's libssh2_init() was answered by herald, once (%u, %u forwarded)",
		   starts, forwarded);
		ok(libssh2_init(0) == 0, "the test's own libssh2_init() succeeds");
		repo_ssh_calls(&starts, &stops, &forwarded);
		ok(starts == 1 && forwarded == 1, "and went to libssh2 (%u skipped, %u forwarded)",
		   starts, forwarded);
		if (on_openssl)
			ok(!engines_at_start && engines_loaded(),
			   "libssh2 on OpenSSL: no engine after libgit2's start (%d), "
			   "the built-in ones after the test's own", engines_at_start);
		else
			skip("libssh2 is not built on OpenSSL: no engines to look at");
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
	repo_ssh_calls(&starts, &stops, &forwarded);
	if (ssh) {
		ok(stops == 1, "libgit2's libssh2_exit() at shutdown was dropped, once (%u)", stops);
		before = forwarded;
		ok(ssh_session_made(), "libssh2 still makes a session");
		repo_ssh_calls(&starts, &stops, &forwarded);
		ok(forwarded == before,
		   "without starting again: the test's own start still counts (%u forwarded)",
		   forwarded);
		libssh2_exit();
		repo_ssh_calls(&starts, &stops, &forwarded);
		ok(stops == 1, "the test's own libssh2_exit() went to libssh2 (%u dropped)", stops);
	}

	/* a second start in the same process (the tests do it) reads nothing either */
	repo_library_start();
	ok(!mbedtls || repo_ca_file_reads_refused() == 2, "a second start is refused too");
	repo_library_stop();
	repo_ssh_calls(&starts, &stops, &forwarded);
	ok(!ssh || (starts == 2 && stops == 2),
	   "and its SSH start and stop are skipped too (%u, %u)", starts, stops);
	{
		char cmd[sizeof(dir) + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ok(system(cmd) == 0, "the scratch folder is removed");
	}
	return done_testing();
}
