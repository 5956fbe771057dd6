import DockerSyntax
import Foundation

/// The part of a container's log `docker logs` shows (`--tail`, `--since`, `--until`) and how it shows it
/// (`-t`, `--details`): each entry's bytes on the descriptor of its stream.
struct LogView {
    var since: LogTime?
    var until: LogTime?
    /// The last N entries, before --since and --until apply (the engine takes the tail first, observed).
    var tail: Int?
    /// Entries still to pass over to reach the tail.
    var skip = 0
    var timestamps: Bool
    var details: Bool
    /// What is shown and not written yet, all for `pendingFD`: one write per read of the log, not per entry,
    /// and a switch of stream writes out the other stream's first, so the two keep the order logged.
    private var pending: [UInt8] = []
    private var pendingFD: Int32 = 1

    init(_ f: ParsedFlags, now: LogTime) throws(DockerError) {
        func time(_ name: String) throws(DockerError) -> LogTime? {
            guard let value = f.last(name), !value.isEmpty else { return nil }
            do { return try LogTimeArgument.parse(value, now: now) }
            catch { throw DockerError("invalid value for \"\(name)\": \(error.reason)") }
        }
        since = try time("since")
        // The daemon takes an --until of 0 as none.
        until = f.last("until") == "0" ? nil : try time("until")
        // The daemon reads --tail with Atoi and shows everything for anything else ("all", "x") or a negative N.
        tail = f.last("tail").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
        timestamps = f.bool("timestamps")
        details = f.bool("details")
    }

    /// Shows `entry` if it is selected; false when nothing more is to be shown (past --until, or the
    /// reader of our output is gone).
    mutating func show(_ entry: ContainerLog.Entry) -> Bool {
        if skip > 0 { skip -= 1; return true }
        if let since, entry.time < since { return true }
        // The engine stops reading at the first entry after --until (inclusive: one stamped exactly T is shown).
        if let until, entry.time > until { return false }
        let fd: Int32 = entry.stream == .stderr ? 2 : 1
        if fd != pendingFD || pending.count >= 1 << 16 {
            guard flush() else { return false }
            pendingFD = fd
        }
        if timestamps { pending.append(contentsOf: entry.time.rfc3339NanoFixed.utf8); pending.append(UInt8(ascii: " ")) }
        // --details: the entry's attributes (none without --log-opt labels/env) and a space.
        if details { pending.append(UInt8(ascii: " ")) }
        pending.append(contentsOf: entry.bytes)
        return true
    }

    /// Writes out what is shown; false when the reader of our output is gone.
    mutating func flush() -> Bool {
        defer { pending.removeAll(keepingCapacity: true) }
        return Output.write(pendingFD, pending)
    }

    func isOver(at now: LogTime) -> Bool { until.map { now > $0 } ?? false }

    /// poll(2)'s timeout: until --until has passed, or none.
    func millisecondsLeft(at now: LogTime) -> Int32 {
        guard let until else { return -1 }
        return Int32(clamping: max(0, (until.nanoseconds - now.nanoseconds) / 1_000_000 + 1))
    }
}
