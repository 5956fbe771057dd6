import Foundation

/// The copies of an image's regular files that a removed container gives back unchanged, for the image's next
/// container: a `run --rm` then moves its `/bin/busybox` into place instead of copying it, and its removal moves it
/// back instead of deleting it (copying the image's 2.7 MB and freeing it again was a third of a `run --rm`'s CPU).
///
/// A container's files must be its own (a write must reach neither the image nor another container), so a copy is
/// given back only when nothing of the container may still write to it and it is as the clone left it:
/// - the container never ran, or ran as PID 1 of a PID namespace of its own, whose processes the kernel has all
///   killed by the time its exit is recorded (without one, a process that left the container's process group
///   could write to the file later);
/// - the file at the path is the inode the clone made, with the same size, modification and change times (a
///   write, truncation, `chmod` or `touch` changes the change time, which nothing sets back), and one link.
/// The clone's view of each copy is kept in the container's directory (`copies`); the spares of an image are under
/// `<image>/spares`, laid out as its `rootfs`, and go with the image.
enum SpareCopies {
    static func directory(ofImage id: String, store: StateStore) -> String { store.imageDirectory(id) + "/spares" }

    static func recordPath(ofContainer id: String, store: StateStore) -> String {
        store.containerDirectory(id) + "/copies"
    }

    /// One line per copy: inode, size, mtime and ctime (seconds, nanoseconds), then its path.
    static func encode(_ copied: [FileTree.Copied]) -> String {
        copied.map { c in
            let i = c.identity
            return "\(i.inode) \(i.size) \(i.modified.tv_sec) \(i.modified.tv_nsec) \(i.changed.tv_sec) "
                + "\(i.changed.tv_nsec) \(c.path)\n"
        }.joined()
    }

    /// The lines `encode` wrote; a line it did not write is skipped.
    static func decode(_ text: String) -> [FileTree.Copied] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
            guard fields.count == 7, let inode = UInt64(fields[0]), let size = Int64(fields[1]),
                  let mSec = Int(fields[2]), let mNsec = Int(fields[3]), let cSec = Int(fields[4]),
                  let cNsec = Int(fields[5]), !fields[6].isEmpty else { return nil }
            return FileTree.Copied(path: String(fields[6]), identity: FileTree.Identity(
                inode: inode, size: size, modified: timespec(tv_sec: mSec, tv_nsec: mNsec),
                changed: timespec(tv_sec: cSec, tv_nsec: cNsec)))
        }
    }

    /// Whether nothing of the container can still write to its files (see above).
    static func mayGiveBack(started: Bool, ownPIDNamespace: Bool) -> Bool {
        !started || ownPIDNamespace
    }

    /// At create, after the clone: what it copied, for `giveBack`.
    static func record(_ copied: [FileTree.Copied], container id: String, store: StateStore) {
        guard !copied.isEmpty else { return }
        try? FileTree.write(encode(copied), to: recordPath(ofContainer: id, store: store))
    }

    /// At removal, before the container's files are deleted: each unchanged copy is moved to the image's spares,
    /// unless one is there already (or the image is gone). Its files are deleted next.
    static func giveBack(_ c: Container, store: StateStore) {
        guard mayGiveBack(started: c.startedAt != nil, ownPIDNamespace: c.pidNamespace), let text = HostProcess.readFile(recordPath(ofContainer: c.id, store: store)) else { return }
        let image = open(store.imageDirectory(c.imageID), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard image >= 0 else { return }
        defer { close(image) }
        let rootfs = store.rootfs(ofContainer: c.id)
        for copy in decode(text) where !copy.path.split(separator: "/").contains("..") {
            var st = stat()
            guard lstat(rootfs + "/" + copy.path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_nlink == 1,
                  FileTree.Identity(st) == copy.identity else { continue }
            // Made relative to the image's directory as it was opened: an image removed meanwhile is not made again.
            var parent = "spares"
            mkdirat(image, parent, 0o700)
            for part in copy.path.split(separator: "/").dropLast() {
                parent += "/" + part
                mkdirat(image, parent, 0o700)
            }
            // A link, which never replaces a spare already there; the container's own name goes with its files.
            _ = linkat(AT_FDCWD, rootfs + "/" + copy.path, image, "spares/" + copy.path, 0)
        }
    }
}
