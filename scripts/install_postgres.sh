#!/usr/bin/env bash
# Install the PostgreSQL server binaries the engine parity tests start (tests/postgres_server.py:
# initdb into a temporary folder, a free local port, stopped after the tests; no service is
# enabled or used). Idempotent: does nothing when PostgreSQL >= 15 is installed (initdb and pg_ctl
# in /usr/lib/postgresql/<version>/bin or on PATH). Debian packages only: postgresql-15 when the
# distribution has it (Debian 12), else `postgresql` (the distribution's current major version).
# Without apt-get, root or password-less sudo, or network it says what to install and exits 0, so
# that `make test` runs the other tests: tests/test_engine_parity.py then fails with that reason
# (it is never skipped).
set -uo pipefail

MIN_VERSION=15

installed() {
    local dir version
    for dir in /usr/lib/postgresql/*/bin "$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            version=$("$dir/postgres" --version 2>/dev/null | grep -oE '[0-9]+' | head -1)
            if [ -n "$version" ] && [ "$version" -ge "$MIN_VERSION" ]; then
                echo "$dir (PostgreSQL $version)"
                return 0
            fi
        fi
    done
    return 1
}

if found=$(installed); then
    echo "install_postgres: already present: $found"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_postgres: no apt-get on this system; install PostgreSQL >= $MIN_VERSION (initdb, pg_ctl) or set LEAD_PG_BIN to its bin folder" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_postgres: not root and no password-less sudo; run: sudo apt-get install -y postgresql" >&2
        exit 0
    fi
fi
echo "install_postgres: installing the PostgreSQL server with apt-get"
if ! $SUDO apt-get update -qq; then
    echo "install_postgres: apt-get update failed" >&2
    exit 0
fi
PACKAGE=postgresql
if apt-cache show postgresql-15 >/dev/null 2>&1; then
    PACKAGE=postgresql-15
fi
# policy-rc.d: the package must not start a system-wide server (the tests start their own)
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = "0" ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE"; then
    echo "install_postgres: apt-get install $PACKAGE failed" >&2
    exit 0
fi
if found=$(installed); then
    echo "install_postgres: installed $found"
else
    echo "install_postgres: $PACKAGE installed but no PostgreSQL >= $MIN_VERSION binaries found" >&2
    exit 0
fi
