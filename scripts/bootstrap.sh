#!/usr/bin/env bash
# Prepare this checkout to run: Debian packages (when root), the virtual
# environment at .venv, and the pinned Python dependencies.  Idempotent and
# quick when everything is already in place; sourced by scripts/run and scripts/test.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"

# System libraries: zbar for the secondary decoder, CJK fonts so Qt and the PDF
# reports render Chinese, the xcb/EGL/pulse libraries PySide6 loads, Xvfb for
# real-window screenshots, PostgreSQL for the central endpoint's tests, nginx as its
# reverse proxy (and the packaged site); NSIS, wixl/msitools and sqlite3 for the
# packaging tests (installer sources, backups).
system_packages=(
  libzbar0 fonts-noto-cjk libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
  libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libpulse0 xvfb postgresql nginx poppler-utils
  nsis wixl msitools sqlite3 chromium
)

install_system_packages() {
  command -v dpkg-query >/dev/null || return 0
  local missing=()
  for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "note: missing system packages (install them as root): ${missing[*]}" >&2
    return 0
  fi
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_env() {
  local stamp="$venv/.requirements.sha256"
  local want
  want="$(cat "$repo_root/requirements.lock" "$repo_root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "preparing the Python environment in .venv" >&2
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$repo_root/requirements.lock"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$repo_root"
  echo "$want" > "$stamp"
}

install_system_packages
install_python_env
