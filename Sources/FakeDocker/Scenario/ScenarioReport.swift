import ProcessSpawn

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
        lines += sections(s.outcome).flatMap { name, items in
            items.count == 1 && ["exit", "events fired"].contains(name) ? ["  \(name): \(items[0])"]
                : ["  \(name):"] + (items.isEmpty ? ["    (none)"] : items.map { "    " + $0 })
        }
        return lines.joined(separator: "\n")
    }

    /// Each part of the outcome as lines, in a fixed order: what the diff and `show` both print.
    static func sections(_ o: Scenario.Outcome) -> [(String, [String])] {
        [
            ("exit", [o.status.description]),
            ("events fired", [String(o.eventsFired)]),
            ("stdout", outputLines(o.stdout)),
            ("stderr", outputLines(o.stderr)),
            ("docker calls", o.calls.map { shellQuoted($0) }),
            ("containers left", o.containers.map { "\($0.name) \($0.status) \($0.exitCode) \($0.image)" }),
            ("images left", o.images),
            ("files left in TMPDIR", o.files.map { $0.path + ($0.content.map { ": " + String(reflecting: $0) } ?? "") }),
        ]
    }

    /// The lines of the parts that differ, each part named and diffed; empty when the outcomes are equal.
    static func differences(recorded: Scenario.Outcome, replayed: Scenario.Outcome) -> [String] {
        zip(sections(recorded), sections(replayed)).flatMap { (was, now) -> [String] in
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
            } else if j < b.count, i == a.count || common[i][j + 1] >= common[i + 1][j] {
                lines.append("+ " + b[j]); j += 1
            } else {
                lines.append("- " + a[i]); i += 1
            }
        }
        return lines
    }
}
