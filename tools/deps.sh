#!/bin/sh
# Installs the Debian packages herald builds and tests with, only when
# something is missing. Runs as root on a fresh machine (make test, make demo).
set -u
pkgs=""
pc() { pkg-config --exists "$1" 2>/dev/null || pkgs="$pkgs $2"; }
command -v pkg-config >/dev/null 2>&1 || pkgs="$pkgs pkg-config"
pc libgit2 libgit2-dev
pc yaml-0.1 libyaml-dev
pc libcmark libcmark-dev
pc jansson libjansson-dev
pc libcurl libcurl4-openssl-dev
pc openssl libssl-dev
pc libutf8proc libutf8proc-dev
need() { command -v "$1" >/dev/null 2>&1 || pkgs="$pkgs $2"; }
need cc gcc
need make make
need git git
need prove perl
need python3 python3
need xmllint libxml2-utils
need curl curl
need chromium chromium
# t0018 renders the built-in templates with another Mustache engine
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import pystache" 2>/dev/null ||
	pkgs="$pkgs python3-pystache"
# man pages, the Debian package (t0060, t0063)
need man man-db
need mandoc mandoc
need groff groff-base
need dpkg-buildpackage dpkg-dev
need dh debhelper
need lintian lintian
# bash completion (t0062)
[ -f /usr/share/bash-completion/bash_completion ] || pkgs="$pkgs bash-completion"
# the generators whose urls and dates herald reproduces (t0042, t0043)
need hugo hugo
need jekyll jekyll
# the email tests (t0096, t0097) run a real SMTP server, aiosmtpd, by the
# system's python3, with a throwaway certificate made by openssl
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import aiosmtpd" 2>/dev/null ||
	pkgs="$pkgs python3-aiosmtpd"
need openssl openssl
# t0072 parses the CI wiring (action.yml, ci/gitlab-ci.yml) with PyYAML
python3 -c 'import yaml' 2>/dev/null || pkgs="$pkgs python3-yaml"
[ -n "${HERALD_DEPS_EXTRA:-}" ] && pkgs="$pkgs $HERALD_DEPS_EXTRA"
[ -z "$pkgs" ] && exit 0
echo "deps: installing$pkgs" >&2
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: missing$pkgs; run as root: apt-get install$pkgs" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs >&2
