#if canImport(Glibc)
import Glibc
#endif

/// A container's output as the shim records it for `docker logs`: one file of records
/// `[stream: u8][length: u32 little-endian][bytes]`, so that stdout and stderr replay in the order
/// they were written and stay apart.
enum ContainerLog {
    enum Stream: UInt8 { case stdout = 1, stderr = 2 }

    static func append(fd: Int32, stream: Stream, _ bytes: UnsafeRawBufferPointer) {
        var header: (UInt8, UInt8, UInt8, UInt8, UInt8) = (stream.rawValue, 0, 0, 0, 0)
        let n = UInt32(bytes.count)
        header.1 = UInt8(n & 0xff); header.2 = UInt8((n >> 8) & 0xff)
        header.3 = UInt8((n >> 16) & 0xff); header.4 = UInt8(n >> 24)
        // One writev per record: with O_APPEND, a concurrent reader never sees a torn header.
        withUnsafeBytes(of: &header) { h in
            var iov = [iovec(iov_base: UnsafeMutableRawPointer(mutating: h.baseAddress), iov_len: 5),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)]
            let written = writev(fd, &iov, 2)
            if written >= 0 && written < 5 + bytes.count {
                // A short write (disk nearly full, a signal): the rest of the record, in order.
                let record = [UInt8](UnsafeRawBufferPointer(h)) + [UInt8](bytes)
                _ = record[written...].withUnsafeBytes { Output.write(fd, $0) }
            }
        }
    }

    /// Replays the records from `offset`, calling `sink` for each; returns the offset after the last
    /// complete record (a partial one at the end is left for the next read).
    static func replay(fd: Int32, from offset: Int, sink: (Stream, UnsafeRawBufferPointer) -> Bool) -> Int {
        var position = offset
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        while true {
            let n = pread(fd, &buffer, buffer.count, off_t(position + pending.count))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return position }
            pending.append(contentsOf: buffer[0..<n])
            var start = 0
            while pending.count - start >= 5 {
                let len = Int(pending[start + 1]) | Int(pending[start + 2]) << 8 | Int(pending[start + 3]) << 16 | Int(pending[start + 4]) << 24
                guard pending.count - start >= 5 + len else { break }
                let stream = Stream(rawValue: pending[start]) ?? .stdout
                let ok = pending.withUnsafeBytes { sink(stream, UnsafeRawBufferPointer(rebasing: $0[(start + 5)..<(start + 5 + len)])) }
                start += 5 + len
                if !ok { return position + start }
            }
            position += start
            pending.removeFirst(start)
        }
    }
}
