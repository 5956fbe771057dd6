/// A tmpfs of a container (`--tmpfs PATH[:OPTIONS]`, `--mount type=tmpfs`), mounted at each start in its mount
/// namespace (ContainerFilesystems). Observed: docs/engine-observations.md, "volumes, tmpfs, --read-only".
struct TmpfsMount: Equatable {
    var destination: String
    /// mount(2)'s flags and data, the engine's defaults (`noexec,nosuid,nodev`) first, the options after them.
    var flags: UInt
    var data: String
    /// `--mount type=tmpfs` is one of `.Mounts`; `--tmpfs` is only in `.HostConfig.Tmpfs`.
    var listed: Bool

    var readWrite: Bool { flags & TmpfsSyntax.flagTable["ro"]!.set == 0 }
}

/// How the engine reads a tmpfs's options (moby `pkg/mount` ParseTmpfsOptions and `ConvertTmpfsOptions`).
enum TmpfsSyntax {
    /// The engine's options before the user's: a tmpfs is noexec, nosuid and nodev unless told otherwise.
    static let defaults = ["noexec", "nosuid", "nodev"]

    /// The words that are mount flags (`set`), or that clear one (`clear`); every other option is data.
    static let flagTable: [String: (set: UInt, clear: UInt)] = {
        let readOnly: UInt = 1, noSetUID: UInt = 2, noDevices: UInt = 4, noExec: UInt = 8, synchronous: UInt = 16
        let mandatoryLock: UInt = 64, directorySync: UInt = 128, noAccessTime: UInt = 1024
        let noDirectoryAccessTime: UInt = 2048, relativeAccessTime: UInt = 1 << 21, strictAccessTime: UInt = 1 << 24
        return [
            "defaults": (0, 0), "ro": (readOnly, 0), "rw": (0, readOnly), "suid": (0, noSetUID), "nosuid": (noSetUID, 0),
            "dev": (0, noDevices), "nodev": (noDevices, 0), "exec": (0, noExec), "noexec": (noExec, 0),
            "sync": (synchronous, 0), "async": (0, synchronous), "dirsync": (directorySync, 0),
            "mand": (mandatoryLock, 0), "nomand": (0, mandatoryLock), "atime": (0, noAccessTime),
            "noatime": (noAccessTime, 0), "diratime": (0, noDirectoryAccessTime), "nodiratime": (noDirectoryAccessTime, 0),
            "relatime": (relativeAccessTime, 0), "norelatime": (0, relativeAccessTime),
            "strictatime": (strictAccessTime, 0), "nostrictatime": (0, strictAccessTime),
        ]
    }()

    /// The data keys a tmpfs takes; any other option is `invalid tmpfs option`.
    static let dataKeys: Set<String> = ["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"]

    /// One `--tmpfs` (`PATH[:OPTIONS]`), checked as the engine checks it at create.
    static func flag(_ spec: String) throws(MountError) -> TmpfsMount {
        let (path, options) = split(spec)
        return try flag(path: path, options: options)
    }

    static func flag(path: String, options: String) throws(MountError) -> TmpfsMount {
        if !path.hasPrefix("/") { throw MountError("invalid mount path: '\(path)' mount path must be absolute") }
        let (flags, data) = try parse(defaults + options.split(separator: ",").map(String.init))
        return TmpfsMount(destination: MountSyntax.cleaned(path), flags: flags, data: data, listed: false)
    }

    /// One `--mount type=tmpfs` (its target already checked by MountSyntax.engineMount): its size and mode as the
    /// engine writes them (`size=1m`, `mode=700`), `ro` for readonly.
    static func mount(_ m: MountOption) throws(MountError) -> TmpfsMount {
        var options: [String] = []
        if m.readOnly { options.append("ro") }
        if let size = m.tmpfsSize, size > 0 { options.append("size=" + sizeText(size)) }
        if let mode = m.tmpfsMode, mode != 0 { options.append("mode=" + String(mode, radix: 8)) }
        let (flags, data) = try parse(defaults + options)
        return TmpfsMount(destination: MountSyntax.cleaned(m.target), flags: flags, data: data, listed: true)
    }

    /// `HostConfig.Tmpfs` as the CLI sends it: path → options ("" when none), a later path replacing an earlier one.
    static func hostConfig(_ specs: [String]) -> [(path: String, options: String)] {
        var table: [(path: String, options: String)] = []
        for spec in specs {
            let (path, options) = split(spec)
            table.removeAll { $0.path == path }
            table.append((path, options))
        }
        return table.sorted { $0.path < $1.path }
    }

    /// Flags and data of `options`, in order (a later flag word wins); an unknown data key is refused as Go's
    /// `%q` of the split option prints it (`["bogus"]`, `["bogus" "1"]`).
    static func parse(_ options: [String]) throws(MountError) -> (flags: UInt, data: String) {
        var flags: UInt = 0
        var data: [String] = []
        for option in options {
            if let flag = flagTable[option] {
                flags = (flags | flag.set) & ~flag.clear
                continue
            }
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard dataKeys.contains(parts[0]) else {
                throw MountError("invalid tmpfs option [" + parts.map { "\"\($0)\"" }.joined(separator: " ") + "]")
            }
            data.append(option)
        }
        return (flags, data.joined(separator: ","))
    }

    /// The engine's size text: the largest binary unit that divides it.
    static func sizeText(_ bytes: Int64) -> String {
        for (unit, factor) in [("g", Int64(1) << 30), ("m", 1 << 20), ("k", 1 << 10)] where bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)"
    }

    /// `PATH[:OPTIONS]` at its first colon, as the CLI splits it.
    private static func split(_ spec: String) -> (path: String, options: String) {
        let path = String(spec.prefix { $0 != ":" })
        return (path, spec.count > path.count ? String(spec.dropFirst(path.count + 1)) : "")
    }
}

extension ContainerConfig {
    /// The tmpfs mounts made at each start: `--tmpfs` (in `otherOptions`), then `--mount type=tmpfs`; checked at create.
    var tmpfsMounts: [TmpfsMount] {
        let flags = TmpfsSyntax.hostConfig(otherOptions["tmpfs"] ?? []).compactMap {
            try? TmpfsSyntax.flag(path: $0.path, options: $0.options)
        }
        return flags + (mountOptions ?? []).filter { $0.type == "tmpfs" }.compactMap { try? TmpfsSyntax.mount($0) }
    }

    /// `--read-only`: the root filesystem is mounted read-only after every other mount is made.
    var readOnlyRootfs: Bool { otherOptions["read-only"]?.last == "true" }
}
