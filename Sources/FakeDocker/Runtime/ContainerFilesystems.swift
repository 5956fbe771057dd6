import Glibc
import ProcessSpawn

/// What the engine mounts in every container besides its binds, as runc's default spec for docker makes it
/// (docs/engine-observations.md, "namespaces"): its root a mount of its own, `/proc` of the container's PID namespace,
/// `/dev` a 64 MB tmpfs with the six devices, the `fd`/`stdin`/`stdout`/`stderr`/`ptmx` links, a new devpts instance on
/// `/dev/pts`, `/dev/shm` and `/dev/mqueue`, `/sys` read-only, then the kernel's paths a container must not write
/// (read-only) or read (masked); its tmpfs mounts (`--tmpfs`, `--mount type=tmpfs`); with `--read-only` its root
/// made read-only once everything is mounted on it, as runc remounts it last.
/// A value: the spawn makes the steps in the container's mount namespace (SpawnOptions.filesystemSteps).
/// Not made: the cgroup filesystems under `/sys/fs/cgroup` (fake-docker has no cgroups).
struct ContainerFilesystems {
    let rootfs: String
    /// The container's process is PID 1 of a PID namespace of its own: only then is a `/proc` mounted, since a
    /// `/proc` of the host's namespace would show the host's processes (`--init`, which runs without one).
    let ownPIDNamespace: Bool
    var tmpfs: [TmpfsMount] = []
    /// With `--read-only`: the flags of the mount the root filesystem is on (`statvfs`, ContainerMounts.mountFlags),
    /// which the read-only remount keeps (a remount replaces every flag); nil: the root stays writable.
    var readOnlyRootFlags: UInt? = nil

    // The mount flags (sys/mount.h).
    static let readOnly: UInt = 1, noSetUID: UInt = 2, noDevices: UInt = 4, noExec: UInt = 8
    static let strictAccessTime: UInt = 1 << 24, bind: UInt = 4096, recursive: UInt = 16384, remount: UInt = 32

    /// The engine's size of `/dev` and `/dev/shm`.
    static let tmpfsSize = "65536k"

    /// The devices runc makes in `/dev` (its default devices): name, major, minor.
    static let devices: [(name: String, major: UInt32, minor: UInt32)] = [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ]

    /// runc's links in `/dev`.
    static let links: [(name: String, target: String)] = [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"),
    ]

    /// docker's read-only paths and masked paths (its default OCI spec).
    static let readOnlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    static let maskedPaths = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                              "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"]

    /// The steps, in the order of the engine's mount table (the binds come before the kernel's paths).
    var steps: [SpawnOptions.FilesystemStep] {
        func host(_ path: String) -> String { rootfs + path }
        func mount(_ source: String, _ path: String, _ type: String, _ flags: UInt, _ data: String = "")
            -> SpawnOptions.FilesystemStep {
            .init(.mount, source: source, target: host(path), type: type, flags: flags, data: data)
        }
        let hidden = Self.noSetUID | Self.noDevices | Self.noExec
        // The root a mount of its own, as runc binds it onto itself before its pivot_root: `df /` and /proc/mounts
        // then name it (a chroot into a plain directory has no mount point at /).
        var steps: [SpawnOptions.FilesystemStep] = [
            .init(.mount, source: rootfs, target: rootfs, flags: Self.bind | Self.recursive),
        ]
        if ownPIDNamespace { steps.append(mount("proc", "/proc", "proc", hidden)) }
        steps += [
            mount("tmpfs", "/dev", "tmpfs", Self.noSetUID | Self.strictAccessTime, "mode=755,size=\(Self.tmpfsSize)"),
            mount("devpts", "/dev/pts", "devpts", Self.noSetUID | Self.noExec, "newinstance,ptmxmode=0666,mode=0620,gid=5"),
            mount("sysfs", "/sys", "sysfs", hidden | Self.readOnly),
            mount("mqueue", "/dev/mqueue", "mqueue", hidden),
            mount("shm", "/dev/shm", "tmpfs", hidden, "mode=1777,size=\(Self.tmpfsSize)"),
        ]
        steps += Self.devices.map {
            .init(.node, source: "/dev/" + $0.name, target: host("/dev/" + $0.name), mode: 0o666, major: $0.major, minor: $0.minor)
        }
        steps += Self.links.map { .init(.symlink, source: $0.target, target: host("/dev/" + $0.name)) }
        // Before the binds, so that a bind inside a tmpfs lands in it (the engine mounts a parent before its children).
        steps += tmpfs.map { mount("tmpfs", $0.destination, "tmpfs", $0.flags, $0.data) }
        // Without a /proc of the container's, its paths there are the image's (an empty directory, usually).
        func kept(_ path: String) -> Bool { ownPIDNamespace || !path.hasPrefix("/proc/") }
        // After the binds, as runc's: nothing bound later uncovers them.
        steps += Self.readOnlyPaths.filter(kept).map {
            .init(.readOnly, source: "", target: host($0), optional: true, afterBinds: true)
        }
        steps += Self.maskedPaths.filter(kept).map {
            .init(.mask, source: host("/dev/null"), target: host($0), optional: true, afterBinds: true)
        }
        // Last, once every mount point is made in it: only the root's own mount, not what is mounted on it.
        if let flags = readOnlyRootFlags {
            steps.append(.init(.mount, source: "", target: rootfs, flags: Self.bind | Self.remount | Self.readOnly | flags,
                               afterBinds: true))
        }
        return steps
    }

    /// The files of the engine's init layer that the container's own filesystem shows (`ls`, `cp`; docs/engine-
    /// observations.md, "/.dockerenv and /etc/mtab"): `/.dockerenv` empty and 0755, `/etc/mtab` a link to
    /// `/proc/mounts`, each made at create where the image has nothing at that path, as moby's setupInitLayer.
    static let initLayerFiles: [(path: String, linkTarget: String?)] = [("/.dockerenv", nil), ("/etc/mtab", "/proc/mounts")]

    static func makeInitLayerFiles(in rootfs: String) {
        for (path, linkTarget) in initLayerFiles {
            var s = stat()
            guard lstat(rootfs + path, &s) != 0 else { continue }
            if let linkTarget {
                symlink(linkTarget, rootfs + path)
            } else {
                let fd = open(rootfs + path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
                if fd >= 0 { fchmod(fd, 0o755); close(fd) }
            }
        }
    }

    /// The files the engine binds over `/etc` at each start, after the other mounts, from the container's directory
    /// (docs/engine-observations.md, "A volume, tmpfs or bind at /etc").
    static let etcFiles = ["hostname", "hosts", "resolv.conf"]

    /// The engine's binds of its `/etc` files where a mount (volume, bind, tmpfs) at `/etc` would hide them: they live
    /// in the container's filesystem here, so they are copied to the container's directory, out of the mount's way,
    /// and bound from there onto the mount (their mount points made in it where missing, as runc makes them). None
    /// without a mount at `/etc`.
    static func etcBinds(rootfs: String, containerDirectory: String, mountDestinations: [String]) -> [SpawnOptions.BindMount] {
        guard mountDestinations.contains("/etc") else { return [] }
        return etcFiles.compactMap { name in
            let kept = containerDirectory + "/" + name
            guard let text = HostProcess.readFile(rootfs + "/etc/" + name), (try? FileTree.write(text, to: kept)) != nil else {
                return nil
            }
            return SpawnOptions.BindMount(source: kept, target: rootfs + "/etc/" + name, readOnly: false)
        }
    }

    /// An empty volume filled at create gets what the engine's copy takes from the container's filesystem under its
    /// destination: the image's files, and the init layer's entries there (ExportLayer.initLayer: at `/etc` the empty
    /// 0755 `hostname`, `hosts`, `resolv.conf` and the `mtab` link), those the image lacks. Whether there are any.
    static func initLayerEntries(under destination: String) -> [(relative: String, made: ExportLayer.Made)] {
        let prefix = String(destination.dropFirst()) + "/"
        return ExportLayer.initLayer.filter { $0.0.hasPrefix(prefix) }.map { (String($0.0.dropFirst(prefix.count)), $0.1) }
    }

    /// Makes `initLayerEntries(under:)` in the volume's directory where nothing is at their path.
    static func addInitLayer(under destination: String, to volume: String) {
        for (relative, made) in initLayerEntries(under: destination) {
            let path = volume + "/" + relative
            var s = stat()
            guard lstat(path, &s) != 0 else { continue }
            switch made.kind {
            case .directory: mkdir(path, mode_t(made.permissions)); chmod(path, mode_t(made.permissions))
            case .symlink: symlink(made.linkName, path)
            default:
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(made.permissions))
                if fd >= 0 { fchmod(fd, mode_t(made.permissions)); close(fd) }
            }
        }
    }
}
