#!/usr/bin/env bats
# The Debian package (`make deb`) and what it ships: contents, control fields,
# lintian, the programs from an unpacked root, manual pages, systemd units,
# bash completion and the Dokku plugin shim. The package is built once.

# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"

bats_require_minimum_version 1.5.0

setup_file() {
  if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then
    skip "dpkg-buildpackage/debhelper not installed: run 'make deps' as root (packaging/deps.sh installs them)"
  fi
  VERSION=$(sed -n 's/^VERSION *:= *//p' "$DR_REPO_DIR/Makefile")
  ARCH=$(dpkg --print-architecture)
  DEB="$DR_REPO_DIR/build/dokku-registry_${VERSION}_${ARCH}.deb"
  ROOT="$BATS_FILE_TMPDIR/root"
  export VERSION ARCH DEB ROOT
  rm -f "$DEB"
  # lintian has its own test below; the outer make's flags must not leak in
  if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$DR_REPO_DIR" deb DEB_LINTIAN=0 \
      >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1; then
    echo "# make deb failed:" >&3
    tail -n 30 "$BATS_FILE_TMPDIR/make-deb.log" | sed 's/^/#   /' >&3
    return 1
  fi
  [ -f "$DEB" ] || { echo "# make deb did not produce $DEB" >&3; return 1; }
  mkdir -p "$ROOT"
  dpkg-deb -x "$DEB" "$ROOT"
  dpkg-deb -e "$DEB" "$BATS_FILE_TMPDIR/control"
}

# mode_of PATH: the mode column of `dpkg-deb -c` for ./PATH
mode_of() {
  dpkg-deb -c "$DEB" | awk -v p="./$1" '$6 == p { print $1 }'
}

field() { dpkg-deb -f "$DEB" "$1"; }

@test "make deb: named dokku-registry_<version>_<arch>.deb, built outside the repo's root" {
  [ -f "$DEB" ]
  [ ! -e "$DR_REPO_DIR/debian" ]
  [ -d "$DR_REPO_DIR/build/deb/src/debian" ]
  grep -q 'dpkg-buildpackage' "$BATS_FILE_TMPDIR/make-deb.log"
}

@test "control fields: version, arch, Depends with shlibs + dbus + gnome-keyring, Recommends" {
  [ "$(field Package)" = dokku-registry ]
  [ "$(field Version)" = "$VERSION" ]
  [ "$(field Architecture)" = "$ARCH" ]
  local dep
  dep=$(field Depends)
  [[ $dep == *"dbus"* ]]
  [[ $dep == *"gnome-keyring"* ]]
  [[ $dep == *"libsecret-1-0"* ]]   # from ${shlibs:Depends}
  [[ $dep == *"libjansson4"* ]]
  [[ $dep == *"libc6"* ]]
  [ "$(field Recommends)" = "docker.io | docker-ce-cli, skopeo" ]
  # no conffile: the helper's /etc config is the admin's to create
  [ ! -e "$BATS_FILE_TMPDIR/control/conffiles" ]
}

@test "contents: every shipped path with its mode, nothing else" {
  local want
  want=$(cat <<'EOF'
-rwxr-xr-x usr/bin/docker-credential-dokku
-rwxr-xr-x usr/bin/dokku-registry
-rwxr-xr-x usr/bin/dokku-credential-provider
-rw-r--r-- usr/share/man/man1/docker-credential-dokku.1.gz
-rw-r--r-- usr/share/man/man1/dokku-registry.1.gz
-rw-r--r-- usr/share/man/man1/dokku-credential-provider.1.gz
-rw-r--r-- usr/share/dokku-registry/examples/credential-provider-config.yaml
-rw-r--r-- usr/share/bash-completion/completions/dokku-registry
-rw-r--r-- lib/systemd/system/dokku-keyring.service
-rw-r--r-- usr/lib/systemd/user/dokku-keyring.service
-rw-r--r-- lib/systemd/system/dokku-registry-k8s-sync.service
-rw-r--r-- lib/systemd/system/dokku-registry-k8s-sync.timer
-rwxr-xr-x usr/lib/dokku-registry/keyring-session
-rw-r--r-- usr/share/dokku-registry/dokku-plugin/plugin.toml
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/commands
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/install
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/report
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/post-release-builder
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/deployed-app-image-repo
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/deployed-app-image-tag
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/deployed-app-repository
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/post-create
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/post-delete
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/post-app-clone-setup
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/post-app-rename-setup
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/backup-app-export
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/backup-app-import
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/backup-global-export
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/backup-global-import
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/scheduler-post-delete
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/shim-exec
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/set
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/report
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/login
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/logout
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/auth-status
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/migrate
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/push
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/push-engine
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/doctor
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/helpers:set
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/helpers:unset
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/helpers:report
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/k8s:pull-secret
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin/subcommands/k8s:sync
-rw-r--r-- usr/share/dokku-registry/dokku-plugin-guard/plugin.toml
-rwxr-xr-x usr/share/dokku-registry/dokku-plugin-guard/install
-rw-r--r-- usr/share/doc/dokku-registry/README.md.gz
-rw-r--r-- usr/share/doc/dokku-registry/README.packaging.md
-rw-r--r-- usr/share/doc/dokku-registry/examples/config.json
-rw-r--r-- usr/share/doc/dokku-registry/changelog.gz
-rw-r--r-- usr/share/doc/dokku-registry/copyright
-rw-r--r-- usr/share/lintian/overrides/dokku-registry
EOF
)
  local got missing extra line
  # regular files only: "<mode> <path>"
  got=$(dpkg-deb -c "$DEB" | awk '$1 ~ /^-/ { sub(/^\.\//, "", $6); print $1, $6 }' | sort)
  missing=$(comm -23 <(printf '%s\n' "$want" | sort) <(printf '%s\n' "$got"))
  extra=$(comm -13 <(printf '%s\n' "$want" | sort) <(printf '%s\n' "$got"))
  [ -z "$missing" ] || { echo "missing or wrong mode:"; echo "$missing"; return 1; }
  [ -z "$extra" ] || { echo "unexpected:"; echo "$extra"; return 1; }
  # all root-owned, no symlinks, nothing under /usr/local or /etc
  local list
  list=$(dpkg-deb -c "$DEB")
  awk '$2 != "root/root" { print "not root-owned: " $0; bad = 1 } END { exit bad }' <<<"$list"
  awk '/^l/ { print "a symlink: " $0; bad = 1 } END { exit bad }' <<<"$list"
  run ! grep -e ' \./usr/local/' -e ' \./etc/' <<<"$list"
}

@test "lintian --fail-on error,warning passes" {
  command -v lintian >/dev/null || skip "lintian not installed (make deps)"
  run lintian --fail-on error,warning "$DEB"
  echo "$output"
  [ "$status" -eq 0 ]
  run ! grep -q '^[EW]: ' <<<"$output"
}

@test "Build-Depends cover every pkg-config module the Makefile links" {
  local mods m pc pkg bdeps
  mods=$(sed -n 's/^PKGS *:= *//p' "$DR_REPO_DIR/Makefile")
  [ -n "$mods" ]
  # the Build-Depends field, one package name per line
  bdeps=$(sed -n '/^Build-Depends:/,/^[^ ]/p' "$DR_REPO_DIR/packaging/debian/control" |
    sed 's/^Build-Depends://; /^[A-Z]/d' | tr ',' '\n' | sed 's/(.*//; s/ //g' | grep .)
  for m in $mods; do
    pc="$(pkg-config --variable=pcfiledir "$m")/$m.pc"
    pkg=$(dpkg -S "$pc" 2>/dev/null | head -n 1 | cut -d: -f1)
    [ -n "$pkg" ] || { echo "no package ships $pc"; return 1; }
    grep -qx -- "$pkg" <<<"$bdeps" || { echo "$m comes from $pkg, not in Build-Depends"; return 1; }
  done
}

@test "maintainer scripts: the unit is never enabled or started on install, restarted only when running, stopped on removal" {
  local c="$BATS_FILE_TMPDIR/control"
  # --no-enable: enabling only re-applies what the admin had enabled before
  grep -q "deb-systemd-helper debian-installed 'dokku-keyring.service'" "$c/postinst"
  grep -q "deb-systemd-helper --user debian-installed 'dokku-keyring.service'" "$c/postinst"
  # --no-start: no start or restart of an enabled unit; an upgrade try-restarts
  run grep -E 'deb-systemd-invoke (start|restart|\$_dh_action)' "$c/postinst"
  [ "$status" -eq 1 ]
  grep -q "deb-systemd-invoke try-restart 'dokku-keyring.service'" "$c/postinst"
  # --no-stop-on-upgrade: nothing stops the units before an upgrade
  if [ -e "$c/preinst" ]; then
    run ! grep -q 'deb-systemd-invoke stop' "$c/preinst"
  fi
  grep -q "deb-systemd-invoke stop 'dokku-keyring.service'" "$c/prerm"
  sh -n "$c/postinst"
  sh -n "$c/prerm"
  sh -n "$c/postrm"
}

@test "postinst names the one setup command and never runs it" {
  local c="$BATS_FILE_TMPDIR/control"
  grep -q 'dokku-registry setup' "$c/postinst"
  run ! grep -qE '^[^#]*dokku-registry setup( |$)[^"]*$' "$c/postinst"
  # run on its own (no debhelper helpers on PATH do anything harmful: stubs)
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  for t in deb-systemd-helper deb-systemd-invoke systemctl dokku-registry; do
    printf '#!/bin/sh\necho "$0 $*" >>"%s/ran"\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/bin/$t"
    chmod +x "$BATS_TEST_TMPDIR/bin/$t"
  done
  run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" DPKG_ROOT="$BATS_TEST_TMPDIR/root" sh "$c/postinst" configure ""
  [ "$status" -eq 0 ]
  [[ $output == *"dokku-registry: to set this server up, run as root: dokku-registry setup"* ]]
  # the dokku-registry stub was never run (the unit helpers may have been)
  ! grep -q "^$BATS_TEST_TMPDIR/bin/dokku-registry " "$BATS_TEST_TMPDIR/ran" 2>/dev/null
}

@test "postrm gives Dokku its core registry plugin back when the link points at the shim" {
  local r="$BATS_TEST_TMPDIR/dpkgroot" lib
  lib="$r/var/lib/dokku"
  mkdir -p "$lib/core-plugins/available/registry" "$lib/plugins/available"
  ln -s /usr/share/dokku-registry/dokku-plugin "$lib/plugins/available/registry"
  DPKG_ROOT="$r" sh "$BATS_FILE_TMPDIR/control/postrm" remove
  [ "$(readlink "$lib/plugins/available/registry")" = /var/lib/dokku/core-plugins/available/registry ]
  # a link the admin pointed elsewhere is left alone
  ln -sfn /opt/other "$lib/plugins/available/registry"
  DPKG_ROOT="$r" sh "$BATS_FILE_TMPDIR/control/postrm" remove
  [ "$(readlink "$lib/plugins/available/registry")" = /opt/other ]
  # the registry-guard plugin's links go with the package
  mkdir -p "$lib/plugins/enabled"
  ln -s /usr/share/dokku-registry/dokku-plugin-guard "$lib/plugins/available/registry-guard"
  ln -s /var/lib/dokku/plugins/available/registry-guard "$lib/plugins/enabled/registry-guard"
  DPKG_ROOT="$r" sh "$BATS_FILE_TMPDIR/control/postrm" remove
  [ ! -L "$lib/plugins/available/registry-guard" ] && [ ! -L "$lib/plugins/enabled/registry-guard" ]
  # no Dokku at all: nothing to do
  DPKG_ROOT="$BATS_TEST_TMPDIR/empty" sh "$BATS_FILE_TMPDIR/control/postrm" remove
}

@test "postrm: plugins/available swapped for a link to a root directory gets nothing from root" {
  [ "$(id -u)" = 0 ] || skip "needs root (the dokku user's side is played by nobody)"
  local d r lib
  d=$(mktemp -d /tmp/dr-postrm.XXXXXX)
  chmod 0755 "$d"
  r=$d/root
  lib=$r/var/lib/dokku
  mkdir -p "$lib/core-plugins/available/registry" "$lib/plugins" "$r/etc/x"
  # the state a swap after postrm's check leaves: the shim link it checked,
  # now reached through the dokku user's link to a root directory
  ln -s /usr/share/dokku-registry/dokku-plugin "$r/etc/x/registry"
  ln -s "$r/etc/x" "$lib/plugins/available"
  chown -hR nobody:nogroup "$lib/plugins"
  run env DPKG_ROOT="$r" sh "$BATS_FILE_TMPDIR/control/postrm" remove
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(readlink "$r/etc/x/registry")" = /usr/share/dokku-registry/dokku-plugin ]
  [ "$(stat -c %u "$r/etc/x/registry")" = 0 ]
  [[ $output == *"could not point $lib/plugins/available/registry back"* ]] || { echo "$output"; false; }
  # Dokku's own layout: the link is put back, by the dokku user
  rm "$lib/plugins/available"
  mkdir "$lib/plugins/available"
  ln -s /usr/share/dokku-registry/dokku-plugin "$lib/plugins/available/registry"
  chown -hR nobody:nogroup "$lib/plugins"
  DPKG_ROOT="$r" sh "$BATS_FILE_TMPDIR/control/postrm" remove
  [ "$(readlink "$lib/plugins/available/registry")" = /var/lib/dokku/core-plugins/available/registry ]
  [ "$(stat -c %u "$lib/plugins/available/registry")" = 65534 ]
  rm -rf "$d"
}

@test "the programs run from a dpkg -x root" {
  run "$ROOT/usr/bin/docker-credential-dokku" version
  [ "$status" -eq 0 ]
  [ "$output" = "docker-credential-dokku (dokku-registry) $VERSION" ]
  run "$ROOT/usr/bin/dokku-registry" help
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Usage: dokku registry[:COMMAND]" ]
  local help=$output
  run "$ROOT/usr/bin/dokku-registry" registry:help
  [ "$output" = "$help" ]
  run "$ROOT/usr/bin/dokku-credential-provider" --version
  [ "$status" -eq 0 ]
  [ "$output" = "dokku-credential-provider (dokku-registry) $VERSION" ]
}

@test "man pages: render without groff warnings, with the standard sections" {
  local page src sec
  for page in docker-credential-dokku dokku-registry dokku-credential-provider; do
    src="$BATS_TEST_TMPDIR/$page.1"
    gzip -dc "$ROOT/usr/share/man/man1/$page.1.gz" >"$src"
    run groff -man -ww -z "$src"
    [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$page: $output"; return 1; }
    run env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$src"
    [ "$status" -eq 0 ] || { echo "$page: man failed"; return 1; }
    for sec in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS"; do
      grep -q "^\.SH \"\{0,1\}$sec\"\{0,1\}\$" "$src" || { echo "$page: no $sec section"; return 1; }
    done
  done
  # the page renders as text too
  run man -l "$ROOT/usr/share/man/man1/dokku-registry.1.gz"
  [ "$status" -eq 0 ]
  [[ $output == *"HEADLESS KEYRING"* ]]
}

@test "dokku-registry(1) documents every command of dokku-registry help" {
  local plain="$BATS_TEST_TMPDIR/dokku-registry.1" cmd missing=
  gzip -dc "$ROOT/usr/share/man/man1/dokku-registry.1.gz" | sed 's/\\-/-/g' >"$plain"
  for cmd in $("$ROOT/usr/bin/dokku-registry" help | sed -n 's/^    registry:\([^ ]*\).*/\1/p'); do
    grep -Eq "^\.B[IR]? \"?$cmd([ \"]|\$)" "$plain" || missing="$missing $cmd"
  done
  [ -z "$missing" ] || { echo "not in dokku-registry.1:$missing"; return 1; }
}

@test "systemd units: systemd-analyze verify is silent, and the settings the setup relies on" {
  command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
  local d="$BATS_TEST_TMPDIR/units" u
  mkdir -p "$d/user" "$BATS_TEST_TMPDIR/xdg"
  chmod 0700 "$BATS_TEST_TMPDIR/xdg"
  # the unpacked root stands in for /usr/lib/dokku-registry
  sed "s|/usr/lib/dokku-registry/|$ROOT/usr/lib/dokku-registry/|g" \
    "$ROOT/lib/systemd/system/dokku-keyring.service" >"$d/dokku-keyring.service"
  sed "s|/usr/lib/dokku-registry/|$ROOT/usr/lib/dokku-registry/|g" \
    "$ROOT/usr/lib/systemd/user/dokku-keyring.service" >"$d/user/dokku-keyring.service"
  run env MANPATH="$ROOT/usr/share/man" systemd-analyze verify "$d/dokku-keyring.service"
  [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }
  run env MANPATH="$ROOT/usr/share/man" XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/xdg" \
    systemd-analyze --user verify "$d/user/dokku-keyring.service"
  [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }

  u="$ROOT/lib/systemd/system/dokku-keyring.service"
  grep -qx 'User=dokku' "$u"
  grep -qx 'RuntimeDirectory=dokku-keyring' "$u"
  grep -qx 'RuntimeDirectoryMode=0700' "$u"
  grep -qx 'LoadCredential=keyring-password:/etc/dokku-registry/keyring-password' "$u"
  grep -qx 'ExecStart=/usr/lib/dokku-registry/keyring-session' "$u"
  grep -qx 'Restart=on-failure' "$u"
  grep -qx 'NoNewPrivileges=yes' "$u"
  grep -qx 'KillMode=mixed' "$u"
}

@test "k8s sync timer: systemd-analyze verify is silent; every 6 h, k8s:sync --all as dokku, never enabled" {
  command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
  local d="$BATS_TEST_TMPDIR/k8s-units" s="$ROOT/lib/systemd/system/dokku-registry-k8s-sync.service"
  local t="$ROOT/lib/systemd/system/dokku-registry-k8s-sync.timer"
  mkdir -p "$d"
  # the unit runs Dokku's dispatcher, which is not installed here: its
  # stand-in (tests/lib/dokku-standin) takes the place of /usr/bin/dokku
  sed "s|/usr/bin/dokku |$BATS_TEST_DIRNAME/../lib/dokku-standin/bin/dokku |" "$s" >"$d/dokku-registry-k8s-sync.service"
  cp "$t" "$d/"
  run env MANPATH="$ROOT/usr/share/man" systemd-analyze verify "$d/dokku-registry-k8s-sync.timer"
  [ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }
  grep -qx 'ExecStart=/usr/bin/dokku registry:k8s:sync --all' "$s"
  grep -qx 'User=dokku' "$s"
  grep -qx 'Type=oneshot' "$s"
  grep -qx 'OnUnitActiveSec=6h' "$t"
  # dh_installsystemd --no-enable: the maintainer scripts never enable or start
  # it; an upgrade only re-enables it when the admin had it enabled
  # (`deb-systemd-helper was-enabled`)
  local c="$BATS_FILE_TMPDIR/control"
  if [ -f "$c/postinst" ]; then
    awk '/if deb-systemd-helper .*was-enabled .dokku-registry-k8s-sync/ { guarded = 1; next }
         guarded && /^[[:space:]]*fi[[:space:]]*$/ { guarded = 0; next }
         /deb-systemd-helper .*enable .dokku-registry-k8s-sync/ && !guarded { print "enabled: " $0; bad = 1 }
         END { exit bad }' "$c/postinst"
    run ! grep -q "deb-systemd-invoke start 'dokku-registry-k8s-sync" "$c/postinst"
  fi
}

# complete WORD...: runs the completion function on COMP_WORDS=(WORD...) with the
# cursor on the last word; prints COMPREPLY one per line.
complete_words() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _dokku_registry dokku-registry "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' \
    bash "$ROOT/usr/share/bash-completion/completions/dokku-registry" "$@"
}

@test "bash completion: sources cleanly and completes commands, flags, properties, apps" {
  run bash -c 'source "$1" && complete -p dokku-registry' bash \
    "$ROOT/usr/share/bash-completion/completions/dokku-registry"
  [ "$status" -eq 0 ]
  [ "$output" = "complete -F _dokku_registry dokku-registry" ]

  run complete_words dokku-registry se
  [ "$output" = "$(printf '%s\n' set setup)" ]
  # Dokku spelling: bash splits `registry:se` at the colon; only the
  # commands Dokku routes (setup is dokku-registry's own)
  run complete_words dokku-registry registry : se
  [ "$output" = set ]
  run complete_words dokku-registry setup --
  [ "$output" = "$(printf '%s\n' --dry-run --no-migrate --no-plugin --password-file --undo)" ]
  run complete_words dokku-registry helpers : un
  [ "$output" = unset ]
  run complete_words dokku-registry set --global ''
  [ "$output" = "$(printf '%s\n' image-repo-template push-extra-tags push-on-release server)" ]
  run complete_words dokku-registry set myapp push-on-release ''
  [ "$output" = "$(printf '%s\n' true false)" ]
  run complete_words dokku-registry report --registry-computed-s
  [ "$output" = --registry-computed-server ]
  run complete_words dokku-registry report --registry-computed-a
  [ "$output" = --registry-computed-auth-servers ]
  run complete_words dokku-registry report --format ''
  [ "$output" = "$(printf '%s\n' stdout json)" ]

  # app names are the directories of $DOKKU_ROOT
  mkdir -p "$BATS_TEST_TMPDIR/dokku/node-js-app" "$BATS_TEST_TMPDIR/dokku/api.v2" \
    "$BATS_TEST_TMPDIR/dokku/.ssh"
  DOKKU_ROOT="$BATS_TEST_TMPDIR/dokku" run complete_words dokku-registry set ''
  [ "$output" = "$(printf '%s\n' --global api.v2 node-js-app)" ]
  DOKKU_ROOT="$BATS_TEST_TMPDIR/dokku" run complete_words dokku-registry logout no
  [ "$output" = node-js-app ]
}

@test "plugin shim: plugin.toml, every file executable and sh -n clean" {
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin" f
  grep -qx 'name = "registry"' "$p/plugin.toml"
  grep -q '^description = ".\+"$' "$p/plugin.toml"
  grep -qx "version = \"$VERSION\"" "$p/plugin.toml"
  for f in "$p"/* "$p"/subcommands/*; do
    [ -d "$f" ] && continue
    [ "${f##*/}" = plugin.toml ] && continue
    [ -x "$f" ] || { echo "$f is not executable"; return 1; }
    [ "$(head -n 1 "$f")" = '#!/bin/sh' ] || { echo "$f: not a sh script"; return 1; }
    sh -n "$f" || { echo "$f: sh -n failed"; return 1; }
  done
}

# a stub dokku-registry that records its argv, one argument per line
stub_dokku_registry() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  cat >"$BATS_TEST_TMPDIR/bin/dokku-registry" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/argv"
echo "stub: \$*"
EOF
  chmod 755 "$BATS_TEST_TMPDIR/bin/dokku-registry"
}

argv_is() { # expected arguments...
  [ "$(cat "$BATS_TEST_TMPDIR/argv")" = "$(printf '%s\n' "$@")" ] ||
    { echo "argv: $(tr '\n' '|' <"$BATS_TEST_TMPDIR/argv"), want: $*"; return 1; }
}

@test "plugin shim: subcommands exec dokku-registry registry:<cmd> with the arguments" {
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin" f cmd
  stub_dokku_registry
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$p/subcommands/set" myapp server x
  [ "$status" -eq 0 ]
  argv_is registry:set myapp server x
  # as Dokku calls it: the command itself first
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$p/subcommands/set" registry:set myapp server 'a b'
  argv_is registry:set myapp server 'a b'
  for f in "$p"/subcommands/*; do
    cmd=${f##*/}
    PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$f" "registry:$cmd" --global "arg one"
    [ "$status" -eq 0 ] || { echo "$cmd: $output"; return 1; }
    argv_is "registry:$cmd" --global "arg one" || { echo "($cmd)"; return 1; }
  done
}

@test "plugin shim: triggers exec dokku-registry <trigger> with the arguments" {
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin" t
  stub_dokku_registry
  for t in post-release-builder deployed-app-image-repo deployed-app-image-tag \
      deployed-app-repository post-create post-delete post-app-clone-setup post-app-rename-setup \
      backup-app-export backup-app-import backup-global-export backup-global-import; do
    PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$p/$t" myapp 'second arg'
    [ "$status" -eq 0 ] || { echo "$t: $output"; return 1; }
    argv_is "$t" myapp 'second arg' || { echo "($t)"; return 1; }
  done
  # `dokku report` runs the report trigger: the stdout report of the app
  PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$p/report" myapp
  argv_is report myapp
}

@test "plugin shim: commands prints help, answers DOKKU_NOT_IMPLEMENTED_EXIT otherwise" {
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin"
  DOKKU_NOT_IMPLEMENTED_EXIT=10 run "$p/commands" registry:foo
  [ "$status" -eq 10 ]
  [ -z "$output" ]
  run "$p/commands" nginx:report
  [ "$status" -eq 10 ]
  # the real binary's help for `dokku registry` and `dokku registry:help`
  PATH="$ROOT/usr/bin:$PATH" run "$p/commands" registry
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Usage: dokku registry[:COMMAND]" ]
  local help=$output
  PATH="$ROOT/usr/bin:$PATH" run "$p/commands" registry:help
  [ "$output" = "$help" ]
  # `dokku help`: one line, in Dokku's "name, description" form
  PATH="$ROOT/usr/bin:$PATH" run "$p/commands" help
  [ "$status" -eq 0 ]
  [[ $output == *"    registry, Manage registry settings for an app"* ]]
}

@test "plugin shim: install trigger creates \$DOKKU_LIB_ROOT/config/registry" {
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin"
  DOKKU_LIB_ROOT="$BATS_TEST_TMPDIR/lib" DOKKU_SYSTEM_USER=no-such-user-here run "$p/install"
  [ "$status" -eq 0 ]
  [ -d "$BATS_TEST_TMPDIR/lib/config/registry" ]
  [ "$(stat -c %a "$BATS_TEST_TMPDIR/lib/config/registry")" = 755 ]
  # idempotent
  DOKKU_LIB_ROOT="$BATS_TEST_TMPDIR/lib" DOKKU_SYSTEM_USER=no-such-user-here run "$p/install"
  [ "$status" -eq 0 ]
}

@test "plugin shim: install trigger as root makes config/registry as the dokku user; a link there leads root nowhere" {
  [ "$(id -u)" = 0 ] || skip "needs root (the dokku user's side is played by nobody)"
  local p="$ROOT/usr/share/dokku-registry/dokku-plugin" d lib
  d=$(mktemp -d /tmp/dr-install.XXXXXX)
  chmod 0755 "$d"
  lib=$d/lib
  mkdir -p "$lib/config" "$d/private"
  chmod 0700 "$d/private"
  chown nobody:nogroup "$lib/config"
  DOKKU_LIB_ROOT="$lib" DOKKU_SYSTEM_USER=nobody DOKKU_SYSTEM_GROUP=nogroup run "$p/install"
  [ "$status" -eq 0 ] || { echo "$output"; false; }
  [ "$(stat -c '%a %U' "$lib/config/registry")" = "755 nobody" ]
  # the dokku user puts a link to a root-only directory in its place
  rmdir "$lib/config/registry"
  setpriv --reuid=nobody --regid=nogroup --clear-groups -- ln -s "$d/private" "$lib/config/registry"
  DOKKU_LIB_ROOT="$lib" DOKKU_SYSTEM_USER=nobody DOKKU_SYSTEM_GROUP=nogroup run "$p/install"
  [ "$status" -eq 1 ]
  [[ $output == *"cannot be created by nobody, and $lib/config is not root's: left alone" ]] || { echo "$output"; false; }
  [ "$(stat -c '%a %U' "$d/private")" = "700 root" ]
  rm -rf "$d"
}
