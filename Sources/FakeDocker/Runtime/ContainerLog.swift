import DockerSyntax
#if canImport(Glibc)
import Glibc
#endif

/// A container's output as the shim records it for `docker logs`: one file (`<container>/log`) of records,
/// appended by the shim of every start of the container, in the order logged, stdout and stderr apart.
///
/// Each record is one log entry: `[kind: u8][length: u32 LE][time: i64 LE, nanoseconds since the epoch][bytes]`,
/// kind `0x11` stdout, `0x12` stderr. The bytes are exactly what `docker logs` prints for the entry: a line with
/// its `\n`, or a piece without one (a long line's 16 KiB pieces, the rest of a stream at its end), as the
/// json-file driver's `log` field holds them (the cutting is `ContainerLog.Writer`'s).
///
/// Format 1, written before entries had timestamps, is `[kind 1|2][length: u32 LE][bytes]`, one record per read
/// from the container's pipe. The kind byte tells the formats apart record by record, because one file can
/// hold both: a container created by an older fake-docker and started again by this one appends format-2
/// records after its format-1 ones. A format-1 record is read as one entry per line (cut after each `\n`), each
/// stamped with the time the reader supplies — `logs` gives the container's creation time, which is no later
/// than anything it logged, so `--since` and `--until` keep every old line before the new ones.
enum ContainerLog {
    enum Stream: UInt8 { case stdout = 1, stderr = 2 }

    /// One entry, as `docker logs` shows it: its bytes go to the stream's descriptor, after `time` with `-t`.
    struct Entry {
        var stream: Stream
        var time: LogTime
        var bytes: UnsafeRawBufferPointer
    }

    /// The kind bit that marks a format-2 (timestamped) record.
    static let stamped: UInt8 = 0x10
    static let unstampedHeaderSize = 5
    static let stampedHeaderSize = 13

    /// Appends the header of a format-2 record for `length` bytes of `stream` logged at `time`.
    static func appendHeader(to record: inout [UInt8], stream: Stream, length: Int, time: LogTime) {
        record.append(stamped | stream.rawValue)
        withUnsafeBytes(of: UInt32(length).littleEndian) { record.append(contentsOf: $0) }
        withUnsafeBytes(of: time.nanoseconds.littleEndian) { record.append(contentsOf: $0) }
    }

    /// Reads a log's entries in the order logged, from where the last read ended.
    struct Reader {
        let fd: Int32
        /// The time of format-1 entries, which were logged without one.
        let unstampedTime: LogTime
        /// Where the next read starts: after the last complete record (one being written is left for later).
        private(set) var offset = 0

        init(fd: Int32, unstampedTime: LogTime) {
            self.fd = fd
            self.unstampedTime = unstampedTime
        }

        /// Calls `body` with each entry logged since the last read; false when `body` asked to stop.
        mutating func read(_ body: (Entry) -> Bool) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var pending: [UInt8] = []
            while true {
                let n = pread(fd, &buffer, buffer.count, off_t(offset + pending.count))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return true }
                pending.append(contentsOf: buffer[0..<n])
                var start = 0
                var going = true
                pending.withUnsafeBytes { raw in
                    while going, let record = decode(UnsafeRawBufferPointer(rebasing: raw[start...])) {
                        going = record.entries(unstampedTime, body)
                        start += record.size
                    }
                }
                offset += start
                pending.removeFirst(start)
                if !going { return false }
            }
        }
    }

    /// One record found at the start of `bytes`, or nil when it is not complete yet.
    private static func decode(_ bytes: UnsafeRawBufferPointer) -> Record? {
        guard bytes.count >= unstampedHeaderSize else { return nil }
        let kind = bytes[0]
        let length = Int(bytes.loadUnaligned(fromByteOffset: 1, as: UInt32.self).littleEndian)
        let headerSize = kind & stamped != 0 ? stampedHeaderSize : unstampedHeaderSize
        guard bytes.count >= headerSize + length else { return nil }
        let time = headerSize == stampedHeaderSize
            ? LogTime(nanoseconds: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 5, as: Int64.self))) : nil
        return Record(stream: Stream(rawValue: kind & ~stamped) ?? .stdout, time: time,
                      bytes: UnsafeRawBufferPointer(rebasing: bytes[headerSize..<(headerSize + length)]))
    }

    private struct Record {
        var stream: Stream
        /// nil for a format-1 record.
        var time: LogTime?
        var bytes: UnsafeRawBufferPointer

        var size: Int { (time == nil ? ContainerLog.unstampedHeaderSize : ContainerLog.stampedHeaderSize) + bytes.count }

        /// The record's entries: itself, or for a format-1 record one per line.
        func entries(_ unstampedTime: LogTime, _ body: (Entry) -> Bool) -> Bool {
            if let time { return body(Entry(stream: stream, time: time, bytes: bytes)) }
            var start = 0
            while start < bytes.count {
                let end = (bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? (bytes.count - 1)) + 1
                guard body(Entry(stream: stream, time: unstampedTime, bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
                else { return false }
                start = end
            }
            return true
        }
    }
}
