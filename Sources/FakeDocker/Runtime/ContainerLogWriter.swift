import DockerSyntax
#if canImport(Glibc)
import Glibc
#endif

extension ContainerLog {
    /// Cuts a container's output into log entries and stamps them as the engine's log copier does for the
    /// json-file driver (Engine 20.10, observed: docs/engine-observations.md, "logs: entries and timestamps"):
    /// - an entry is a line with its `\n`, stamped when its `\n` arrives; a line written in pieces is one entry,
    ///   and an unfinished line is not in the log (not shown by `logs`) until its `\n`;
    /// - a line that reaches 16 KiB without a `\n` (the copier's buffer) is logged in 16 KiB pieces without `\n`,
    ///   all stamped with the time of the first piece; its end (possibly only the `\n`) is one more entry;
    /// - at the end of a stream the unfinished rest is one entry without `\n`;
    /// - at a live-restore restart the unfinished rest is lost (`dropUnfinished`).
    ///
    /// Each read from a pipe costs one clock read and one writev(2) for all its entries, which takes a long entry's
    /// bytes where the read put them (attached output's throughput: no second copy of it). The engine reads the
    /// clock per line; here every entry that gets a time of its own gets one later than the one before it
    /// (by 1 ns when the clock has not moved), so lines logged from one read stay distinguishable by time, as
    /// a client resuming with `logs --since` from the last timestamp it received needs.
    struct Writer {
        /// The json-file driver's line buffer: a longer line is logged in pieces of this size.
        static let pieceSize = 16 * 1024

        let fd: Int32
        /// Per stream (index `rawValue - 1`): the unfinished line, not logged yet.
        private var unfinished: [[UInt8]] = [[], []]
        /// Per stream: the time of the first piece of a long line still being logged.
        private var pieceTime: [LogTime?] = [nil, nil]
        private var lastTime = LogTime(nanoseconds: 0)
        /// The records of one read, written at once: headers and short entries copied into `records`, long
        /// entries' bytes left in the read's buffer. Both kept to reuse their capacity.
        private var records: [UInt8] = []
        private var pieces: [Piece] = []
        /// Where in `records` the piece after the last borrowed entry starts.
        private var recordsPieceStart = 0
        private enum Piece {
            case records(Range<Int>)
            case borrowed(UnsafeRawBufferPointer)
        }
        /// An entry this long is written from the read's buffer rather than copied.
        private static let borrowedSize = 1024

        init(fd: Int32) { self.fd = fd }

        /// Logs what one read from `stream`'s pipe returned.
        mutating func append(_ stream: Stream, _ chunk: UnsafeRawBufferPointer) {
            let s = Int(stream.rawValue) - 1
            let clock = LogTime.now()
            var start = 0
            while start < chunk.count {
                let room = Self.pieceSize - unfinished[s].count
                let window = UnsafeRawBufferPointer(rebasing: chunk[start..<min(chunk.count, start + room)])
                if let newline = memchr(window.baseAddress!, Int32(UInt8(ascii: "\n")), window.count) {
                    let lineEnd = window.baseAddress!.distance(to: UnsafeRawPointer(newline)) + 1
                    addEntry(stream, UnsafeRawBufferPointer(rebasing: window[0..<lineEnd]), time: pieceTime[s] ?? nextTime(clock))
                    pieceTime[s] = nil
                    start += lineEnd
                } else if window.count == room {
                    // The buffer is full and holds no `\n`: this piece is logged now, the line goes on.
                    let time = pieceTime[s] ?? nextTime(clock)
                    pieceTime[s] = time
                    addEntry(stream, window, time: time)
                    start += window.count
                } else {
                    unfinished[s].append(contentsOf: window)
                    start = chunk.count
                }
            }
            writeRecords()
        }

        /// `stream` reached its end: its unfinished line is logged as it is.
        mutating func finish(_ stream: Stream) {
            let s = Int(stream.rawValue) - 1
            guard !unfinished[s].isEmpty else { return }
            let time = pieceTime[s] ?? nextTime(LogTime.now())
            addEntry(stream, UnsafeRawBufferPointer(start: nil, count: 0), time: time)
            pieceTime[s] = nil
            writeRecords()
        }

        /// The engine that held the unfinished lines went away (a live-restore restart): they are not logged, and what
        /// comes next starts a line of its own, as the restored engine's new log copier starts one.
        mutating func dropUnfinished() {
            unfinished = [[], []]
            pieceTime = [nil, nil]
        }

        /// One record: the stream's unfinished line (now taken) followed by `bytes`.
        private mutating func addEntry(_ stream: Stream, _ bytes: UnsafeRawBufferPointer, time: LogTime) {
            let s = Int(stream.rawValue) - 1
            ContainerLog.appendHeader(to: &records, stream: stream, length: unfinished[s].count + bytes.count, time: time)
            records.append(contentsOf: unfinished[s])
            unfinished[s].removeAll(keepingCapacity: true)
            if bytes.count < Self.borrowedSize {
                records.append(contentsOf: bytes)
            } else {
                closeRecordsPiece()
                pieces.append(.borrowed(bytes))
            }
        }

        private mutating func nextTime(_ clock: LogTime) -> LogTime {
            lastTime = max(clock, LogTime(nanoseconds: lastTime.nanoseconds + 1))
            return lastTime
        }

        /// Ends the piece of `records` written since the last borrowed entry.
        private mutating func closeRecordsPiece() {
            if recordsPieceStart < records.count { pieces.append(.records(recordsPieceStart..<records.count)) }
            recordsPieceStart = records.count
        }

        /// One write for the records of a read: with O_APPEND they land whole after any other writer's, and a
        /// reader that comes in the middle of a short write stops at the last complete record.
        private mutating func writeRecords() {
            closeRecordsPiece()
            guard !pieces.isEmpty else { return }
            records.withUnsafeBytes { copied in
                var iov = pieces.map { piece -> iovec in
                    let bytes: UnsafeRawBufferPointer
                    switch piece {
                    case .records(let range): bytes = UnsafeRawBufferPointer(rebasing: copied[range])
                    case .borrowed(let b): bytes = b
                    }
                    return iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                }
                var first = 0
                while first < iov.count {
                    // 1024: Linux's IOV_MAX.
                    let count = Int32(min(iov.count - first, 1024))
                    let written = iov.withUnsafeBufferPointer { writev(fd, $0.baseAddress! + first, count) }
                    if written < 0 {
                        if errno == EINTR { continue }
                        return   // the disk is full or gone: the log loses this read, the client still gets it
                    }
                    // A short write (a signal, a full disk): go on from where it stopped.
                    var left = written
                    while first < iov.count && left >= iov[first].iov_len { left -= iov[first].iov_len; first += 1 }
                    if left > 0 {
                        iov[first].iov_base = iov[first].iov_base! + left
                        iov[first].iov_len -= left
                    }
                }
            }
            records.removeAll(keepingCapacity: true)
            pieces.removeAll(keepingCapacity: true)
            recordsPieceStart = 0
        }
    }
}
