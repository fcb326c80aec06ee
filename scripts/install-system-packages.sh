#!/usr/bin/env bash
# Installs the Debian packages the tests need, if any is missing:
#   chromium (browser tests), poppler-utils and qpdf (PDF tools), gettext (translations),
#   libreoffice-writer-nogui (.docx/.odt uploads are converted with it; optional for `make run`),
#   fonts-dejavu-core (text in rendered previews and screenshots), wrk (bench/pages.py), nginx-light
#   (the reverse proxy of `make scale-test`), nodejs (+ npm unless Node already brings it) and
#   default-jre-headless (Lighthouse and the Nu HTML Checker of tests/browser/test_page_quality.py,
#   installed from the npm registry into tools/audit/ by `make audit-tools`),
#   postgresql-<version>-rum when a PostgreSQL server from Debian is installed (the RUM index makes
#   ranked search fast with SEARCH_BACKEND=postgres; without it the search falls back to GIN).
# Needs root only when something is missing.
#   scripts/install-system-packages.sh run   only what `make run` uses: libreoffice-writer-nogui,
#   installed when root and missing; without root the site runs without it (PDF uploads only).
set -euo pipefail

if [ "${1:-}" = run ]; then
  command -v soffice >/dev/null 2>&1 && exit 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "LibreOffice (soffice) is not installed: uploads are PDF only. To convert Word and" >&2
    echo "OpenDocument uploads:  sudo apt-get install --no-install-recommends libreoffice-writer-nogui" >&2
    exit 0
  fi
  echo "Installing LibreOffice for Word and OpenDocument uploads (libreoffice-writer-nogui)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; }; then
    echo "Installing LibreOffice failed: uploads are PDF only." >&2
  fi
  exit 0
fi

packages=(chromium poppler-utils qpdf gettext fonts-dejavu-core libreoffice-writer-nogui wrk nginx-light nodejs default-jre-headless)
# Node from elsewhere (NodeSource, nvm) brings its own npm; Debian's nodejs does not.
command -v npm >/dev/null 2>&1 || packages+=(npm)
for server in /usr/lib/postgresql/*/bin/postgres; do
  [ -x "$server" ] || continue
  version=$(basename "$(dirname "$(dirname "$server")")")
  packages+=("postgresql-$version-rum")
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian-based system: install these yourself: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them as root:  sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
