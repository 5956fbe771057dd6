import DockerSyntax
import Foundation

/// Makes two runs of one scenario comparable: what differs between runs that behave the same — IDs,
/// times, temporary paths, PIDs, the run's labels, where the docker CLI and the engine's socket are —
/// becomes a placeholder (docs/scenarios.md's table, one `Rule` per row). IDs are numbered in order of
/// first appearance over the whole outcome (stdout, stderr, calls, containers, images, files), a 12-hex
/// short ID with the 64-hex ID it begins: `<ID1>`, `<ID2>`. Text the two engines word differently is not
/// normalised: fake-docker matches the engine's messages, and a difference there is a fidelity bug.
/// Each rule is as narrow as the text it is for: a rule that matched more would make replays that differ
/// compare equal (OutcomeNormaliserTests holds the text each rule must leave alone).
struct OutcomeNormaliser {
    /// A pattern and the placeholder its matches become.
    struct Rule {
        let pattern: String
        let placeholder: String
    }

    /// dockrun's TMPDIR and the docker CLI it ran (DOCKRUN_DOCKER).
    let tmpDirectory: String
    let dockerCLI: String
    private let fullIDs: [String]
    private var numbers: [String: Int] = [:]
    private let hexToken: NSRegularExpression
    private let rewrites: [(NSRegularExpression, String)]

    /// A container or image ID: a run of exactly 12 or 64 lowercase hex digits, not inside a longer word (so
    /// not the run label's 16).
    static let idPattern = "(?<![0-9A-Za-z])(?:[0-9a-f]{64}|[0-9a-f]{12})(?![0-9A-Za-z])"

    /// `corpus`: every text of the outcome, so that a short ID seen before its full ID gets the full ID's number.
    /// `rules` and `idPattern` are parameters for the test that proves a broadened rule is caught.
    init(tmpDirectory: String, dockerCLI: String, corpus: [String], rules: [Rule] = Self.rules,
         idPattern: String = Self.idPattern) {
        (self.tmpDirectory, self.dockerCLI) = (tmpDirectory, dockerCLI)
        hexToken = Self.regex(idPattern)
        rewrites = rules.map { (Self.regex($0.pattern), $0.placeholder) }
        var seen = Set<String>()
        let token = Self.regex("(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
        fullIDs = corpus.flatMap { Self.matches(token, in: $0) }.filter { seen.insert($0).inserted }
    }

    private static func regex(_ pattern: String) -> NSRegularExpression {
        try! NSRegularExpression(pattern: pattern)
    }

    private static func matches(_ regex: NSRegularExpression, in text: String) -> [String] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    private static func label(_ key: String) -> String { NSRegularExpression.escapedPattern(for: key) + "=" }

    /// dockrun's labels that the fixtures recorded before them lack: its and its guardian's identity
    /// (`io.dockrun.pid-start`, `.boot`, `.guardian-pid`, `.guardian-start`: this run's processes and boot, different at
    /// every run) and `.remove` (the arguments' `--rm` again).
    static let unrecordedLabels = [RunLabelKey.pidStart, RunLabelKey.boot, RunLabelKey.remove, RunLabelKey.guardianPID,
                                   RunLabelKey.guardianStart]

    /// A docker call's words without the `--label KEY=VALUE` of `unrecordedLabels`, so those fixtures replay as they are.
    static func call(_ words: [String]) -> [String] {
        var kept: [String] = []
        var rest = words[...]
        while let word = rest.popFirst() {
            if word == "--label", let label = rest.first,
               unrecordedLabels.contains(where: { label.hasPrefix($0 + "=") }) {
                rest = rest.dropFirst()
                continue
            }
            kept.append(word)
        }
        return kept
    }

    /// Applied in order, after TMPDIR and the docker CLI's path and before the IDs.
    static let rules: [Rule] = [
        // dockrun-RUN (16 hex digits, the run's ID) since the guardian is told the path before it exists;
        // dockrun-XXXXXX (mkdtemp's) in the fixtures recorded before.
        Rule(pattern: "<TMPDIR>/dockrun-(?:[0-9a-f]{16}|[A-Za-z0-9]{6})(?![0-9A-Za-z])", placeholder: "<TMP>"),
        Rule(pattern: label(RunLabelKey.run) + "[0-9a-f]+", placeholder: RunLabelKey.run + "=<RUN>"),
        Rule(pattern: label(RunLabelKey.pid) + "[0-9]+", placeholder: RunLabelKey.pid + "=<PID>"),
        Rule(pattern: label(RunLabelKey.host) + "[^\\s\"',]*", placeholder: RunLabelKey.host + "=<HOST>"),
        Rule(pattern: label(RunLabelKey.started) + "[^\\s\"',]*", placeholder: RunLabelKey.started + "=<TIME>"),
        Rule(pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})",
             placeholder: "<TIME>"),
        // dockrun names PIDs only so ("dockrun (pid P) ended"); a bare number may be the container's output.
        Rule(pattern: "\\bpid [0-9]+", placeholder: "pid <PID>"),
        Rule(pattern: "unix://[^\\s\"']+", placeholder: "<DOCKER_HOST>"),
    ]

    mutating func text(_ raw: String) -> String {
        var text = raw.replacingOccurrences(of: tmpDirectory, with: "<TMPDIR>")
            .replacingOccurrences(of: dockerCLI, with: "<DOCKER>")
        for (pattern, replacement) in rewrites {
            text = pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                    withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
        }
        var result = "", last = text.startIndex
        for match in hexToken.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let range = Range(match.range, in: text)!
            let token = String(text[range])
            let key = token.count == 64 ? token : (fullIDs.first { $0.hasPrefix(token) } ?? token)
            let number = numbers[key] ?? (numbers.count + 1)
            numbers[key] = number
            result += text[last..<range.lowerBound] + "<ID\(number)>"
            last = range.upperBound
        }
        return result + text[last...]
    }

    /// Output bytes: normalised as text when they are UTF-8, kept as they are otherwise (binary output).
    mutating func bytes(_ raw: [UInt8]) -> [UInt8] {
        guard let decoded = String(validating: raw, as: UTF8.self) else { return raw }
        return Array(text(decoded).utf8)
    }

    /// A container's name as compared: the engine's choice (`<NAME>`) unless the world's containers or
    /// dockrun's arguments (`--name X`, `--name=X`) gave it.
    static func containerName(_ name: String, world: Set<String>, arguments: [String]) -> String {
        world.contains(name) || arguments.contains(where: { $0 == name || $0.hasSuffix("=" + name) }) ? name : "<NAME>"
    }
}
