import Foundation

/// `docker export`: the container's filesystem as a tar stream (TarWriter), on stdout or in `-o FILE` (made 0600, as
/// the CLI makes it), as Engine 20.10 writes it (docs/engine-observations.md, "cp, export, attach"): its files without
/// a top entry, in filepath.Walk's order, not its bind mounts nor anything mounted in it; the engine's own layer
/// in place of what fake-docker keeps there (ExportLayer).
enum ExportCommand {
    static let syntax = CommandSyntax(name: "export", usage: "[OPTIONS] CONTAINER", flags: [
        FlagSpec(long: "output", short: "o", takesValue: true), .help,
    ], minArguments: 1, exactArguments: true)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let output = f.last("output")
        if output == nil && isatty(1) == 1 {
            throw DockerError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
        }
        let c = try ctx.daemon.find(f.arguments[0])
        guard let output else { return write(c, ctx, to: 1) ? 0 : 1 }
        // The CLI writes a temporary file beside the output and renames it.
        let directory = CopyPlan.parent(CopyCommand.absolute(output))
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw DockerError("failed to export container: invalid output path: stat \(directory): \(CopyCommand.goErrorText(errno))")
        }
        var template = Array((directory + "/.docker_temp_XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw DockerError("failed to export container: \(CopyCommand.goErrorText(errno))") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let written = write(c, ctx, to: fd)
        close(fd)
        guard written, rename(temporary, output) == 0 else {
            unlink(temporary)
            throw DockerError("failed to export container: \(CopyCommand.goErrorText(errno))")
        }
        return 0
    }

    static func write(_ c: Container, _ ctx: Context, to fd: Int32) -> Bool {
        let rootfs = ctx.store.rootfs(ofContainer: c.id)
        var writer = TarWriter(fd: fd)
        for entry in ExportLayer.entries(TarWriter.walk(rootfs)) {
            let path = rootfs + "/" + entry.relative
            if let made = entry.made {
                writer.add(TarArchive.entryName(root: entry.relative, relative: "", directory: made.kind == .directory),
                           .made(made.kind, permissions: made.permissions, linkName: made.linkName, modified: Int(c.createdAt)))
            } else {
                var st = stat()
                lstat(path, &st)
                writer.add(TarArchive.entryName(root: entry.relative, relative: "", directory: st.st_mode & S_IFMT == S_IFDIR),
                           .host(path, follow: false))
            }
        }
        return writer.finish()
    }
}

/// What an export holds, as a value: the container's files merged with the engine's init layer, the files every
/// container has (`.dockerenv`, `/dev`'s mount points, the empty `/etc/hostname`, `hosts` and `resolv.conf` that
/// the engine binds over at start, `/etc/mtab`, `/proc`, `/sys`), in filepath.Walk's order. What fake-docker keeps
/// in `/dev` (its mount points for the devices) and in those `/etc` files is the engine's layer instead.
enum ExportLayer {
    struct Made: Equatable {
        var kind: TarArchive.Kind
        var permissions: Int
        var linkName = ""
    }

    struct Entry: Equatable {
        /// The path in the container, relative to `/`.
        var relative: String
        /// nil: the container's own file.
        var made: Made?
    }

    /// The engine's init layer (observed: every entry root's, 0755, at the container's creation).
    static let initLayer: [(String, Made)] = [
        (".dockerenv", Made(kind: .file, permissions: 0o755)),
        ("dev", Made(kind: .directory, permissions: 0o755)),
        ("dev/console", Made(kind: .file, permissions: 0o755)),
        ("dev/pts", Made(kind: .directory, permissions: 0o755)),
        ("dev/shm", Made(kind: .directory, permissions: 0o755)),
        ("etc", Made(kind: .directory, permissions: 0o755)),
        ("etc/hostname", Made(kind: .file, permissions: 0o755)),
        ("etc/hosts", Made(kind: .file, permissions: 0o755)),
        ("etc/mtab", Made(kind: .symlink, permissions: 0o777, linkName: "/proc/mounts")),
        ("etc/resolv.conf", Made(kind: .file, permissions: 0o755)),
        ("proc", Made(kind: .directory, permissions: 0o755)),
        ("sys", Made(kind: .directory, permissions: 0o755)),
    ]

    /// `walked`: the container's paths ("" its root, left out).
    static func entries(_ walked: [String]) -> [Entry] {
        let made = Dictionary(uniqueKeysWithValues: initLayer)
        var entries: [String: Entry] = [:]
        for relative in walked where !relative.isEmpty && !relative.hasPrefix("dev/") && made[relative] == nil {
            entries[relative] = Entry(relative: relative, made: nil)
        }
        for (relative, m) in initLayer { entries[relative] = Entry(relative: relative, made: m) }
        return entries.values.sorted { walkPrecedes($0.relative, $1.relative) }
    }

    /// filepath.Walk's order: part by part, each by its bytes.
    static func walkPrecedes(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "/"), y = b.split(separator: "/")
        for (p, q) in zip(x, y) where p != q { return p.utf8.lexicographicallyPrecedes(q.utf8) }
        return x.count < y.count
    }
}
