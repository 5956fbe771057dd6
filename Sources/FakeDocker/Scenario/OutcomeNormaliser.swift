import Foundation

/// Makes two runs of one scenario comparable: what differs between runs that behave the same — IDs,
/// times, temporary paths, PIDs, the run's labels, where the docker CLI and the engine's socket are —
/// becomes a placeholder. IDs are numbered in order of first appearance over the whole outcome (stdout,
/// stderr, calls, containers, images, files), a 12-hex short ID with the 64-hex ID it begins:
/// `<ID1>`, `<ID2>`. Text the two engines word differently is not normalised: fake-docker matches the
/// engine's messages, and a difference there is a fidelity bug.
struct OutcomeNormaliser {
    /// dockrun's TMPDIR and the docker CLI it ran (DOCKRUN_DOCKER).
    let tmpDirectory: String
    let dockerCLI: String
    private let fullIDs: [String]
    private var numbers: [String: Int] = [:]
    private let hexToken = Self.regex("(?<![0-9A-Za-z])(?:[0-9a-f]{64}|[0-9a-f]{12})(?![0-9A-Za-z])")
    private let rewrites: [(NSRegularExpression, String)] = Self.rewritten.map { (Self.regex($0.0), $0.1) }

    /// `corpus`: every text of the outcome, so that a short ID seen before its full ID gets the full ID's number.
    init(tmpDirectory: String, dockerCLI: String, corpus: [String]) {
        (self.tmpDirectory, self.dockerCLI) = (tmpDirectory, dockerCLI)
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

    // The hex token above: a run of exactly 12 or 64 digits, not inside a longer word (the run label's 16).
    private static let rewritten: [(String, String)] = [
        ("<TMPDIR>/dockrun-[A-Za-z0-9]{6}", "<TMP>"),
        ("io\\.dockrun\\.run=[0-9a-f]+", "io.dockrun.run=<RUN>"),
        ("io\\.dockrun\\.pid=[0-9]+", "io.dockrun.pid=<PID>"),
        ("io\\.dockrun\\.host=[^\\s\"',]*", "io.dockrun.host=<HOST>"),
        ("io\\.dockrun\\.started=[^\\s\"',]*", "io.dockrun.started=<TIME>"),
        ("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})", "<TIME>"),
        // dockrun names PIDs only so ("dockrun (pid P) ended"); a bare number may be the container's output.
        ("\\bpid [0-9]+", "pid <PID>"),
        ("unix://[^\\s\"']+", "<DOCKER_HOST>"),
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
}
