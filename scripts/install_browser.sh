#!/usr/bin/env bash
# Install the headless browser the dashboard end-to-end tests drive (Playwright ->
# /usr/bin/chromium). Idempotent: does nothing when /usr/bin/chromium exists. Uses the
# Debian packages chromium + chromium-driver (never `playwright install`: no download of
# browser builds). When it cannot install (no apt-get, not root and no password-less sudo,
# no network), it says so and exits 0: the browser test then skips with that reason.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "install_browser: $CHROMIUM already present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: no apt-get on this system; install Chromium at $CHROMIUM to run the browser test" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_browser: not root and no password-less sudo; run: sudo apt-get install -y chromium chromium-driver" >&2
        exit 0
    fi
fi
echo "install_browser: installing chromium and chromium-driver with apt-get"
if ! $SUDO apt-get update -qq; then
    echo "install_browser: apt-get update failed; the browser test will be skipped" >&2
    exit 0
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver; then
    echo "install_browser: apt-get install failed; the browser test will be skipped" >&2
    exit 0
fi
echo "install_browser: $("$CHROMIUM" --version 2>/dev/null || echo "installed $CHROMIUM")"
