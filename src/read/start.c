/*
 * Starting libgit2 without the TLS set-up herald never uses.
 *
 * herald reads repositories with libgit2 and never lets it touch the
 * network: fetching and pushing refs/herald/state runs git itself
 * (hook/gitstate.c), and announcements go through libcurl. But
 * git_libgit2_init() of a libgit2 built on mbedTLS (Debian's is) parses the
 * system's whole CA bundle, about 140 certificates of base64, on every
 * start: 6.5 ms of the 20 ms budget of a post-receive hook on the machine
 * `make bench` runs on, for trust anchors nothing ever checks against.
 * libgit2 offers no option to skip it.
 *
 * So herald defines the one mbedTLS function libgit2 calls to read that
 * file. An executable's definition comes first in the dynamic linker's
 * search, so every call to it in the process lands here instead of in
 * libmbedx509. While git_libgit2_init() runs (herald's main thread, before
 * any other thread starts), it answers with mbedTLS's own "cannot read the
 * file" error, so libgit2 starts with no CA certificates: were herald ever
 * to open an HTTPS or SSH connection through libgit2, certificate checks
 * would fail closed, never pass. At any other time it hands the call to
 * libmbedx509's own function, so a libcurl built on mbedTLS, or libgit2's
 * GIT_OPT_SET_SSL_CERT_LOCATIONS, read their files as before. Where
 * libgit2 is built on OpenSSL or another TLS library, nothing calls this
 * and it changes nothing. A static link against libmbedx509.a would stop
 * at "multiple definition": herald links mbedTLS dynamically only.
 *
 * The same start also calls libssh2_init() for libgit2's SSH transport,
 * which loads OpenSSL's built-in engines: 0.9 ms and 21 page faults of
 * every command that delivers nothing (a scan, lint, a pre-receive check),
 * for a transport herald never uses. So herald defines libssh2_init() and
 * libssh2_exit() too, in the same way: during git_libgit2_init() the call
 * is answered "done" without doing anything, and the libssh2_exit() that
 * git_libgit2_shutdown() pairs with it is dropped, so libssh2's count of
 * users stays true for the others. That pairing holds only through
 * repo_library_start() and repo_library_stop(): herald calls libgit2's
 * own init and shutdown nowhere else. Every other call goes to libssh2:
 * libcurl's, in curl_global_init() (deliver.c starts libcurl before its
 * first request, so a command that delivers still starts libssh2), and
 * libssh2's own, which starts itself with the first session anyone makes.
 *
 * GnuTLS is in the process too, though herald never uses it: Debian's
 * libcurl links librtmp and libldap, and both link GnuTLS. Its library
 * constructor runs gnutls_global_init() before main(): it parses its ASN.1
 * tables, starts its random generator, detects the CPU and looks for the
 * system's priority file: 2.5 ms and 47 page faults of every command on
 * the machine `make bench` runs on, undone again at exit. GnuTLS
 * lets a program turn that implicit start off by defining
 * _gnutls_global_init_skip() to return 1 (gnutls.h's
 * GNUTLS_SKIP_GLOBAL_INIT, written out here, so that building herald needs
 * no GnuTLS header). Its two users in the process call gnutls_global_init()
 * themselves before their first TLS session, as a library must where the
 * implicit start is off: librtmp for rtmpe:// and libldap for ldaps://,
 * neither of which herald lets libcurl speak (deliver.c allows http and
 * https, email.c smtp and smtps).
 */
#include <dlfcn.h>

#include "herald/repo.h"
#include "herald/banned.h"

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR ("read or write of file failed"). */
#define X509_FILE_IO_ERROR (-0x2900)

/* Set only around git_libgit2_init() / git_libgit2_shutdown(), on the main thread. */
static int starting_libgit2, stopping_libgit2;
/* How many times libgit2 asked then; read by tests/unit/test-repo-start.c. */
static unsigned ca_file_reads_refused, ssh_starts_skipped, ssh_stops_skipped,
	ssh_starts_forwarded;
/* libgit2's libssh2_init() was answered here, so its libssh2_exit() is due here too. */
static int ssh_started_here;

struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	int (*real)(struct mbedtls_x509_crt *, const char *);
	void *sym;

	if (starting_libgit2) {
		ca_file_reads_refused++;
		return X509_FILE_IO_ERROR;
	}
	/* the next definition in the search order: libmbedx509's */
	sym = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	if (!sym)
		return X509_FILE_IO_ERROR;
	*(void **)&real = sym;
	return real(chain, path);
}

/* GnuTLS's constructor asks; the loader binds its call here, before libgnutls's own (weak) one. */
int _gnutls_global_init_skip(void);

__attribute__((used)) int _gnutls_global_init_skip(void)
{
	return 1;
}

unsigned repo_ca_file_reads_refused(void)
{
	return ca_file_reads_refused;
}

int libssh2_init(int flags);
void libssh2_exit(void);

int libssh2_init(int flags)
{
	int (*real)(int);
	void *sym;

	if (starting_libgit2) {
		ssh_starts_skipped++;
		ssh_started_here = 1;
		return 0;
	}
	sym = dlsym(RTLD_NEXT, "libssh2_init");
	if (!sym)
		return -1; /* only a caller that does not link libssh2 gets here */
	*(void **)&real = sym;
	ssh_starts_forwarded++;
	return real(flags);
}

void libssh2_exit(void)
{
	void (*real)(void);
	void *sym;

	if (stopping_libgit2 && ssh_started_here) {
		ssh_stops_skipped++;
		ssh_started_here = 0;
		return;
	}
	sym = dlsym(RTLD_NEXT, "libssh2_exit");
	if (!sym)
		return;
	*(void **)&real = sym;
	real();
}

void repo_ssh_calls(unsigned *starts_skipped, unsigned *stops_skipped,
		    unsigned *starts_forwarded)
{
	*starts_skipped = ssh_starts_skipped;
	*stops_skipped = ssh_stops_skipped;
	*starts_forwarded = ssh_starts_forwarded;
}

void repo_library_start(void)
{
	starting_libgit2 = 1;
	git_libgit2_init();
	starting_libgit2 = 0;
	/* the refusal left libgit2's "failed to load CA certificates" behind */
	git_error_clear();
}

void repo_library_stop(void)
{
	stopping_libgit2 = 1;
	git_libgit2_shutdown();
	stopping_libgit2 = 0;
}
