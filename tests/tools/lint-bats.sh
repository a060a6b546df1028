#!/usr/bin/env bash
# tests/tools/lint-bats.sh [FILE.bats|FILE.bash ...] (default: tests/e2e/*.bats
# and tests/e2e/*.bash): rejects a negated statement that cannot fail its test.
#
# bats runs a test with `set -e`, and bash's errexit ignores a pipeline
# inverted with `!`, and any command of an `&&`/`||` list but the last. So
#     ! grep -q "$PW" config.json
#     [ "$status" -eq 0 ]
# passes whether or not the password is in the file: only the test's (or a
# helper function's) last statement gives the function its status. Write
# `run ! grep …`, `! grep … || false`, or an assert helper instead.
#
# Flagged: a line (continuations joined) that starts with `! ` or whose last
# `&&`/`||` element is `! cmd`, inside an @test or a function body, unless it
# is the last statement before the body's closing `}` at column 0. Prints
# FILE:LINE: the statement, exits 1 if any.
set -u
if [ $# -eq 0 ]; then
  cd "$(dirname "$0")/../.." || exit 2
  set -- tests/e2e/*.bats tests/e2e/*.bash
fi
awk '
  function flush() { if (cand != "") { print cand; bad++ } cand = "" }
  FNR == 1 { inbody = 0; cont = ""; heredoc = "" }
  # a here-document body is data, not statements
  heredoc != "" { if ($0 ~ "^[[:space:]]*" heredoc "[[:space:]]*$") heredoc = ""; next }
  {
    line = cont $0
    if (line ~ /\\$/) { cont = substr(line, 1, length(line) - 1) " "; if (cont_start == 0) cont_start = FNR; next }
    start = cont_start ? cont_start : FNR
    cont = ""; cont_start = 0
  }
  /^@test / || /^[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(\)[[:space:]]*\{[[:space:]]*$/ || /^function [A-Za-z_]/ {
    inbody = 1; cand = ""; next
  }
  inbody && /^}/ { inbody = 0; cand = ""; next }
  inbody && line ~ /^[[:space:]]*(#|$)/ { next }
  inbody {
    flush()
    if (match(line, /<<-?[[:space:]]*["'"'"']?[A-Za-z_]+/)) {
      heredoc = substr(line, RSTART, RLENGTH); sub(/^<<-?[[:space:]]*["'"'"']?/, "", heredoc)
    }
    s = line
    # a condition (if/while …) is tested, not run under errexit
    if (s ~ /^[[:space:]]*(if|elif|while|until)[[:space:]]/) next
    # the element whose status the statement has: after the last && or ||
    n = split(s, parts, /\|\||&&/)
    tail = parts[n]
    if ((s ~ /^[[:space:]]*! / && s !~ /\|\|/ && s !~ /&&/) || (n > 1 && tail ~ /^[[:space:]]*! /))
      cand = FILENAME ":" start ": " line
  }
  END {
    if (bad) {
      printf "%d negated statement(s) above cannot fail: bats ignores a failing `! cmd` that is not the last statement; use `run ! cmd` or `! cmd || false`\n", bad > "/dev/stderr"
      exit 1
    }
  }' "$@"
