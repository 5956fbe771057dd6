import Foundation
import ProcessSpawn

/// `docker cp`: files between a container and the host, either way, or a tar stream on stdin/stdout (`-`), as
/// Engine 20.10 and CLI 28.2 do it (docs/engine-observations.md, "cp, export, attach"). The engine copies from and to
/// the container's filesystem and its bind mounts, whether it runs or not, never through the container's own mount
/// namespace: what the container mounted itself (a tmpfs, `/dev/shm`, `/proc`) is not seen, and a file copied under
/// such a mount lands beneath it. The copy is a tar stream (TarWriter) unpacked by `tar` where it goes; the owners
/// are kept in the container, on the host only with `-a`.
enum CopyCommand {
    static let syntax = CommandSyntax(
        name: "cp",
        usage: "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
        flags: [FlagSpec(long: "archive", short: "a", takesValue: false),
                FlagSpec(long: "follow-link", short: "L", takesValue: false),
                FlagSpec(long: "quiet", short: "q", takesValue: false), .help],
        minArguments: 2, exactArguments: true)

    /// One end of the copy: a container's path, or the host's (`-`: the stream).
    struct End {
        var container: String?
        var path: String

        /// The CLI's splitCpArg: an absolute path, or one starting with `.`, is the host's; else `CONTAINER:PATH`.
        init(_ argument: String) {
            let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if argument.hasPrefix("/") || parts.count == 1 || parts[0].hasPrefix(".") {
                container = nil
                path = argument
            } else {
                container = String(parts[0])
                path = String(parts[1])
            }
        }
    }

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let source = End(f.arguments[0]), destination = End(f.arguments[1])
        switch (source.container, destination.container) {
        case (nil, nil): throw DockerError("must specify at least one container source")
        case (.some, .some): throw DockerError("copying between containers is not supported")
        case (.some(let reference), nil):
            let files = try ContainerFiles(try ctx.daemon.find(reference), reference: reference, ctx)
            return try copyOut(files, source.path, to: destination.path, follow: f.bool("follow-link"),
                               keepOwners: f.bool("archive"), quiet: f.bool("quiet"))
        case (nil, .some(let reference)):
            let files = try ContainerFiles(try ctx.daemon.find(reference), reference: reference, ctx)
            if source.path == "-" { return try copyStream(files, to: destination.path, argument: f.arguments[1]) }
            let copied = try copyIn(source.path, files, to: destination.path, follow: f.bool("follow-link"))
            reportCopied(copied, to: f.arguments[1], quiet: f.bool("quiet"))
            return 0
        }
    }

    /// The container's files as the daemon sees them: its filesystem, with its bind mounts' sources where they are.
    struct ContainerFiles {
        let container: Container
        let reference: String
        let mounts: ContainerMounts
        let scratch: String

        init(_ container: Container, reference: String, _ ctx: Context) throws(DockerError) {
            self.container = container
            self.reference = reference
            mounts = ContainerMounts(rootfs: ctx.store.rootfs(ofContainer: container.id), mounts: container.config.bindMounts ?? [])
            scratch = ctx.store.containerDirectory(container.id)
        }

        /// `path` (relative to `/`, as the daemon takes it) on the host: its parent's links followed in the
        /// container's filesystem, its last part too only when `follow`; its trailing `/` or `/.` kept.
        func host(_ path: String, follow: Bool) -> String {
            let absolute = path.hasPrefix("/") ? path : "/" + path
            let trimmed = CopyPlan.trimmed(absolute)
            if trimmed.isEmpty { return mounts.hostPath("/") }
            let base = follow ? mounts.hostPath(trimmed)
                : CopyPlan.parent(trimmed) == "/" ? mounts.hostPath("/") + "/" + CopyPlan.baseName(trimmed)
                : mounts.hostPath(CopyPlan.parent(trimmed)) + "/" + CopyPlan.baseName(trimmed)
            return base.replacingOccurrences(of: "//", with: "/") + absolute.dropFirst(trimmed.count)
        }

        func notFound(_ path: String) -> DockerError { .daemon("Could not find the file \(path) in container \(reference)") }

        /// What the CLI asks for with `-L` when `path` is a link: its target, joined to its parent when relative (the
        /// CLI follows the link itself, once, then asks for that path: a missing target is named in the refusal).
        func followedByClient(_ path: String) -> String {
            let absolute = path.hasPrefix("/") ? path : "/" + path
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: host(path, follow: false)) else {
                return path
            }
            return target.hasPrefix("/") ? target : MountSyntax.cleaned(CopyPlan.parent(CopyPlan.trimmed(absolute)) + "/" + target)
        }
    }

    // MARK: container → host

    static func copyOut(_ files: ContainerFiles, _ path: String, to destination: String, follow: Bool,
                        keepOwners: Bool, quiet: Bool) throws(DockerError) -> Int32 {
        let hostSource = files.host(path, follow: follow)
        var st = stat()
        guard lstat(hostSource, &st) == 0 else {
            if errno == ENOENT { throw files.notFound(follow ? files.followedByClient(path) : path) }
            throw DockerError.daemon("lstat \(hostSource): \(goErrorText(errno))")
        }
        if follow { stat(hostSource, &st) }
        let isDirectory = st.st_mode & S_IFMT == S_IFDIR
        if destination == "-" {
            var writer = TarWriter(fd: 1)
            write(hostSource, root: CopyPlan.streamRoot(path), follow: follow, into: &writer)
            return writer.finish() ? 0 : 1
        }
        let target = absolute(destination)
        let plan: CopyPlan
        do {
            plan = try CopyPlan.make(source: path, sourceIsDirectory: isDirectory, destination: target,
                                     existing: existing(target))
        } catch { throw DockerError(error.message) }
        guard directoryExists(plan.directory) else {
            throw DockerError("invalid output path: directory \"\(plan.directory)\" does not exist")
        }
        guard let copied = unpack(hostSource, root: plan.root, follow: follow, into: plan.directory, keepOwners: keepOwners) else {
            throw DockerError("failed to copy files to \(target)")
        }
        reportCopied(copied, to: CopyPlan.trimmed(target).isEmpty ? "/" : target, quiet: quiet)
        return 0
    }

    /// The CLI's one progress line, on a terminal only (`-q`, or no terminal on stderr, says nothing): the size of
    /// the tar stream, the destination as the CLI names it (a host path made absolute, a container's as given).
    static func reportCopied(_ bytes: Int, to destination: String, quiet: Bool) {
        if !quiet && isatty(2) == 1 { Output.err("Successfully copied \(humanSize(Int64(bytes))) to \(destination)") }
    }

    // MARK: host → container

    /// Returns the bytes of the stream sent.
    static func copyIn(_ source: String, _ files: ContainerFiles, to path: String, follow: Bool) throws(DockerError) -> Int {
        let hostSource = absolute(source)
        var st = stat()
        guard (follow ? stat(hostSource, &st) : lstat(hostSource, &st)) == 0 else {
            throw DockerError("lstat \(CopyPlan.trimmed(hostSource)): \(goErrorText(errno))")
        }
        let target = files.host(path, follow: true)
        let containerPath = path.hasPrefix("/") ? path : "/" + path
        let plan: CopyPlan
        do {
            plan = try CopyPlan.make(source: source, sourceIsDirectory: st.st_mode & S_IFMT == S_IFDIR,
                                     destination: target, existing: existing(target))
        } catch { throw DockerError(error.message) }
        guard directoryExists(plan.directory) else { throw files.notFound(CopyPlan.parent(containerPath)) }
        guard let copied = unpack(hostSource, root: plan.root, follow: follow, into: plan.directory, keepOwners: true) else {
            throw DockerError.daemon("Error processing tar file(exit status 1): unexpected EOF")
        }
        return copied
    }

    /// `cp - C:DIR`: a tar stream on stdin unpacked in a directory of the container.
    static func copyStream(_ files: ContainerFiles, to path: String, argument: String) throws(DockerError) -> Int32 {
        let target = files.host(path, follow: true)
        guard directoryExists(target) else { throw DockerError("destination \"\(argument)\" must be a directory") }
        // Kept in a file first: tar's refusal of a stream is told apart by its size, as import does.
        let archive = files.scratch + "/cp-\(getpid()).tar"
        defer { unlink(archive) }
        guard runTool(["/bin/cp", "/dev/stdin", archive], stdin: 0) == 0 else {
            throw DockerError.daemon("Error processing tar file(exit status 1): unexpected EOF")
        }
        let size = FileTree.size(archive)
        // An empty stream is an empty archive to the daemon, not an error.
        if size == 0 { return 0 }
        guard runTool(["/bin/tar", "-x", "-f", archive, "-C", target, owners(keep: true)]) == 0 else {
            // Go's archive/tar: a stream shorter than one header block ends early, a longer one is not a tar.
            let reason = size < 512 ? "unexpected EOF" : "archive/tar: invalid tar header"
            throw DockerError.daemon("Error processing tar file(exit status 1): \(reason)")
        }
        return 0
    }

    // MARK: the stream

    /// Writes the tree at `hostPath` under the name `root` (TarArchive.entryName).
    static func write(_ hostPath: String, root: String, follow: Bool, into writer: inout TarWriter) {
        let top = CopyPlan.trimmed(hostPath).isEmpty ? "/" : CopyPlan.trimmed(hostPath)
        for relative in TarWriter.walk(top, follow: follow) {
            let path = relative.isEmpty ? top : top + "/" + relative
            var st = stat()
            let followed = follow && relative.isEmpty
            _ = followed ? stat(path, &st) : lstat(path, &st)
            let name = TarArchive.entryName(root: root, relative: relative, directory: st.st_mode & S_IFMT == S_IFDIR)
            writer.add(name, .host(path, follow: followed))
        }
    }

    /// Streams the tree into `tar -x` in `directory`: the copy as the client and the daemon make it. Returns the bytes
    /// of the stream, nil when the copy failed.
    static func unpack(_ hostPath: String, root: String, follow: Bool, into directory: String, keepOwners: Bool) -> Int? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var options = SpawnOptions()
        options.stdin = fds[0]
        options.stdout = devNull
        options.stderr = devNull
        let argv = ["/bin/tar", "-x", "-f", "-", "-C", directory, owners(keep: keepOwners)]
        let spawned = try? spawnProcess(argv[0], argv: argv, options)
        close(fds[0])
        guard let pid = spawned else {
            close(fds[1])
            return nil
        }
        // tar gone early must not end this process with SIGPIPE: the write fails and the copy is reported.
        let previous = signal(SIGPIPE, SIG_IGN)
        var writer = TarWriter(fd: fds[1])
        write(hostPath, root: root, follow: follow, into: &writer)
        let written = writer.finish()
        close(fds[1])
        signal(SIGPIPE, previous)
        return ExitStatus(reaping: pid).code == 0 && written ? writer.written : nil
    }

    /// tar's choice of owners: the archive's when asked, as root only (without root fake-docker makes every file its
    /// user's, as its containers run as that user).
    static func owners(keep: Bool) -> String { keep && geteuid() == 0 ? "--same-owner" : "--no-same-owner" }

    // MARK: host paths

    /// The CLI's filepath.Abs, its trailing `/` kept (it asks for a directory).
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        let clean = "/" + parts.joined(separator: "/")
        let keepsSlash = (path.hasSuffix("/") || path.hasSuffix("/.")) && clean != "/"
        return clean + (keepsSlash ? (path.hasSuffix("/.") ? "/." : "/") : "")
    }

    static func existing(_ path: String) -> CopyPlan.Existing {
        var st = stat()
        guard stat(CopyPlan.trimmed(path).isEmpty ? "/" : CopyPlan.trimmed(path), &st) == 0 else { return .missing }
        return st.st_mode & S_IFMT == S_IFDIR ? .directory : .file
    }

    static func directoryExists(_ path: String) -> Bool { existing(path) == .directory }

    /// Go's text for an errno: the C library's, its first letter lower-case.
    static func goErrorText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
