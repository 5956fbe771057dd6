@testable import FakeDocker
import Testing

/// The normaliser decides which differences between a recording and a replay count: a rule that matched too much
/// would make every replay pass while checking nothing. One row per rule of docs/scenarios.md's table (what it
/// becomes), rows each rule must leave alone, and outcomes that must stay apart; and the proof that the table
/// catches each rule made too broad.
@Suite("Outcome normaliser")
struct OutcomeNormaliserTests {
    static let tmp = "/tmp/fake-docker-scenario-Ab12Cd/tmp"
    static let docker = "/work/.build/debug/fake-docker"
    static let full1 = String(repeating: "0123456789abcdef", count: 4)
    static let full2 = String(repeating: "fedcba9876543210", count: 4)
    static let short2 = String(full2.prefix(12))

    struct Row: CustomTestStringConvertible, Sendable {
        let rule: String
        let input: String
        let expected: String
        var testDescription: String { "\(rule): \(input.debugDescription)" }
    }

    /// Each normalised alone, with its own text as the corpus.
    static let normalised: [Row] = [
        Row(rule: "a 64-hex ID", input: "started \(full1)\n", expected: "started <ID1>\n"),
        Row(rule: "a 12-hex short ID", input: "rm \(full1.prefix(12))", expected: "rm <ID1>"),
        Row(rule: "IDs numbered by first appearance, a short ID with its full ID's number",
            input: "\(short2) then \(full1) then \(full2)", expected: "<ID1> then <ID2> then <ID1>"),
        Row(rule: "dockrun's TMPDIR", input: "--cidfile \(tmp)/app.cid", expected: "--cidfile <TMPDIR>/app.cid"),
        Row(rule: "dockrun's private directory", input: "\(tmp)/dockrun-x7Yz01/cid", expected: "<TMP>/cid"),
        Row(rule: "dockrun's private directory, named by the run", input: "\(tmp)/dockrun-0123456789abcdef/cid",
            expected: "<TMP>/cid"),
        Row(rule: "the run label", input: "--label io.dockrun.run=0123456789abcdef",
            expected: "--label io.dockrun.run=<RUN>"),
        Row(rule: "the pid label", input: "label=io.dockrun.pid=4242", expected: "label=io.dockrun.pid=<PID>"),
        Row(rule: "the host label, up to a blank", input: "io.dockrun.host=build-7.example exit 3",
            expected: "io.dockrun.host=<HOST> exit 3"),
        Row(rule: "the started label, up to a comma",
            input: "io.dockrun.started=2024-05-01T10:00:00Z,io.dockrun.run=0123456789abcdef",
            expected: "io.dockrun.started=<TIME>,io.dockrun.run=<RUN>"),
        Row(rule: "an RFC 3339 time with fractions", input: #"time="2024-05-01T10:00:00.123456789Z" level=error"#,
            expected: #"time="<TIME>" level=error"#),
        Row(rule: "an RFC 3339 time with an offset", input: "logs --since 2024-05-01T10:00:00+02:00",
            expected: "logs --since <TIME>"),
        Row(rule: "pid N in dockrun's messages", input: "dockrun: dockrun (pid 1234) ended",
            expected: "dockrun: dockrun (pid <PID>) ended"),
        Row(rule: "the docker CLI dockrun ran", input: "dockrun: \(docker) stop x", expected: "dockrun: <DOCKER> stop x"),
        Row(rule: "the engine's socket", input: "DOCKER_HOST=unix:///run/user/1000/docker.sock ok",
            expected: "DOCKER_HOST=<DOCKER_HOST> ok"),
    ]

    /// Text no rule is for: each one stays as it is (but for the TMPDIR it is in).
    static let kept: [Row] = [
        "0123456789abcdef", "0123456789abc", "0123456789AB", "x0123456789ab", String(full1.dropLast()),
        "\(tmp)/dockrun-abc/cid", "\(tmp)/dockrun-x7Yz01abc", "\(tmp)/dockrun-0123456789abcdef0", "/var/tmp/dockrun-x7Yz01",
        "/tmp/other/app.cid",
        "io.dockrun.scenario=0123456789abcdef", "io.dockrun.runner=abc", "io.dockrun.pid=none",
        "2024-05-01", "2024-05-01 10:00:00", "10:00:00",
        "exit 3", "sleep 2", "rapid 5", "PID 7", "pid=7",
        "/usr/bin/docker stop x", "tcp://127.0.0.1:2375", "unix:",
    ].map { Row(rule: "left alone", input: $0, expected: $0.replacingOccurrences(of: tmp, with: "<TMPDIR>")) }

    /// Outcomes that differ must still differ once normalised.
    static let apart: [(String, String)] = [
        ("exit 3", "exit 4"),
        ("ready\n", "ready\nafter the restart\n"),
        ("\(full1) \(full2)", "\(full1) \(full1)"),
        ("dockrun (pid 12) ended with 3", "dockrun (pid 12) ended with 4"),
        ("io.dockrun.host=a exit 3", "io.dockrun.host=a exit 4"),
        ("io.dockrun.started=2024-05-01T10:00:00Z,io.dockrun.run=0123456789abcdef",
         "io.dockrun.started=2024-05-01T10:00:00Z"),
    ]

    static func normalise(_ text: String, rules: [OutcomeNormaliser.Rule] = OutcomeNormaliser.rules,
                          idPattern: String = OutcomeNormaliser.idPattern) -> String {
        var normaliser = OutcomeNormaliser(tmpDirectory: tmp, dockerCLI: docker, corpus: [text], rules: rules,
                                           idPattern: idPattern)
        return normaliser.text(text)
    }

    /// Each row or pair the rules get wrong, as a line.
    static func failures(rules: [OutcomeNormaliser.Rule] = OutcomeNormaliser.rules,
                         idPattern: String = OutcomeNormaliser.idPattern) -> [String] {
        var failures: [String] = []
        for row in normalised + kept {
            let got = normalise(row.input, rules: rules, idPattern: idPattern)
            if got != row.expected { failures.append("\(row.testDescription) became \(got.debugDescription)") }
        }
        for (a, b) in apart where normalise(a, rules: rules, idPattern: idPattern) == normalise(b, rules: rules, idPattern: idPattern) {
            failures.append("\(a.debugDescription) and \(b.debugDescription) normalise alike")
        }
        return failures
    }

    @Test("each rule of docs/scenarios.md turns its text into its placeholder", arguments: normalised)
    func rule(_ row: Row) {
        #expect(Self.normalise(row.input) == row.expected)
    }

    @Test("text no rule is for is left as it is", arguments: kept)
    func leftAlone(_ row: Row) {
        #expect(Self.normalise(row.input) == row.expected)
    }

    @Test("outcomes that differ still differ once normalised")
    func stayApart() {
        for (a, b) in Self.apart { #expect(Self.normalise(a) != Self.normalise(b), "\(a) / \(b)") }
    }

    @Test("IDs are numbered in order of first appearance over every text of the outcome")
    func numberingSpansTexts() {
        var normaliser = OutcomeNormaliser(tmpDirectory: Self.tmp, dockerCLI: Self.docker,
                                           corpus: [Self.full1, Self.full2])
        #expect(normaliser.text("created \(Self.full2)") == "created <ID1>")
        #expect(normaliser.text("stop \(Self.full1.prefix(12))") == "stop <ID2>")
        #expect(normaliser.text("rm \(Self.short2)") == "rm <ID1>")
    }

    @Test("binary output is kept as it is; UTF-8 output is normalised")
    func bytes() {
        var normaliser = OutcomeNormaliser(tmpDirectory: Self.tmp, dockerCLI: Self.docker, corpus: [])
        let binary: [UInt8] = [0xff, 0xfe] + Array("pid 12".utf8)
        #expect(normaliser.bytes(binary) == binary)
        #expect(normaliser.bytes(Array("pid 12".utf8)) == Array("pid <PID>".utf8))
    }

    @Test("a container's name is the engine's choice unless the world or the arguments gave it")
    func containerNames() {
        #expect(OutcomeNormaliser.containerName("quirky_turing", world: [], arguments: ["--rm", "img"]) == "<NAME>")
        #expect(OutcomeNormaliser.containerName("scn-a", world: [], arguments: ["--name", "scn-a"]) == "scn-a")
        #expect(OutcomeNormaliser.containerName("scn-b", world: [], arguments: ["--name=scn-b"]) == "scn-b")
        #expect(OutcomeNormaliser.containerName("old", world: ["old"], arguments: []) == "old")
        #expect(OutcomeNormaliser.containerName("scn-c", world: ["old"], arguments: ["--name", "scn-a"]) == "<NAME>")
    }

    @Test("the table as it stands holds for the rules as they are")
    func tableHolds() {
        #expect(Self.failures() == [])
    }

    /// Each rule swapped for a broader one (what a careless edit would write): the table must fail.
    @Test("a rule made too broad fails the table", arguments: [
        (0, "<TMPDIR>/dockrun-[A-Za-z0-9]*"),
        (1, "io\\.dockrun\\.[a-z]+=[0-9a-f]+"),
        (2, "io\\.dockrun\\.pid=[^\\s]*"),
        (3, "io\\.dockrun\\.host=.*"),
        (4, "io\\.dockrun\\.started=.*"),
        (5, "[0-9]{4}-[0-9]{2}-[0-9]{2}\\S*"),
        (6, "pid [0-9]+"),
        (7, "[a-z]+://[^\\s\"']+"),
    ])
    func broadenedRule(index: Int, pattern: String) {
        var rules = OutcomeNormaliser.rules
        rules[index] = OutcomeNormaliser.Rule(pattern: pattern, placeholder: rules[index].placeholder)
        #expect(!Self.failures(rules: rules).isEmpty, "rule \(index) broadened to \(pattern) passes the table")
    }

    @Test("an ID pattern made too broad fails the table", arguments: [
        "(?<![0-9A-Za-z])[0-9a-f]{12,64}(?![0-9A-Za-z])",
        "(?:[0-9a-f]{64}|[0-9a-f]{12})",
        "(?<![0-9A-Za-z])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{12})(?![0-9A-Za-z])",
    ])
    func broadenedIDs(pattern: String) {
        #expect(!Self.failures(idPattern: pattern).isEmpty, "the ID pattern \(pattern) passes the table")
    }

    @Test("a call's labels the fixtures lack (dockrun's process identity, --rm) are left out, and nothing else")
    func unrecordedLabels() {
        let call = ["run", "--label", "io.dockrun.run=0123456789abcdef", "--label", "io.dockrun.pid-start=4711",
                    "--label", "io.dockrun.boot=0c0c48d4-104e-4270-9ca4-ca660e77f0e4", "--label", "io.dockrun.remove=true",
                    "--label", "io.dockrun.guardian-pid=9", "--label", "io.dockrun.guardian-start=12",
                    "--label", "io.dockrun.removed=x", "--label", "user=io.dockrun.boot=1", "--sig-proxy=false", "img"]
        #expect(OutcomeNormaliser.call(call) == [
            "run", "--label", "io.dockrun.run=0123456789abcdef", "--label", "io.dockrun.removed=x",
            "--label", "user=io.dockrun.boot=1", "--sig-proxy=false", "img",
        ])
        #expect(OutcomeNormaliser.call(["run", "--label"]) == ["run", "--label"])
    }

    @Test("the rules are as many as the table tests: a new rule needs rows here")
    func everyRuleHasRows() {
        #expect(OutcomeNormaliser.rules.count == 8)
    }
}
