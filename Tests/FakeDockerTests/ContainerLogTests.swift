import DockerSyntax
import Foundation
import Testing
@testable import FakeDocker

/// The container log's format and the engine's cutting of output into entries, without a container.
@Suite("The container log")
struct ContainerLogTests {
    /// A log file in a temporary directory, written and read by the test.
    final class LogFile {
        let directory: String
        let fd: Int32
        init() throws {
            directory = try Simulator.makeTemporaryDirectory()
            fd = open(directory + "/log", O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        }
        deinit {
            close(fd)
            try? FileManager.default.removeItem(atPath: directory)
        }

        func entries(unstampedTime: LogTime = LogTime(nanoseconds: 7)) -> [(ContainerLog.Stream, LogTime, String)] {
            var reader = ContainerLog.Reader(fd: fd, unstampedTime: unstampedTime)
            var entries: [(ContainerLog.Stream, LogTime, String)] = []
            _ = reader.read { entries.append(($0.stream, $0.time, String(decoding: $0.bytes, as: UTF8.self))); return true }
            return entries
        }
    }

    private func append(_ writer: inout ContainerLog.Writer, _ stream: ContainerLog.Stream, _ text: String) {
        var copy = text
        copy.withUTF8 { writer.append(stream, UnsafeRawBufferPointer($0)) }
    }

    @Test("Each line is an entry with its newline; an unfinished line waits for its end or the stream's")
    func lines() throws {
        let log = try LogFile()
        var writer = ContainerLog.Writer(fd: log.fd)
        append(&writer, .stdout, "a\nb\npar")
        append(&writer, .stderr, "e\n")
        #expect(log.entries().map(\.2) == ["a\n", "b\n", "e\n"])
        append(&writer, .stdout, "tial\nend")
        writer.finish(.stdout)
        writer.finish(.stderr)
        let entries = log.entries()
        #expect(entries.map(\.2) == ["a\n", "b\n", "e\n", "partial\n", "end"])
        #expect(entries.map(\.0) == [.stdout, .stdout, .stderr, .stdout, .stdout])
        // Every entry has a time of its own, later than the one before, also within one read.
        let times = entries.map(\.1)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(times)")
    }

    @Test("A line reaching 16 KiB is cut into 16 KiB pieces stamped alike; exactly 16 KiB leaves its newline alone")
    func longLines() throws {
        let log = try LogFile()
        var writer = ContainerLog.Writer(fd: log.fd)
        // Written in reads that do not fall on the pieces' edges.
        let long = String(repeating: "y", count: 40000) + "\n" + String(repeating: "x", count: 16384) + "\nz\n"
        var rest = Substring(long)
        while !rest.isEmpty {
            append(&writer, .stdout, String(rest.prefix(3000)))
            rest = rest.dropFirst(3000)
        }
        let entries = log.entries()
        #expect(entries.map(\.2.count) == [16384, 16384, 7233, 16384, 1, 2])
        #expect(Set(entries[0...2].map(\.1)).count == 1)
        #expect(entries[3].1 == entries[4].1 && entries[4].1 < entries[5].1)
        #expect(entries[4].2 == "\n")
    }

    @Test("A log of format 1 (no timestamps) is read line by line at the time given, before format-2 entries")
    func formatOne() throws {
        let log = try LogFile()
        // Format 1: [stream][length u32 LE][bytes], one record per read, as an older fake-docker wrote it.
        let old: [UInt8] = [1, 6, 0, 0, 0] + Array("o1\no2\n".utf8) + [2, 3, 0, 0, 0] + Array("e1\n".utf8)
        #expect(write(log.fd, old, old.count) == old.count)
        var writer = ContainerLog.Writer(fd: log.fd)
        append(&writer, .stdout, "new\n")
        let entries = log.entries(unstampedTime: LogTime(nanoseconds: 42))
        #expect(entries.map(\.2) == ["o1\n", "o2\n", "e1\n", "new\n"])
        #expect(entries.map(\.0) == [.stdout, .stdout, .stderr, .stdout])
        #expect(entries[0...2].allSatisfy { $0.1 == LogTime(nanoseconds: 42) })
        #expect(entries[3].1 > LogTime(nanoseconds: 42))
    }

    @Test("A record still being written is left for the next read")
    func partialRecord() throws {
        let log = try LogFile()
        var record: [UInt8] = []
        ContainerLog.appendHeader(to: &record, stream: .stdout, length: 3, time: LogTime(nanoseconds: 1))
        record += Array("ab\n".utf8)
        #expect(write(log.fd, record, 10) == 10)
        var reader = ContainerLog.Reader(fd: log.fd, unstampedTime: LogTime(nanoseconds: 0))
        var seen: [String] = []
        _ = reader.read { seen.append(String(decoding: $0.bytes, as: UTF8.self)); return true }
        #expect(seen.isEmpty && reader.offset == 0)
        #expect(write(log.fd, Array(record[10...]), record.count - 10) == record.count - 10)
        _ = reader.read { seen.append(String(decoding: $0.bytes, as: UTF8.self)); return true }
        #expect(seen == ["ab\n"] && reader.offset == record.count)
    }

    @Test("-t prints nine digits of nanoseconds, trailing zeros kept")
    func fixedNanoseconds() {
        #expect(LogTime(seconds: 1_795_936_222, nanoseconds: 847_681_000).rfc3339NanoFixed == "2026-11-29T07:10:22.847681000Z")
        #expect(LogTime(seconds: 1_795_936_222).rfc3339NanoFixed == "2026-11-29T07:10:22.000000000Z")
    }
}

@Suite("logs --since/--until values")
struct LogTimeArgumentTests {
    let now = LogTime(seconds: 1_795_936_222, nanoseconds: 847_698_386)

    private func parse(_ value: String) throws -> LogTime {
        try LogTimeArgument.parse(value, now: now)
    }

    private func reason(_ value: String) -> String? {
        do { _ = try LogTimeArgument.parse(value, now: now); return nil } catch { return error.reason }
    }

    @Test("RFC 3339 with or without fractional seconds, Z or an offset, and shorter forms")
    func rfc3339() throws {
        #expect(try parse("2026-11-29T07:10:22.847698386Z") == now)
        #expect(try parse("2026-11-29T09:10:22.847698386+02:00") == now)
        #expect(try parse("2026-11-29T07:10:22Z") == LogTime(seconds: 1_795_936_222))
        #expect(try parse("2026-11-29T07:10:22.5Z") == LogTime(seconds: 1_795_936_222, nanoseconds: 500_000_000))
        // More than nine digits: Go reads them all and keeps nanoseconds.
        #expect(try parse("2026-11-29T07:10:22.8476983869Z") == now)
        #expect(try parse("2026-11-29T07:10Z") == LogTime(seconds: 1_795_936_200))
        #expect(try parse("2026-11-29T05:10-02:00") == LogTime(seconds: 1_795_936_200))
        #expect(try parse("2026-11-29Z") == LogTime(seconds: 1_795_910_400))
    }

    @Test("Unix seconds, with a fraction scaled to nanoseconds; durations back from now in whole seconds")
    func unixAndDurations() throws {
        #expect(try parse("1700000000") == LogTime(seconds: 1_700_000_000))
        #expect(try parse("1700000000.5") == LogTime(seconds: 1_700_000_000, nanoseconds: 500_000_000))
        #expect(try parse("1700000000.000000001") == LogTime(seconds: 1_700_000_000, nanoseconds: 1))
        #expect(try parse("10m") == LogTime(seconds: 1_795_936_222 - 600))
        #expect(try parse("1h30m") == LogTime(seconds: 1_795_936_222 - 5400))
        #expect(try parse("-10m") == LogTime(seconds: 1_795_936_222 + 600))
        // "0" is not a duration here: it is the epoch.
        #expect(try parse("0") == LogTime(seconds: 0))
    }

    @Test("Invalid values get Go's and the CLI's texts")
    func invalid() {
        #expect(reason("bogus") == #"failed to parse value as time or duration: "bogus""#)
        #expect(reason("1.2.3") == #"failed to parse value as time or duration: "1.2.3""#)
        #expect(reason("2026-13-01") == #"parsing time "2026-13-01": month out of range"#)
        #expect(reason("2026-11-31") == #"parsing time "2026-11-31": day out of range"#)
        #expect(reason("2026-11-29T25:00:00Z") == #"parsing time "2026-11-29T25:00:00Z": hour out of range"#)
        #expect(reason("2026-11-29T07:10:61Z") == #"parsing time "2026-11-29T07:10:61Z": second out of range"#)
        #expect(reason("2026-11-29X") == #"parsing time "2026-11-29X": extra text: "X""#)
        #expect(reason("2026-11-29T07:10:23.123Q") == #"parsing time "2026-11-29T07:10:23.123Q": extra text: "Q""#)
        #expect(reason("x-y") == #"parsing time "x-y" as "2006-01-02": cannot parse "x-y" as "2006""#)
        #expect(reason("2026-11-29T07:10:23+0200")
                == #"parsing time "2026-11-29T07:10:23+0200" as "2006-01-02T15:04Z07:00": cannot parse ":23+0200" as "Z07:00""#)
    }
}
