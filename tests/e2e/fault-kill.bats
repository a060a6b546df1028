#!/usr/bin/env bats
# Fault injection: kill -9 at random points of every command that writes a
# file: registry:set (a property), helpers:set (the
# helper config), registry:login, registry:logout and registry:migrate
# (config.json, with the keyring in between). After each kill the file is the old or the new one,
# whole (valid JSON where it is JSON), mode 0600, and the keyring holds the
# old or the new login; after the next, unkilled run no temp file is left.
# The kill lands at a uniformly random moment within the command's measured
# run time. Real keyring and docker-registry. 10 kills per command by default
# (DR_FAULT_KILLS=N for more): each run of the suite draws new moments.

bats_require_minimum_version 1.5.0

load dokku-login-helpers

KILLS=${DR_FAULT_KILLS:-10}

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup || return 1
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
  mkdir -p "$XDG_CONFIG_HOME"
  TEMPS_SEEN=0
  KILLED=0
}

# duration_ms CMD...: wall time of one normal run (at least 1 ms)
duration_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$DR_BIN" "$@" </dev/null >/dev/null 2>&1 || { echo "run failed: $*" >&2; return 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000 + 1))
}

# kill_randomly MS CMD...: the command killed -9 at a random moment of its
# first MS ms (tests/lib/kill-at.py, which also waits for what it started:
# a helper store runs on in its own process group). KILLED counts the runs
# the kill did interrupt.
kill_randomly() {
  local ms=$1 how
  shift
  how=$("$DR_PYTHON" "$DR_LIB_DIR/kill-at.py" "$ms" "$DR_BIN" "$@" 3>&-)
  [ "$how" = killed ] && KILLED=$((KILLED + 1))
  return 0
}

# count_temps DIR: temp files of our naming the kill left
count_temps() {
  find "$1" -name '*.tmp??????' 2>/dev/null | wc -l
}

assert_no_temps() {
  local n
  n=$(count_temps "$1")
  [ "$n" -eq 0 ] || { echo "temp files left in $1 after a normal run: $(find "$1" -name '*.tmp??????')" >&2; return 1; }
}

report() { # WHAT
  echo "# $1: $KILLS runs, $KILLED killed mid-run, $TEMPS_SEEN left a temp file; all removed by the next run" >&3
}

@test "kill -9 during registry:set: the property is old or new, 0600; the next set leaves no temp file" {
  create_app app1
  must registry:set app1 server a.example.com
  local ms f="$REG/app1/server" i v
  ms=$(duration_ms registry:set app1 server b.example.com)
  for i in $(seq 1 "$KILLS"); do
    v=$([ $((i % 2)) = 0 ] && echo a.example.com || echo b.example.com)
    kill_randomly "$ms" registry:set app1 server "$v"
    case $(cat "$f") in a.example.com | b.example.com) ;; *) echo "torn property: $(cat "$f")" >&2; return 1 ;; esac
    assert_mode "$f" 600
    [ "$(count_temps "$REG/app1")" -eq 0 ] || TEMPS_SEEN=$((TEMPS_SEEN + 1))
    must registry:set app1 server "$v"
    assert_eq "$(cat "$f")" "$v" "property after the next run"
    assert_no_temps "$REG/app1"
  done
  report registry:set
}

@test "kill -9 during helpers:set: the config is the old or the new JSON, 0600; the next run leaves no temp file" {
  local ms cfg="$XDG_CONFIG_HOME/docker-credential-dokku/config.json" i p n
  must helpers:set '*.p0.example' gcr
  ms=$(duration_ms helpers:set '*.p1.example' gcr)
  n=$(jq '.helpers | length' "$cfg")
  for i in $(seq 2 $((KILLS + 1))); do
    p="*.p$i.example"
    kill_randomly "$ms" helpers:set "$p" gcr
    jq -e '.helpers | type == "object"' "$cfg" >/dev/null || { echo "not valid JSON: $(cat "$cfg")" >&2; return 1; }
    case $(jq '.helpers | length' "$cfg") in "$n" | $((n + 1))) ;; *) echo "neither old nor new: $(cat "$cfg")" >&2; return 1 ;; esac
    assert_mode "$cfg" 600
    [ "$(count_temps "$XDG_CONFIG_HOME")" -eq 0 ] || TEMPS_SEEN=$((TEMPS_SEEN + 1))
    must helpers:set "$p" gcr
    n=$(jq '.helpers | length' "$cfg")
    assert_eq "$(jq -r --arg p "$p" '.helpers[$p]' "$cfg")" gcr "pattern after the next run"
    assert_no_temps "$XDG_CONFIG_HOME"
  done
  report helpers:set
}

@test "kill -9 during registry:login: config.json old or new and 0600, the keyring holds the old or the new login" {
  create_app app1
  login_app app1 alice "$PW_A"
  local ms f i u p dir
  dir=$(appdir app1)
  f="$dir/config.json"
  ms=$(duration_ms registry:login app1 "$R" bob "$PW_B")
  for i in $(seq 1 "$KILLS"); do
    if [ $((i % 2)) = 0 ]; then u=bob p=$PW_B; else u=alice p=$PW_A; fi
    kill_randomly "$ms" registry:login app1 "$R" "$u" "$p"
    jq -e '.auths | type == "object"' "$f" >/dev/null || { echo "config.json not valid JSON: $(cat "$f")" >&2; return 1; }
    assert_mode "$f" 600
    # the helper the killed login had started runs in its own process group and
    # may still be finishing its store: give it a moment before judging
    local got want_a want_b
    want_a=$(creds_json "$R" alice "$PW_A") want_b=$(creds_json "$R" bob "$PW_B")
    for _ in $(seq 30); do
      got=$(hget "$dir" "$R")
      [ "$got" = "$want_a" ] || [ "$got" = "$want_b" ] && break
      sleep 0.1
    done
    case $got in
      "$want_a" | "$want_b") ;;
      *) echo "keyring holds neither login: $got" >&2; return 1 ;;
    esac
    [ "$(count_temps "$dir")" -eq 0 ] || TEMPS_SEEN=$((TEMPS_SEEN + 1))
    login_app app1 "$u" "$p"
    assert_helper_creds "$dir" "$u" "$p"
    assert_items 1 dokku_scope app1
    assert_no_temps "$dir"
  done
  report registry:login
}

@test "kill -9 during registry:logout: config.json old or new and 0600; logged out after the next run, no temp file" {
  create_app app1
  local ms f i dir
  dir=$(appdir app1)
  f="$dir/config.json"
  login_app app1 alice "$PW_A"
  ms=$(duration_ms registry:logout app1 "$R")
  for i in $(seq 1 "$KILLS"); do
    login_app app1 alice "$PW_A"
    kill_randomly "$ms" registry:logout app1 "$R"
    jq -e '.auths | type == "object"' "$f" >/dev/null || { echo "config.json not valid JSON: $(cat "$f")" >&2; return 1; }
    assert_mode "$f" 600
    [ "$(count_temps "$dir")" -eq 0 ] || TEMPS_SEEN=$((TEMPS_SEEN + 1))
    must registry:logout app1 "$R"
    assert_helper_none "$dir"
    assert_eq "$(cj "$f" '.auths | length')" 0 "auths entries after the next run"
    assert_no_temps "$dir"
  done
  report registry:logout
}

@test "kill -9 during registry:migrate: config.json is the plaintext or the migrated one; the next run finishes it" {
  create_app app1
  local ms f i dir plain
  dir=$(appdir app1)
  f="$dir/config.json"
  # a plaintext docker config, as `docker login` without a helper writes it
  plain=$(jq -cn --arg r "$R" --arg a "$(b64 "alice:$PW_A")" '{auths: {($r): {auth: $a}, "dummy.invalid": {}}}')
  printf '%s\n' "$plain" >"$f"
  ms=$(duration_ms registry:migrate app1)
  for i in $(seq 1 "$KILLS"); do
    printf '%s\n' "$plain" >"$f"
    chmod 0600 "$f"
    kill_randomly "$ms" registry:migrate app1
    jq -e '.auths | type == "object"' "$f" >/dev/null || { echo "config.json not valid JSON: $(cat "$f")" >&2; return 1; }
    assert_mode "$f" 600
    case $(cj "$f" '.auths[$r]') in
      "{\"auth\":\"$(b64 "alice:$PW_A")\"}" | '{}') ;;
      *) echo "neither plaintext nor migrated: $(cat "$f")" >&2; return 1 ;;
    esac
    [ "$(count_temps "$dir")" -eq 0 ] || TEMPS_SEEN=$((TEMPS_SEEN + 1))
    must registry:migrate app1
    assert_marker "$f"
    assert_helper_creds "$dir" alice "$PW_A"
    assert_no_temps "$dir"
  done
  report registry:migrate
}
