#!/usr/bin/env bash
# Install the Java runtime local PySpark needs for the Spark engine parity tests
# (tests/test_engine_parity_spark.py, run by `make test` and `make test-spark`). Idempotent: does nothing when a
# `java` of version >= 17 is on PATH or in $JAVA_HOME. Debian packages only:
# openjdk-17-jre-headless when the distribution has it (Debian 12), else the distribution's
# default-jre-headless (Debian 13: OpenJDK 21, which Spark 4 supports too). Without apt-get, root
# or password-less sudo, or network it says what to install and exits 0: the Spark tests then
# fail with that reason (they are never skipped).
set -uo pipefail

MIN_VERSION=17

java_version() {
    # the major version of the java binary $1 (17 for "17.0.15", 1 for "1.8.0")
    "$1" -version 2>&1 | grep -oE 'version "[0-9]+' | grep -oE '[0-9]+$' | head -1
}

installed() {
    local candidate version
    for candidate in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java 2>/dev/null || echo /nonexistent/java)"; do
        if [ -x "$candidate" ]; then
            version=$(java_version "$candidate")
            if [ -n "$version" ] && [ "$version" -ge "$MIN_VERSION" ]; then
                echo "$candidate (Java $version)"
                return 0
            fi
        fi
    done
    return 1
}

if found=$(installed); then
    echo "install_java: already present: $found"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_java: no apt-get on this system; install a Java runtime >= $MIN_VERSION and set JAVA_HOME" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_java: not root and no password-less sudo; run: sudo apt-get install -y openjdk-17-jre-headless" >&2
        exit 0
    fi
fi
echo "install_java: installing a Java runtime with apt-get"
if ! $SUDO apt-get update -qq; then
    echo "install_java: apt-get update failed" >&2
    exit 0
fi
PACKAGE=default-jre-headless
if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then
    PACKAGE=openjdk-17-jre-headless
fi
# slim Debian images leave out the man folders; openjdk's postinst registers its man pages
# with update-alternatives there and fails without them
$SUDO mkdir -p /usr/share/man/man1
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$PACKAGE"; then
    echo "install_java: apt-get install $PACKAGE failed" >&2
    exit 0
fi
if found=$(installed); then
    echo "install_java: installed $found"
else
    echo "install_java: $PACKAGE installed but no java >= $MIN_VERSION found on PATH" >&2
    exit 0
fi
