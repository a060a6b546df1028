#!/usr/bin/env bash
# tests/valgrind/run.sh BUILD_DIR BATS_FILE...: `make check VALGRIND=1`.
# VG_SELECTION, when set, names a file of test-name patterns (one extended
# regular expression per line, `#` comments): only the tests they match run.
# Every program in BUILD_DIR gets a wrapper of the same name in build-vg/
# that runs it under memcheck, so the e2e files exercise the real binaries
# (helper spawned by docker, skopeo and dokku-registry included) with
# DR_BUILD_DIR pointing at the wrappers. Each process logs to its own file;
# with -q a clean process leaves an empty log. Any error, or any definite
# leak, fails the run and is printed.
set -u
build=$(cd "$1" && pwd)
shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
vg="$repo/build-vg"
logs="$vg/logs"
rm -rf "$vg"
mkdir -p "$logs" "$vg/tmp"
# tests that run a program as another user (as_owner, sudo -u) need to make
# their TMPDIR and write their log here too
chmod 0755 "$vg"
chmod 1777 "$logs" "$vg/tmp"
for bin in "$build"/*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  name=$(basename "$bin")
  cat >"$vg/$name" <<WRAP
#!/bin/sh
# valgrind keeps its /proc/self/cmdline copy in \$TMPDIR under a name made
# from the pid and ppid only; a process killed during start-up leaves it
# behind, and a later process with the same pids then gets a stray line on
# stderr. A fresh directory per process makes that impossible.
TMPDIR=\$(mktemp -d "$vg/tmp/p.XXXXXX") || exit 125
chmod 1777 "\$TMPDIR"
export TMPDIR
# GLib's slice allocator hides frees from memcheck
G_SLICE=always-malloc G_DEBUG=gc-friendly exec valgrind -q --tool=memcheck \\
  --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
  --suppressions="$repo/tests/valgrind/glib.supp" --child-silent-after-fork=yes \\
  --log-file="$logs/$name.%p.log" "$bin" "\$@"
WRAP
  chmod +x "$vg/$name"
done
filter=()
if [ -n "${VG_SELECTION:-}" ]; then
  pattern=$(grep -v '^[[:space:]]*#' "$VG_SELECTION" | grep . | paste -sd'|') || {
    echo "valgrind: no test pattern in $VG_SELECTION" >&2
    exit 2
  }
  filter=(--filter "$pattern")
fi
set -o pipefail
# BATS_JOBS: `--jobs N …` from the Makefile, the files side by side
# shellcheck disable=SC2086
DR_BUILD_DIR="$vg" DR_VALGRIND=1 bats ${BATS_JOBS:-} "${filter[@]}" "$@" | tee "$vg/e2e.tap"
rc=$?
procs=$(find "$logs" -name '*.log' | wc -l)
bad=$(find "$logs" -name '*.log' -size +0 | sort)
nbad=$(printf '%s' "$bad" | grep -c . || true)
awk '/^ok .* # skip/ {s++; next} /^ok / {p++} /^not ok / {f++}
     END {printf "valgrind e2e: %d passed, %d failed, %d skipped\n", p, f, s}' "$vg/e2e.tap"
echo "valgrind: $procs processes checked, $nbad with errors or definite leaks"
for f in $bad; do
  echo "--- $f"
  head -60 "$f"
done
[ "$rc" -eq 0 ] && [ "$nbad" -eq 0 ] && [ "$procs" -gt 0 ]
