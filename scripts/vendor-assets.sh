#!/usr/bin/env bash
# Re-vendor the front-end assets from the npm registry (no CDN at run time).
# Versions are pinned here; the files are committed under studymarket/static/vendor/.
set -euo pipefail
PICO=2.1.1
HTMX=2.0.11
dest="$(cd "$(dirname "$0")/.." && pwd)/studymarket/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@picocss/pico@$PICO" "htmx.org@$HTMX" >/dev/null
tar xzf "picocss-pico-$PICO.tgz" && mv package pico
tar xzf "htmx.org-$HTMX.tgz" && mv package htmx
cp pico/css/pico.min.css pico/LICENSE.md "$dest/pico/"
cp htmx/dist/htmx.min.js "$dest/htmx/" && cp htmx/LICENSE "$dest/htmx/LICENSE"
echo "vendored @picocss/pico@$PICO and htmx.org@$HTMX into $dest"
