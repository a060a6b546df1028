# shellcheck shell=bash
# tests/lib/gpg-pass.sh - a throw-away GnuPG home and password store for tests of
# Debian's docker-credential-pass (pass + gpg), made at test time.
#
# Source this file, then:
#   dr_gpg_init DIR         GNUPGHOME=DIR/gnupg with a fresh passphrase-less key
#                           (exports GNUPGHOME, DR_GPG_KEY = its fingerprint)
#   dr_pass_init DIR        PASSWORD_STORE_DIR=DIR (created), `pass init $DR_GPG_KEY`
#   dr_pass_has SERVER [USER]  the entry docker-credential-pass keeps for SERVER exists
#                           (docker-credential-helpers/<base64(SERVER)>[/<USER>.gpg])
#   dr_gpg_stop             gpgconf --kill all for this GNUPGHOME, wait until the
#                           agent is gone
#
# Nothing can prompt: the key has no passphrase, the agent's pinentry is /bin/false
# (a passphrase request fails at once instead of opening a dialog or waiting on a
# tty), and pass runs gpg with --batch --pinentry-mode error.
# Functions print diagnostics on stderr and return non-zero on failure; they never
# call `exit` and do not change shell options of the caller.

_dr_gp_err() { printf 'gpg-pass: %s\n' "$*" >&2; }

dr_gpg_init() {
  local dir=${1:?usage: dr_gpg_init DIR} fpr
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1
  export GNUPGHOME="$dir/gnupg"
  rm -rf "$GNUPGHOME"
  mkdir -m 0700 "$GNUPGHOME" || return 1
  # nothing from the caller's gpg/pass setup may leak in
  unset GPG_AGENT_INFO GPG_TTY PASSWORD_STORE_KEY PASSWORD_STORE_GPG_OPTS \
    PASSWORD_STORE_UMASK PASSWORD_STORE_ENABLE_EXTENSIONS PASSWORD_STORE_SIGNING_KEY
  cat >"$GNUPGHOME/gpg-agent.conf" <<'EOF'
pinentry-program /bin/false
no-grab
EOF
  printf 'no-autostart\n' >"$GNUPGHOME/dirmngr.conf"
  if ! gpg --batch --pinentry-mode loopback --passphrase '' \
      --quick-gen-key "dokku-registry test <dr-test@example.invalid>" default default never \
      >"$dir/gpg-keygen.log" 2>&1; then
    _dr_gp_err "gpg key generation failed: $(cat "$dir/gpg-keygen.log")"
    return 1
  fi
  fpr=$(gpg --batch --list-secret-keys --with-colons 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
  [ -n "$fpr" ] || { _dr_gp_err "no secret key after generation"; return 1; }
  export DR_GPG_KEY="$fpr"
  # pass passes these to every gpg call: never ask anybody for anything
  export PASSWORD_STORE_GPG_OPTS="--batch --pinentry-mode error"
  # prove that decryption needs no passphrase (and so no pinentry)
  local probe
  probe=$(printf 'probe' | gpg --batch --yes --trust-model always -r "$fpr" -e 2>/dev/null |
    gpg --batch --pinentry-mode error -d 2>/dev/null)
  [ "$probe" = probe ] || { _dr_gp_err "test key cannot decrypt without a passphrase"; return 1; }
  return 0
}

dr_pass_init() {
  local dir=${1:?usage: dr_pass_init DIR}
  [ -n "${DR_GPG_KEY:-}" ] || { _dr_gp_err "dr_pass_init: call dr_gpg_init first"; return 1; }
  mkdir -p "$dir" || return 1
  dir=$(cd "$dir" && pwd) || return 1
  export PASSWORD_STORE_DIR="$dir"
  pass init "$DR_GPG_KEY" >/dev/null 2>"$dir/.init.log" || {
    _dr_gp_err "pass init failed: $(cat "$dir/.init.log")"; return 1; }
  rm -f "$dir/.init.log"
}

# base64 of SERVER as docker-credential-pass names its directory (standard
# alphabet, padded: Go's base64.URLEncoding only differs in - and _)
_dr_pass_dir() {
  printf %s "$1" | base64 -w0 | tr '+/' '-_'
}

dr_pass_has() { # SERVER [USER]
  local d
  d="$PASSWORD_STORE_DIR/docker-credential-helpers/$(_dr_pass_dir "$1")"
  if [ -n "${2:-}" ]; then
    [ -f "$d/$2.gpg" ]
  else
    [ -d "$d" ] && [ -n "$(ls -A "$d" 2>/dev/null)" ]
  fi
}

dr_gpg_stop() {
  [ -n "${GNUPGHOME:-}" ] && [ -d "$GNUPGHOME" ] || return 0
  gpgconf --kill all >/dev/null 2>&1
  # gpgconf returns before the agent is gone; wait for it (never by name: only
  # processes started for this GNUPGHOME)
  local pid
  for _ in $(seq 1 50); do
    pid=$(pgrep -f -- "--homedir $GNUPGHOME( |\$)" 2>/dev/null | head -n 1)
    [ -z "$pid" ] && return 0
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
    sleep 0.1
  done
  _dr_gp_err "gpg-agent for $GNUPGHOME still running (pid $pid)"
  return 1
}
