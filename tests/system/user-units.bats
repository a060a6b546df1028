#!/usr/bin/env bats
# The user unit (dokku-keyring.service run by dokku's own lingering systemd
# --user) and the k8s-sync timer and service under a real systemd. The
# cluster is the Kubernetes API stand-in (tests/lib/kube-apiserver.py) on the
# host's 127.0.0.1; the registry login is stored through the helper.

load common
# shellcheck source=../lib/env.sh
source "$BATS_TEST_DIRNAME/../lib/env.sh"
# shellcheck source=../lib/kube.sh
source "$BATS_TEST_DIRNAME/../lib/kube.sh"

setup_file() {
  dr_env_init "$BATS_FILE_TMPDIR/env" || return 1
  dr_registry_start carol "pw-carol-$RANDOM" || return 1
  echo "$DR_REGISTRY $DR_REGISTRY_PASS" >"$BATS_FILE_TMPDIR/registry"
  dr_kube_certs "$BATS_FILE_TMPDIR/certs" || return 1
  dr_kube_start "$BATS_FILE_TMPDIR/cluster" || return 1
  printf '{"namespaces":["default"],"objects":{}}\n' >"$DR_KUBE_STATE"
  echo "$DR_KUBE_STATE $DR_KUBE_LOG" >"$BATS_FILE_TMPDIR/kube"
  sys_file_setup || return 1
  dr_kube_kubeconfig "$(sys_path /home/dokku/k3s.yaml)" || return 1
  sys chown dokku:dokku /home/dokku/k3s.yaml
}

teardown_file() {
  sys_file_teardown
  dr_kube_stop
  dr_env_stop
}

setup() {
  read -r DR_KUBE_STATE DR_KUBE_LOG <"$BATS_FILE_TMPDIR/kube"
  read -r REG PASS <"$BATS_FILE_TMPDIR/registry"
}

# systemctl --user as dokku, on its lingering manager
user_ctl() {
  local uid
  uid=$(sys id -u dokku)
  sys runuser -u dokku -- env XDG_RUNTIME_DIR=/run/user/$uid systemctl --user "$@"
}

@test "user unit with linger: enabled by dokku, active, the helper works through its bus" {
  local uid
  uid=$(sys id -u dokku)
  sys loginctl enable-linger dokku
  for _ in $(seq 1 50); do
    [ "$(sys systemctl is-active "user@$uid.service")" = active ] && break
    sleep 0.2
  done
  [ "$(sys systemctl is-active "user@$uid.service")" = active ]
  sys runuser -u dokku -- sh -c '
    install -d -m 0700 ~/.config/dokku-registry ~/.config/docker-credential-dokku
    (umask 077; head -c 32 /dev/urandom | base64 >~/.config/dokku-registry/keyring-password)
    printf "{\"bus\": \"unix:path=/run/user/%s/dokku-keyring/bus\"}\n" "$(id -u)" \
      >~/.config/docker-credential-dokku/config.json'
  run user_ctl enable --now dokku-keyring.service
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(user_ctl is-active dokku-keyring.service)" = active ]
  sys test -e "/run/user/$uid/dokku-keyring/ready"
  run helper_store reg.example:5000 carol pw-carol
  [ "$status" -eq 0 ]
  run helper_get reg.example:5000
  [ "$status" -eq 0 ]
  [[ $output == *'"Secret":"pw-carol"'* ]]
}

@test "user unit: survives a reboot through linger, no step" {
  sys_poweroff
  sys_boot
  for _ in $(seq 1 100); do
    [ "$(user_ctl is-active dokku-keyring.service 2>/dev/null)" = active ] && break
    sleep 0.2
  done
  [ "$(user_ctl is-active dokku-keyring.service)" = active ]
  run helper_get reg.example:5000
  [ "$status" -eq 0 ]
  [[ $output == *'"Secret":"pw-carol"'* ]]
}

@test "k8s-sync timer and service: the app's pull secret reaches the cluster, as dokku" {
  # the unit runs `dokku registry:k8s:sync --all`: Dokku's dispatcher and
  # plugn (stand-ins) with the scheduler plugin, which answers scheduler-detect
  sys_dokku_standin
  # an app on k3s, as Dokku lays it out
  sys install -d -o dokku -g dokku /home/dokku/web1 /var/lib/dokku/config
  sys runuser -u dokku -- sh -c '
    mkdir -p /var/lib/dokku/config/scheduler/web1 /var/lib/dokku/config/scheduler-k3s/--global
    printf k3s >/var/lib/dokku/config/scheduler/web1/selected
    printf /home/dokku/k3s.yaml >/var/lib/dokku/config/scheduler-k3s/--global/kubeconfig-path
    dokku-registry post-create web1'
  as_dokku dokku-registry registry:set web1 server "$REG"
  printf '%s' "$PASS" | as_dokku dokku-registry registry:login --password-stdin web1 "$REG" carol
  run sys systemctl enable --now dokku-registry-k8s-sync.timer
  [ "$status" -eq 0 ]
  [ "$(sys systemctl is-active dokku-registry-k8s-sync.timer)" = active ]
  run sys systemctl show -P NextElapseUSecMonotonic dokku-registry-k8s-sync.timer
  [ -n "$output" ]
  run sys systemctl start dokku-registry-k8s-sync.service
  run sys journalctl -u dokku-registry-k8s-sync.service -o cat --no-pager
  echo "$output"
  [ "$(sys systemctl show -P Result dokku-registry-k8s-sync.service)" = success ]
  [ "$(sys systemctl show -P User dokku-registry-k8s-sync.service)" = dokku ]
  run jq -r '"\(.method) \(.path) \(.status)"' "$DR_KUBE_LOG"
  echo "$output"
  [[ $output == *"PATCH /api/v1/namespaces/default/secrets/"*" 201"* ]]
  # the secret holds the login from the keyring
  run jq -r '.objects | to_entries[0].value.data[".dockerconfigjson"]' "$DR_KUBE_STATE"
  [[ $(base64 -d <<<"$output") == *"$(printf 'carol:%s' "$PASS" | base64 -w0)"* ]]
}
