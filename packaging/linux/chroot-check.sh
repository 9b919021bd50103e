#!/bin/sh
# Runs inside a fresh Debian chroot made by packaging/check-linux (as root), with the
# packages to test in /tmp/check.  Prints "CHECK OK" last when every step passed;
# writes measurements to /tmp/check/results.txt for check-linux to copy out.
set -eu
check=/tmp/check
results="$check/results.txt"
export DEBIAN_FRONTEND=noninteractive
: > "$results"

step() { printf '\n== %s\n' "$*"; }
fail() { echo "CHECK FAILED: $*" >&2; exit 1; }
as_officer() { runuser -u officer -- env HOME=/home/officer QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$@"; }
visits_count() { as_officer inspector visits --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

step "install $(basename "$check"/inspector_*_old.deb) with its dependencies"
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 "$check"/inspector_*_old.deb >/dev/null
test -x /opt/inspector/inspector || fail "no /opt/inspector/inspector"
[ "$(readlink /usr/bin/inspector)" = /opt/inspector/inspector ] || fail "/usr/bin/inspector link"
grep -q '^Name=入企扫码$' /usr/share/applications/inspector.desktop || fail "menu entry"
test -f /usr/share/icons/hicolor/256x256/apps/inspector.png || fail "icon"
inspector --version

step "self-test before set-up (a fresh user)"
useradd --create-home --shell /bin/sh officer
as_officer inspector selftest --json > "$check/selftest-fresh.json" || fail "self-test on a fresh install"
cat "$check/selftest-fresh.json"

step "set up a ledger and record visits"
printf 'zhang-ming-pass\n' > /home/officer/pass && chown officer /home/officer/pass
as_officer inspector init >/dev/null
as_officer inspector --passphrase-file /home/officer/pass officer add --id 37142320001 --name 张明 >/dev/null
for enterprise in 91371421EUHUXQEE8D 92371421UJ65RGFL9L; do
  as_officer inspector --passphrase-file /home/officer/pass check-in --officer 37142320001 \
      --enterprise "$enterprise" --kind survey --reason "安全生产调研" >/dev/null
  visit="$(as_officer inspector visits --json | python3 -c \
      'import json,sys; print(next(v["id"] for v in json.load(sys.stdin) if v["state"] == "checked_in"))')"
  as_officer inspector --passphrase-file /home/officer/pass check-out --officer 37142320001 \
      --visit "$visit" --exit-uscc "$enterprise" --incomplete-reason "企业负责人不在场" >/dev/null
done
before="$(visits_count)"
[ "$before" = 2 ] || fail "expected 2 visits, found $before"
as_officer inspector verify >/dev/null || fail "verify before the upgrade"
as_officer inspector selftest --json > "$check/selftest.json" || fail "self-test after set-up"
cat "$check/selftest.json"

step "cold start of the installed bundle (gui --startup-probe, offscreen)"
for run in 1 2 3; do
  start=$(date +%s%N)
  as_officer inspector gui --startup-probe || fail "startup probe"
  echo "startup_ms_$run $(( ($(date +%s%N) - start) / 1000000 ))" | tee -a "$results"
done

step "central endpoint package: user, folders, admin command, SQLite backup"
apt-get install -y -qq --no-install-recommends "$check"/inspector-central_*_old.deb >/dev/null
getent passwd inspector-central >/dev/null || fail "no inspector-central user"
[ "$(stat -c %U:%a /var/lib/inspector-central)" = "inspector-central:750" ] || fail "state folder"
[ "$(stat -c %a /etc/inspector-central/env)" = 640 ] || fail "env file mode"
inspector-central-admin enrolment-code --device T-CHECK >/dev/null || fail "admin command"
runuser -u inspector-central -- env INSPECTOR_CENTRAL_DATA_DIR=/var/lib/inspector-central \
    BACKUP_DIR=/var/backups/inspector-central inspector-central-backup || fail "backup"
ls /var/backups/inspector-central/central-*.sqlite3 >/dev/null || fail "no backup file"

step "upgrade to the next version over the ledger"
apt-get install -y -qq --no-install-recommends "$check"/inspector_*_new.deb "$check"/inspector-central_*_new.deb >/dev/null
dpkg-query -W -f '${Version}\n' inspector | tee -a "$results"
after="$(visits_count)"
[ "$after" = "$before" ] || fail "visits before the upgrade: $before, after: $after"
as_officer inspector verify >/dev/null || fail "verify after the upgrade"
test -f /var/lib/inspector-central/central.sqlite3 || fail "central database lost in the upgrade"

step "remove: the program goes, the records stay"
apt-get remove -y -qq inspector-central inspector >/dev/null
test ! -e /opt/inspector/inspector || fail "program still there after remove"
test -f /home/officer/.local/share/inspector/ledger.sqlite3 || fail "the ledger went with remove"
test -d /home/officer/.local/share/inspector || fail "the officer's data folder went with remove"
test -f /var/lib/inspector-central/central.sqlite3 || fail "central database went with remove"

step "purge: asks nothing, removes only the program"
dpkg --purge inspector-central inspector
test ! -e /opt/inspector || fail "/opt/inspector left after purge"
test ! -e /usr/share/applications/inspector.desktop || fail "menu entry left after purge"
test -d /home/officer/.local/share/inspector || fail "the officer's data went with purge"
test -f /var/lib/inspector-central/central.sqlite3 || fail "central database went with purge"
test -f /etc/inspector-central/env || fail "central settings went with purge"
ls /var/backups/inspector-central/central-*.sqlite3 >/dev/null || fail "backups went with purge"

step "the records still open and verify with a reinstalled program"
apt-get install -y -qq --no-install-recommends "$check"/inspector_*_new.deb >/dev/null
as_officer inspector verify >/dev/null || fail "verify after purge and reinstall"
[ "$(visits_count)" = "$before" ] || fail "visits lost across purge"
dpkg --purge inspector >/dev/null

echo "CHECK OK"
