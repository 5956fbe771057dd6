import Foundation
import Glibc

/// The pids of processes that have `inode` (a pipe) open, from /proc: finds a docker client that outlived
/// the dockrun that should have waited for it.
package func processesHoldingPipe(inode: UInt64) -> [pid_t] {
    let target = "pipe:[\(inode)]"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return false }
        return fds.contains { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == target
        }
    }
}
