/// Where `docker cp` puts what it copies, decided as the CLI and the daemon decide it (moby's archive.CopyInfo rules;
/// observed on Engine 20.10, docs/engine-observations.md "cp, export, attach"): the directory the archive is
/// unpacked in and the name its top entry takes there.
struct CopyPlan: Equatable {
    /// What the destination path names before the copy.
    enum Existing { case missing, directory, file }

    enum Refusal: Error, Equatable {
        /// A file to a missing path ending with `/`.
        case noSuchDirectory
        /// A directory onto a file.
        case cannotCopyDirectory

        var message: String { self == .noSuchDirectory ? "no such directory" : "cannot copy directory" }
    }

    /// The directory to unpack in.
    var directory: String
    /// The name of the copy's top entry there (`.`: the source's contents merged into `directory`).
    var root: String

    /// `source` is the path as given (its `/.` asks for its contents), `destination` as given (absolute).
    static func make(source: String, sourceIsDirectory: Bool, destination: String,
                     existing: Existing) throws(Refusal) -> CopyPlan {
        let contentsOnly = sourceIsDirectory && (source.hasSuffix("/.") || source == ".")
        switch existing {
        case .directory:
            return CopyPlan(directory: destination, root: contentsOnly ? "." : baseName(source))
        case .file:
            if sourceIsDirectory { throw .cannotCopyDirectory }
            return CopyPlan(directory: parent(destination), root: baseName(destination))
        case .missing:
            if destination.hasSuffix("/") && !sourceIsDirectory { throw .noSuchDirectory }
            return CopyPlan(directory: parent(destination), root: baseName(destination))
        }
    }

    /// The name an archive streamed to stdout (`cp C:SRC -`) gives its top entry: the source's last part, `.` for
    /// its contents (`/d/.`), `/` for the root.
    static func streamRoot(_ source: String) -> String {
        if source.hasSuffix("/.") || source == "." { return "." }
        return trimmed(source).isEmpty ? "/" : baseName(source)
    }

    /// The last part of a path, its trailing slashes and `/.` left out.
    static func baseName(_ path: String) -> String {
        let parts = trimmed(path).split(separator: "/")
        return parts.last.map(String.init) ?? "/"
    }

    /// The directory holding `path` (its trailing slashes left out first); `/` for a top-level path.
    static func parent(_ path: String) -> String {
        let t = trimmed(path)
        guard let slash = t.lastIndex(of: "/") else { return "." }
        let p = String(t[..<slash])
        return p.isEmpty ? "/" : p
    }

    /// `path` without trailing slashes and `/.`.
    static func trimmed(_ path: String) -> String {
        var t = path
        while t.hasSuffix("/") || t.hasSuffix("/.") { t.removeLast(t.hasSuffix("/.") ? 2 : 1) }
        return t
    }
}
