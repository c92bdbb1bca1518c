#include <stdio.h>
#include <string.h>

#include <cmark.h>
#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include "herald/command.h"
#include "herald/usage.h"
#include "herald/banned.h"

int cmd_version(int argc, char **argv)
{
	int major, minor, rev;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: herald version\n\nPrints herald's version and the versions of the libraries it runs on.\n");
		return 0;
	}
	if (argc > 1) {
		error("version takes no arguments");
		return EXIT_USAGE;
	}
	git_libgit2_version(&major, &minor, &rev);
	printf("herald %s\n", HERALD_VERSION);
	printf("libgit2 %d.%d.%d\n", major, minor, rev);
	printf("libyaml %s\n", yaml_get_version_string());
	printf("cmark %s\n", cmark_version_string());
	printf("jansson %s\n", jansson_version_str());
	printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("openssl %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
	return 0;
}
