import Foundation
import Testing

/// The CLI's answers that moby's own CLI tests rely on and fake-docker once gave differently (issue 17, "Why"):
/// list filters, JSON in templates, `-e`, `run -dit`, image references, `commit --change`. Every list is scoped to
/// the test's label, so the same assertions hold on a shared real engine.
@Suite("Engine contract: fidelity to the CLI")
struct EngineContractFidelity {
    /// Creates a container of `image` with the test's label and `labels`, and returns its full ID.
    private func created(_ sb: Sandbox, _ suffix: String, image: String? = nil, labels: [String] = []) async throws -> String {
        let create = try await sb.docker(["create", "--name", sb.name(suffix)] + sb.tag + labels.flatMap { ["--label", $0] }
                                         + [image ?? sb.image, "true"])
        #expect(create.code == 0, "create: \(create)")
        return create.out.trimmingCharacters(in: .newlines)
    }

    /// `docker ps -a` of the test's containers under `filters`, as names.
    private func listed(_ sb: Sandbox, _ filters: [String], all: Bool = true) async throws -> [String] {
        let ps = try await sb.docker(["ps"] + (all ? ["-a"] : []) + ["--filter", "label=\(sb.label)"]
                                     + filters.flatMap { ["--filter", $0] } + ["--format", "{{.Names}}"])
        #expect(ps.code == 0, "ps: \(ps)")
        return ps.out.split(separator: "\n").map(String.init)
    }

    // MARK: ps and images filters

    @Test("two label filters must both hold; one label names a key or a key=value")
    func labelFiltersAreAnded() async throws {
        try await Sandbox.with { sb in
            _ = try await created(sb, "a", labels: ["dkt17.a=1"])
            _ = try await created(sb, "b", labels: ["dkt17.b=1"])
            #expect(try await listed(sb, ["label=dkt17.a"]) == [sb.name("a")])
            #expect(try await listed(sb, ["label=dkt17.a=1", "label=dkt17.b=1"]) == [])
            #expect(try await listed(sb, ["label=dkt17.b=2"]) == [])
        }
    }

    @Test("ancestor matches the containers of an image and of the images committed from it; an unknown image none")
    func ancestorFollowsCommits() async throws {
        try await Sandbox.with { sb in
            let a = try await created(sb, "a")
            let child = sb.repository("child") + ":1"
            let commit = try await sb.docker(["commit", a, child])
            #expect(commit.code == 0, "commit: \(commit)")
            _ = try await created(sb, "c", image: child)
            #expect(try await listed(sb, ["ancestor=\(sb.image)"]) == [sb.name("c"), sb.name("a")])
            #expect(try await listed(sb, ["ancestor=\(child)"]) == [sb.name("c")])
            #expect(try await listed(sb, ["ancestor=\(sb.repository("nosuch"))"]) == [])
        }
    }

    @Test("since and before cut the listing at a container named or given by full ID; a short ID is no such container")
    func sinceAndBefore() async throws {
        try await Sandbox.with { sb in
            let a = try await created(sb, "a")
            _ = try await created(sb, "b")
            _ = try await created(sb, "c")
            #expect(try await listed(sb, ["since=\(sb.name("a"))"]) == [sb.name("c"), sb.name("b")])
            #expect(try await listed(sb, ["since=\(a)"]) == [sb.name("c"), sb.name("b")])
            #expect(try await listed(sb, ["before=/\(sb.name("c"))"]) == [sb.name("b"), sb.name("a")])
            #expect(try await listed(sb, ["since=\(sb.name("a"))", "before=\(sb.name("c"))"]) == [sb.name("b")])
            let short = String(a.prefix(12))
            let ps = try await sb.docker(["ps", "-a", "--filter", "since=\(short)"])
            #expect(ps.code == 1)
            #expect(ps.err == "Error response from daemon: no such container \(short)\n")
        }
    }

    @Test("status= selects stopped containers without -a; since/before do not")
    func statusImpliesAll() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--name", sb.name("a")] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0)
            _ = try await created(sb, "b")
            #expect(try await listed(sb, ["status=exited"], all: false) == [sb.name("a")])
            #expect(try await listed(sb, ["status=created", "status=exited"], all: false) == [sb.name("b"), sb.name("a")])
            #expect(try await listed(sb, ["before=\(sb.name("b"))"], all: false) == [])
        }
    }

    @Test("an unknown filter, a bad status or dangling value: the daemon's Invalid filter and 1; no '=': usage and 125")
    func invalidFilters() async throws {
        try await Sandbox.with { sb in
            let refusals: [([String], String)] = [
                (["ps", "--filter", "nosuch=1"], "Invalid filter 'nosuch'"),
                (["images", "--filter", "nosuch=1"], "Invalid filter 'nosuch'"),
                (["images", "--filter", "status=running"], "Invalid filter 'status'"),
                (["ps", "--filter", "status=bogus"], "Invalid filter 'status=bogus'"),
                (["images", "--filter", "dangling=maybe"], "Invalid filter 'dangling=[maybe]'"),
                (["images", "--filter", "dangling=TRUE"], "Invalid filter 'dangling=[TRUE]'"),
                (["images", "--filter", "before=\(sb.repository("nosuch"))"], "No such image: \(sb.repository("nosuch")):latest"),
            ]
            for (args, message) in refusals {
                let refused = try await sb.docker(args)
                #expect(refused.code == 1, "\(args)")
                #expect(refused.err == "Error response from daemon: \(message)\n", "\(args)")
            }
            let bare = try await sb.docker(["ps", "--filter", "foo"])
            #expect(bare.code == 125)
            #expect(bare.err == """
                invalid argument "foo" for "-f, --filter" flag: bad format of filter (expected name=value)

                Usage:  docker ps [OPTIONS]

                Run 'docker ps --help' for more information

                """)
        }
    }

    @Test("images: dangling=true lists the untagged, false the tagged; label, since, before and reference filter too")
    func imageFilters() async throws {
        try await Sandbox.with { sb in
            let a = try await created(sb, "a", labels: ["dkt17.a=1"])
            let tagged = sb.repository("t")
            #expect(try await sb.docker(["commit", a, tagged + ":1"]).code == 0)
            let untagged = try await sb.docker(["commit", a])
            #expect(untagged.code == 0)
            let danglingID = String(untagged.out.trimmingCharacters(in: .newlines).dropFirst("sha256:".count).prefix(12))
            func images(_ filters: [String]) async throws -> [String] {
                // Images committed here carry the container's labels, the test's among them.
                let listed = try await sb.docker(["images", "--filter", "label=\(sb.label)"] + filters.flatMap { ["--filter", $0] }
                                                 + ["--format", "{{.Repository}}:{{.Tag}} {{.ID}}"])
                #expect(listed.code == 0, "images: \(listed)")
                return listed.out.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
            }
            #expect(try await images(["dangling=true"]) == ["<none>:<none>"])
            #expect(try await images(["dangling=false"]) == [tagged + ":1"])
            #expect(try await images(["label=dkt17.a=1", "label=dkt17.a=2"]) == [])
            #expect(try await images(["since=\(tagged):1"]) == ["<none>:<none>"])
            #expect(try await images(["before=\(danglingID)"]) == [tagged + ":1"])
            #expect(try await images(["reference=\(tagged)"]) == [tagged + ":1"])
            #expect(try await sb.docker(["rmi", danglingID]).code == 0)
        }
    }

    // MARK: templates

    @Test("inspect and {{json}} leave & < > as they are; a ps row's {{json .}} escapes them, its keys sorted")
    func jsonEscaping() async throws {
        try await Sandbox.with { sb in
            let id = try await created(sb, "a", labels: ["x=a&b<c>d"])
            let labels = try await sb.docker(["inspect", "-f", "{{json .Config.Labels}}", id])
            #expect(labels.out == #"{"\#(Sandbox.labelKey)":"\#(sb.id)","x":"a&b<c>d"}"# + "\n")
            let plain = try await sb.docker(["inspect", id])
            #expect(plain.out.contains(#""x": "a&b<c>d""#))
            let row = try await sb.docker(["ps", "-a", "--filter", "label=\(sb.label)", "--format", "{{json .}}"])
            #expect(row.out.contains(#""Labels":"\#(sb.label),x=a\u0026b\u003cc\u003ed""#))
            #expect(row.out.contains(#""Names":"\#(sb.name("a"))","Networks":"#))
            #expect(row.out.contains(#""Platform":null"#))
            let field = try await sb.docker(["ps", "-a", "--filter", "label=\(sb.label)", "--format", "{{json .Labels}}"])
            #expect(field.out == "\"\(sb.label),x=a&b<c>d\"\n")
        }
    }

    @Test(#"a ps format's \t and \n written as text are a tab and a newline; spaces around it are trimmed"#)
    func formatEscapes() async throws {
        try await Sandbox.with { sb in
            _ = try await created(sb, "a")
            let ps = try await sb.docker(["ps", "-a", "--filter", "label=\(sb.label)", "--format", #" {{.Names}}\t{{.State}}\n. "#])
            #expect(ps.out == sb.name("a") + "\tcreated\n.\n")
            let inspect = try await sb.docker(["inspect", "-f", #"{{.State.Status}}\t"#, sb.name("a")])
            #expect(inspect.out == #"created\t"# + "\n")
        }
    }

    // MARK: run

    @Test("-e NAME takes NAME from the client or leaves it out; -e with no name is the flag's error and 125")
    func environmentOptions() async throws {
        try await Sandbox.with { sb in
            let unset = "DKT17_UNSET_\(sb.id)"
            let run = try await sb.docker(["run", "--rm"] + sb.tag + ["-e", "DKT17_SET", "-e", unset, "-e", "DKT17_EMPTY=",
                                                                       sb.image, "env"], environment: ["DKT17_SET": "yes"])
            #expect(run.code == 0)
            let lines = run.out.split(separator: "\n").map(String.init)
            #expect(lines.contains("DKT17_SET=yes"))
            #expect(lines.contains("DKT17_EMPTY="))
            #expect(!lines.contains { $0.hasPrefix(unset) })
            for value in ["", "=x"] {
                let refused = try await sb.docker(["run", "--rm"] + sb.tag + ["-e", value, sb.image, "true"])
                #expect(refused.code == 125)
                #expect(refused.err == """
                    invalid argument "\(value)" for "-e, --env" flag: invalid environment variable: \(value)

                    Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]

                    Run 'docker run --help' for more information

                    """)
            }
        }
    }

    @Test("run -dit and -d -t need no terminal: the container gets its tty (and stdin with -i) and runs")
    func detachedWithTTY() async throws {
        try await Sandbox.with { sb in
            let dit = try await sb.docker(["run", "-dit", "--name", sb.name("a")] + sb.tag + [sb.image, "sh"])
            #expect(dit.code == 0, "run -dit: \(dit)")
            #expect(matches(dit.out, hex64 + "\n"))
            #expect(try await sb.inspect(sb.name("a"), "{{.Config.Tty}} {{.Config.OpenStdin}} {{.State.Running}}") == "true true true")
            let dt = try await sb.docker(["run", "-d", "-t", "--name", sb.name("b")] + sb.tag + [sb.image, "true"])
            #expect(dt.code == 0, "run -d -t: \(dt)")
            #expect(try await sb.inspect(sb.name("b"), "{{.Config.Tty}} {{.Config.OpenStdin}}") == "true false")
        }
    }

    // MARK: image references and argument counts

    @Test("tag and rmi refuse a reference with the words of the client's parser or the daemon's, and 1")
    func referenceRefusals() async throws {
        try await Sandbox.with { sb in
            let missing = sb.repository("nosuch")
            let daemon = "Error response from daemon: "
            func parsing(_ text: String, _ reason: String = "invalid reference format") -> String {
                "Error parsing reference: \"\(text)\" is not a valid repository/tag: \(reason)\n"
            }
            let refusals: [([String], String)] = [
                (["tag", sb.image, "FOO/bar"], daemon + "invalid reference format: repository name must be lowercase\n"),
                (["tag", sb.image, "sha256:x"], daemon + "refusing to create an ambiguous tag using digest algorithm as name\n"),
                (["tag", missing, "sha256:x"], daemon + "No such image: \(missing):latest\n"),
                (["tag", sb.image, "-foo"], parsing("-foo")),
                (["tag", sb.image, ""], parsing("")),
                (["tag", "", sb.repository("x")], parsing("")),
                (["tag", sb.image, "localhost:5000/FOO"], parsing("localhost:5000/FOO", "invalid reference format: repository name (FOO) must be lowercase")),
                (["rmi", ""], daemon + "page not found\n"),
                (["rmi", "sha256:x"], daemon + "No such image: sha256:x\n"),
                (["rmi", "FOO/bar"], daemon + "invalid reference format: repository name must be lowercase\n"),
                (["rmi", "Dkt17"], daemon + "invalid reference format: repository name must be lowercase\n"),
                (["rmi", "--", "-foo"], daemon + "invalid reference format\n"),
                (["rmi", missing], daemon + "No such image: \(missing):latest\n"),
                (["commit", sb.name("nosuch"), "-x"], "invalid reference format\n"),
            ]
            for (args, message) in refusals {
                let refused = try await sb.docker(args)
                #expect(refused.code == 1, "\(args)")
                #expect(refused.err == message, "\(args)")
            }
        }
    }

    @Test("a wrong number of arguments: the CLI's words for each kind of count (SRun included), and 1")
    func argumentCounts() async throws {
        try await Sandbox.with { sb in
            let refusals: [([String], String, String, String)] = [
                (["ps", "x"], "accepts no arguments", "[OPTIONS]", "Run"),
                (["logs"], "requires 1 argument", "[OPTIONS] CONTAINER", "Run"),
                (["tag", sb.image, "a", "b"], "requires 2 arguments", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "Run"),
                (["commit"], "requires at least 1 and at most 2 arguments", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "Run"),
                (["import"], "requires at least 1 argument", "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", "See"),
                (["images", "a", "b"], "requires at most 1 argument", "[OPTIONS] [REPOSITORY[:TAG]]", "SRun"),
            ]
            for (args, requirement, usage, help) in refusals {
                let refused = try await sb.docker(args)
                let command = "docker " + args[0]
                #expect(refused.code == 1, "\(args)")
                #expect(refused.err == "docker: '\(command)' \(requirement)\n\nUsage:  \(command) \(usage)\n\n\(help) '\(command) --help' for more information\n", "\(args)")
            }
        }
    }

    // MARK: commit --change

    @Test("commit --change keeps EXPOSE, VOLUME and ONBUILD, reads LABEL and ENV in both forms, and refuses as the builder does")
    func commitChanges() async throws {
        try await Sandbox.with { sb in
            let a = try await created(sb, "a")
            let image = sb.repository("changed") + ":1"
            let changes = ["EXPOSE 8080 9090/udp 80-81", "VOLUME /data", #"VOLUME ["/a", "/b"]"#, "ONBUILD run echo hi",
                           "LABEL k v w", #"LABEL "q r"="s t" u=v"#, "ENV A B C", #"ENV X=1 Y="2 3""#]
            let commit = try await sb.docker(["commit"] + changes.flatMap { ["--change", $0] } + [a, image])
            #expect(commit.code == 0, "commit: \(commit)")
            let config = try await sb.inspect(image, #"{{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{json .Config.OnBuild}} "#
                                              + #"{{index .Config.Labels "k"}}|{{index .Config.Labels "q r"}}|{{index .Config.Labels "u"}}"#)
            #expect(config == #"{"80/tcp":{},"8080/tcp":{},"81/tcp":{},"9090/udp":{}} {"/a":{},"/b":{},"/data":{}} ["run echo hi"] v w|s t|v"#)
            let env = try await sb.docker(["run", "--rm"] + sb.tag + [image, "sh", "-c", #"echo "$A|$X|$Y""#])
            #expect(env.out == "B C|1|2 3\n")
            let refusals: [(String, String)] = [
                ("LABEL k", "LABEL must have two arguments"),
                ("LABEL k=v w", #"Syntax error - can't find = in "w". Must be of the form: name=value"#),
                ("ONBUILD onbuild RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
                ("EXPOSE abc", "Invalid containerPort: abc"),
                ("SHELL [\"sh\"]", "shell is not a valid change command"),
            ]
            for (change, message) in refusals {
                let refused = try await sb.docker(["commit", "--change", change, a, sb.repository("refused")])
                #expect(refused.code == 1, "\(change)")
                #expect(refused.err == "Error response from daemon: \(message)\n", "\(change)")
            }
        }
    }

    // MARK: import

    @Test("import takes a gzip-compressed tar from a file or stdin, as Imported from -; a stream that is no tar is refused")
    func importCompressed() async throws {
        try await Sandbox.with { sb in
            let archive = sb.path("rootfs.tar.gz")
            let gzip = try ChildProcess(["sh", "-c", #"gzip -c "$1" > "$2""#, "sh", TestImage.rootfsTar, archive],
                                        ChildProcess.Options(environment: sb.environment))
            #expect(try await gzip.finish().code == 0)
            let fromFile = try await sb.docker(["import", archive, sb.repository("gz") + ":1"])
            #expect(fromFile.code == 0, "import: \(fromFile)")
            #expect(matches(fromFile.out, "sha256:" + hex64 + "\n"))
            let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: archive)))
            let fromStdin = try await sb.docker(["import", "-", sb.repository("gz") + ":2"], stdin: compressed)
            #expect(fromStdin.code == 0, "import -: \(fromStdin)")
            for tag in ["1", "2"] {
                let image = sb.repository("gz") + ":" + tag
                #expect(try await sb.inspect(image, "{{.Comment}}") == "Imported from -")
                let run = try await sb.docker(["run", "--rm"] + sb.tag + [image, "/bin/busybox", "echo", "unpacked"])
                #expect(run.out == "unpacked\n", "\(image): \(run)")
            }
            try Data("notatar\n".utf8).write(to: URL(fileURLWithPath: sb.path("junk")))
            let junk = try await sb.docker(["import", sb.path("junk"), sb.repository("junk")])
            #expect(junk.code == 1)
            #expect(junk.err == "Error response from daemon: ApplyLayer exit status 1 stdout:  stderr: unexpected EOF\n")
        }
    }
}
