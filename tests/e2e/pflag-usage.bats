#!/usr/bin/env bats
# pflag's usage output for every subcommand. Dokku's subcommands parse with
# spf13/pflag 1.0.10 and ExitOnError: on a bad flag nothing goes to stdout;
# stderr gets `Usage of registry:<cmd>:`, the flag lines (sorted, help texts
# aligned) and then the error; the exit status is 2. -h/--help print the
# usage and exit 0. The help texts of login, logout, set and report are
# Dokku's own (plugins/registry/src/subcommands/subcommands.go).

bats_require_minimum_version 1.5.0

load dokku-helpers

setup() {
  dr_setup
  create_app app1
}

# usage CMD LINE...: the usage block pflag prints for CMD
usage() {
  local cmd=$1
  shift
  printf '%s\n' "Usage of registry:$cmd:" "$@"
}

USAGE_LOGIN=(
  '      --global           --global: login globally instead of per-app'
  '      --insecure         --insecure: allow http and unverified TLS for this registry'
  '      --password-stdin   --password-stdin: read password from stdin'
)
USAGE_LOGOUT=('      --global   --global: logout globally instead of per-app')
USAGE_SET=('      --global   --global: set a global property')
USAGE_REPORT=('      --format string   format: [ stdout | json ] (default "stdout")')
USAGE_AUTH_STATUS=(
  '      --global           --global: check the global credentials instead of per-app'
  '      --password-stdin   --password-stdin: read password from stdin'
)
USAGE_MIGRATE=('      --global   --global: migrate the global docker config instead of per-app')
USAGE_PUSH=(
  '      --compress string      --compress: uncompressed layers as gzip, zstd or none (default "gzip")'
  '      --compress-level int   --compress-level: compression level (gzip 1-12, zstd 1-19)'
  '      --from string          --from: push this image (oci:DIR[:REF], docker-archive:FILE[:REF], docker-daemon:NAME[:TAG])'
  '      --insecure             --insecure: allow plain http and unverified TLS'
  '      --jobs int             --jobs: parallel blob uploads (default 4)'
  '      --quiet                --quiet: print errors only'
)
USAGE_PUSH_IMAGE=(
  '      --compress string      --compress: uncompressed layers as gzip, zstd or none (default "gzip")'
  '      --compress-level int   --compress-level: compression level (gzip 1-12, zstd 1-19)'
  '      --config dir           --config: docker config dir with the credentials'
  '      --insecure             --insecure: allow plain http and unverified TLS'
  '      --jobs int             --jobs: parallel blob uploads (default 4)'
  '      --quiet                --quiet: print errors only'
)
USAGE_DOCTOR=(
  '      --format string   format: [ stdout | json ] (default "stdout")'
  '      --network         --network: also log in to every registry with the stored credentials'
)

# assert_bad_flag STATUS EXPECTED_STDERR CMD ARGS...
assert_bad_flag() {
  local want_status=$1 want_stderr=$2
  shift 2
  dr "$@"
  assert_status "$want_status"
  assert_stdout ""
  assert_stderr "$want_stderr"
}

@test "(pflag) registry:login: Dokku's two help texts (and ours for --insecure), sorted, aligned" {
  assert_bad_flag 2 "$(usage login "${USAGE_LOGIN[@]}"; echo 'unknown flag: --bogus')" \
    registry:login --bogus app1 docker.io user pw
  [ ! -e "$REG/app1/config.json" ]
}

@test "(pflag) registry:logout, registry:set: Dokku's help texts" {
  assert_bad_flag 2 "$(usage logout "${USAGE_LOGOUT[@]}"; echo 'unknown flag: --bogus')" \
    registry:logout app1 --bogus docker.io
  assert_bad_flag 2 "$(usage set "${USAGE_SET[@]}"; echo 'unknown flag: --bogus')" \
    registry:set app1 server ghcr.io --bogus
  [ ! -e "$REG/app1/server" ]
}

@test "(pflag) registry:report: only what ParseReportArgs hands on reaches pflag (-x, --format)" {
  # --bogus is an info flag there, not a pflag error
  dr registry:report app1 --bogus
  assert_status 1
  assert_contains "$stderr" "Invalid flag passed, valid flags: "
  assert_bad_flag 2 "$(usage report "${USAGE_REPORT[@]}"; echo "unknown shorthand flag: 'x' in -x")" \
    registry:report app1 -x
  assert_bad_flag 2 "$(usage report "${USAGE_REPORT[@]}"; echo "unknown shorthand flag: 'q' in -quiet")" \
    registry:report -quiet
  # a trailing --format (Dokku panics here, also exit 2)
  assert_bad_flag 2 "$(usage report "${USAGE_REPORT[@]}"; echo 'flag needs an argument: --format')" \
    registry:report app1 --format
}

@test "(pflag) registry:auth-status: pflag's text, with the invalid-arguments status 3" {
  assert_bad_flag 3 "$(usage auth-status "${USAGE_AUTH_STATUS[@]}"; echo 'unknown flag: --bogus')" \
    registry:auth-status --bogus app1 docker.io
}

@test "(pflag) our own commands: migrate, push, push-image, doctor, helpers:*" {
  assert_bad_flag 2 "$(usage migrate "${USAGE_MIGRATE[@]}"; echo 'unknown flag: --bogus')" \
    registry:migrate --bogus app1
  assert_bad_flag 2 "$(usage push "${USAGE_PUSH[@]}"; echo 'unknown flag: --bogus')" \
    registry:push --bogus app1
  assert_bad_flag 2 "$(usage push-image "${USAGE_PUSH_IMAGE[@]}"; echo 'unknown flag: --bogus')" \
    registry:push-image --bogus oci:/nonexistent 127.0.0.1:1/x:1
  assert_bad_flag 2 "$(usage doctor "${USAGE_DOCTOR[@]}"; echo 'unknown flag: --bogus')" \
    registry:doctor --bogus
  local c
  for c in helpers:set helpers:unset helpers:report; do
    assert_bad_flag 2 "$(usage "$c"; echo 'unknown flag: --bogus')" "registry:$c" --bogus 'x.example.com' ecr-login
  done
  # the unprefixed spellings name the set the same way
  assert_bad_flag 2 "$(usage set "${USAGE_SET[@]}"; echo 'unknown flag: --bogus')" set --bogus
}

@test "(pflag) error texts: =value, shorthand groups, bad syntax, bool values, missing values" {
  local u
  u=$(usage set "${USAGE_SET[@]}")
  assert_bad_flag 2 "$u"$'\n''unknown flag: --bogus' registry:set --bogus=1 app1 server x
  assert_bad_flag 2 "$u"$'\n'"unknown shorthand flag: 'g' in -global" registry:set -global server x
  assert_bad_flag 2 "$u"$'\n''bad flag syntax: ---global' registry:set ---global server x
  assert_bad_flag 2 "$u"$'\n''bad flag syntax: --=x' registry:set --=x app1 server x
  assert_bad_flag 2 "$u"$'\n''invalid argument "yes" for "--global" flag: strconv.ParseBool: parsing "yes": invalid syntax' \
    registry:set --global=yes server x
  assert_bad_flag 2 "$(usage doctor "${USAGE_DOCTOR[@]}")"$'\n''flag needs an argument: --format' registry:doctor --format
  [ ! -e "$GLOBAL/server" ]
  [ ! -e "$REG/app1/server" ]
}

@test "(pflag) bool flags take strconv.ParseBool values; -- ends the flags" {
  dr registry:set --global=false app1 server ghcr.io
  assert_status 0
  assert_file_content "$REG/app1/server" ghcr.io
  dr registry:set --global=T server quay.io
  assert_status 0
  assert_file_content "$GLOBAL/server" quay.io
  # after --, a leading dash is a value
  dr registry:set app1 push-extra-tags -- -weird
  assert_status 0
  assert_file_content "$REG/app1/push-extra-tags" -weird
}

@test "(pflag) -h and --help: the usage on stderr, exit 0, the command does not run" {
  local a
  for a in -h --help; do
    dr registry:set "$a" app1 server ghcr.io
    assert_status 0
    assert_stdout ""
    assert_stderr "$(usage set "${USAGE_SET[@]}")"
    dr registry:login app1 docker.io user pw "$a"
    assert_status 0
    assert_stderr "$(usage login "${USAGE_LOGIN[@]}")"
  done
  [ ! -e "$REG/app1/server" ]
  # registry:report hands -h to pflag; --help is an info flag there
  dr registry:report -h
  assert_status 0
  assert_stderr "$(usage report "${USAGE_REPORT[@]}")"
  dr registry:report app1 --help
  assert_status 1
  assert_contains "$stderr" "Invalid flag passed"
}
