import Foundation
import Testing

/// `docker logs` selecting and stamping entries as the json-file driver does: `-t`, `--since`, `--until`,
/// `--tail`, how lines are cut into entries, and `-f --since` (dockrun's way back to a container after an
/// engine restart). Observed: docs/engine-observations.md, "logs: entries and timestamps".
@Suite("Engine contract: logs entries, timestamps, --since, --until, --tail")
struct EngineContractLogs {
    static let stamp = #"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z"#

    /// Runs `script` in a container to its end; its ID.
    private func exited(_ sb: Sandbox, _ script: String) async throws -> String {
        let run = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c", script])
        let id = run.out.trimmingCharacters(in: .newlines)
        _ = try await sb.docker(["wait", id])
        return id
    }

    /// The stamps `logs -t` puts on `id`'s stdout lines, in order.
    private func stamps(_ sb: Sandbox, _ id: String) async throws -> [String] {
        try await sb.docker(["logs", "-t", id]).out.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
    }

    @Test("-t puts the time of each entry, nine digits of nanoseconds, and a space before it, on its own stream")
    func timestamps() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb, #"echo o1; echo e1 >&2; printf "a\nb\n"; printf end"#)
            let logs = try await sb.docker(["logs", "-t", id])
            #expect(logs.code == 0)
            let s = Self.stamp
            #expect(matches(logs.out, "\(s) o1\n\(s) a\n\(s) b\n\(s) end"), "\(logs.out)")
            #expect(matches(logs.err, "\(s) e1\n"), "\(logs.err)")
            // The lines of one write are stamped apart, in order: a client can resume after any of them.
            let times = try await stamps(sb, id)
            #expect(times == times.sorted() && Set(times).count == times.count, "\(times)")
        }
    }

    @Test("--since T shows the entries stamped T and later, --until T those stamped T and earlier, both streams")
    func sinceUntil() async throws {
        try await Sandbox.with { sb in
            // The engine logs stdout and stderr apart (two copiers): only a pause orders entries of the two streams.
            let id = try await exited(sb, #"printf "one\ntwo\n"; sleep 1; echo err >&2; echo three; echo four"#)
            let times = try await stamps(sb, id)
            try #require(times.count == 4)
            let since = try await sb.docker(["logs", "--since", times[1], id])
            #expect(since.code == 0 && since.out == "two\nthree\nfour\n" && since.err == "err\n", "\(since)")
            let until = try await sb.docker(["logs", "--until", times[1], id])
            #expect(until.out == "one\ntwo\n" && until.err.isEmpty, "\(until)")
            let between = try await sb.docker(["logs", "--since", times[2], "--until", times[2], id])
            #expect(between.out == "three\n" && between.err.isEmpty, "\(between)")
            // The same instants as Unix seconds with a fraction, and with a zone offset instead of Z.
            let unix = try await sb.docker(["logs", "--since", Self.unixSeconds(times[2]), id])
            #expect(unix.out == "three\nfour\n", "\(unix)")
            let offset = try await sb.docker(["logs", "--since", Self.withOffset(times[2]), id])
            #expect(offset.out == "three\nfour\n", "\(offset)")
            // Relative: everything was logged within the last hour, nothing before it.
            #expect(try await sb.docker(["logs", "--since", "1h", id]).out == "one\ntwo\nthree\nfour\n")
            let none = try await sb.docker(["logs", "--until", "1h", id])
            #expect(none.code == 0 && none.out.isEmpty && none.err.isEmpty, "\(none)")
        }
    }

    @Test("--tail N (or -n N) shows the last N entries of both streams, before --until applies; all, 0 and x")
    func tail() async throws {
        try await Sandbox.with { sb in
            // Pauses order the streams' entries (the engine logs each stream on its own).
            let id = try await exited(sb, #"echo one; sleep 1; echo err >&2; sleep 1; echo two; echo three"#)
            let last3 = try await sb.docker(["logs", "--tail", "3", id])
            #expect(last3.out == "two\nthree\n" && last3.err == "err\n", "\(last3)")
            #expect(try await sb.docker(["logs", "--tail", "2", id]).err.isEmpty)
            #expect(try await sb.docker(["logs", "-n", "1", id]).out == "three\n")
            for all in ["all", "x", "-1"] {
                let everything = try await sb.docker(["logs", "--tail", all, id])
                #expect(everything.out == "one\ntwo\nthree\n" && everything.err == "err\n", "--tail \(all)")
            }
            let zero = try await sb.docker(["logs", "--tail", "0", id])
            #expect(zero.code == 0 && zero.out.isEmpty && zero.err.isEmpty)
            let times = try await stamps(sb, id)
            let tailThenUntil = try await sb.docker(["logs", "--tail", "1", "--until", times[0], id])
            #expect(tailThenUntil.out.isEmpty && tailThenUntil.err.isEmpty, "\(tailThenUntil)")
        }
    }

    @Test("A line is one entry when its newline comes; a long one is cut every 16 KiB, its pieces stamped alike")
    func entriesOfLines() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb, #"printf part; sleep 1; echo ial; head -c 16384 /dev/zero | tr "\0" x; echo; "#
                                          + #"head -c 40000 /dev/zero | tr "\0" y; echo; printf end"#)
            let all = try await sb.docker(["logs", id])
            #expect(all.out == "partial\n" + String(repeating: "x", count: 16384) + "\n" + String(repeating: "y", count: 40000) + "\nend")
            // Entries from the end: "end", the y line's three pieces, the x line's newline alone, its 16 KiB.
            let sizes = [3, 40001 - 2 * 16384, 16384, 16384, 1, 16384, 8]
            for n in 1...sizes.count {
                let tail = try await sb.docker(["logs", "--tail", String(n), id])
                #expect(tail.stdout.count == sizes[..<n].reduce(0, +), "--tail \(n)")
            }
            let s = Self.stamp
            let stamped = try await sb.docker(["logs", "-t", "--tail", "4", id]).out
            #expect(matches(stamped, "(\(s)) y{16384}(\(s)) y{16384}(\(s)) y{7232}\n\(s) end"), "\(stamped.prefix(100))")
            let pieceStamps = stamped.split(separator: "\n")[0].split(separator: " ").map { $0.suffix(30) }.dropLast()
            #expect(Set(pieceStamps).count == 1, "\(pieceStamps)")
        }
    }

    @Test("An invalid --since or --until is refused with the CLI's message, exit 1; a missing container first")
    func invalidTimes() async throws {
        try await Sandbox.with { sb in
            let id = try await exited(sb, "echo one")
            let cases = [
                ("since", "bogus", #"failed to parse value as time or duration: "bogus""#),
                ("until", "2026-13-01", #"parsing time "2026-13-01": month out of range"#),
                ("since", "2026-1-29", #"parsing time "2026-1-29" as "2006-01-02": cannot parse "1-29" as "01""#),
                ("since", "2026-11-29T07:10:23.Z",
                 #"parsing time "2026-11-29T07:10:23.Z" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse ".Z" as "Z07:00""#),
                ("since", "2026-11-29X", #"parsing time "2026-11-29X": extra text: "X""#),
            ]
            for (option, value, reason) in cases {
                let r = try await sb.docker(["logs", "--\(option)", value, id])
                #expect(r.code == 1 && r.out.isEmpty && r.err == "invalid value for \"\(option)\": \(reason)\n", "\(r)")
            }
            let missing = try await sb.docker(["logs", "--since", "bogus", sb.name("nosuch")])
            #expect(missing.code == 1 && missing.err == "Error response from daemon: No such container: \(sb.name("nosuch"))\n")
        }
    }

    @Test("-f --since T replays from the entry stamped T and follows what comes after, streams apart")
    func followSince() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c",
                "echo one; echo two; sleep 2; echo three; echo err >&2; sleep 1; echo four"])
            let id = started.out.trimmingCharacters(in: .newlines)
            var times: [String] = []
            try await ChildProcess.eventually("two lines logged") {
                times = try await stamps(sb, id)
                return times.count >= 2
            }
            let follow = try await sb.docker(["logs", "-f", "--since", times[1], id], timeout: 30)
            #expect(follow.code == 0)
            #expect(follow.out == "two\nthree\nfour\n", "\(follow)")
            #expect(follow.err == "err\n")
        }
    }

    /// `2026-11-29T07:10:22.847698386Z` → `1795936222.847698386`.
    static func unixSeconds(_ stamp: String) -> String {
        let whole = String(stamp.prefix(19)) + "Z"
        let formatter = ISO8601DateFormatter()
        let seconds = Int(formatter.date(from: whole)!.timeIntervalSince1970)
        return "\(seconds).\(stamp.dropFirst(20).prefix(9))"
    }

    /// The same instant written with a `+02:00` (or `-02:00`) offset, so no date changes.
    static func withOffset(_ stamp: String) -> String {
        let hour = Int(stamp.dropFirst(11).prefix(2))!
        let (shifted, zone) = hour <= 21 ? (hour + 2, "+02:00") : (hour - 2, "-02:00")
        return String(stamp.prefix(11)) + String(format: "%02d", shifted) + String(stamp.dropFirst(13).dropLast()) + zone
    }
}
