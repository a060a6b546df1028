#!/usr/bin/env bats
# image-repo-template is Go's text/template, as in Dokku: registry:set
# stores the template, registry:report shows what it renders to, and the
# deployed-app-image-repo trigger uses it (or fails with Go's error text).

bats_require_minimum_version 1.5.0

load dokku-helpers

setup() {
  dr_setup
  TEST_APP=tmpl-app
  create_app "$TEST_APP"
}

@test "(image-repo-template) printf, if/else and len render in the report and the trigger" {
  dr_ok registry:set "$TEST_APP" image-repo-template 'team/{{ printf "%s-web" .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo "team/$TEST_APP-web"
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stderr "" && assert_stdout "team/$TEST_APP-web"

  dr_ok registry:set "$TEST_APP" image-repo-template '{{ if eq .AppName "x" }}a{{ else }}b{{ end }}/{{ .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo "b/$TEST_APP"
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stdout "b/$TEST_APP"

  dr_ok registry:set "$TEST_APP" image-repo-template 'len/{{ .AppName | len }}'
  assert_json "$TEST_APP" registry-computed-image-repo "len/${#TEST_APP}"
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stdout "len/${#TEST_APP}"
}

@test "(image-repo-template) the global template, with define/template, trim markers and slice" {
  dr_ok registry:set --global image-repo-template \
    '{{ define "org" }}acme{{ end }}  {{- template "org" }}/{{ slice .AppName 0 4 -}}   '
  assert_json "$TEST_APP" registry-computed-image-repo "acme/tmpl"
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stdout "acme/tmpl"
  # an app template still wins over the global one
  dr_ok registry:set "$TEST_APP" image-repo-template '{{ with $n := .AppName }}x/{{ $n }}{{ end }}'
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stdout "x/$TEST_APP"
}

@test "(image-repo-template) an execute error: report falls back, trigger fails with Go's text" {
  dr_ok registry:set "$TEST_APP" image-repo-template 'x/{{ .Name }}'
  assert_json "$TEST_APP" registry-computed-image-repo "dokku/$TEST_APP"
  dr deployed-app-image-repo "$TEST_APP"
  assert_fail 1 'Unable to determine image repo from template: Unable to execute image-repo-template: template: template:1:5: executing "template" at <.Name>: can'"'"'t evaluate field Name in type registry.templateData'
}

@test "(image-repo-template) a parse error and a template that renders only space" {
  dr_ok registry:set "$TEST_APP" image-repo-template 'x/{{ if .AppName }}'
  assert_json "$TEST_APP" registry-computed-image-repo "dokku/$TEST_APP"
  dr deployed-app-image-repo "$TEST_APP"
  assert_fail 1 'Unable to determine image repo from template: Unable to parse image-repo-template: template: template:1: unexpected EOF'
  # empty output after trimming is no repo: the default applies, no error
  dr_ok registry:set "$TEST_APP" image-repo-template '{{ if false }}x{{ end }}  '
  assert_json "$TEST_APP" registry-computed-image-repo "dokku/$TEST_APP"
  dr deployed-app-image-repo "$TEST_APP"
  assert_status 0 && assert_stdout "dokku/$TEST_APP"
}
