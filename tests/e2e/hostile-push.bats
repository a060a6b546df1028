#!/usr/bin/env bats
# The daemonless pusher (`dokku-registry push-image`) through a hostile
# registry: tests/lib/hostile-registry.py as a proxy in front of a real
# docker-registry on 127.0.0.1, injecting faults (a stand-in by nature: real
# registries do not misbehave on purpose): impossible
# upload offsets, a trickled final PUT answer, lying blob HEADs, and
# the hostile-server fault tests: 5xx storms, oversized bodies and headers,
# garbage, slow answers, upload Locations off-host and to other schemes, and
# the bounds on stalls and on a blob's time, checked against the worst case
# the README documents. Every test bounds wall time and memory (/usr/bin/time).

bats_require_minimum_version 1.5.0

_HP_BUILD_DIR=${DR_BUILD_DIR:-}
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/images.sh
source "$BATS_TEST_DIRNAME/../lib/images.sh"
# shellcheck source=../lib/registry-tls.sh
source "$BATS_TEST_DIRNAME/../lib/registry-tls.sh"
# shellcheck source=hostile-helpers.bash
source "$BATS_TEST_DIRNAME/hostile-helpers.bash"
[ -n "$_HP_BUILD_DIR" ] && DR_BUILD_DIR=$_HP_BUILD_DIR
DR=dokku-registry

# KiB of RSS one push may use (it holds at most a 1 MiB monolithic blob and
# a 1 MiB response)
RSS_MAX=60000

setup_file() {
  [ -x "$DR_BUILD_DIR/$DR" ] || { echo "# $DR_BUILD_DIR/$DR is not built" >&3; return 1; }
  rt_python >/dev/null || { echo "# no python3: the hostile registry needs one" >&3; return 1; }
  HP_DIR=$(mktemp -d /tmp/dr-hpush.XXXXXX) || return 1
  export HP_DIR
  dr_env_init "$HP_DIR" || return 1
  export PATH="$DR_BUILD_DIR:$PATH"
  PW="pw-$RANDOM$RANDOM"
  export PW
  dr_registry_start alice "$PW" || return 1
  hr_start "$DR_REGISTRY" || return 1
  # 2 layers + config, all monolithic; one 3 MB layer: streamed in its PUT
  dr_img_oci "$HP_DIR/small" 2 100000 v1 || return 1
  SMALL_LAYERS=$DR_IMG_LAYERS SMALL_CONFIG=$DR_IMG_CONFIG
  dr_img_oci "$HP_DIR/big" 1 3000000 v1 tar || return 1
  BIG_LAYERS=$DR_IMG_LAYERS
  export SMALL_LAYERS SMALL_CONFIG BIG_LAYERS
  mkdir -p "$HP_DIR/plain"
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$HR_A" "$(printf 'alice:%s' "$PW" | base64 -w0)" \
    >"$HP_DIR/plain/config.json"
}

teardown_file() {
  rt_stop_all
  dr_env_stop
  [ -n "${HP_DIR:-}" ] && [ -z "${DR_KEEP:-}" ] && rm -rf "$HP_DIR"
  return 0
}

setup() {
  export DOCKER_CONFIG="$HP_DIR/plain"
  # fast failures for the tests; production defaults are documented in the man page
  export DR_REGISTRY_LOW_SPEED_TIME=2 DR_REGISTRY_TIMEOUT=5
  # a blob cache of its own: no test mounts what another pushed
  export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
}

# push IMAGE REPO: push-image through the hostile registry, timed; the
# layers go as they are (--compress none): these faults are about the
# upload of a blob whose digest is known (push-compress.bats does the rest)
push() { timed "$DR" push-image --jobs 1 --compress none "oci:$HP_DIR/$1:v1" "$HR_A/$2:v1"; }

# upstream_has REPO DIGEST: the real registry holds the blob
upstream_has() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' -I -u "alice:$PW" \
    "http://$DR_REGISTRY/v2/$1/blobs/$2")" = 200 ]
}

assert_contains() {
  case "$1" in *"$2"*) return 0 ;; esac
  printf 'expected to find %q in:\n%s\n' "$2" "$1" >&2
  return 1
}

@test "honest proxy: the push arrives, a re-push skips every blob" {
  hr_mode proxy
  push small e2e/h
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "3 uploaded, 0 skipped, 0 mounted"
  push small e2e/h
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "0 uploaded, 3 skipped, 0 mounted"
  assert_bounded 10 "$RSS_MAX"
}

@test "a HEAD 200 with the wrong Content-Length means upload" {
  hr_mode proxy
  push small e2e/len
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  hr_mode head-lie-length
  push small e2e/len
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "3 uploaded, 0 skipped, 0 mounted"
  assert_bounded 10 "$RSS_MAX"
}

@test "a HEAD 200 with another Docker-Content-Digest means upload" {
  hr_mode proxy
  push small e2e/dig
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  hr_mode head-lie-digest
  push small e2e/dig
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "3 uploaded, 0 skipped, 0 mounted"
}

@test "a registry's header text reaches the terminal escaped: a Docker-Content-Digest with ESC and BEL" {
  hr_mode manifest-digest-escape
  push small e2e/esc
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  assert_contains "$output" 'as sha256:\e[2K\e[1Apushed fine\e]0;pwned\x07'
  run ! grep -qP '[\x00-\x08\x0b-\x1f\x7f]' <<<"$output"
}

@test "a blob HEAD redirected to a storage backend: followed without the credentials" {
  hr_mode proxy
  push small e2e/redir
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  hr_mode head-redirect
  push small e2e/redir
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "0 uploaded, 3 skipped, 0 mounted"
  [ "$(hr_log B | jq -r .method | sort | uniq -c | awk '{print $1, $2}')" = "3 HEAD" ]
  hr_b_clean "$PW" "$(printf 'alice:%s' "$PW" | base64 -w0)"
  assert_bounded 10 "$RSS_MAX"
}

@test "a blob up to one chunk goes in its final PUT: POST, then PUT ?digest= with the body" {
  hr_mode proxy
  push big e2e/streamed
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  size=$(stat -c %s "$(dr_img_blob_file "$HP_DIR/big" "$BIG_LAYERS")")
  ups=$(hr_log A | jq -r 'select(.path and (.path | test("/blobs/uploads/"))) | "\(.method) \(.len)"')
  [ "$(grep -c PATCH <<<"$ups")" = 0 ] || { echo "$ups"; false; }
  grep -qx "PUT $size" <<<"$ups" || { echo "$ups"; false; }
  upstream_has e2e/streamed "$BIG_LAYERS"
}

@test "a streamed PUT cut off half-way goes on with PATCHes from where the registry's data ends" {
  hr_mode put-cut
  push big e2e/cut
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  size=$(stat -c %s "$(dr_img_blob_file "$HP_DIR/big" "$BIG_LAYERS")")
  half=$((size / 2))
  hr_log A | jq -r 'select(.event) | .event' | grep -qx "cut the PUT after $half bytes (upstream 202)"
  # after the cut: the session's status, the rest from the half, an empty PUT
  ups=$(hr_log A | jq -r 'select(.path and (.path | test("/blobs/uploads/"))) | "\(.method) \(.len) \(.range)"')
  grep -qx "GET 0 null" <<<"$ups" || { echo "$ups"; false; }
  grep -qx "PATCH $((size - half)) $half-$((size - 1))" <<<"$ups" || { echo "$ups"; false; }
  grep -qx "PUT 0 null" <<<"$ups" || { echo "$ups"; false; }
  upstream_has e2e/cut "$BIG_LAYERS"
  # the image is whole: its layer pulls back with the right digest
  got=$(curl -s -u "alice:$PW" -L "http://$DR_REGISTRY/v2/e2e/cut/blobs/$BIG_LAYERS" | sha256sum | cut -d' ' -f1)
  [ "sha256:$got" = "$BIG_LAYERS" ]
}

@test "an impossible upload offset restarts the session, not blamed on the image" {
  hr_mode range-impossible
  push big e2e/range
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "reported an impossible upload offset (Range \"0-9223372036854775806\")"
  [[ $output != *"is shorter than"* ]]
  [ "$(hr_log A | jq -r 'select(.event) | .event')" = "failed first upload request" ]
  upstream_has e2e/range "$BIG_LAYERS"
  assert_bounded 20 "$RSS_MAX"
}

@test "an upload offset past the blob's end restarts the session" {
  hr_mode range-past-end
  push big e2e/range2
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "reported an impossible upload offset (Range \"0-99999999\")"
  upstream_has e2e/range2 "$BIG_LAYERS"
}

@test "a trickled final PUT answer stalls out under the low-speed limit, then is retried" {
  hr_mode trickle-put
  push small e2e/trickle
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "cannot reach registry $HR_A: transfer stalled (under 1024 bytes/s for 2s)"
  [ "$(hr_log A | jq -r 'select(.event) | .event')" = "trickling the final PUT answer" ]
  # 2 s of trickle + a backoff, not the 15-minute cap of the final PUT
  assert_bounded 15 "$RSS_MAX"
}

@test "5xx storm: blob requests fail with 503 in bursts, the push still arrives" {
  hr_mode storm
  push small e2e/storm
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  assert_contains "$output" "3 uploaded, 0 skipped, 0 mounted"
  assert_contains "$output" "retrying in"
  for b in $SMALL_CONFIG $SMALL_LAYERS; do upstream_has e2e/storm "$b"; done
  assert_bounded 40 "$RSS_MAX"
}

@test "5xx storm on everything: a clear failure at once" {
  hr_mode storm-all
  push small e2e/storm2
  [ "$status" -ne 0 ]
  assert_contains "$output" "registry $HR_A answered GET /v2/ with HTTP 503"
  assert_bounded 10 "$RSS_MAX"
}

@test "a 4 MiB body on an upload start: refused as too large, bounded memory" {
  hr_mode huge-body-post
  push small e2e/huge
  [ "$status" -ne 0 ]
  assert_contains "$output" "response too large from registry $HR_A (over 1048576 bytes)"
  assert_bounded 10 "$RSS_MAX"
}

@test "1 MiB of headers on a blob HEAD: a failure, bounded time and memory" {
  hr_mode huge-headers-head
  push small e2e/hh
  [ "$status" -ne 0 ]
  assert_contains "$output" "response too large from registry $HR_A (a header over libcurl's limit, or out of memory)"
  assert_bounded 10 "$RSS_MAX"
}

@test "garbage instead of HTTP: a clear failure" {
  hr_mode garbage
  push small e2e/garbage
  [ "$status" -ne 0 ]
  assert_contains "$output" "request to registry $HR_A failed: Received HTTP/0.9 when not allowed"
  assert_bounded 10 "$RSS_MAX"
}

@test "a registry that never answers: the request deadline (DR_REGISTRY_TIMEOUT)" {
  hr_mode v2-slow
  DR_REGISTRY_TIMEOUT=1 push small e2e/slow
  [ "$status" -ne 0 ]
  assert_contains "$output" "cannot reach registry $HR_A: timed out after 1s"
  assert_bounded 15 "$RSS_MAX"
}

@test "upload Location on another origin: the blob may go there, the credentials do not" {
  hr_mode location-other
  push small e2e/other
  [ "$status" -ne 0 ]
  assert_contains "$output" "registry $HR_A refused the credentials for repository:e2e/other:pull,push (401 Unauthorized): not here"
  # the blob went to B (a PUT), without the credentials
  hr_log B | jq -r .method | grep -qx PUT
  hr_b_clean "$PW" "$(printf 'alice:%s' "$PW" | base64 -w0)"
  assert_bounded 20 "$RSS_MAX"
}

@test "upload Location with another scheme: refused" {
  hr_mode location-ftp
  push small e2e/ftp
  [ "$status" -ne 0 ]
  assert_contains "$output" "registry $HR_A sent a Location to ftp://127.0.0.1:$HR_B_PORT/v2/e2e/ftp/blobs/uploads/"
  assert_contains "$output" ": not http or https"
  [ -z "$(hr_log B)" ]
}

@test "upload Location on plain http off loopback: refused before connecting" {
  hr_mode location-cleartext
  push small e2e/clear
  [ "$status" -ne 0 ]
  assert_contains "$output" "registry $HR_A sent a Location to http://192.0.2.1/v2/e2e/clear/blobs/uploads/"
  assert_contains "$output" "plain http to a host that is not loopback"
  assert_bounded 10 "$RSS_MAX"
}

# stall_bound N: the documented worst case of a push that ends at its Nth
# stall, from the limits setup() sets: every stalled request ends within
# DR_REGISTRY_LOW_SPEED_TIME + 6 s (libcurl averages the speed over its last
# 5 s, so a body sent just before the stall holds the average up that long);
# the backoffs before the 2nd and 3rd try, 0.5 + 1 s; the cancel of the open
# upload, at most 5 s; 3 s of slack for the rest of the push.
stall_bound() { echo $(($1 * (DR_REGISTRY_LOW_SPEED_TIME + 6) + 2 + 5 + 3)); }

@test "every final PUT answer trickled: the blob gives up at its 2nd stall, one line, within the bound" {
  hr_mode trickle-puts
  timed --separate-stderr "$DR" push-image --jobs 1 --compress none "oci:$HP_DIR/small:v1" "$HR_A/e2e/trickles:v1"
  [ "$status" -eq 1 ] || { echo "$output $stderr"; false; }
  [ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$stderr"; false; }
  assert_contains "$stderr" "giving up on blob sha256:"
  assert_contains "$stderr" " after 2 stalls: cannot reach registry $HR_A: transfer stalled (under 1024 bytes/s for 2s)"
  [ "$(hr_log A | jq -r 'select(.event) | .event' | grep -c 'trickling the final PUT answer')" -eq 2 ]
  assert_bounded "$(stall_bound 2)" "$RSS_MAX"
  run curl -s -o /dev/null -w '%{http_code}' -u "alice:$PW" "http://$DR_REGISTRY/v2/e2e/trickles/manifests/v1"
  [ "$output" = 404 ]
}

@test "the first final PUT of every blob trickled: the push gives up at its 3rd stall, within the bound" {
  hr_mode trickle-put-each
  timed --separate-stderr "$DR" push-image --jobs 1 --compress none "oci:$HP_DIR/small:v1" "$HR_A/e2e/trickle-each:v1"
  [ "$status" -eq 1 ] || { echo "$output $stderr"; false; }
  [ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$stderr"; false; }
  assert_contains "$stderr" "giving up after 3 stalls in this push: cannot reach registry $HR_A: transfer stalled"
  [ "$(hr_log A | jq -r 'select(.event) | .event' | grep -c 'trickling the final PUT answer')" -eq 3 ]
  assert_bounded "$(stall_bound 3)" "$RSS_MAX"
}

@test "a registry that answers every blob request with a slow 503: the blob's deadline (DR_REGISTRY_BLOB_TIMEOUT)" {
  hr_mode slow-503-blobs
  DR_REGISTRY_BLOB_TIMEOUT=2 timed --separate-stderr "$DR" push-image --jobs 1 --compress none \
    "oci:$HP_DIR/small:v1" "$HR_A/e2e/slow503:v1"
  [ "$status" -eq 1 ] || { echo "$output $stderr"; false; }
  [ "$(wc -l <<<"$stderr")" -eq 1 ] || { echo "$stderr"; false; }
  assert_contains "$stderr" "giving up on blob sha256:"
  assert_contains "$stderr" "s (DR_REGISTRY_BLOB_TIMEOUT, plus a second per 64 KiB); the last failure: registry $HR_A answered HEAD of blob"
  # the largest blob (about 100 kB): 2 s + 1.6 s, then the cancel and slack
  assert_bounded 10 "$RSS_MAX"
}
