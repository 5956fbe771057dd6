import Foundation
import ProcessSpawn

/// A container's bind mounts on the host's side: what the engine does before the mounts are made (a missing `-v`
/// source made a directory, each mount point found in the container's filesystem), and where a path in the container
/// is on the host. The mounts themselves, and their missing mount points (a directory for a directory, else an empty
/// file, as runc makes them), are made by the spawn in the container's own mount namespace (SpawnOptions.bindMounts),
/// so the host's mount table never holds them.
struct ContainerMounts {
    let rootfs: String
    let mounts: [BindMount]

    /// The most symbolic links followed in one path, as filepath-securejoin allows.
    static let maximumLinks = 255

    /// Makes what the mounts need and returns them for the spawn, or runc's message for the first that fails.
    func prepare() -> Result<[SpawnOptions.BindMount], Shim.StartFailure> {
        let fm = FileManager.default
        var prepared: [SpawnOptions.BindMount] = []
        for m in mounts {
            // The daemon makes a missing `-v` source a directory at start (observed: not at create).
            if m.createsSource && !fm.fileExists(atPath: m.source) {
                try? fm.createDirectory(atPath: m.source, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            }
            guard fm.fileExists(atPath: m.source) else {
                return .failure(failure(m, "stat \(m.source): no such file or directory"))
            }
            // The mount point, where missing, is made by the spawn inside the namespace, as runc makes it there: a bind
            // under /dev lands in the container's own /dev.
            prepared.append(.init(source: m.source, target: Self.resolve(m.destination, in: rootfs), readOnly: !m.readWrite))
        }
        return .success(prepared)
    }

    /// Makes the mount points of the tmpfs mounts in the container's filesystem, their parents too, as runc makes them
    /// (a tmpfs step makes only its last directory).
    func makeMountPoints(_ tmpfs: [TmpfsMount]) {
        for t in tmpfs {
            try? FileManager.default.createDirectory(atPath: Self.resolve(t.destination, in: rootfs), withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o755])
        }
    }

    /// The flags of the mount `path` is on, as mount(2) takes them: those a bind remount must keep.
    static func mountFlags(of path: String) -> UInt {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return 0 }
        // statvfs's ST_ bit → mount(2)'s MS_ bit: nosuid, nodev, noexec, noatime, nodiratime, relatime.
        let kept: [(UInt, UInt)] = [(2, 2), (4, 4), (8, 8), (1024, 1024), (2048, 2048), (4096, 1 << 21)]
        return kept.filter { st.f_flag & $0.0 != 0 }.map(\.1).reduce(0, |)
    }

    /// runc's message for a mount that failed with `reason` (Go's errno text).
    func failure(_ m: BindMount, _ reason: String) -> Shim.StartFailure {
        .init(detail: "error during container init: error mounting \"\(m.source)\" to rootfs at \"\(m.destination)\": \(reason)")
    }

    /// The host path of `path` in the container as its process sees it: under the bind mount whose destination
    /// holds it (the innermost), else in the container's filesystem.
    func hostPath(_ path: String) -> String {
        let clean = MountSyntax.cleaned(path)
        let holder = mounts.filter { clean == $0.destination || clean.hasPrefix($0.destination + "/") }
            .max { $0.destination.count < $1.destination.count }
        guard let holder else { return Self.resolve(clean, in: rootfs) }
        return holder.source + clean.dropFirst(holder.destination.count)
    }

    /// `path` of the container's filesystem on the host, its symbolic links followed as if `root` were `/`
    /// (filepath-securejoin, as runc resolves a mount point): a link never leads out of `root`.
    static func resolve(_ path: String, in root: String) -> String {
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init)
        var links = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." { continue }
            if part == ".." { if !resolved.isEmpty { resolved.removeLast() }; continue }
            let host = root + "/" + (resolved + [part]).joined(separator: "/")
            guard links < maximumLinks, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: host) else {
                resolved.append(part)
                continue
            }
            links += 1
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
        }
        return root + "/" + resolved.joined(separator: "/")
    }
}
