import Glibc

/// A failed system call, by its errno.
public struct SystemCallError: Error, Equatable, Sendable {
    public let errno: Int32

    public init(errno: Int32) { self.errno = errno }

    /// strerror's text, e.g. "No such file or directory".
    public var text: String { String(cString: strerror(errno)) }
}
