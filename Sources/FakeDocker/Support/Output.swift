#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to the process's stdout/stderr: fake-docker often exits right after writing,
/// and interleaving with the output of containers it forwards must stay in order.
enum Output {
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    @discardableResult
    static func write(_ fd: Int32, _ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { write(fd, UnsafeRawBufferPointer($0)) }
    }

    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { write(fd, $0) }
    }

    static func out(_ line: String) { write(1, line + "\n") }
    static func err(_ line: String) { write(2, line + "\n") }
}
