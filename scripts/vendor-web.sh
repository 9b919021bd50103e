#!/usr/bin/env bash
# Vendors the console's and the enterprise pages' browser libraries from their npm
# tarballs into the package (department networks are closed: no CDN), and axe-core
# into the browser tests.  Re-run after changing a version; commit the result.
# Each file's SHA-256 is written to VERSIONS.txt beside it, so a review can check
# that the committed bytes are the published ones.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
htmx_version=2.0.11
echarts_version=6.1.0
axe_version=4.14.1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$htmx_version" "echarts@$echarts_version" "axe-core@$axe_version" >/dev/null
for tarball in *.tgz; do mkdir "${tarball%.tgz}"; tar xzf "$tarball" -C "${tarball%.tgz}"; done
vendor="$here/inspector_central/static/vendor"
mkdir -p "$vendor"
cp "htmx.org-$htmx_version/package/dist/htmx.min.js" "$vendor/htmx.min.js"
cp "htmx.org-$htmx_version/package/LICENSE" "$vendor/htmx-LICENSE.txt"
cp "echarts-$echarts_version/package/dist/echarts.min.js" "$vendor/echarts.min.js"
cp "echarts-$echarts_version/package/LICENSE" "$vendor/echarts-LICENSE.txt"
cp "axe-core-$axe_version/package/axe.min.js" "$here/tests/browser/axe.min.js"
cp "axe-core-$axe_version/package/LICENSE" "$here/tests/browser/axe-LICENSE.txt"
{
  echo "htmx.org $htmx_version  $(sha256sum "$vendor/htmx.min.js" | cut -d' ' -f1)  htmx.min.js"
  echo "echarts $echarts_version  $(sha256sum "$vendor/echarts.min.js" | cut -d' ' -f1)  echarts.min.js"
} > "$vendor/VERSIONS.txt"
echo "axe-core $axe_version  $(sha256sum "$here/tests/browser/axe.min.js" | cut -d' ' -f1)  axe.min.js" \
  > "$here/tests/browser/VERSIONS.txt"
