import Foundation

/// A removed container's directory, its root filesystem unchanged, given back for its image's next container: a
/// `run --rm` then renames a directory into place instead of cloning the image (a hard link per busybox applet, a copy
/// of its 2.7 MB) and renames it back instead of deleting it. Cloning and deleting were half of a `run --rm`'s CPU
/// here, and making new inodes (the container's directory, its record) a tenth more: ext4 looks for a free inode away
/// from those deleted a moment ago, and a loop of `run --rm` deletes many.
///
/// A container's files must be its own (nothing it writes may reach the image or another container), so a tree is
/// given back only when nothing of the container may still write to it and it is as its create left it:
/// - the container never ran, or ran as PID 1 of a PID namespace of its own, whose processes the kernel has all
///   killed by the time its exit is recorded (without one, a process that left its process group could write on);
/// - every directory and regular file has the identity (inode, size, modification and change times) recorded at
///   the create, and there is no other: a write, a `chmod`, an entry made, removed or renamed anywhere changes a
///   change time (FileTree.Identity).
/// - the container's directory holds nothing but its `rootfs`, its record and its log, which is deleted (a `logs`
///   still reading it reads on, as from the engine's deleted log).
/// The files the engine writes for each container (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`) are written
/// again by the next create, before its record. The record is the container's `rootfs-record`; the spare is the
/// image's `spare-container` (one at most), which goes with the image.
enum SpareRootfs {
    static func path(ofImage id: String, store: StateStore) -> String { store.imageDirectory(id) + "/" + spareName }
    static let spareName = "spare-container"
    static let recordName = "rootfs-record"
    /// What a container's directory may hold to be given back: anything else kept there is that container's alone.
    static let givenBackEntries: Set<String> = ["rootfs", recordName, "log"]

    static func recordPath(ofContainer id: String, store: StateStore) -> String {
        store.containerDirectory(id) + "/" + recordName
    }

    /// Whether nothing of the container can still write to its files (see above).
    static func mayGiveBack(started: Bool, ownPIDNamespace: Bool) -> Bool {
        !started || ownPIDNamespace
    }

    /// One line per directory or regular file: inode, size, mtime and ctime (seconds, nanoseconds), then its path.
    static func encode(_ identities: [String: FileTree.Identity]) -> String {
        identities.sorted { $0.key < $1.key }.map { path, i in
            "\(i.inode) \(i.size) \(i.modified.tv_sec) \(i.modified.tv_nsec) \(i.changed.tv_sec) \(i.changed.tv_nsec) \(path)\n"
        }.joined()
    }

    /// What `encode` wrote; nil if a line is not one it writes.
    static func decode(_ text: String) -> [String: FileTree.Identity]? {
        var identities: [String: FileTree.Identity] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
            guard fields.count == 7, let inode = UInt64(fields[0]), let size = Int64(fields[1]),
                  let mSec = Int(fields[2]), let mNsec = Int(fields[3]), let cSec = Int(fields[4]),
                  let cNsec = Int(fields[5]), !fields[6].isEmpty else { return nil }
            identities[String(fields[6])] = FileTree.Identity(
                inode: inode, size: size, modified: timespec(tv_sec: mSec, tv_nsec: mNsec),
                changed: timespec(tv_sec: cSec, tv_nsec: cNsec))
        }
        return identities
    }

    /// At create, before the container's directory is made: moves the image's spare there; false when there is none
    /// (or another create took it).
    static func take(image id: String, container: String, store: StateStore) -> Bool {
        rename(path(ofImage: id, store: store), store.containerDirectory(container)) == 0
    }

    /// At create, once the container's files are complete: how they are, for `giveBack`.
    static func record(container id: String, store: StateStore) {
        guard let identities = FileTree.identities(of: store.rootfs(ofContainer: id)) else { return }
        try? FileTree.write(encode(identities), to: recordPath(ofContainer: id, store: store))
    }

    /// At removal, before the container's directory is deleted: it becomes the image's spare if its root filesystem
    /// is unchanged, unless the image has one (or is gone).
    static func giveBack(_ c: Container, store: StateStore) {
        let directory = store.containerDirectory(c.id)
        guard mayGiveBack(started: c.startedAt != nil, ownPIDNamespace: c.pidNamespace),
              let entries = FileTree.entries(of: directory), givenBackEntries.isSuperset(of: entries),
              let text = HostProcess.readFile(recordPath(ofContainer: c.id, store: store)),
              let recorded = decode(text), !recorded.isEmpty,
              FileTree.identities(of: store.rootfs(ofContainer: c.id)) == recorded else { return }
        // Relative to the image's directory as it was opened: an image removed meanwhile is not made again. A spare
        // already there is not replaced (a directory with entries is never renamed over).
        let image = open(store.imageDirectory(c.imageID), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard image >= 0 else { return }
        defer { close(image) }
        if unlink(store.logPath(ofContainer: c.id)) != 0 && errno != ENOENT { return }
        _ = renameat(AT_FDCWD, directory, image, spareName)
    }
}
