import FakeDocker
import Testing

// Expected texts were taken from the docker 28.2.2 CLI on this machine (`docker context inspect -f …`
// runs Go's text/template with docker's functions over a struct without needing a daemon), whose
// data `contextData` mirrors.
private let contextData = TemplateValue.structure("context.contextWithTLSListing", [
    ("Name", .string("default")),
    ("Endpoints", .map([
        ("docker", .structure("context.EndpointMeta", [
            ("Host", .string("unix:///tmp/nonexist.sock")), ("SkipTLSVerify", .bool(false)),
        ])),
    ])),
    ("Storage", .structure("store.StorageInfo", [
        ("MetadataPath", .string("<IN MEMORY>")), ("TLSPath", .string("<IN MEMORY>")),
    ])),
])

/// A `docker inspect` container as the engine's JSON has it (a map), for `missingkey=error`.
private let inspectData = TemplateValue.map([
    ("Id", .string("abc")),
    ("Name", .string("/x3")),
    ("State", .map([("Status", .string("exited")), ("Running", .bool(false)), ("ExitCode", .int(3)), ("Health", .null)])),
    ("Config", .map([("Image", .string("busybox")), ("Labels", .stringMap([("b", "2"), ("a", "1")]))])),
])

/// A container without a health check as the engine types it (`types.ContainerJSON`): `State.Health`
/// is a nil `*types.Health`, `Config.StopSignal` an empty string and `Config.StopTimeout` a nil `*int`,
/// all three tagged `json:",omitempty"`.
private let typedWithoutHealth = TemplateValue.structure("types.ContainerJSON", [
    ("State", .structure("*types.ContainerState", [("Status", .string("running")), ("Health", .null)], omitEmpty: ["Health": .pointer])),
    ("Config", .structure("*container.Config", [("StopSignal", .string("")), ("StopTimeout", .null)],
                          omitEmpty: ["StopSignal": .value, "StopTimeout": .pointer])),
])

private let psRow = TemplateValue.structure(
    "*formatter.ContainerContext", [("ID", .string("d9fffc034fe4")), ("Names", .string("x2"))],
    methods: ["Label": TemplateMethod(results: ["com.example": .string("yes")], otherwise: .string(""))])

private func render(_ text: String, _ data: TemplateValue = contextData, missingKey: GoTemplate.MissingKey = .noValue) -> String {
    do {
        return try GoTemplate(text, missingKey: missingKey).execute(data)
    } catch {
        return "ERROR " + error.message
    }
}

private func parseError(_ text: String) -> String? {
    do {
        _ = try GoTemplate(text)
        return nil
    } catch {
        return error.kind == .parse ? error.message : nil
    }
}

@Suite("TemplateTests")
struct TemplateTests {
    @Test("fields, chains, dot, $ and text print as Go prints them", arguments: [
        ("{{.Name}}", "default"),
        ("a {{.Endpoints.docker.Host}} b", "a unix:///tmp/nonexist.sock b"),
        ("{{.Storage}}", "{<IN MEMORY> <IN MEMORY>}"),
        ("{{.Endpoints}}", "map[docker:{unix:///tmp/nonexist.sock false}]"),
        ("{{$.Name}}", "default"),
        ("{{with .Storage}}{{.TLSPath}}{{end}}", "<IN MEMORY>"),
        ("{{(.Storage).MetadataPath}}", "<IN MEMORY>"),
    ])
    func fields(_ template: String, _ expected: String) {
        #expect(render(template) == expected)
    }

    @Test("literals: strings with Go escapes, raw strings, numbers, chars, bools", arguments: [
        (#"{{"a\tb\u00e9\x41"}}"#, "a\tbéA"),
        ("{{`raw\\n`}}", "raw\\n"),
        ("{{0x1F}} {{1_000}} {{0o17}} {{.5}} {{-.5}} {{+3}} {{010}}", "31 1000 15 0.5 -0.5 3 8"),
        ("{{1e6}} {{1000000.0}} {{0.00001}} {{123456789.0}} {{1e3}} {{1.5}}", "1e+06 1e+06 1e-05 1.23456789e+08 1000 1.5"),
        ("{{'a'}} {{true}} {{false}}", "97 true false"),
    ])
    func literals(_ template: String, _ expected: String) {
        #expect(render(template) == expected)
    }

    @Test("{{- and -}} trim the whitespace next to the action; comments vanish")
    func trimming() {
        #expect(render("{{ 1}}{{- 2 -}} {{3}}") == "123")
        #expect(render("a  \n {{- .Name -}} \n  b") == "adefaultb")
        #expect(render("{{-3}}") == "-3")
        #expect(render("{{/* c */}}a {{- /* c */ -}} b") == "ab")
    }

    @Test("variables are declared, assigned, scoped to their block, and used with fields")
    func variables() {
        #expect(render("{{$x := 1}}{{$x = 2}}{{$x}}") == "2")
        #expect(render("{{$s := .Storage}}{{$s.TLSPath}}") == "<IN MEMORY>")
        #expect(render("{{with $x := .Name}}{{$x}}{{end}}") == "default")
        #expect(parseError("{{with $x := 1}}{{$x}}{{end}}{{$x}}") == #"template: :1: undefined variable "$x""#)
    }

    @Test("pipelines pass the value as the last argument")
    func pipelines() {
        #expect(render(#"{{ .Name | printf "%s!" | upper }}"#) == "DEFAULT!")
        #expect(render(#"{{3 | printf "%d-%d" 4}}"#) == "4-3")
        #expect(render(#"{{.Storage.MetadataPath | len | printf "%d"}}"#) == "11")
    }

    @Test("if, else if, else, with and with-else choose by Go truth")
    func conditionals() {
        #expect(render("{{if eq 1 2}}a{{else if eq 1 1}}b{{else}}c{{end}}") == "b")
        #expect(render(#"{{if ""}}a{{else}}b{{end}}{{if .Storage}}c{{end}}{{if 0}}d{{end}}"#) == "bc")
        #expect(render("{{with .Endpoints.nope}}x{{else}}y{{end}}") == "y")
        #expect(render("{{with 0}}{{else with 2}}{{.}}{{end}}") == "2")
    }

    @Test("range walks arrays in order, maps in key order and ints, with $i, $v, else, break and continue")
    func ranges() {
        #expect(render(#"{{range split "a,b" ","}}[{{.}}]{{else}}none{{end}}"#) == "[a][b]")
        #expect(render(#"{{range $i, $v := split "a,b" ","}}{{$i}}{{$v}}{{end}}"#) == "0a1b")
        #expect(render("{{range $k, $v := .}}{{$k}}={{$v}};{{end}}", .map([("b", .int(2)), ("a", .int(1))])) == "a=1;b=2;")
        #expect(render("{{range 3}}{{.}}{{end}}") == "012")
        #expect(render("{{range 0}}a{{else}}b{{end}}{{range .Endpoints.nope}}a{{else}}c{{end}}") == "bc")
        #expect(render(#"{{range $i, $e := split "a,b,c" ","}}{{if eq $i 1}}{{continue}}{{end}}{{$e}}{{end}}"#) == "ac")
        #expect(render(#"{{range split "a,b,c" ","}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}"#) == "a")
    }

    @Test("comparison and logic functions follow Go's rules", arguments: [
        (#"{{eq 1 1 2}}|{{ne "a" "b"}}|{{lt 1 2}}|{{le 2.5 2.5}}|{{eq .Name "default"}}|{{gt 3 2}}|{{ge "a" "b"}}"#,
         "true|true|true|true|true|true|false"),
        (#"{{and 1 0 2}}|{{or 0 "" "x"}}|{{not ""}}|{{and 1 2}}|{{or 0 ""}}"#, "0|x|true|2|"),
        ("{{eq nil nil}} {{eq .Endpoints.nope nil}} {{eq .Endpoints.nope 1}}", "true true false"),
        ("{{and .Endpoints.nope 1}}|{{or .Endpoints.nope}}", "<no value>|<no value>"),
    ])
    func comparisons(_ template: String, _ expected: String) {
        #expect(render(template) == expected)
    }

    @Test("docker's functions: json, split, join, title, lower, upper, pad, truncate; and len, index", arguments: [
        (#"{{json "<a&b>"}} {{json .Storage}}"#, #""<a&b>" {"MetadataPath":"<IN MEMORY>","TLSPath":"<IN MEMORY>"}"#),
        (#"{{split "a,b,c" ","}}|{{join (split "a,b" ",") "-"}}|{{len (split "a,b" ",")}}|{{split "" ","}}"#, "[a b c]|a-b|2|[]"),
        (#"{{title "hello wORLD foo-bar x_y 1a éa"}}"#, "Hello WORLD Foo-Bar X_y 1a Éa"),
        (#"{{upper "straße ǆ"}}|{{lower "ÀB"}}|{{title "ǆa"}}"#, "STRAßE Ǆ|àb|ǅa"),
        (#"{{pad "x" 1 2}}|{{pad "" 1 2}}|{{truncate "hello" 2}}|{{truncate "hi" 5}}"#, " x  ||he|hi"),
        (#"{{len .Name}} {{len .Endpoints}} {{index .Name 1}} {{index (split "a,b" ",") 1}}"#, "7 1 101 b"),
        (#"{{index .Endpoints "docker" | json}}"#, #"{"Host":"unix:///tmp/nonexist.sock","SkipTLSVerify":false}"#),
        (#"{{.Endpoints.nope}}|{{index .Endpoints "nope"}}|{{print .Endpoints.nope}}|{{.Endpoints.nope.x}}"#,
         "<no value>|<no value>|<nil>|<no value>"),
        (#"{{join nil ","}}"#, ""),
    ])
    func functions(_ template: String, _ expected: String) {
        #expect(render(template) == expected)
    }

    @Test("print, println and printf format like Go's fmt", arguments: [
        (#"{{print 1 2 "a" "b" 3 true}}|{{println 1 "a"}}"#, "1 2ab3 true|1 a\n"),
        (#"{{printf "%q %d %s %x %X %t %c %08.3f %-5s| %+d %o" "a\"b" 42 .Name "hi" 255 true 65 3.14159 "ab" 5 8}}"#,
         #""a\"b" 42 default 6869 FF true A 0003.142 ab   | +5 10"#),
        (#"{{printf "%d" "x"}}|{{printf "%d %d" 1}}|{{printf "%d" 1 2}}"#, "%!d(string=x)|1 %!d(MISSING)|1%!(EXTRA int=2)"),
        (#"{{printf "%v" (split "a b" " ")}}|{{printf "%q" (split "a b" " ")}}"#, #"[a b]|["a" "b"]"#),
        (#"{{printf "%v %v %5.2f %e %g" 1e21 1e20 3.14159 1234.5 0.000012}}"#, "1e+21 1e+20  3.14 1.234500e+03 1.2e-05"),
        (#"{{printf "%5.1s|%-6q|%x|%x" "abc" "a" "hé" -255}}"#, #"    a|"a"   |68c3a9|-ff"#),
        (#"{{printf "%6.2v|%t|%v|%03d|%+.2e" 3.14159 1 true -5 1234.5}}"#, "   3.1|%!t(int=1)|true|-05|+1.23e+03"),
        (#"{{printf "%s" 3}} {{printf "%v %s" (split "" ",") (split "a" ",")}}"#, "%!s(int=3) [] [a]"),
        (#"{{printf "%%|%5%|%z" 1}}|{{print nil}}|{{printf "%s" nil}}"#, "%|%|%!z(int=1)|<nil>|%!s(<nil>)"),
        (#"{{printf "%v|%s|%d" .Endpoints.nope .Endpoints.nope 3}}"#, "<nil>|%!s(<nil>)|3"),
    ])
    func printing(_ template: String, _ expected: String) {
        #expect(render(template) == expected)
    }

    @Test("a struct's one-string method answers per argument; an unknown field names the struct type")
    func structMethods() {
        #expect(render(#"{{.ID}}|{{.Label "com.example"}}|{{.Label "other"}}|{{.Names}}"#, psRow) == "d9fffc034fe4|yes||x2")
        #expect(render("{{.Bogus}}", psRow)
            == #"ERROR template: :1:2: executing "" at <.Bogus>: can't evaluate field Bogus in type *formatter.ContainerContext"#)
        #expect(render("{{.Label}}", psRow) == #"ERROR template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0"#)
    }

    @Test("missingkey=error turns a missing map key into docker's inspect error, at the key's column")
    func missingKeyError() {
        #expect(render("{{.State.Status}} {{.State.ExitCode}} {{.Config.Labels}}", inspectData, missingKey: .error)
            == "exited 3 map[a:1 b:2]")
        #expect(render("{{.State.Bogus}}", inspectData, missingKey: .error)
            == #"ERROR template: :1:8: executing "" at <.State.Bogus>: map has no entry for key "Bogus""#)
        #expect(render("{{.State.Bogus}}", inspectData) == "<no value>")
        #expect(render("{{.State.Health}}", inspectData) == "<no value>")
        #expect(render(#"{{index .Config.Labels "a"}}|{{index .Config.Labels "zz"}}|"#, inspectData) == "1||")
        #expect(render("{{.Config.Labels.zz}}", inspectData, missingKey: .zero) == "")
    }

    @Test("docker inspect's fallback: typed first, then the decoded JSON with missingkey=error")
    func inspectFallback() throws {
        let typed = TemplateValue.structure("container.InspectResponse", [
            ("State", .structure("*container.State", [("Status", .string("running"))])),
            ("Config", .structure("*container.Config", [("Labels", .stringMap([]))])),
        ])
        #expect(try GoTemplate("{{.Config.Labels.nokey}}").executeInspect(typed) == "<no value>")
        #expect(throws: TemplateError(kind: .execution, message:
            #"template: :1:8: executing "" at <.State.Bogus>: map has no entry for key "Bogus""#)) {
            try GoTemplate("{{.State.Bogus}}").executeInspect(typed)
        }
    }

    // docs/engine-observations.md item 8: the engine's output for these templates on a container without
    // a health check, and dockrun's readiness template that depends on them.
    @Test("docker inspect over a nil omitempty pointer: <nil> and null from the typed pass, the JSON's missing key past it",
          arguments: [
        ("{{.State.Health}}", "<nil>"),
        ("{{json .State.Health}}", "null"),
        ("{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", "running "),
        ("{{.Config.StopSignal}} {{.Config.StopTimeout}}", " <nil>"),
    ])
    func inspectNilPointer(_ text: String, _ expected: String) throws {
        #expect(try GoTemplate(text).executeInspect(typedWithoutHealth) == expected)
    }

    @Test("a field through a nil omitempty pointer fails both passes, with the decoded JSON's error")
    func inspectThroughNilPointer() {
        #expect(throws: TemplateError(kind: .execution, message:
            #"template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health""#)) {
            try GoTemplate("{{.State.Health.Status}}").executeInspect(typedWithoutHealth)
        }
    }

    @Test("json leaves out an empty omitempty field, as the daemon's JSON and so the decoded fallback do")
    func omitEmptyJSON() throws {
        #expect(typedWithoutHealth.json() == #"{"State":{"Status":"running"},"Config":{}}"#)
        #expect(try GoTemplate("{{json .State}}").execute(typedWithoutHealth) == #"{"Status":"running"}"#)
        #expect(typedWithoutHealth.decodedJSON == .map([("State", .map([("Status", .string("running"))])), ("Config", .map([]))]))
    }

    @Test("json writes a set omitempty field: a pointer unless nil (to 0 or to a struct too), a value unless zero or empty")
    func omitEmptySet() {
        let typed = TemplateValue.structure("*container.Config", [
            ("StopSignal", .string("SIGUSR1")), ("StopTimeout", .int(0)), ("Health", .structure("types.Health", [])),
            ("Labels", .stringMap([])), ("Cmd", .array([])), ("Tty", .bool(false)), ("Memory", .int(0)),
        ], omitEmpty: [
            "StopSignal": .value, "StopTimeout": .pointer, "Health": .pointer,
            "Labels": .value, "Cmd": .value, "Tty": .value, "Memory": .value,
        ])
        #expect(typed.json() == #"{"StopSignal":"SIGUSR1","StopTimeout":0,"Health":{}}"#)
    }

    @Test("parse errors carry Go's text and line", arguments: [
        ("{{.Name", "template: :1: unclosed action"),
        ("{{.Name}", "template: :1: bad character U+007D '}'"),
        ("{{1}2}}", #"template: :1: unexpected "}" in operand"#),
        ("{{ } }}", #"template: :1: unexpected "}" in command"#),
        ("{{bogus 1}}", #"template: :1: function "bogus" not defined"#),
        ("{{if 1}}x", "template: :1: unexpected EOF"),
        ("{{end}}", "template: :1: unexpected {{end}}"),
        ("{{else}}", "template: :1: unexpected {{else}}"),
        ("{{$x}}", #"template: :1: undefined variable "$x""#),
        (#"{{"abc}}"#, "template: :1: unterminated quoted string"),
        ("{{(1}}", "template: :1: unclosed left paren"),
        ("{{)}}", "template: :1: unexpected right paren"),
        ("{{if}}{{end}}", "template: :1: missing value for if"),
        ("{{$x := }}", "template: :1: missing value for command"),
        ("{{:}}", "template: :1: expected :="),
        ("{{3x}}", #"template: :1: bad number syntax: "3x""#),
        ("{{/* x */ .A}}", "template: :1: comment ends before closing delimiter"),
        ("{{/* x }}", "template: :1: unclosed comment"),
        ("a\n{{if 1}}\n{{bogus}}", #"template: :3: function "bogus" not defined"#),
        ("{{break}}", "template: :1: {{break}} outside {{range}}"),
        ("{{range 1}}{{break 3}}{{end}}", #"template: :1: unexpected "3" in {{break}}"#),
        ("{{if 1}}{{else}}{{else}}{{end}}", "template: :1: expected end; found {{else}}"),
        (#"{{"\q"}}"#, "template: :1: invalid syntax"),
        ("{{'ab'}}", "template: :1: malformed character constant: 'ab'"),
        ("{{range $a, $b, $c := 1}}{{end}}", "template: :1: too many declarations in range"),
        ("{{$x, $y := 1}}", "template: :1: too many declarations in command"),
        ("{{1 | 2}}", "template: :1: non executable command in pipeline stage 2"),
        ("{{nil.X}}", #"template: :1: unexpected . after term "nil""#),
        (#"{{ | }}"#, #"template: :1: unexpected "|" in command"#),
    ])
    func parseErrors(_ template: String, _ expected: String) {
        #expect(parseError(template) == expected)
    }

    @Test("execution errors name line:column and the node, as Go's ErrorContext does", arguments: [
        ("{{.Nope}}", #"template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type context.contextWithTLSListing"#),
        ("x\n{{.Nope}}", #"template: :2:2: executing "" at <.Nope>: can't evaluate field Nope in type context.contextWithTLSListing"#),
        ("{{.Name}} {{.Endpoints.docker.Bogus}}", #"template: :1:22: executing "" at <.Endpoints.docker.Bogus>: can't evaluate field Bogus in type context.EndpointMeta"#),
        ("{{1 2}}", #"template: :1:2: executing "" at <1>: can't give argument to non-function 1"#),
        ("{{len 3}}", #"template: :1:2: executing "" at <len 3>: error calling len: len of type int"#),
        ("{{and}}", #"template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0"#),
        ("{{upper \"a\" \"b\"}}", #"template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 2"#),
        ("{{lt 1 2.5}}", #"template: :1:2: executing "" at <lt 1 2.5>: error calling lt: incompatible types for comparison"#),
        ("{{lt true false}}", #"template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison"#),
        ("{{eq 1}}", #"template: :1:2: executing "" at <eq 1>: error calling eq: missing argument for comparison"#),
        (#"{{index (split "a,b" ",") 5}}"#, #"template: :1:2: executing "" at <index (split "a,b" ",") 5>: error calling index: index out of range: 5"#),
        ("{{index .Endpoints 1}}", #"template: :1:2: executing "" at <index .Endpoints 1>: error calling index: value has type int; should be string"#),
        ("{{index nil 1}}", #"template: :1:2: executing "" at <index nil 1>: error calling index: index of untyped nil"#),
        ("{{index 3 1}}", #"template: :1:2: executing "" at <index 3 1>: error calling index: can't index item of type int"#),
        ("{{nil}}", #"template: :1:2: executing "" at <nil>: nil is not a command"#),
        ("{{.Name.X}}", #"template: :1:7: executing "" at <.Name.X>: can't evaluate field X in type string"#),
        ("{{.Name 1}}", #"template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function"#),
        ("{{(.Name).X}}", #"template: :1:3: executing "" at <.Name>: can't evaluate field X in type string"#),
        ("{{$x := 1}}{{$x.Y}}", #"template: :1:15: executing "" at <$x.Y>: can't evaluate field Y in type int"#),
        (#"{{join .Name ","}}"#, #"template: :1:7: executing "" at <.Name>: wrong type for value; expected []string; got string"#),
        ("{{lower 3}}", #"template: :1:8: executing "" at <3>: expected string; found 3"#),
        ("{{lower nil}}", #"template: :1:8: executing "" at <nil>: cannot assign nil to string"#),
        ("{{lower .Endpoints.nope}}", #"template: :1:18: executing "" at <.Endpoints.nope>: invalid value; expected string"#),
        ("{{range .Name}}{{end}}", #"template: :1:8: executing "" at <.Name>: range can't iterate over default"#),
        ("{{range .Storage}}a{{end}}", #"template: :1:8: executing "" at <.Storage>: range can't iterate over {<IN MEMORY> <IN MEMORY>}"#),
        ("{{range $i, $v := 3}}{{end}}", #"template: :1:18: executing "" at <3>: can't use 3 to iterate over more than one variable"#),
        (#"{{truncate "abc" -1}}"#, #"template: :1:2: executing "" at <truncate "abc" -1>: error calling truncate: runtime error: slice bounds out of range [:-1]"#),
        (#"{{eq (split "a" ",") (split "a" ",")}}"#, #"template: :1:2: executing "" at <eq (split "a" ",") (split "a" ",")>: error calling eq: non-comparable type [a]: []string"#),
    ])
    func executionErrors(_ template: String, _ expected: String) {
        #expect(render(template) == "ERROR " + expected)
    }

    @Test("an execution error reports the execution kind; a parse error the parse kind")
    func errorKinds() {
        #expect(throws: TemplateError(kind: .parse, message: "template: :1: unclosed action")) { try GoTemplate("{{") }
        #expect(throws: TemplateError.self) { try GoTemplate("{{.Nope}}").execute(contextData) }
    }

    @Test("json compact form escapes like encoding/json and keeps the given key order")
    func jsonCompact() {
        let value = TemplateValue.map([
            ("z", .string("<a&b>\n\t\"\\\u{01}\u{2028}")), ("a", .array([.int(1), .double(1.5), .null, .bool(true)])),
            ("e", .array([])), ("o", .map([])),
        ])
        #expect(value.json() == #"{"z":"\u003ca\u0026b\u003e\n\t\"\\\u0001\u2028","a":[1,1.5,null,true],"e":[],"o":{}}"#)
        #expect(TemplateValue.string("<>").json(escapeHTML: false) == #""<>""#)
    }

    @Test("json floats print as Go prints them", arguments: [
        (1.5, "1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (0.0000001, "1e-7"), (0.000001, "0.000001"),
        (-0.0, "-0"), (100.0, "100"), (123456789.125, "123456789.125"),
    ])
    func jsonFloats(_ value: Double, _ expected: String) {
        #expect(TemplateValue.double(value).json() == expected)
    }

    @Test("json indented form is docker inspect's layout, with empty containers kept short")
    func jsonIndented() {
        let value = TemplateValue.array([.map([
            ("Name", .string("default")), ("Metadata", .map([])), ("Args", .array([])),
            ("Endpoints", .map([("docker", .map([("Host", .string("<IN MEMORY>")), ("SkipTLSVerify", .bool(false))]))])),
        ])])
        #expect(value.json(indent: "    ") == """
            [
                {
                    "Name": "default",
                    "Metadata": {},
                    "Args": [],
                    "Endpoints": {
                        "docker": {
                            "Host": "\\u003cIN MEMORY\\u003e",
                            "SkipTLSVerify": false
                        }
                    }
                }
            ]
            """)
    }

    @Test("a template runs again and again over different data with the same result for the same data")
    func reuse() throws {
        let template = try GoTemplate("{{.ID}}|{{.Names}}")
        #expect(try template.execute(psRow) == "d9fffc034fe4|x2")
        #expect(try template.execute(psRow) == "d9fffc034fe4|x2")
    }
}
