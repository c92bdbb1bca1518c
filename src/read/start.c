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
 * libgit2 offers no option to skip it (GIT_OPT_SET_SSL_CERT_LOCATIONS only
 * adds locations, after the default one has been read).
 *
 * So herald defines the one mbedTLS function libgit2 calls to read that
 * file. An executable's definition comes first in the dynamic linker's
 * search, so libgit2's call lands here instead of in libmbedx509 (as does
 * mbedTLS's own, from reading a folder of certificates); nothing else in
 * herald's process uses mbedTLS (libcurl is built on OpenSSL). It
 * answers with mbedTLS's own "cannot read the file" error, so libgit2
 * starts with no CA certificates: were herald ever to open an HTTPS or SSH
 * connection through libgit2, certificate checks would fail closed, never
 * pass. Where libgit2 is built on OpenSSL or another TLS library, nothing
 * calls this and it changes nothing.
 */
#include <stdbool.h>

#include "herald/repo.h"
#include "herald/banned.h"

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR ("read or write of file failed"). */
#define X509_FILE_IO_ERROR (-0x2900)

/* How many times libgit2 asked; read by tests/unit/test-repo-start.c. */
static unsigned ca_file_reads_refused;

struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	(void)chain;
	(void)path;
	ca_file_reads_refused++;
	return X509_FILE_IO_ERROR;
}

unsigned repo_ca_file_reads_refused(void)
{
	return ca_file_reads_refused;
}

void repo_library_start(void)
{
	git_libgit2_init();
}

void repo_library_stop(void)
{
	git_libgit2_shutdown();
}
