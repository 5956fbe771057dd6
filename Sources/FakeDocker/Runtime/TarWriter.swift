import Foundation

/// Writes host files as a tar stream (TarArchive's headers) to a descriptor, as moby's pkg/archive does for
/// `docker cp … -` and `docker export`: each entry read with lstat, the owner's names looked up on the host (as the
/// daemon does), a file met again through another hard link written as a link to the first name.
struct TarWriter {
    /// Where an entry's header and contents come from.
    enum Source {
        /// A host file, read with lstat (stat when `follow`: `cp -L`'s source).
        case host(String, follow: Bool)
        /// An entry made up (the engine's own files in an export): empty, owned by root.
        case made(TarArchive.Kind, permissions: Int, linkName: String, modified: Int)
    }

    let fd: Int32
    private var seen: [String: String] = [:]
    private var names: [UInt32: String] = [:], groups: [UInt32: String] = [:]
    private(set) var failed = false
    /// The bytes written so far (what the CLI reports as copied).
    private(set) var written = 0

    init(fd: Int32) { self.fd = fd }

    /// The paths under `root` (relative, "" for `root` itself), in filepath.Walk's order.
    static func walk(_ root: String, follow: Bool = false) -> [String] {
        var st = stat()
        guard (follow ? stat(root, &st) : lstat(root, &st)) == 0 else { return [] }
        var found = [""]
        guard st.st_mode & S_IFMT == S_IFDIR else { return found }
        func descend(_ relative: String) {
            for name in TarArchive.walkOrder(FileTree.entries(of: relative.isEmpty ? root : root + "/" + relative) ?? []) {
                let path = relative.isEmpty ? name : relative + "/" + name
                found.append(path)
                var child = stat()
                if lstat(root + "/" + path, &child) == 0 && child.st_mode & S_IFMT == S_IFDIR { descend(path) }
            }
        }
        descend("")
        return found
    }

    /// Writes one entry; false when its source cannot be read (it is left out, as the engine logs and skips it).
    @discardableResult
    mutating func add(_ name: String, _ source: Source) -> Bool {
        switch source {
        case .made(let kind, let permissions, let linkName, let modified):
            let header = TarArchive.Header(name: name, kind: kind, permissions: permissions, modified: modified,
                                           linkName: linkName, userName: userName(0), groupName: groupName(0))
            return emit(header.encoded())
        case .host(let path, let follow):
            var st = stat()
            guard (follow ? stat(path, &st) : lstat(path, &st)) == 0 else { return false }
            var header = TarArchive.Header(name: name, kind: .file, permissions: Int(st.st_mode & 0o7777),
                                           uid: Int(st.st_uid), gid: Int(st.st_gid), modified: st.st_mtim.tv_sec,
                                           userName: userName(st.st_uid), groupName: groupName(st.st_gid))
            switch st.st_mode & S_IFMT {
            case S_IFDIR: header.kind = .directory
            case S_IFLNK:
                header.kind = .symlink
                header.linkName = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
            case S_IFCHR, S_IFBLK:
                header.kind = st.st_mode & S_IFMT == S_IFCHR ? .characterDevice : .blockDevice
                // glibc's gnu_dev_major and gnu_dev_minor.
                let device = UInt64(st.st_rdev)
                header.deviceMajor = Int(((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff))
                header.deviceMinor = Int((device & 0xff) | ((device >> 12) & ~0xff))
            case S_IFIFO: header.kind = .fifo
            case S_IFREG: header.size = Int(st.st_size)
            default: return false // a socket: Go's archive/tar has no type for it
            }
            if header.kind != .directory && st.st_nlink > 1 {
                let inode = "\(st.st_dev):\(st.st_ino)"
                if let first = seen[inode] {
                    header.kind = .hardLink
                    header.linkName = first
                    header.size = 0
                } else {
                    seen[inode] = name
                }
            }
            guard emit(header.encoded()) else { return false }
            return header.kind == .file ? copyContents(path, size: header.size) : true
        }
    }

    /// Ends the archive.
    mutating func finish() -> Bool { emit(TarArchive.trailer) && !failed }

    private mutating func copyContents(_ path: String, size: Int) -> Bool {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        var left = size
        if input >= 0 {
            defer { close(input) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while left > 0 {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, min($0.count, left)) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                guard emit(Array(buffer[..<n])) else { return false }
                left -= n
            }
        }
        // A file that shrank meanwhile is made up to its header's size, as the header has been written.
        return emit([UInt8](repeating: 0, count: left + (TarArchive.block - size % TarArchive.block) % TarArchive.block))
    }

    private mutating func emit(_ bytes: [UInt8]) -> Bool {
        guard !failed else { return false }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { failed = true; return false }
            offset += n
            written += n
        }
        return true
    }

    private mutating func userName(_ uid: UInt32) -> String {
        if let known = names[uid] { return known }
        let name = ContainerUser.accountName(of: uid, in: HostProcess.readFile("/etc/passwd"))
        names[uid] = name
        return name
    }

    private mutating func groupName(_ gid: UInt32) -> String {
        if let known = groups[gid] { return known }
        let name = ContainerUser.accountName(of: gid, in: HostProcess.readFile("/etc/group"))
        groups[gid] = name
        return name
    }
}
