import ProcessSpawn

/// How two runs' docker calls are compared. dockrun starts its calls one decision at a time, so their
/// order is its behaviour — except for what the engine's timing alone decides:
/// - the calls that last as long as the container (the attached `run`, `start -a`, `wait`, `logs -f`) run
///   beside the others, and dockrun starts them and the others on independent events (a `logs -f` after an
///   engine restart and the `stop` of a TERM that arrives meanwhile): their presence is compared, not their place;
/// - a call repeated in a row is one decision made again by the clock (a stop sent again because the client
///   started the container the first stop met while still created; an inspect asked again while the engine
///   restarts): compared once.
enum DockerCalls {
    static func isBeside(_ call: [String]) -> Bool {
        switch call.first {
        case "run", "wait": return true
        case "logs": return call.contains("-f") || call.contains("--follow")
        case "start": return call.contains("-a") || call.contains("--attach")
        default: return false
        }
    }

    static func ordered(_ calls: [[String]]) -> [[String]] {
        calls.filter { !isBeside($0) }.reduce(into: []) { kept, call in if kept.last != call { kept.append(call) } }
    }

    static func beside(_ calls: [[String]]) -> [[String]] {
        Array(Set(calls.filter(isBeside))).sorted { $0.lexicographicallyPrecedes($1) }
    }
}

/// A scenario as people read it (`scenario show`), and the differences between a recorded and a replayed
/// outcome (`scenario replay`), part by part, each as a line diff: `-` recorded, `+` replayed.
enum ScenarioReport {
    static func describe(_ s: Scenario, path: String) -> String {
        var lines = ["scenario \(path)"]
        let r = s.recording
        lines.append(r.engine == "fake"
            ? "recorded on fake-docker (docker \(r.serverVersion) as it simulates), \(r.recordedAt)"
            : "recorded on a real Docker Engine \(r.serverVersion) (client \(r.clientVersion)), \(r.recordedAt)")
        lines.append("world:")
        for image in s.world.images {
            lines.append("  image \(image.reference)" + (image.rootfsTar.map { " (\($0.count) bytes of root filesystem\(image.changes.isEmpty ? "" : ", " + image.changes.joined(separator: ", ")))" } ?? " (the test image)"))
        }
        for c in s.world.containers { lines.append("  container \(c.name), \(c.state): sh -c \(shellQuoted(c.command))") }
        for fault in s.world.faults { lines.append("  fake-docker script \(shellQuoted(fault))") }
        for file in s.world.files { lines.append("  file ${TMPDIR}/\(file.path): \(quoted(file.content))") }
        lines.append("invocation:")
        lines.append("  dockrun \(shellQuoted(s.invocation.arguments))")
        for variable in s.invocation.environment { lines.append("  env \(variable.name)=\(variable.value)") }
        if !s.invocation.stdin.isEmpty { lines.append("  stdin: \(quoted(s.invocation.stdin))") }
        for (index, event) in s.invocation.events.enumerated() { lines.append("  event \(index + 1): \(event)") }
        lines.append("outcome:")
        lines += sections(s.outcome, comparing: false).flatMap { name, items in
            items.count == 1 && ["exit", "events fired"].contains(name) ? ["  \(name): \(items[0])"]
                : ["  \(name):"] + (items.isEmpty ? ["    (none)"] : items.map { "    " + $0 })
        }
        return lines.joined(separator: "\n")
    }

    /// Each part of the outcome as lines, in a fixed order: what the diff and `show` both print. Compared,
    /// the docker calls are in two parts (`DockerCalls`); shown, as they were made.
    static func sections(_ o: Scenario.Outcome, comparing: Bool) -> [(String, [String])] {
        let calls: [(String, [String])] = comparing
            ? [("docker calls, in order (a call repeated in a row counted once)", DockerCalls.ordered(o.calls).map { shellQuoted($0) }),
               ("docker calls that run beside the others (run, wait, logs -f, start -a), as a set", DockerCalls.beside(o.calls).map { shellQuoted($0) })]
            : [("docker calls", o.calls.map { shellQuoted($0) })]
        return [
            ("exit", [o.status.description]),
            ("events fired", [String(o.eventsFired)]),
            ("stdout", outputLines(o.stdout)),
            ("stderr", outputLines(o.stderr)),
        ] + calls + [
            ("containers left", o.containers.map { "\($0.name) \($0.status) \($0.exitCode) \($0.image)" }),
            ("images left", o.images),
            ("files left in TMPDIR", o.files.map { $0.path + ($0.content.map { ": " + String(reflecting: $0) } ?? "") }),
        ]
    }

    /// The lines of the parts that differ, each part named and diffed; empty when the outcomes are equal.
    static func differences(recorded: Scenario.Outcome, replayed: Scenario.Outcome) -> [String] {
        zip(sections(recorded, comparing: true), sections(replayed, comparing: true)).flatMap { (was, now) -> [String] in
            guard was.1 != now.1 else { return [] }
            return ["\(was.0):"] + lineDiff(was.1, now.1).map { "  " + $0 }
        }
    }

    /// Output as lines, each shown as a Swift string literal so that spaces, tabs and a missing final
    /// newline can be seen; binary output as its byte count.
    private static func outputLines(_ bytes: [UInt8]) -> [String] {
        guard let text = String(validating: bytes, as: UTF8.self) else { return ["(\(bytes.count) bytes, not UTF-8)"] }
        if text.isEmpty { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String(reflecting: String($0)) }
        if text.hasSuffix("\n") { lines.removeLast() } else { lines[lines.count - 1] += " (no newline at the end)" }
        return lines
    }

    private static func quoted(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self).map { String(reflecting: $0) } ?? "\(bytes.count) bytes"
    }

    /// A longest-common-subsequence diff: `  ` kept, `- ` recorded only, `+ ` replayed only.
    static func lineDiff(_ a: [String], _ b: [String]) -> [String] {
        var common = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                common[i][j] = a[i] == b[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var (i, j, lines) = (0, 0, [String]())
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                lines.append("  " + a[i]); i += 1; j += 1
            } else if i < a.count, j == b.count || common[i + 1][j] >= common[i][j + 1] {
                lines.append("- " + a[i]); i += 1
            } else {
                lines.append("+ " + b[j]); j += 1
            }
        }
        return lines
    }
}
