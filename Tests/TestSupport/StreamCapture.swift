import Dispatch
import Foundation
import Glibc
import Synchronization

/// One stream read off a child's pipe by its own thread, so that a test can look at what has arrived so
/// far while the child is still running (that is how "live" output is proven), and so that a child's
/// stdout and stderr are read at once: a reader that finished one before starting the other would leave
/// the child blocked on a full pipe.
package final class StreamCapture: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var count = 0
        var closed = false
    }
    private let state = Mutex(State())
    private let keep: Bool
    /// The pipe's inode, so a test can find any process that still holds the writing end.
    package let pipeInode: UInt64

    /// Reads `fd` to its end and closes it; `drained` is entered now and left at the end.
    init(fd: Int32, keep: Bool, drained: DispatchGroup) {
        self.keep = keep
        var info = stat()
        fstat(fd, &info)
        pipeInode = UInt64(info.st_ino)
        drained.enter()
        let thread = Thread { [self] in
            self.drain(fd)
            drained.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func drain(_ fd: Int32) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate(); close(fd) }
        while true {
            let n = read(fd, buffer, 1 << 16)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let chunk = UnsafeRawBufferPointer(start: buffer, count: n)
            state.withLock { s in
                s.count += n
                if keep { s.bytes.append(contentsOf: chunk) }
            }
        }
        state.withLock { $0.closed = true }
    }

    package var bytes: [UInt8] { state.withLock { $0.bytes } }
    package var text: String { String(decoding: bytes, as: UTF8.self) }
    package var count: Int { state.withLock { $0.count } }
    package var isClosed: Bool { state.withLock { $0.closed } }
}
