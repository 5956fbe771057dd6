import Foundation

/// Copies of root filesystems (image → container at create, container → image at commit), and their removal.
///
/// A container's filesystem must be its own: writing to a file must not change the image. But most
/// entries of an image are symbolic links (busybox's applets), and creating a symlink costs far more
/// than a hard link here. A symlink (like a device node) can only be replaced, never changed in place,
/// so sharing it through a hard link is safe; regular files are copied and directories made anew.
enum FileTree {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "\(path): \(String(cString: strerror(errno)))" }
    }

    /// What tells a file or directory changed since it was looked at: a write, a truncation, a `chmod`, a rename, an
    /// entry made or removed in a directory changes its ctime (which no system call sets back), and since Linux 6.13
    /// the kernel stamps a change that follows a look with a fine-grained time, so that no change goes unseen.
    struct Identity: Equatable {
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        init(_ st: stat) {
            inode = UInt64(st.st_ino)
            size = Int64(st.st_size)
            modified = st.st_mtim
            changed = st.st_ctim
        }

        init(inode: UInt64, size: Int64, modified: timespec, changed: timespec) {
            self.inode = inode
            self.size = size
            self.modified = modified
            self.changed = changed
        }

        static func == (a: Identity, b: Identity) -> Bool {
            a.inode == b.inode && a.size == b.size && a.modified.tv_sec == b.modified.tv_sec
                && a.modified.tv_nsec == b.modified.tv_nsec && a.changed.tv_sec == b.changed.tv_sec
                && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// Clones the tree at `source` into `target`, relative to directory descriptors: each entry is one
    /// `linkat`/`openat` of its name, not a walk of the whole path, and its type comes from the directory listing
    /// (no `lstat` per symlink). A `run --rm` clones and removes one tree, so this is on every container's path.
    static func clone(from source: String, to target: String) throws(Failure) {
        var st = stat()
        guard lstat(source, &st) == 0 else { throw Failure(path: source, errno: errno) }
        guard mkdir(target, st.st_mode & 0o7777) == 0 || errno == EEXIST else { throw Failure(path: target, errno: errno) }
        chmod(target, st.st_mode & 0o7777)
        let from = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard from >= 0 else { throw Failure(path: source, errno: errno) }
        defer { close(from) }
        let to = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard to >= 0 else { throw Failure(path: target, errno: errno) }
        defer { close(to) }
        try cloneEntries(from, source, into: to)
    }

    private static func cloneEntries(_ from: Int32, _ fromPath: String, into to: Int32) throws(Failure) {
        guard let listed = listing(from) else { throw Failure(path: fromPath, errno: errno) }
        for (name, listedType) in listed {
            let path = fromPath + "/" + name
            var st = stat()
            // Only a directory and a regular file need their mode; DT_UNKNOWN (some filesystems) is looked up too.
            if listedType == directory || listedType == regular || listedType == unknown {
                guard fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw Failure(path: path, errno: errno) }
            }
            let mode = st.st_mode & 0o7777
            let type = listedType == unknown ? directoryType(st.st_mode) : listedType
            switch type {
            case directory:
                guard mkdirat(to, name, mode) == 0 || errno == EEXIST else { throw Failure(path: path, errno: errno) }
                fchmodat(to, name, mode, 0)
                let child = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw Failure(path: path, errno: errno) }
                defer { close(child) }
                let made = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard made >= 0 else { throw Failure(path: path, errno: errno) }
                defer { close(made) }
                try cloneEntries(child, path, into: made)
            case regular:
                let input = openat(from, name, O_RDONLY | O_CLOEXEC)
                guard input >= 0 else { throw Failure(path: path, errno: errno) }
                defer { close(input) }
                let output = openat(to, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
                guard output >= 0 else { throw Failure(path: path, errno: errno) }
                defer { close(output) }
                try copyContents(input, to: output, mode: mode, path: path)
                // The image's modification time, as the engine's copy (or overlay) shows it.
                let times = [st.st_atim, st.st_mtim]
                futimens(output, times)
            default:
                guard linkat(from, name, to, name, 0) == 0 else { throw Failure(path: path, errno: errno) }
            }
        }
    }

    private static let directory = UInt8(DT_DIR), regular = UInt8(DT_REG), unknown = UInt8(DT_UNKNOWN)

    /// The identity of every directory and regular file of the tree at `root`, by path relative to it (the root
    /// itself is "."); nil if a directory cannot be read. With each directory's identity, an entry of any other kind
    /// made, removed or replaced anywhere in the tree shows too: it changes its directory's times.
    static func identities(of root: String) -> [String: Identity]? {
        var st = stat()
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { return nil }
        var found = [".": Identity(st)]
        return identities(fd, prefix: "", into: &found) ? found : nil
    }

    private static func identities(_ fd: Int32, prefix: String, into found: inout [String: Identity]) -> Bool {
        guard let listed = listing(fd) else { return false }
        for (name, type) in listed where type == directory || type == regular || type == unknown {
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                found[prefix + name] = Identity(st)
            case S_IFDIR:
                found[prefix + name] = Identity(st)
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { return false }
                defer { close(child) }
                guard identities(child, prefix: prefix + name + "/", into: &found) else { return false }
            default:
                continue
            }
        }
        return true
    }

    /// The `d_type` of a mode, for a listing that did not say.
    private static func directoryType(_ mode: mode_t) -> UInt8 {
        switch mode & S_IFMT {
        case S_IFDIR: return directory
        case S_IFREG: return regular
        default: return unknown
        }
    }

    /// The names and types in the directory open at `fd`, without "." and ".."; nil (errno set) if unreadable.
    private static func listing(_ fd: Int32) -> [(name: String, type: UInt8)]? {
        let own = dup(fd)
        guard own >= 0, let dir = fdopendir(own) else { return nil }
        defer { closedir(dir) }
        var listed: [(name: String, type: UInt8)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { listed.append((name, entry.pointee.d_type)) }
        }
        return listed
    }

    /// The names in a directory, without "." and ".."; nil (errno set) if it cannot be read.
    static func entries(of path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func copyFile(from: String, to: String, mode: mode_t) throws(Failure) {
        let input = open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(path: from, errno: errno) }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard output >= 0 else { throw Failure(path: to, errno: errno) }
        defer { close(output) }
        try copyContents(input, to: output, mode: mode, path: to)
    }

    private static func copyContents(_ input: Int32, to output: Int32, mode: mode_t, path: String) throws(Failure) {
        fchmod(output, mode)
        while true {
            let n = sendfile(output, input, nil, 1 << 30)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, errno: errno)
            }
        }
    }

    /// Deletes a tree (best effort, like `rm -rf`), relative to directory descriptors as `clone` makes it.
    static func remove(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFDIR else { unlink(path); return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            removeEntries(fd)
            close(fd)
        }
        rmdir(path)
    }

    private static func removeEntries(_ fd: Int32) {
        for (name, type) in listing(fd) ?? [] {
            if type == directory || type == unknown {
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 {
                    removeEntries(child)
                    close(child)
                    unlinkat(fd, name, AT_REMOVEDIR)
                    continue
                }
            }
            unlinkat(fd, name, 0)
        }
    }

    /// The bytes of the regular files in a tree (what `docker images` shows as SIZE).
    static func size(_ path: String) -> Int64 {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return (entries(of: path) ?? []).reduce(0) { $0 + size(path + "/" + $1) }
        case S_IFREG: return Int64(st.st_size)
        default: return 0
        }
    }

    /// Writes a small file without the fsync Foundation's Data.write adds. An existing file is written over in place and
    /// then cut to its new length, not emptied first: emptying frees its block, and ext4 mounted with `discard` (as on
    /// these machines) discards a freed block in the very call, about 1 ms each; a create rewrites four such files
    /// (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf` and the spare's record, SpareRootfs).
    static func write(_ text: String, to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, errno: errno) }
        defer { close(fd) }
        guard Output.write(fd, text), ftruncate(fd, off_t(text.utf8.count)) == 0 else {
            throw Failure(path: path, errno: errno)
        }
    }
}
