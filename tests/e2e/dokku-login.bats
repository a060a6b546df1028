#!/usr/bin/env bats
# End-to-end tests of the credential commands of dokku-registry:
# registry:login, registry:logout, registry:auth-status, registry:migrate and
# the app hooks that carry credentials.
#
# Real components only: a private D-Bus with an unlocked gnome-keyring,
# docker-registry with htpasswd (users alice and bob) on 127.0.0.1, the docker
# CLI with no daemon, skopeo. The registry checks the passwords; the keyring
# keeps them through docker-credential-dokku; config.json gets only markers.

bats_require_minimum_version 1.5.0

load dokku-login-helpers

setup_file() {
  drl_setup_file
}

teardown_file() {
  drl_teardown_file
}

setup() {
  drl_setup
}

teardown() {
  drl_teardown
}

DEPRECATED=' !     Deprecated: please use --global flag for global registry login'

# ---------------------------------------------------------------------------
# registry:login: arguments

@test "(login) no arguments: Missing server argument" {
  drr registry:login
  assert_fail 1 "Missing server argument"
}

@test "(login) too few positionals for any form: Missing server argument" {
  create_app app1
  # N=2 without --password-stdin: neither G=3 nor >= P=4
  drr registry:login app1 "$R"
  assert_fail 1 "Missing server argument"
  # N=1 with --password-stdin: neither G=2 nor >= P=3
  drr_in "$PW_A" registry:login --password-stdin "$R"
  assert_fail 1 "Missing server argument"
  assert_no_items
  [ ! -e "$(appdir app1)/config.json" ]
  [ ! -e "$GDIR/config.json" ]
}

@test "(login) --global with only a server: Missing username argument" {
  drr registry:login --global "$R"
  assert_fail 1 "Missing username argument"
}

@test "(login) --global without a password: Missing password argument" {
  drr registry:login --global "$R" alice
  assert_fail 1 "Missing password argument"
  # --password-stdin with an empty (or blank) stdin
  drr_in $' \n' registry:login --global --password-stdin "$R" alice
  assert_fail 1 "Missing password argument"
  assert_no_items
  [ ! -e "$GDIR/config.json" ]
}

@test "(login) missing app exits 20 and creates nothing" {
  drr registry:login nosuch "$R" alice "$PW_A"
  assert_fail 20 "App nosuch does not exist"
  [ ! -e "$REG/nosuch" ]
  assert_no_items
}

@test "(login) N == G without --global: global login with the deprecation warning" {
  drr registry:login "$R" bob "$PW_B"
  assert_status 0
  assert_stdout ""
  assert_stderr_lines 2
  assert_stderr_line 0 "$DEPRECATED"
  assert_stderr_line 1 " !     Login Succeeded for global registry"
  assert_marker "$GDIR/config.json"
  assert_helper_creds "$GDIR" bob "$PW_B"
  assert_items 1
}

@test "(login) --password-stdin with N == G=2: global login with the deprecation warning" {
  drr_in "$PW_B"$'\n' registry:login --password-stdin "$R" bob
  assert_status 0
  assert_stdout ""
  assert_stderr_lines 2
  assert_stderr_line 0 "$DEPRECATED"
  assert_stderr_line 1 " !     Login Succeeded for global registry"
  assert_helper_creds "$GDIR" bob "$PW_B"
}

@test "(login) --global: no deprecation warning; with stdin the password argument is ignored" {
  drr_in "$PW_B" registry:login --global --password-stdin "$R" bob not-the-password
  assert_status 0
  assert_stdout ""
  assert_stderr " !     Login Succeeded for global registry"
  assert_helper_creds "$GDIR" bob "$PW_B"
}

@test "(login) per-app with --password-stdin (N == P=3), flags between positionals" {
  create_app app1
  drr_in "  $PW_A  "$'\n' registry:login app1 --password-stdin "$R" alice
  assert_status 0
  assert_stdout ""
  assert_stderr " !     Login Succeeded for app1"
  assert_marker "$(appdir app1)/config.json"
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_items 1 dokku_scope app1
}

@test "(login) pitfall: 'login myapp server user' is a global login to the server myapp" {
  create_app myapp
  # 3 arguments without --global are Dokku's deprecated global form:
  # server=myapp, user=docker.io, password=alice
  if [ "$(timeout 3 getent hosts myapp >/dev/null 2>&1; echo $?)" = 124 ]; then
    skip "host name lookups hang here"
  fi
  drr registry:login myapp docker.io alice
  assert_status 1
  assert_stdout ""
  assert_stderr_lines 2
  assert_stderr_line 0 "$DEPRECATED"
  assert_contains "${stderr_lines[1]}" " !     Unable to run docker login: " "stderr line 1"
  assert_contains "${stderr_lines[1]}" myapp "stderr line 1 (names the server 'myapp')"
  # nothing was treated as a per-app login, nothing stored anywhere
  [ ! -e "$(appdir myapp)/config.json" ]
  [ ! -e "$GDIR/config.json" ]
  assert_no_items
}

@test "(login) hub.docker.com and docker.com are logins to Docker Hub (registry-1.docker.io)" {
  if [ "$(timeout 3 getent hosts registry-1.docker.io >/dev/null 2>&1; echo $?)" = 124 ]; then
    skip "host name lookups hang here"
  fi
  local server
  for server in hub.docker.com docker.com; do
    drr_timeout 30 registry:login --global "$server" bob "$PW_B"
    [ "$status" -ne 124 ] || skip "login to Docker Hub hangs here"
    assert_status 1
    assert_stdout ""
    assert_matches "$stderr" '^ !     Unable to run docker login: ' "stderr for $server"
    assert_contains "$stderr" registry-1.docker.io "stderr for $server"
  done
  [ ! -e "$GDIR/config.json" ]
  assert_no_items
}

# ---------------------------------------------------------------------------
# registry:login: the registry checks the credentials (libcurl, no daemon)

@test "(login) wrong password: refused, exit 1, nothing stored, config.json untouched" {
  create_app app1
  seed_config "$GDIR/config.json"
  cp "$GDIR/config.json" "$BATS_TEST_TMPDIR/global.before"
  drr registry:login app1 "$R" alice "not-$PW_A"
  assert_status 1
  assert_stdout ""
  assert_stderr_lines 1
  assert_contains "$stderr" " !     Unable to run docker login: " stderr
  [ "${stderr#" !     Unable to run docker login: "}" != "$stderr" ] || {
    echo "stderr does not start with the prefix: $stderr" >&2; return 1; }
  assert_matches "$stderr" 'refused|unauthorized|401' stderr
  assert_not_contains "$stderr" "$PW_A" stderr
  drr registry:login --global "$R" bob "not-$PW_B"
  assert_status 1
  assert_matches "$stderr" '^ !     Unable to run docker login: .*(refused|unauthorized|401)' stderr
  assert_no_items
  [ ! -e "$(appdir app1)/config.json" ]
  cmp "$GDIR/config.json" "$BATS_TEST_TMPDIR/global.before"
  assert_no_secret_on_disk alice "not-$PW_A"
}

@test "(login) unknown user: refused, nothing stored" {
  drr registry:login --global "$R" mallory "$PW_A"
  assert_status 1
  assert_matches "$stderr" '^ !     Unable to run docker login: .*(refused|unauthorized|401)' stderr
  assert_no_items
  [ ! -e "$GDIR/config.json" ]
}

@test "(login) registry down: exit 1, says it cannot reach it, nothing stored" {
  create_app app1
  local port
  port=$(free_port)
  drr registry:login app1 "127.0.0.1:$port" alice "$PW_A"
  assert_status 1
  assert_stdout ""
  assert_matches "$stderr" '^ !     Unable to run docker login: ' stderr
  assert_matches "$stderr" "reach|connect" stderr
  assert_contains "$stderr" "127.0.0.1:$port" stderr
  assert_no_items
  [ ! -e "$(appdir app1)/config.json" ]
}

@test "(login) global, DOCKER_CONFIG unset: \$DOKKU_ROOT/.docker/config.json gets the marker; keyring holds the secret" {
  drr registry:login --global "$R" bob "$PW_B"
  assert_status 0
  assert_stdout ""
  assert_stderr " !     Login Succeeded for global registry"
  assert_marker "$DOKKU_ROOT/.docker/config.json"
  assert_eq "$(cj "$DOKKU_ROOT/.docker/config.json" '.auths | keys')" "[\"$R\"]" "auths keys"
  assert_helper_creds "$DOKKU_ROOT/.docker" bob "$PW_B"
  assert_items 1 server "$R" username bob
  assert_no_secret_on_disk bob "$PW_B"
}

@test "(login) global, DOCKER_CONFIG set: that dir gets the marker, \$DOKKU_ROOT/.docker is not used" {
  use_docker_config
  seed_config "$DOCKER_CONFIG/config.json"
  drr registry:login --global "$R" bob "$PW_B"
  assert_status 0
  assert_stderr " !     Login Succeeded for global registry"
  assert_marker "$DOCKER_CONFIG/config.json"
  assert_seed_kept "$DOCKER_CONFIG/config.json"
  [ ! -e "$DOKKU_ROOT/.docker" ]
  assert_helper_creds "$DOCKER_CONFIG" bob "$PW_B"
  assert_no_secret_on_disk bob "$PW_B"
  # the old plaintext entry for the registry was replaced by the marker
  assert_no_secret_on_disk alice old-password
}

@test "(login) per-app: marker in config/registry/<app>/config.json, 0600, other keys kept, no secret on disk" {
  create_app app1
  local f
  f="$(appdir app1)/config.json"
  seed_config "$f"
  drr registry:login app1 "$R" alice "$PW_A"
  assert_status 0
  assert_stdout ""
  assert_stderr " !     Login Succeeded for app1"
  assert_not_contains "$stderr" "$PW_A" stderr
  assert_marker "$f"
  assert_seed_kept "$f"
  assert_eq "$(cj "$f" '.auths | keys')" "[\"$R\",\"other.example.com\"]" "auths keys"
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_items 1 dokku_scope app1
  # the global config was not touched
  [ ! -e "$GDIR/config.json" ]
  assert_no_secret_on_disk alice "$PW_A"
  assert_no_secret_on_disk alice old-password
}

@test "(login) per-app creates a missing registry dir (0700) for an existing app" {
  mkdir "$DOKKU_ROOT/app1" # post-create never ran
  [ ! -e "$(appdir app1)" ]
  drr registry:login app1 "$R" alice "$PW_A"
  assert_status 0
  assert_stderr " !     Login Succeeded for app1"
  assert_mode "$(appdir app1)" 700
  assert_marker "$(appdir app1)/config.json"
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
}

@test "(login) --insecure is accepted" {
  create_app app1
  drr registry:login --insecure app1 "$R" alice "$PW_A"
  assert_status 0
  assert_stderr " !     Login Succeeded for app1"
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
}

@test "(login) logging in again replaces the entry (one item per scope)" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_app app1 bob "$PW_B"
  assert_helper_creds "$(appdir app1)" bob "$PW_B"
  assert_items 1 dokku_scope app1
  assert_items 1
}

@test "(login) locked keyring: exit 1, says locked, no marker written" {
  create_app app1
  seed_config "$GDIR/config.json"
  cp "$GDIR/config.json" "$BATS_TEST_TMPDIR/global.before"
  lock_keyring
  drr registry:login app1 "$R" alice "$PW_A"
  assert_status 1
  assert_stdout ""
  assert_contains "$stderr" locked stderr
  [ ! -e "$(appdir app1)/config.json" ]
  drr registry:login --global "$R" bob "$PW_B"
  assert_status 1
  assert_contains "$stderr" locked stderr
  cmp "$GDIR/config.json" "$BATS_TEST_TMPDIR/global.before"
  assert_eq "$(cj "$GDIR/config.json" '.credsStore // "none"')" '"none"' credsStore
  assert_eq "$(dr_collection_locked /org/freedesktop/secrets/collection/login)" true "still locked"
}

# ---------------------------------------------------------------------------
# per-app and global logins are separate keyring entries

@test "(scopes) app1=alice, global=bob: the helper answers per config dir, each dir its own logins only" {
  create_app app1
  create_app app2
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  assert_items 2 server "$R"
  assert_items 1 dokku_scope app1
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_helper_creds "$GDIR" bob "$PW_B"
  # app2 has no login of its own: Dokku gives docker the global dir for it
  # (computed-auth-servers), and its own dir holds nothing
  assert_helper_none "$(appdir app2)"
  assert_json app2 computed-auth-servers "$R"
  assert_json app1 computed-auth-servers "$R"
  # the two config files each have their marker
  assert_marker "$(appdir app1)/config.json"
  assert_marker "$GDIR/config.json"
  [ ! -e "$(appdir app2)/config.json" ]
  assert_no_secret_on_disk alice "$PW_A"
  assert_no_secret_on_disk bob "$PW_B"
}

@test "(scopes) an app with logins of its own never gets the global ones: helper, report, auth-status and pull secret agree" {
  local other=localhost:${R##*:}
  create_app app1
  create_app app2
  login_app app1 alice "$PW_A"
  # a global login for another registry (the same registry under another
  # name: the helper keys entries by host)
  must registry:login --global "$other" bob "$PW_B"
  # app1's dir: its own registry only, nothing of the global one
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  run hget "$(appdir app1)" "$other"
  assert_eq "$status:$output" "1:$NOT_FOUND" "helper get of the global registry in app1's dir"
  run env DOCKER_CONFIG="$(appdir app1)" "$H" list
  assert_eq "$(jq -c 'keys' <<<"$output")" "[\"$R\"]" "helper list in app1's dir"
  assert_json app1 computed-auth-servers "$R"
  drr registry:auth-status app1 "$other" bob "$PW_B"
  assert_status 1
  drr registry:k8s:pull-secret app1
  assert_status 0
  assert_eq "$(jq -r '.data[".dockerconfigjson"]' <<<"$output" | base64 -d | jq -c '.auths | keys')" "[\"$R\"]" "app1's pull secret"
  # app2, without logins of its own, gets the global ones everywhere
  assert_json app2 computed-auth-servers "$other"
  drr registry:k8s:pull-secret app2
  assert_status 0
  assert_eq "$(jq -r '.data[".dockerconfigjson"]' <<<"$output" | base64 -d | jq -r --arg o "$other" '.auths[$o].username')" bob "app2's pull secret"
}

@test "(scopes) a global login for the same registry and user keeps the app's login, and back" {
  create_app app1
  # the app first, no global entry yet: the global login must not replace it
  # (the registry knows one password per user, so the items are counted)
  login_app app1 alice "$PW_A"
  login_global alice "$PW_A"
  assert_items 2 server "$R"
  assert_items 1 dokku_scope app1
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 0
  drr registry:auth-status --global "$R" alice "$PW_A"
  assert_status 0
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_helper_creds "$GDIR" alice "$PW_A"
  # logging the global scope out leaves the app able to authenticate
  must registry:logout --global "$R"
  assert_items 1 dokku_scope app1
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 0
  # and the other way: an app login and logout leave the global login alone
  login_global alice "$PW_A"
  must registry:logout app1 "$R"
  login_app app1 alice "$PW_A"
  must registry:logout app1 "$R"
  assert_items 1 server "$R"
  assert_items 0 dokku_scope app1
  assert_helper_creds "$GDIR" alice "$PW_A"
}

@test "(scopes) skopeo (credHelpers, DOCKER_CONFIG = app dir) pulls with the app's own login" {
  create_app app1
  create_app app2
  login_app app1 alice "$PW_A"
  # a global entry that the registry would refuse: using it must fail
  mkdir -p "$GDIR"
  hstore "$GDIR" "$R" bob "wrong-$PW_B"
  # app2 uses the helper but has no login of its own -> the bad global entry
  printf '{"credHelpers":{"%s":"dokku"}}\n' "$R" >"$(appdir app2)/config.json"
  local a1 a2
  a1=$(appdir app1)
  a2=$(appdir app2)
  run env DOCKER_CONFIG="$a1" skopeo inspect --tls-verify=false --authfile "$a1/config.json" \
    --format '{{.Name}}' "docker://$R/$IMAGE"
  assert_status 0
  assert_eq "$output" "$R/${IMAGE%:*}" "skopeo inspect Name"
  run env DOCKER_CONFIG="$a2" skopeo inspect --tls-verify=false --authfile "$a2/config.json" \
    --format '{{.Name}}' "docker://$R/$IMAGE"
  [ "$status" -ne 0 ] || { echo "skopeo with app2 (global bad creds) succeeded: $output" >&2; return 1; }
  assert_matches "$output" 'unauthorized|authentication required|401' "skopeo output"
}

@test "(scopes) the scope comes from the config dir alone: DOCKER_CREDENTIAL_DOKKU_SCOPE_ONLY changes nothing" {
  # an old variable the helper has not read since an app's dir stopped
  # falling back to the global entries: set or not, the answers are the same
  local other=localhost:${R##*:} v
  create_app app1
  login_app app1 alice "$PW_A"
  must registry:login --global "$other" bob "$PW_B"
  for v in unset 1 0; do
    local env=()
    [ "$v" = unset ] || env=(DOCKER_CREDENTIAL_DOKKU_SCOPE_ONLY="$v")
    assert_helper_creds "$(appdir app1)" alice "$PW_A" "${env[@]}"
    run hget "$(appdir app1)" "$other" "${env[@]}"
    assert_eq "$status:$output" "1:$NOT_FOUND" "helper get of the global registry in app1's dir ($v)"
    run env DOCKER_CONFIG="$(appdir app1)" "${env[@]}" "$H" list
    assert_eq "$(jq -c 'keys' <<<"$output")" "[\"$R\"]" "helper list in app1's dir ($v)"
    run env DOCKER_CONFIG="$GDIR" "${env[@]}" "$H" list
    assert_eq "$(jq -c 'keys' <<<"$output")" "[\"$other\"]" "helper list in the global dir ($v)"
  done
}

@test "(scopes) the helper derives the app from 'docker --config DIR' (DOCKER_CONFIG unset)" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  [ -z "${DOCKER_CONFIG:-}" ]
  # no -u: docker asks the helper (get) for stored credentials and says whose
  # they are; then it needs a daemon (there is none) and a TTY, so it fails
  run docker --config "$(appdir app1)" login "$R" </dev/null
  assert_contains "$output" "Authenticating with existing credentials... [Username: alice]" "docker output (app1)"
  case $output in
    *"Username: bob"*) echo "docker got bob's login for app1: $output" >&2; return 1 ;;
  esac
  run docker --config "$GDIR" login "$R" </dev/null
  assert_contains "$output" "Authenticating with existing credentials... [Username: bob]" "docker output (global)"
  # docker stored the credentials again after its failed login: through the
  # same derived scope, so the global entry is still bob's
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_helper_creds "$GDIR" bob "$PW_B"
  assert_items 2 server "$R"
  assert_items 1 dokku_scope app1
}

@test "(scopes) 'docker --config DIR' wins over an inherited DOCKER_CONFIG, as in docker itself" {
  # docker: "If both are specified, then the --config option overrides the
  # DOCKER_CONFIG environment variable". The global config lives in
  # $DOCKER_CONFIG (a supported set-up), and Dokku pushes an app's image with
  # `docker --config <app dir> image push`: the helper that docker
  # runs must answer for the app, not for the inherited DOCKER_CONFIG.
  use_docker_config
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  run docker --config "$(appdir app1)" login "$R" </dev/null
  assert_contains "$output" "Authenticating with existing credentials... [Username: alice]" "docker output (app1)"
}

# ---------------------------------------------------------------------------
# registry:logout

@test "(logout) no arguments / --global alone: Missing server argument" {
  drr registry:logout
  assert_fail 1 "Missing server argument"
  drr registry:logout --global
  assert_fail 1 "Missing server argument"
}

@test "(logout) missing app exits 20; an app without a registry dir: No registry credentials found" {
  drr registry:logout nosuch "$R"
  assert_fail 20 "App nosuch does not exist"
  mkdir "$DOKKU_ROOT/app7" # an app, but post-create never ran
  drr registry:logout app7 "$R"
  assert_fail 1 "No registry credentials found for app app7"
}

@test "(logout) per-app: silent, the app's entry and marker go, global entry and other keys stay" {
  create_app app1
  seed_config "$(appdir app1)/config.json"
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  drr registry:logout app1 "$R"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  local f
  f="$(appdir app1)/config.json"
  assert_no_marker "$f"
  assert_eq "$(cj "$f" .credsStore)" '"dokku"' credsStore
  assert_seed_kept "$f"
  assert_items 0 dokku_scope app1
  assert_items 1 server "$R"
  assert_helper_none "$(appdir app1)"
  # the app's auths is not empty (other.example.com's plaintext entry), so
  # Dokku keeps giving docker its dir, where this registry has no login now:
  # not the global one (and credsStore hides that plaintext entry from docker)
  assert_helper_none "$(appdir app1)"
  assert_json app1 computed-auth-servers ""
  assert_helper_creds "$GDIR" bob "$PW_B"
  assert_marker "$GDIR/config.json"
}

@test "(logout) one positional is a global logout, with no warning; the app entry stays" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  drr registry:logout "$R"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  assert_no_marker "$GDIR/config.json"
  assert_eq "$(cj "$GDIR/config.json" .credsStore)" '"dokku"' credsStore
  assert_helper_none "$GDIR"
  assert_items 1
  assert_items 1 dokku_scope app1
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_marker "$(appdir app1)/config.json"
}

@test "(logout) --global with DOCKER_CONFIG set; extra arguments ignored; logging out twice is fine" {
  use_docker_config
  seed_config "$DOCKER_CONFIG/config.json"
  login_global bob "$PW_B"
  drr registry:logout --global "$R"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  assert_no_marker "$DOCKER_CONFIG/config.json"
  assert_seed_kept "$DOCKER_CONFIG/config.json"
  assert_items 0
  [ ! -e "$DOKKU_ROOT/.docker" ]
  drr registry:logout --global "$R"
  assert_status 0
  assert_stderr ""
  # per-app form: extra arguments are ignored
  create_app app1
  login_app app1 alice "$PW_A"
  drr registry:logout app1 "$R" extra args
  assert_status 0
  assert_items 0
  assert_no_marker "$(appdir app1)/config.json"
}

@test "(logout) hub.docker.com means docker.io (https://index.docker.io/v1/)" {
  mkdir -p "$GDIR"
  hstore "$GDIR" https://index.docker.io/v1/ hubuser hub-pw
  printf '{"credsStore":"dokku","auths":{"https://index.docker.io/v1/":{}}}\n' >"$GDIR/config.json"
  drr registry:auth-status --global docker.io hubuser hub-pw
  assert_status 0
  drr registry:auth-status --global hub.docker.com hubuser hub-pw
  assert_status 0
  drr registry:logout --global hub.docker.com
  assert_status 0
  assert_stderr ""
  assert_eq "$(jq -c .auths "$GDIR/config.json")" '{}' auths
  assert_items 0
}

# ---------------------------------------------------------------------------
# registry:auth-status

@test "(auth-status) 0 on a match: user and password, the password also on stdin; no output" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  local args
  for args in "app1 $R alice $PW_A" "--global $R bob $PW_B" "$R --global bob $PW_B"; do
    # shellcheck disable=SC2086
    drr registry:auth-status $args
    assert_status 0
    assert_stdout ""
    assert_stderr ""
  done
  # stdin is trimmed, as registry:login trims it
  drr_in "$PW_A"$'\n' registry:auth-status --password-stdin app1 "$R" alice
  assert_status 0
  assert_stdout ""
  assert_stderr ""
}

@test "(auth-status) 2 when it differs: wrong user, wrong password (also on stdin); no output" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  drr registry:auth-status app1 "$R" bob "$PW_B"
  assert_status 2
  assert_stdout ""
  assert_stderr ""
  drr registry:auth-status app1 "$R" alice "$PW_B"
  assert_status 2
  assert_stdout ""
  drr registry:auth-status --global "$R" alice "$PW_B"
  assert_status 2
  drr_in "not-$PW_A" registry:auth-status --password-stdin app1 "$R" alice
  assert_status 2
  assert_stdout ""
  assert_stderr ""
}

@test "(auth-status) no username asks that nothing is stored: 0 when nothing is, 2 when something is, never 1 (0.38.29)" {
  create_app app1
  drr registry:auth-status app1 "$R"
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  drr registry:auth-status --global "$R"
  assert_status 0
  login_app app1 alice "$PW_A"
  drr registry:auth-status app1 "$R"
  assert_status 2
  assert_stdout ""
  assert_stderr ""
  # the global check still sees nothing; the app's login is not global
  drr registry:auth-status --global "$R"
  assert_status 0
  # a plaintext entry, another helper's marker: something is stored
  mkdir -p "$GDIR"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(b64 carol:carol-pw)" >"$GDIR/config.json"
  drr registry:auth-status --global "$R"
  assert_status 2
  assert_stderr ""
  printf '{"auths":{"%s":{}},"credHelpers":{"%s":"secretservice"}}\n' "$R" "$R" >"$GDIR/config.json"
  drr registry:auth-status --global "$R"
  assert_status 2
  assert_stderr ""
}

@test "(auth-status) 1 when nothing is stored; a per-app check does not fall back to global" {
  create_app app1
  create_app app2
  drr registry:auth-status --global "$R" bob "$PW_B"
  assert_status 1
  assert_stdout ""
  assert_stderr ""
  login_global bob "$PW_B"
  drr registry:auth-status app2 "$R" bob "$PW_B"
  assert_status 1
  assert_stdout ""
  # app2 uses the helper (marker and all) but has no keyring entry of its own
  printf '{"credsStore":"dokku","credHelpers":{"%s":"dokku"},"auths":{"%s":{}}}\n' "$R" "$R" \
    >"$(appdir app2)/config.json"
  drr registry:auth-status app2 "$R" bob "$PW_B"
  assert_status 1
  assert_stdout ""
  assert_stderr ""
  drr registry:auth-status app2 "$R"
  assert_status 0
  # another server
  drr registry:auth-status --global other.example.com bob "$PW_B"
  assert_status 1
}

@test "(auth-status) 3 for invalid arguments, 20 for a missing app" {
  create_app app1
  login_app app1 alice "$PW_A"
  drr registry:auth-status app1
  assert_status 3
  assert_stdout ""
  drr registry:auth-status --global
  assert_status 3
  drr registry:auth-status
  assert_status 3
  # the implicit-global form is not accepted (the server is taken as an app)
  drr registry:auth-status "$R" bob
  assert_status 3
  # a user is only ever compared together with a password
  drr registry:auth-status app1 "$R" alice
  assert_status 3
  assert_stdout ""
  assert_stderr " !     Missing password argument"
  drr_in $' \n' registry:auth-status --password-stdin app1 "$R" alice
  assert_status 3
  assert_stderr " !     Missing password argument"
  # pflag's usage and error for a bad flag, with the "invalid arguments" code
  drr registry:auth-status --bogus app1 "$R"
  assert_status 3
  assert_stdout ""
  assert_stderr "$(printf '%s\n' 'Usage of registry:auth-status:' \
    '      --global           --global: check the global credentials instead of per-app' \
    '      --password-stdin   --password-stdin: read password from stdin' \
    'unknown flag: --bogus')"
  drr registry:auth-status nosuch "$R"
  assert_status 20
  assert_stdout ""
  assert_stderr " !     App nosuch does not exist"
}

@test "(auth-status) 4 with the reason on stderr: another helper, identity token, no password; a differing user is still 2" {
  create_app app1
  local f
  f="$(appdir app1)/config.json"
  printf '{"auths":{"%s":{}},"credHelpers":{"%s":"secretservice"}}\n' "$R" "$R" >"$f"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stdout ""
  assert_stderr " !     Unable to compare the credential for $R: the secretservice credential helper holds it"
  # credsStore counts like credHelpers
  printf '{"auths":{"%s":{"auth":"%s"}},"credsStore":"pass"}\n' "$R" "$(b64 "alice:$PW_A")" >"$f"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stderr " !     Unable to compare the credential for $R: the pass credential helper holds it"
  printf '{"auths":{"%s":{"auth":"%s","identitytoken":"opaque-token"}}}\n' "$R" "$(b64 alice:)" >"$f"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stdout ""
  assert_stderr " !     Unable to compare the credential for $R: it is stored as an identity token"
  drr registry:auth-status app1 "$R" bob "$PW_B"
  assert_status 2
  assert_stderr ""
  printf '{"auths":{"%s":{}}}\n' "$R" >"$f"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stderr " !     Unable to compare the credential for $R: no password is stored for it"
  # an identity token kept by our own helper (username <token>)
  hstore "$(appdir app1)" "$R" '<token>' opaque-token
  printf '{"credsStore":"dokku","auths":{"%s":{}}}\n' "$R" >"$f"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stdout ""
  assert_stderr " !     Unable to compare the credential for $R: it is stored as an identity token"
  # the reasons never carry the password or the token
  assert_not_contains "$stderr" "$PW_A"
  assert_not_contains "$stderr" opaque-token
}

@test "(auth-status) plaintext entries are compared directly: auth, username/password fields, legacy keys" {
  create_app app1
  local f
  f="$(appdir app1)/config.json"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(b64 carol:carol:pw)" >"$f"
  drr registry:auth-status app1 "$R" carol carol:pw
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  drr registry:auth-status app1 "$R" carol other
  assert_status 2
  drr registry:auth-status app1 "$R" dave carol:pw
  assert_status 2
  printf '{"auths":{"%s":{"username":"carol","password":"carol-pw"}}}\n' "$R" >"$f"
  drr registry:auth-status app1 "$R" carol carol-pw
  assert_status 0
  drr registry:auth-status app1 "$R" carol nope
  assert_status 2
  # a global plaintext entry under DOCKER_CONFIG, filed under a legacy key
  use_docker_config
  printf '{"auths":{"http://%s/v2/":{"auth":"%s"}}}\n' "$R" "$(b64 carol:carol-pw)" >"$DOCKER_CONFIG/config.json"
  drr registry:auth-status --global "$R" carol carol-pw
  assert_status 0
  assert_stdout ""
}

@test "(auth-status) a config.json that is not JSON: 4, Unable to parse the docker config" {
  create_app app1
  printf '{"auths":' >"$(appdir app1)/config.json"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 4
  assert_stdout ""
  assert_contains "$stderr" " !     Unable to parse the docker config for $R: "
}

# ---------------------------------------------------------------------------
# registry:migrate

@test "(migrate) per-app: a real plaintext docker login moves into the keyring" {
  create_app app1
  plain_docker_login "$BATS_TEST_TMPDIR/plain" alice "$PW_A"
  local f
  f="$(appdir app1)/config.json"
  cp "$BATS_TEST_TMPDIR/plain/config.json" "$f"
  drr registry:migrate app1
  assert_status 0
  assert_stdout "-----> Migrated $R (alice) into the keyring"
  assert_stderr ""
  assert_marker "$f"
  assert_eq "$(cj "$f" '.auths["dummy.invalid"]')" '{}' "other auths entry"
  assert_eq "$(grep -c -F "$(b64 "alice:$PW_A")" "$f")" 0 "base64 left in $f"
  assert_items 1 dokku_scope app1
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  drr registry:auth-status app1 "$R" alice "$PW_A"
  assert_status 0
  rm -rf "$BATS_TEST_TMPDIR/plain"
  assert_no_secret_on_disk alice "$PW_A"
}

@test "(migrate) --global, DOCKER_CONFIG unset and set" {
  plain_docker_login "$DOKKU_ROOT/.docker" bob "$PW_B"
  drr registry:migrate --global
  assert_status 0
  assert_stdout "-----> Migrated $R (bob) into the keyring"
  assert_marker "$DOKKU_ROOT/.docker/config.json"
  assert_helper_creds "$DOKKU_ROOT/.docker" bob "$PW_B"
  assert_no_secret_on_disk bob "$PW_B"
  drr registry:auth-status --global "$R" bob "$PW_B"
  assert_status 0
  # now with an explicit DOCKER_CONFIG (the same user and registry again)
  dr_keyring_clear
  use_docker_config
  plain_docker_login "$DOCKER_CONFIG" alice "$PW_A"
  drr registry:migrate --global
  assert_status 0
  assert_stdout "-----> Migrated $R (alice) into the keyring"
  assert_marker "$DOCKER_CONFIG/config.json"
  assert_helper_creds "$DOCKER_CONFIG" alice "$PW_A"
  assert_no_secret_on_disk alice "$PW_A"
  assert_items 1
}

@test "(migrate) nothing to migrate: =====> No plaintext credentials in <path>, exit 0" {
  create_app app1
  login_app app1 alice "$PW_A"
  local f
  f="$(appdir app1)/config.json"
  cp "$f" "$BATS_TEST_TMPDIR/before"
  drr registry:migrate app1
  assert_status 0
  assert_stdout "=====> No plaintext credentials in $f"
  assert_stderr ""
  cmp "$f" "$BATS_TEST_TMPDIR/before"
  use_docker_config
  printf '{"credsStore":"dokku"}\n' >"$DOCKER_CONFIG/config.json"
  drr registry:migrate --global
  assert_status 0
  assert_stdout "=====> No plaintext credentials in $DOCKER_CONFIG/config.json"
}

@test "(migrate) missing app exits 20" {
  drr registry:migrate nosuch
  assert_fail 20 "App nosuch does not exist"
}

@test "(migrate) locked keyring: exit 1, config.json byte-for-byte unchanged" {
  create_app app1
  plain_docker_login "$BATS_TEST_TMPDIR/plain" alice "$PW_A"
  local f
  f="$(appdir app1)/config.json"
  cp "$BATS_TEST_TMPDIR/plain/config.json" "$f"
  cp "$f" "$BATS_TEST_TMPDIR/before"
  lock_keyring
  drr registry:migrate app1
  assert_status 1
  assert_stdout ""
  assert_contains "$stderr" locked stderr
  cmp "$f" "$BATS_TEST_TMPDIR/before"
}

@test "(migrate) the failure message names the helper intact (no garbled text)" {
  create_app app1
  plain_docker_login "$BATS_TEST_TMPDIR/plain" alice "$PW_A"
  cp "$BATS_TEST_TMPDIR/plain/config.json" "$(appdir app1)/config.json"
  lock_keyring
  drr registry:migrate app1
  assert_status 1
  assert_stderr_lines 1
  assert_contains "$stderr" " !     Unable to migrate " stderr
  assert_contains "$stderr" "docker-credential-dokku store failed" stderr
}

# ---------------------------------------------------------------------------
# app hooks carry the credentials

@test "(hooks) post-app-rename-setup moves the app's login to the new name" {
  create_app app1
  login_app app1 alice "$PW_A"
  login_global bob "$PW_B"
  create_app app3 # apps:rename creates the new app first
  drr post-app-rename-setup app1 app3
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  [ ! -e "$(appdir app1)" ]
  assert_marker "$(appdir app3)/config.json"
  assert_helper_creds "$(appdir app3)" alice "$PW_A"
  assert_items 0 dokku_scope app1
  assert_items 1 dokku_scope app3
  assert_helper_creds "$GDIR" bob "$PW_B"
  assert_items 2
  drr registry:auth-status app3 "$R" alice "$PW_A"
  assert_status 0
  # apps:rename then destroys the old app: a no-op that keeps app3's login
  drr post-delete app1
  assert_status 0
  assert_items 1 dokku_scope app3
}

@test "(hooks) post-app-clone-setup: both apps have the login, the clone has no tag-version" {
  create_app app1
  login_app app1 alice "$PW_A"
  write_prop app1 tag-version 7
  mkdir "$DOKKU_ROOT/app5"
  drr post-app-clone-setup app1 app5
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_helper_creds "$(appdir app5)" alice "$PW_A"
  assert_items 1 dokku_scope app1
  assert_items 1 dokku_scope app5
  assert_marker "$(appdir app5)/config.json"
  [ ! -e "$(appdir app5)/tag-version" ]
  assert_file_content "$(appdir app1)/tag-version" 7
  # separate entries: logging the clone out leaves the original logged in
  drr registry:logout app5 "$R"
  assert_status 0
  assert_helper_creds "$(appdir app1)" alice "$PW_A"
  assert_items 0 dokku_scope app5
}

@test "(hooks) post-delete erases the app's keyring entries and dir, keeps the global entry" {
  create_app app1
  create_app app2
  login_app app1 alice "$PW_A"
  login_app app2 alice "$PW_A"
  login_global bob "$PW_B"
  # a second registry entry of app1 (the helper, as docker would store it)
  hstore "$(appdir app1)" other.example.com alice other-pw
  assert_items 2 dokku_scope app1
  drr post-delete app1
  assert_status 0
  assert_stdout ""
  assert_stderr ""
  [ ! -e "$(appdir app1)" ]
  assert_items 0 dokku_scope app1
  assert_items 1 dokku_scope app2
  assert_items 2
  assert_helper_creds "$GDIR" bob "$PW_B"
  assert_helper_creds "$(appdir app2)" alice "$PW_A"
}
