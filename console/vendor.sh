#!/usr/bin/env bash
# Refreshes the console's vendored browser libraries from npm: the pinned
# versions' built ES modules and their licences, into static/vendor. Run it
# by hand after changing a version; make dev and make test need no Node.
set -euo pipefail
cd "$(dirname "$0")"
PREACT=10.29.8
HTM=3.1.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "preact@$PREACT" "htm@$HTM" >/dev/null &&
  for f in *.tgz; do mkdir "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done)
out=static/vendor
# The hooks import preact by its bare name, which a browser resolves only
# through an import map (an inline script the CSP forbids): point them at
# the file. Source map comments go too: the maps are not shipped.
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' "$@"; }
strip_map "$tmp/preact-$PREACT/package/dist/preact.module.js" >"$out/preact.js"
strip_map "$tmp/preact-$PREACT/package/hooks/dist/hooks.module.js" | sed -e 's#from"preact"#from"./preact.js"#' >"$out/hooks.js"
strip_map "$tmp/htm-$HTM/package/dist/htm.module.js" >"$out/htm.js"
cp "$tmp/preact-$PREACT/package/LICENSE" "$out/LICENSE-preact"
cp "$tmp/htm-$HTM/package/LICENSE" "$out/LICENSE-htm"
printf 'preact %s (npm)\nhtm %s (npm)\n' "$PREACT" "$HTM" >"$out/VERSIONS"
