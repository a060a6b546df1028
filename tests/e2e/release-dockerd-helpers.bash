# shellcheck shell=bash
# Variables are shared with the .bats files and with bats itself:
# shellcheck disable=SC2034,SC2154
# The fixture of the push-on-release files that run a real Docker daemon
# (release-dockerd.bats, release-native.bats): load with
# `load release-dockerd-helpers`, then call drd_setup_file, drd_teardown_file,
# drd_setup PREFIX and drd_teardown from the file's own setup functions.
# One dockerd + containerd per file (tests/lib/dockerd.sh) beside
# release-helpers' bus, keyring and docker-registry; every test has its own
# app, PREFIX followed by the test's number, so its local images and
# registry repositories are its own.

load release-helpers
# shellcheck source=../lib/dockerd.sh
source "$BATS_TEST_DIRNAME/../lib/dockerd.sh"

drd_setup_file() {
  rel_setup_file || return 1
  dr_dockerd_start "$REL_DIR/d" || return 1
  # skopeo asks our helper for the registry, with the logins of $DOCKER_CONFIG
  AUTHFILE="$REL_DIR/skopeo-auth.json"
  printf '{"credHelpers":{"%s":"dokku"}}\n' "$DR_REGISTRY" >"$AUTHFILE"
  export AUTHFILE
}

drd_teardown_file() {
  dr_dockerd_stop
  rel_teardown_file
}

# drd_setup PREFIX: a fresh Dokku root, an app PREFIX<test number> ($APP)
# with its image built ($IMAGE_ID), an empty keyring
drd_setup() {
  # a test that stopped the registry and failed must not break the next ones
  if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://$DR_REGISTRY/v2/")" != 401 ]; then
    dr_registry_restart || return 1
  fi
  _dr_dockerd_answers || { echo "dockerd no longer answers" >&2; dr_dockerd_log 20 >&2; return 1; }
  dr_setup || return 1
  unset DOCKER_CONFIG DOCKER_BIN DOKKU_QUIET_OUTPUT
  # one app name per test: its local images and registry repos are its own
  APP="$1$BATS_TEST_NUMBER"
  create_app "$APP" || return 1
  dr_keyring_clear || return 1
  IMAGE_ID=$(build_image "$APP" "release of $APP") || return 1
}

# drd_teardown: what the daemon holds and said, for a test that failed
drd_teardown() {
  if [ "${BATS_TEST_COMPLETED:-}" != 1 ]; then
    docker image ls >&2
    dr_dockerd_log 15 >&2
  fi
}

# ---------------------------------------------------------------------------

ANNOUNCE='-----> Pushing image to registry'

# build_image APP TEXT [REF]: `docker build` of a FROM scratch context holding
# one file, labelled for APP as Dokku labels app images, tagged REF (default
# dokku/APP:latest); prints the image id.
build_image() {
  local ctx
  ctx=$(mktemp -d "$BATS_TEST_TMPDIR/ctx.XXXXXX") || return 1
  printf '%s\n' "$2" >"$ctx/release.txt"
  printf 'FROM scratch\nCOPY release.txt /release.txt\n' >"$ctx/Dockerfile"
  docker build -q --label "com.dokku.app-name=$1" -t "${3:-dokku/$1:latest}" "$ctx" 2>"$ctx.err" || {
    echo "docker build failed: $(cat "$ctx.err")" >&2; return 1; }
}

local_id() { docker image inspect --format '{{.Id}}' "$1"; }

assert_local() { # REF [ID]: REF exists in the daemon (with image id ID)
  local id
  id=$(local_id "$1" 2>&1) || { echo "no local image $1: $id" >&2; return 1; }
  [ -z "${2:-}" ] || assert_eq "$id" "$2" "image id of $1"
}

assert_no_local() { # REF
  local out
  if out=$(docker image inspect "$1" 2>&1); then
    echo "local image $1 still exists" >&2
    return 1
  fi
  assert_contains "$out" "No such image: $1" "docker image inspect $1"
}

# app_refs APP: the daemon's repo:tag names of APP's images, sorted
app_refs() {
  docker image ls --format '{{.Repository}}:{{.Tag}}' |
    awk -v a="$1" '{ n = split($0, p, "/"); if (index(p[n], a ":") == 1) print }' | LC_ALL=C sort
}

# remote DIR ARGS...: skopeo with the registry logins of docker config DIR
# (through docker-credential-dokku)
remote() {
  local dir=$1
  shift
  DOCKER_CONFIG=$dir skopeo --policy "$(dr_policy_file)" "$@"
}

# remote_manifest DIR REF: the raw manifest at REF
remote_manifest() {
  remote "$1" inspect --raw --tls-verify=false --authfile "$AUTHFILE" "docker://$2"
}

# remote_digest DIR REF
remote_digest() {
  remote "$1" inspect --tls-verify=false --authfile "$AUTHFILE" --format '{{.Digest}}' "docker://$2"
}

# remote_tags DIR REPO: the tags in the registry, sorted
remote_tags() {
  remote "$1" list-tags --tls-verify=false --authfile "$AUTHFILE" "docker://$2" |
    jq -r '.Tags[]' | LC_ALL=C sort
}

# assert_remote DIR REF ID: REF is in the registry, its manifest's config is
# the local image ID (so the pushed image is the built one)
assert_remote() {
  local man
  man=$(remote_manifest "$1" "$2") || { echo "not in the registry: $2" >&2; return 1; }
  assert_eq "$(jq -r .config.digest <<<"$man")" "$3" "config digest of $2"
}

# push_out REF STATE: what docker prints on stdout when it pushes REF, the
# one-layer $IMAGE_ID, STATE being "Pushed" or "Layer already exists"; the
# manifest is read back with the logins of $PUSH_DIR
push_out() {
  local ref=$1 state=$2 layer man
  layer=$(docker image inspect --format '{{index .RootFS.Layers 0}}' "$IMAGE_ID") || return 1
  layer=${layer#sha256:}
  man=$(remote_manifest "$PUSH_DIR" "$ref") || return 1
  printf 'The push refers to repository [%s]\n' "${ref%:*}"
  printf '%s: Preparing\n%s: %s\n' "${layer:0:12}" "${layer:0:12}" "$state"
  printf '%s: digest: sha256:%s size: %s\n' "${ref##*:}" \
    "$(printf '%s' "$man" | sha256sum | cut -d' ' -f1)" "$(printf '%s' "$man" | wc -c)"
}

app_login() { # APP USER PASS
  local out
  out=$(printf '%s' "$3" | "$DR_BIN" login --password-stdin "$1" "$DR_REGISTRY" "$2" 2>&1) || {
    echo "login failed: $out" >&2; return 1; }
  assert_eq "$out" " !     Login Succeeded for $1" "login output"
}

global_login() { # USER PASS
  local out
  out=$(printf '%s' "$2" | "$DR_BIN" login --global --password-stdin "$DR_REGISTRY" "$1" 2>&1) || {
    echo "global login failed: $out" >&2; return 1; }
  assert_eq "$out" " !     Login Succeeded for global registry" "global login output"
}

# wrong_secret DIR USER: the keyring keeps a password the registry no longer
# accepts for DIR's login (what a password rotated at the registry looks like)
wrong_secret() {
  jq -cn --arg s "$DR_REGISTRY" --arg u "$2" '{ServerURL:$s,Username:$u,Secret:"rotated-away"}' |
    DOCKER_CONFIG=$1 docker-credential-dokku store
}

refute_contains() { # HAYSTACK NEEDLE WHAT
  [[ "$1" != *"$2"* ]] || { echo "$3: unexpected \"$2\" in: $1" >&2; return 1; }
}
