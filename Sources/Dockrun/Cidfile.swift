/// The file `docker run --cidfile` writes the container ID to, and what dockrun may do with it.
public struct Cidfile: Equatable, Sendable {
    public let path: String
    /// False for a user's file that existed before the start: docker refuses to overwrite it, and
    /// its content names some older container, so dockrun neither reads nor deletes it.
    public let readable: Bool
    /// The user's `--cidfile`, as opposed to dockrun's own in its private directory.
    public let isUsers: Bool

    /// The user's `--cidfile PATH`; `exists`: something was at PATH before the start.
    public init(user path: String, exists: Bool) {
        self.path = path
        readable = !exists
        isUsers = true
    }

    /// dockrun's own, in a directory only it uses.
    public init(privateDirectory: String) {
        path = privateDirectory + "/cid"
        readable = true
        isUsers = false
    }

    /// The directory to watch for the file to appear in.
    public var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Its name in `directory`, as inotify reports it.
    public var name: String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// dockrun's own always goes; the user's goes only when dockrun removed the container (otherwise it is how the
    /// user finds the container that is kept), or when nothing of the run is left and the file names nothing (left
    /// empty by a client killed before writing it: `RunPolicy.removedContainer` is then true).
    public func deletedAtExit(containerRemoved: Bool) -> Bool {
        isUsers ? readable && containerRemoved : true
    }
}
