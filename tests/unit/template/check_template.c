#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "gotmpl.h"
#include "template.h"
#include "unit.h"

/* Vectors from Go's documented behaviour (pkg.go.dev text/template and fmt,
 * and the facts in Go's exec_test.go / parse_test.go / lex_test.go), executed
 * on struct{ AppName string }{"my-app"}. out NULL: err is the error text. */
static const struct {
	const char *in;
	const char *out;
	const char *err; /* Go's text; P: parse error, X: exec error */
} vectors[] = {
	/* text and plain actions */
	{ "", "", NULL },
	{ "plain/text", "plain/text", NULL },
	{ "{{.AppName}}", "my-app", NULL },
	{ "dokku/{{ .AppName }}", "dokku/my-app", NULL },
	{ "{{ .AppName }}-{{.AppName}}", "my-app-my-app", NULL },
	{ "{{.}}", "{my-app}", NULL },
	{ "{{$}}", "{my-app}", NULL },
	{ "{{$.AppName}}", "my-app", NULL },
	{ "{{\n.AppName\n}}", "my-app", NULL },
	{ "a}}b", "a}}b", NULL },
	/* comments and trim markers */
	{ "a{{/* c */}}b", "ab", NULL },
	{ "a {{- /* c */ -}} b", "ab", NULL },
	{ "a  {{- .AppName -}}  b", "amy-appb", NULL },
	{ "a \n\t{{- .AppName}}", "amy-app", NULL },
	{ "{{.AppName -}}\n x", "my-appx", NULL },
	{ "{{-3}}", "-3", NULL },
	{ "{{- 3 -}}", "3", NULL },
	{ "x {{/* a\nb */}} y", "x  y", NULL },
	{ "{{/* c */ }}", NULL, "template: template:1: comment ends before closing delimiter" },
	{ "{{/* c", NULL, "template: template:1: unclosed comment" },
	/* literals */
	{ "{{\"s\\tq\\u00e9\\x41\\101\"}}", "s\tqéAA", NULL },
	{ "{{`raw\\n`}}", "raw\\n", NULL },
	{ "{{'a'}}", "97", NULL },
	{ "{{'\\n'}}", "10", NULL },
	{ "{{'é'}}", "233", NULL },
	{ "{{true}} {{false}}", "true false", NULL },
	{ "{{1}} {{-7}} {{+4}}", "1 -7 4", NULL },
	{ "{{0x1F}} {{0o17}} {{0b101}} {{017}} {{1_000}}", "31 15 5 15 1000", NULL },
	{ "{{1.5}} {{1.0}} {{1e3}} {{.5}}", "1.5 1 1000 0.5", NULL },
	{ "{{1e6}} {{123456.0}} {{0.0001}} {{0.00001}}", "1e+06 123456 0.0001 1e-05", NULL },
	{ "{{0x1p4}} {{0x10}}", "16 16", NULL },
	{ "{{1i}} {{1+2i}} {{1.5-0.5i}}", "(0+1i) (1+2i) (1.5-0.5i)", NULL },
	{ "{{18446744073709551615}}", NULL,
	  "template: template:1:2: executing \"template\" at <18446744073709551615>: 18446744073709551615 overflows int" },
	{ "{{99999999999999999999}}", NULL, "template: template:1: integer overflow: \"99999999999999999999\"" },
	{ "{{08}}", NULL, "template: template:1: integer overflow: \"08\"" },
	{ "{{1__0}}", NULL, "template: template:1: illegal number syntax: \"1__0\"" },
	{ "{{3k}}", NULL, "template: template:1: bad number syntax: \"3k\"" },
	{ "{{\"\\q\"}}", NULL, "template: template:1: invalid syntax" },
	{ "{{\"abc}}", NULL, "template: template:1: unterminated quoted string" },
	{ "{{`abc}}", NULL, "template: template:1: unterminated raw quoted string" },
	{ "{{'a}}", NULL, "template: template:1: unterminated character constant" },
	{ "{{'ab'}}", NULL, "template: template:1: malformed character constant: 'ab'" },
	{ "{{''}}", NULL, "template: template:1: invalid syntax" },
	{ "{{'\\x41'}} {{'\\377'}} {{'\\u00e9'}} {{'\\''}}", "65 255 233 39", NULL },
	{ "{{'\\\"'}}", NULL, "template: template:1: invalid syntax" },
	{ "{{nil}}", NULL, "template: template:1:2: executing \"template\" at <nil>: nil is not a command" },
	/* pipelines and parentheses */
	{ "{{.AppName | printf \"%s-web\"}}", "my-app-web", NULL },
	{ "{{.AppName | len}}", "6", NULL },
	{ "{{.AppName | printf \"%s/%s\" \"team\"}}", "team/my-app", NULL },
	{ "{{\"a\" | printf \"%s%s\" \"b\" | printf \"[%s]\"}}", "[ba]", NULL },
	{ "{{printf \"%d\" (len .AppName)}}", "6", NULL },
	{ "{{(printf \"%s\" .AppName)}}", "my-app", NULL },
	{ "{{(.)}}", "{my-app}", NULL },
	{ "{{(.).AppName}}", "my-app", NULL },
	{ "{{(print \"x\").Foo}}", NULL,
	  "template: template:1:9: executing \"template\" at <\"x\">: can't evaluate field Foo in type string" },
	{ "{{.AppName | .AppName}}", NULL,
	  "template: template:1:13: executing \"template\" at <.AppName>: AppName has arguments but cannot be invoked as function" },
	{ "{{.AppName 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <.AppName>: AppName has arguments but cannot be invoked as function" },
	{ "{{1 | 2}}", NULL, "template: template:1: non executable command in pipeline stage 2" },
	{ "{{.AppName | \"x\"}}", NULL, "template: template:1: non executable command in pipeline stage 2" },
	{ "{{\"x\" 1}}", NULL, "template: template:1:2: executing \"template\" at <\"x\">: can't give argument to non-function \"x\"" },
	{ "{{}}", NULL, "template: template:1: missing value for command" },
	{ "{{ }}", NULL, "template: template:1: missing value for command" },
	{ "{{(1}}", NULL, "template: template:1: unclosed left paren" },
	{ "{{1)}}", NULL, "template: template:1: unexpected \")\" in command" },
	{ "{{.AppName", NULL, "template: template:1: unclosed action" },
	{ "{{.AppName\n", NULL, "template: template:2: unclosed action started at template:1" },
	{ "{{.AppName}x}}", NULL, "template: template:1: bad character U+007D '}'" },
	{ "{{.App-Name}}", NULL, "template: template:1: bad character U+002D '-'" },
	{ "{{#}}", NULL, "template: template:1: unexpected \"#\" in command" },
	{ "{{\x01}}", NULL, "template: template:1: unrecognized character in action: U+0001" },
	{ "{{.AppName.Foo}}", NULL,
	  "template: template:1:10: executing \"template\" at <.AppName.Foo>: can't evaluate field Foo in type string" },
	{ "{{\"x\".Foo}}", NULL, "template: template:1: unexpected . after term \"\\\"x\\\"\"" },
	{ "{{..AppName}}", NULL, "template: template:1: unexpected . after term \".\"" },
	/* fields */
	{ "{{.Foo}}", NULL,
	  "template: template:1:2: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{.appName}}", NULL,
	  "template: template:1:2: executing \"template\" at <.appName>: can't evaluate field appName in type registry.templateData" },
	{ "x\ny {{.Foo}}", NULL,
	  "template: template:2:4: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{with .AppName}}{{.AppName}}{{end}}", NULL,
	  "template: template:1:19: executing \"template\" at <.AppName>: can't evaluate field AppName in type string" },
	{ "{{template \"x\"}}{{define \"x\"}}[{{.AppName}}]{{end}}", "[<no value>]", NULL },
	{ "{{template \"x\"}}{{define \"x\"}}[{{.}}]{{end}}", "[<no value>]", NULL },
	/* variables */
	{ "{{$x := .AppName}}{{$x}}", "my-app", NULL },
	{ "{{$x := 1}}{{$x = 2}}{{$x}}", "2", NULL },
	{ "{{$x := \"a\"}}{{if true}}{{$x = \"b\"}}{{end}}{{$x}}", "b", NULL },
	{ "{{if true}}{{$x := 1}}{{end}}{{$x}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x = 1}}", NULL, "template: template:1:7: executing \"template\" at <1>: undefined variable: $x" },
	{ "{{$x := .}}{{$x.AppName}}", "my-app", NULL },
	{ "{{$x := .AppName}}{{$x.Foo}}", NULL,
	  "template: template:1:22: executing \"template\" at <$x.Foo>: can't evaluate field Foo in type string" },
	{ "{{$x, $y := 1}}", NULL, "template: template:1: too many declarations in command" },
	{ "{{$x := 1}}{{$x 2}}", NULL,
	  "template: template:1:13: executing \"template\" at <$x>: can't give argument to non-function $x" },
	{ "{{$}}{{with 5}}{{$.AppName}}{{.}}{{end}}", "{my-app}my-app5", NULL },
	/* if / else if / else / with */
	{ "{{if eq .AppName \"x\"}}a{{else}}b{{end}}", "b", NULL },
	{ "{{if eq .AppName \"my-app\"}}a{{else}}b{{end}}", "a", NULL },
	{ "{{if eq .AppName \"a\"}}1{{else if eq .AppName \"my-app\"}}2{{else}}3{{end}}", "2", NULL },
	{ "{{if 0}}a{{else if \"\"}}b{{else if 0.0}}c{{else}}d{{end}}", "d", NULL },
	{ "{{if 1}}t{{end}}{{if \"x\"}}t{{end}}{{if .}}t{{end}}{{if 1i}}t{{end}}", "tttt", NULL },
	{ "{{if false}}t{{end}}{{if 0i}}t{{end}}", "", NULL },
	{ "{{with .AppName}}[{{.}}]{{end}}", "[my-app]", NULL },
	{ "{{with \"\"}}a{{else}}b{{end}}", "b", NULL },
	{ "{{with \"\"}}a{{else with 3}}{{.}}{{end}}", "3", NULL },
	{ "{{with $x := .AppName}}{{$x}}{{end}}", "my-app", NULL },
	{ "{{if}}{{end}}", NULL, "template: template:1: missing value for if" },
	{ "{{if true}}", NULL, "template: template:1: unexpected EOF" },
	{ "{{end}}", NULL, "template: template:1: unexpected {{end}}" },
	{ "{{else}}", NULL, "template: template:1: unexpected {{else}}" },
	{ "{{if true}}a{{else}}b{{else}}c{{end}}", NULL, "template: template:1: expected end; found {{else}}" },
	{ "{{if true}}{{end x}}", NULL, "template: template:1: unexpected \"x\" in end" },
	/* range */
	{ "{{range 3}}{{.}}{{end}}", "012", NULL },
	{ "{{range $i := 3}}{{$i}},{{end}}", "0,1,2,", NULL },
	{ "{{range 0}}x{{else}}none{{end}}", "none", NULL },
	{ "{{range -2}}x{{else}}none{{end}}", "none", NULL },
	{ "{{range 5}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", "012", NULL },
	{ "{{range 5}}{{if eq . 1 3}}{{continue}}{{end}}{{.}}{{end}}", "024", NULL },
	{ "{{range $i, $e := 3}}{{end}}", NULL,
	  "template: template:1:18: executing \"template\" at <3>: can't use 3 to iterate over more than one variable" },
	{ "{{range .AppName}}{{.}}{{end}}", NULL,
	  "template: template:1:8: executing \"template\" at <.AppName>: range can't iterate over my-app" },
	{ "{{range true}}{{end}}", NULL, "template: template:1:8: executing \"template\" at <true>: range can't iterate over true" },
	{ "{{range 1.5}}{{end}}", NULL, "template: template:1:8: executing \"template\" at <1.5>: range can't iterate over 1.5" },
	{ "{{break}}", NULL, "template: template:1: {{break}} outside {{range}}" },
	{ "{{continue}}", NULL, "template: template:1: {{continue}} outside {{range}}" },
	{ "{{range 2}}{{break 1}}{{end}}", NULL, "template: template:1: unexpected \"1\" in {{break}}" },
	{ "{{range $i, 3}}{{end}}", NULL, "template: template:1: range can only initialize variables" },
	{ "{{range 2}}{{$x := .}}{{$x}}{{end}}", "01", NULL },
	/* define / template / block */
	{ "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .AppName}}", "<my-app>", NULL },
	{ "{{template \"T\" .}}{{define \"T\"}}{{.AppName}}{{end}}", "my-app", NULL },
	{ "{{block \"B\" .AppName}}[{{.}}]{{end}}", "[my-app]", NULL },
	{ "{{define \"B\"}}({{.}}){{end}}{{block \"B\" .AppName}}[{{.}}]{{end}}", NULL,
	  "template: template:1: template: multiple definition of template \"B\"" },
	{ "{{define \"template\"}}only{{end}}", "only", NULL },
	{ "{{define \"x\"}}{{end}}{{define \"x\"}}two{{end}}{{template \"x\"}}", "two", NULL },
	{ "{{template \"nope\"}}", NULL,
	  "template: template:1:11: executing \"template\" at <{{template \"nope\"}}>: template \"nope\" not defined" },
	{ "{{define \"T\"}}{{.Foo}}{{end}}{{template \"T\" .}}", NULL,
	  "template: template:1:16: executing \"T\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "{{define \"r\"}}{{template \"r\"}}{{end}}{{template \"r\"}}", NULL,
	  "template: template:1:25: executing \"r\" at <{{template \"r\"}}>: exceeded maximum template depth (100)" },
	{ "{{template .AppName}}", NULL, "template: template:1: unexpected \".AppName\" in template clause" },
	{ "{{define x}}{{end}}", NULL, "template: template:1: unexpected \"x\" in define clause" },
	{ "{{define \"x\"}}a{{else}}b{{end}}", NULL, "template: template:1: unexpected {{else}} in define clause" },
	{ "{{block \"b\"}}{{end}}", NULL, "template: template:1: missing value for block clause" },
	{ "{{if true}}{{define \"x\"}}{{end}}{{end}}", NULL, "template: template:1: unexpected <define> in command" },
	/* and, or, not */
	{ "{{and 1 0 2}}", "0", NULL },
	{ "{{and 1 2 3}}", "3", NULL },
	{ "{{or 0 \"\" \"x\" 4}}", "x", NULL },
	{ "{{or 0 \"\"}}", "", NULL },
	{ "{{and .AppName \"b\"}}", "b", NULL },
	{ "{{or .AppName .Foo}}", "my-app", NULL },
	{ "{{and false .Foo}}", "false", NULL },
	{ "{{not 0}} {{not .AppName}} {{not \"\"}}", "true false true", NULL },
	{ "{{not nil}}", "true", NULL },
	{ "{{and nil 1}}", "<no value>", NULL },
	{ "{{and}}", NULL, "template: template:1:2: executing \"template\" at <and>: wrong number of args for and: want at least 1 got 0" },
	{ "{{not 1 2}}", NULL, "template: template:1:2: executing \"template\" at <not>: wrong number of args for not: want 1 got 2" },
	{ "{{1 | not}}", "false", NULL },
	/* comparisons */
	{ "{{eq 1 1}} {{eq 1 2}} {{eq \"a\" \"a\"}} {{eq true true}} {{eq 1.5 1.5}}", "true false true true true", NULL },
	{ "{{eq .AppName \"x\" \"y\" \"my-app\"}}", "true", NULL },
	{ "{{ne 1 2}} {{ne \"a\" \"a\"}}", "true false", NULL },
	{ "{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge 2 3}}", "true true false false", NULL },
	{ "{{lt \"a\" \"b\"}} {{gt \"b\" \"ab\"}} {{lt 1.5 2.5}}", "true true true", NULL },
	{ "{{eq nil nil}} {{eq .AppName nil}}", "true false", NULL },
	{ "{{eq (index .AppName 0) 109}}", "true", NULL },
	{ "{{lt (index .AppName 0) 110}}", "true", NULL },
	{ "{{eq 1 \"a\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1 \"a\">: error calling eq: incompatible types for comparison: int and string" },
	{ "{{eq 1.0 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1.0 1>: error calling eq: incompatible types for comparison: float64 and int" },
	{ "{{lt true false}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt true false>: error calling lt: invalid type for comparison" },
	{ "{{lt 1i 2i}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt 1i 2i>: error calling lt: invalid type for comparison" },
	{ "{{lt nil 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <lt nil 1>: error calling lt: invalid type for comparison" },
	{ "{{eq 1}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq 1>: error calling eq: missing argument for comparison" },
	{ "{{eq . .}}", "true", NULL },
	{ "{{eq . \"x\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <eq . \"x\">: error calling eq: incompatible types for comparison: registry.templateData and string" },
	{ "{{ne 1}}", NULL, "template: template:1:2: executing \"template\" at <ne>: wrong number of args for ne: want 2 got 1" },
	/* len, index, slice */
	{ "{{len .AppName}} {{len \"\"}} {{len \"é\"}}", "6 0 2", NULL },
	{ "{{len 3}}", NULL, "template: template:1:2: executing \"template\" at <len 3>: error calling len: len of type int" },
	{ "{{len .}}", NULL,
	  "template: template:1:2: executing \"template\" at <len .>: error calling len: len of type registry.templateData" },
	{ "{{index .AppName 0}} {{index .AppName 5}}", "109 112", NULL },
	{ "{{printf \"%c\" (index .AppName 1)}}", "y", NULL },
	{ "{{index .AppName}}", "my-app", NULL },
	{ "{{index .AppName 6}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 6>: error calling index: reflect: string index out of range" },
	{ "{{index .AppName 7}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 7>: error calling index: index out of range: 7" },
	{ "{{index .AppName -1}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName -1>: error calling index: index out of range: -1" },
	{ "{{index .AppName \"a\"}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName \"a\">: error calling index: cannot index slice/array with type string" },
	{ "{{index .AppName 0 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index .AppName 0 0>: error calling index: can't index item of type uint8" },
	{ "{{index . 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index . 0>: error calling index: can't index item of type registry.templateData" },
	{ "{{index nil 0}}", NULL,
	  "template: template:1:2: executing \"template\" at <index nil 0>: error calling index: index of untyped nil" },
	{ "{{slice .AppName 3}} {{slice .AppName 0 2}} {{slice .AppName}} {{slice .AppName 6}}", "app my my-app ", NULL },
	{ "{{slice .AppName 4 2}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 4 2>: error calling slice: invalid slice index: 4 > 2" },
	{ "{{slice .AppName 0 7}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 0 7>: error calling slice: index out of range: 7" },
	{ "{{slice .AppName 0 1 2}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice .AppName 0 1 2>: error calling slice: cannot 3-index slice a string" },
	{ "{{slice 3}}", NULL,
	  "template: template:1:2: executing \"template\" at <slice 3>: error calling slice: can't slice item of type int" },
	/* print, println, printf */
	{ "{{print \"a\" \"b\"}} {{print 1 2}} {{print \"a\" 1 2 \"b\"}}", "ab 1 2 a1 2b", NULL },
	{ "{{println \"a\" 1}}", "a 1\n", NULL },
	{ "{{print nil}} {{print}}", "<nil> ", NULL },
	{ "{{print .}} {{print true 1.5}}", "{my-app} true 1.5", NULL },
	{ "{{printf \"%s|%v|%q\" .AppName .AppName .AppName}}", "my-app|my-app|\"my-app\"", NULL },
	{ "{{printf \"%d|%5d|%-5d|%05d|%+d|% d\" 42 42 42 -42 42 42}}", "42|   42|42   |-0042|+42| 42", NULL },
	{ "{{printf \"%x|%X|%o|%O|%b|%#x|%#o\" 255 255 8 8 5 255 8}}", "ff|FF|10|0o10|101|0xff|010", NULL },
	{ "{{printf \"%.3d|%8.3d|%.0d\" 7 7 0}}", "007|     007|", NULL },
	{ "{{printf \"%c|%q|%U|%#U\" 65 65 65 233}}", "A|'A'|U+0041|U+00E9 'é'", NULL },
	{ "{{printf \"%t|%v\" true false}}", "true|false", NULL },
	{ "{{printf \"%f|%.2f|%8.3f|%-8.1f|%e|%E|%g|%G\" 3.14159 3.14159 3.14159 2.5 1234.5678 0.00012 1e21 1e-7}}",
	  "3.141590|3.14|   3.142|2.5     |1.234568e+03|1.200000E-04|1e+21|1E-07", NULL },
	{ "{{printf \"%v|%.3g|%+.1f|%08.3f\" 2.5 3.14159 2.0 -3.14159}}", "2.5|3.14|+2.0|-003.142", NULL },
	{ "{{printf \"%v|%.1f\" 1+2i 1.5i}}", "(1+2i)|(0.0+1.5i)", NULL },
	{ "{{printf \"%x|%X|% x|%#x\" \"hi\" \"hi\" \"hi\" \"hi\"}}", "6869|6869|68 69|0x6869", NULL },
	{ "{{printf \"%q|%+q|%#q\" \"é\\n\" \"é\" \"a\"}}", "\"é\\n\"|\"\\u00e9\"|`a`", NULL },
	{ "{{printf \"%5s|%-5s|%.2s|%5.1s|\" \"ab\" \"ab\" \"abc\" \"xyz\"}}", "   ab|ab   |ab|    x|", NULL },
	{ "{{printf \"%*d|%-*d|%.*f\" 4 1 3 2 1 3.14159}}", "   1|2  |3.1", NULL },
	{ "{{printf \"%v|%+v|%#v|%s|%d\" . . . . .}}",
	  "{my-app}|{AppName:my-app}|registry.templateData{AppName:\"my-app\"}|{my-app}|{%!d(string=my-app)}", NULL },
	{ "{{printf \"%T %T %T %T %T %T\" 1 1.5 \"s\" true . 1i}}", "int float64 string bool registry.templateData complex128",
	  NULL },
	{ "{{printf \"%d\" \"x\"}}", "%!d(string=x)", NULL },
	{ "{{printf \"%s\" 5}}", "%!s(int=5)", NULL },
	{ "{{printf \"%d %d\" 1}}", "1 %!d(MISSING)", NULL },
	{ "{{printf \"%d\" 1 2}}", "1%!(EXTRA int=2)", NULL },
	{ "{{printf \"x\" \"a\" 3}}", "x%!(EXTRA string=a, int=3)", NULL },
	{ "{{printf \"%\"}}", "%!(NOVERB)", NULL },
	{ "{{printf \"100%%\"}}", "100%", NULL },
	{ "{{printf \"%z\" 1}}", "%!z(int=1)", NULL },
	{ "{{printf \"%s|%v|%d\" nil nil nil}}", "%!s(<nil>)|<nil>|%!d(<nil>)", NULL },
	{ "{{printf \"%*d\" \"x\" 1}}", "%!(BADWIDTH)1", NULL },
	{ "{{printf}}", NULL,
	  "template: template:1:2: executing \"template\" at <printf>: wrong number of args for printf: want at least 1 got 0" },
	{ "{{printf 1}}", NULL, "template: template:1:9: executing \"template\" at <1>: expected string; found 1" },
	{ "{{printf nil}}", NULL, "template: template:1:9: executing \"template\" at <nil>: cannot assign nil to string" },
	{ "{{printf .}}", NULL,
	  "template: template:1:9: executing \"template\" at <.>: wrong type for value; expected string; got registry.templateData" },
	{ "{{\"%s!\" | printf}}", "%!s(MISSING)!", NULL },
	{ "{{.AppName | printf \"%s-%s\" \"x\"}}", "x-my-app", NULL },
	{ "{{printf \"%[2]d %[1]d|%[3]*.[2]*[1]f\" 12.0 2 6}}", "2 %!d(float64=12)| 12.00", NULL },
	{ "{{printf \"%[3]*.[2]*[1]f\" 12.0 2 6}}", " 12.00", NULL },
	{ "{{printf \"%[2]d %[1]d\" 11 22}}", "22 11", NULL },
	{ "{{printf \"%*[2]d\" 7}}", "%!d(BADINDEX)", NULL },
	{ "{{printf \"%[3]d|%*[2]d|%[1]5d\" 1 2}}", "%!d(BADINDEX)|2|%!d(BADINDEX)", NULL },
	{ "{{printf \"%[1]d\" 1 2}} {{printf \"%[2]d %d\" 1 2 3}}", "1 2 3", NULL },
	{ "{{printf \"%w\" 1}} {{printf \"%d%w\" 1 2}}", "%!w(<nil>)%!(EXTRA int=1) 1%!w(int=1)%!(EXTRA int=2)", NULL },
	/* html, js, urlquery */
	{ "{{html \"<a href='x'>&\\\"\"}}", "&lt;a href=&#39;x&#39;&gt;&amp;&#34;", NULL },
	{ "{{html 1 2}} {{html \"a\" \"b\"}} {{html nil}}", "1 2 ab &lt;no value&gt;", NULL },
	{ "{{js \"a'b\\\"c<d>e&f=g\\\\h\\n\"}}", "a\\'b\\\"c\\u003Cd\\u003Ee\\u0026f\\u003Dg\\\\h\\u000A", NULL },
	{ "{{js \"é\"}}", "é", NULL },
	{ "{{urlquery \"a b&c=d/é~\"}}", "a+b%26c%3Dd%2F%C3%A9~", NULL },
	{ "{{.AppName | urlquery}}", "my-app", NULL },
	/* call */
	{ "{{call .AppName}}", NULL,
	  "template: template:1:2: executing \"template\" at <call .AppName>: error calling call: non-function .AppName of type string" },
	{ "{{call nil}}", NULL, "template: template:1:2: executing \"template\" at <call nil>: error calling call: call of nil" },
	{ "{{call 1 2}}", NULL, "template: template:1:2: executing \"template\" at <call 1 2>: error calling call: non-function 1 of type int" },
	{ "{{call}}", NULL, "template: template:1:2: executing \"template\" at <call>: wrong number of args for call: want at least 1 got 0" },
	/* functions that do not exist */
	{ "dokku/{{ APP }}", NULL, "template: template:1: function \"APP\" not defined" },
	{ "{{ upper .AppName }}", NULL, "template: template:1: function \"upper\" not defined" },
	{ "a\n{{ b }}", NULL, "template: template:2: function \"b\" not defined" },
	/* multi-line */
	{ "{{if true}}\n{{.Foo}}{{end}}", NULL,
	  "template: template:2:2: executing \"template\" at <.Foo>: can't evaluate field Foo in type registry.templateData" },
	{ "line1\nline2 {{ }}", NULL, "template: template:2: missing value for command" },
	/* more lexer and parser corners */
	{ "{{-}}", NULL, "template: template:1: illegal number syntax: \"-\"" },
	{ "{{if false}}{{else with 1}}{{.}}{{end}}", NULL, "template: template:1: unexpected <with> in input" },
	{ "{{range 1}}{{else if true}}{{end}}", NULL, "template: template:1: unexpected <if> in input" },
	{ "{{.\xc3\x84pp}}", NULL,
	  "template: template:1:2: executing \"template\" at <.\xc3\x84pp>: can't evaluate field \xc3\x84pp in type registry.templateData" },
	{ "{{ .AppName }}\t{{- /* tab before the trim marker */}}", "my-app", NULL },
	{ "{{ .AppName\t-}}  x", "my-appx", NULL },
	{ "{{ .AppName -}}", "my-app", NULL },
	{ "{{$x := 1}}{{$x := 2}}{{$x}}", "2", NULL },
	{ "{{with 1}}{{$y := 2}}{{end}}{{$y}}", NULL, "template: template:1: undefined variable \"$y\"" },
	{ "{{range $i := 2}}{{$i}}{{end}}{{$i}}", NULL, "template: template:1: undefined variable \"$i\"" },
	{ "{{\"a\" | len | printf \"%d\"}}", "1", NULL },
	{ "{{print (1) (2)}}", "1 2", NULL },
	{ "{{len}}", NULL, "template: template:1:2: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{print len}}", NULL, "template: template:1:8: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{len.AppName}}", NULL, "template: template:1:2: executing \"template\" at <len>: wrong number of args for len: want 1 got 0" },
	{ "{{(nil).AppName}}", NULL, "template: template:1:3: executing \"template\" at <nil>: nil is not a command" },
	{ "{{nil.AppName}}", NULL, "template: template:1: unexpected . after term \"nil\"" },
	{ "{{.AppName | call}}", NULL,
	  "template: template:1:13: executing \"template\" at <call>: error calling call: non-function my-app of type string" },
	{ "{{template \"t\" 1}}{{define \"t\"}}{{$}}{{.}}{{end}}", "11", NULL },
	{ "{{define \"t\"}}{{$x}}{{end}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{$x := 1}}{{define \"t\"}}{{$x}}{{end}}", NULL, "template: template:1: undefined variable \"$x\"" },
	{ "{{printf \"%08.3f|%-08d|%+.2e\" 3.14159 5 12345.678}}", "0003.142|5       |+1.23e+04", NULL },
	{ "{{printf \"%6.2v|%v|%v\" 3.14159 100000.0 1000000.0}}", "   3.1|100000|1e+06", NULL },
	{ "{{printf \"%v %v\" 0.1 -0.0}}", "0.1 -0", NULL },
	{ "{{printf \"%05s|%05q\" \"ab\" \"c\"}}", "   ab|  \"c\"", NULL },
	{ "{{printf \"%x|%X|%#b\" -255 3000 5}}", "-ff|BB8|0b101", NULL },
	{ "{{printf \"%q\" 0x1F600}}", "'\xf0\x9f\x98\x80'", NULL },
	{ "{{printf \"%q|%q\" 10 39}}", "'\\n'|'\\''", NULL },
	{ "{{printf \"%s\" (slice .AppName 1 3)}}", "y-", NULL },
	{ "{{printf \"%v\" (index .AppName 0)}}", "109", NULL },
	{ "{{printf \"%T\" (index .AppName 0)}}", "uint8", NULL },
	{ "{{range (index .AppName 0 | len)}}{{end}}", NULL,
	  "template: template:1:28: executing \"template\" at <len>: error calling len: len of type uint8" },
	{ "{{range $i := (len \"ab\")}}{{$i}}{{end}}", "01", NULL },
	{ "{{ne 1 1.0}}", NULL,
	  "template: template:1:2: executing \"template\" at <ne 1 1.0>: error calling ne: incompatible types for comparison: int and float64" },
	{ "{{ge 2 (index \"a\" 0)}}", "false", NULL },
	{ "{{html .}}", "{my-app}", NULL },
	{ "{{js \"\\x01\"}}", "\\u0001", NULL },
	{ "{{printf \"%#g|%#.3g|%#e|%#.0f|%#g\" 1.0 1.0 1.0 3.0 0.0}}", "1.00000|1.00|1.000000e+00|3.|0.00000", NULL },
	{ "{{printf \"%#v|%#v|%#v\" (index \"m\" 0) 42 \"q\"}}", "0x6d|42|\"q\"", NULL },
	{ "{{printf \"%5z\" 1}}", "%!z(int=    1)", NULL },
	{ "{{printf \"%x|%X|%b\" 1.0 3.5 1.0}}", "0x1p+00|0X1.CP+01|4503599627370496p-52", NULL },
	{ "{{if true}}\n{{/* x", NULL, "template: template:2: unclosed comment in action started at template:1" },
	{ "{{block \"b\" .}}\n{{/* x", NULL, "template: template:2: unclosed comment" },
	{ "{{with 1}}\n{{.AppName\n", NULL, "template: template:3: unclosed action started at template:2" },
	/* the examples */
	{ "team/{{ printf \"%s-web\" .AppName }}", "team/my-app-web", NULL },
	{ "{{ if eq .AppName \"x\" }}a{{ else }}b{{ end }}", "b", NULL },
	{ "{{ .AppName | len }}", "6", NULL },
	{ "registry.example.com/{{ slice .AppName 0 2 }}/{{ .AppName }}", "registry.example.com/my/my-app", NULL },
};

START_TEST(test_vector)
{
	char *out = NULL, err[512];
	int is_parse = 0;
	int rc = gt_render(vectors[_i].in, strlen(vectors[_i].in), "my-app", &out, &is_parse, err, sizeof(err));

	if (vectors[_i].out) {
		ck_assert_msg(rc == 0, "vector %d %s: failed: %s", _i, vectors[_i].in, err);
		ck_assert_msg(strcmp(out, vectors[_i].out) == 0, "vector %d %s: got [%s] want [%s]", _i,
			      vectors[_i].in, out, vectors[_i].out);
	} else {
		ck_assert_msg(rc != 0, "vector %d %s: rendered [%s], want error", _i, vectors[_i].in, out);
		ck_assert_msg(strcmp(err, vectors[_i].err) == 0, "vector %d %s:\n got  %s\n want %s", _i,
			      vectors[_i].in, err, vectors[_i].err);
	}
	free(out);
}
END_TEST

/* Dokku's wrapping of Parse and Execute errors, and the bounds we add. */
START_TEST(test_wrapping)
{
	struct dr_err e = { 0 };
	char *out = NULL, *big;

	ck_assert_int_eq(dr_template_render("dokku/{{ APP }}", "a", &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to parse image-repo-template: template: template:1: function \"APP\" not defined");
	ck_assert_int_eq(dr_template_render("{{ .Foo }}", "a", &out, &e), DR_EINVAL);
	ck_assert_str_eq(e.msg, "Unable to execute image-repo-template: template: template:1:3: executing \"template\" at "
				"<.Foo>: can't evaluate field Foo in type registry.templateData");
	ck_assert_int_eq(dr_template_render("t/{{ .AppName | printf \"%s-x\" }}", "a", &out, &e), 0);
	ck_assert_str_eq(out, "t/a-x");
	free(out);
	big = malloc(GT_MAX_INPUT + 2);
	memset(big, 'a', GT_MAX_INPUT + 1);
	big[GT_MAX_INPUT + 1] = '\0';
	ck_assert_int_eq(dr_template_render(big, "a", &out, &e), DR_EINVAL);
	free(big);
	ck_assert_int_eq(dr_template_render("{{range 100000}}{{range 100}}{{end}}{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "execution longer than"));
	ck_assert_int_eq(dr_template_render("{{define \"r\"}}{{if 1}}{{with 1}}{{range 1}}{{template \"r\" (print (len \"a\"))}}"
					    "{{end}}{{end}}{{end}}{{end}}{{template \"r\"}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "exceeded maximum"));
	ck_assert_int_eq(dr_template_render("{{range 70000}}x{{end}}", "a", &out, &e), DR_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "output longer than 65536 bytes"));
}
END_TEST

Suite *template_suite(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("vectors");

	tcase_add_loop_test(tc, test_vector, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, test_wrapping);
	suite_add_tcase(s, tc);
	return s;
}
