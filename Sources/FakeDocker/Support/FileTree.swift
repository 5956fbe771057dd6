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

    static func clone(from source: String, to target: String) throws(Failure) {
        var st = stat()
        guard lstat(source, &st) == 0 else { throw Failure(path: source, errno: errno) }
        guard mkdir(target, st.st_mode & 0o7777) == 0 || errno == EEXIST else { throw Failure(path: target, errno: errno) }
        chmod(target, st.st_mode & 0o7777)
        guard let names = entries(of: source) else { throw Failure(path: source, errno: errno) }
        for name in names {
            let from = source + "/" + name, to = target + "/" + name
            var entryStat = stat()
            guard lstat(from, &entryStat) == 0 else { throw Failure(path: from, errno: errno) }
            switch entryStat.st_mode & S_IFMT {
            case S_IFDIR:
                try clone(from: from, to: to)
            case S_IFREG:
                try copyFile(from: from, to: to, mode: entryStat.st_mode & 0o7777)
            default:
                guard link(from, to) == 0 else { throw Failure(path: to, errno: errno) }
            }
        }
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
        fchmod(output, mode)
        while true {
            let n = sendfile(output, input, nil, 1 << 30)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: to, errno: errno)
            }
        }
    }

    /// Deletes a tree (best effort, like `rm -rf`); with most entries hard links, this is quick.
    static func remove(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            for name in entries(of: path) ?? [] { remove(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
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

    /// Writes a small file without the fsync Foundation's Data.write adds.
    static func write(_ text: String, to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, errno: errno) }
        defer { close(fd) }
        guard Output.write(fd, text) else { throw Failure(path: path, errno: errno) }
    }
}
