import Foundation

/// A bind mount of a container as the engine records it (`.Mounts` in inspect, a `types.MountPoint`), made at
/// each start in the container's own mount namespace (ContainerMounts).
public struct BindMount: Codable, Equatable, Sendable {
    /// The absolute host path.
    public var source: String
    /// The absolute path in the container, cleaned (`/d/` is `/d`).
    public var destination: String
    /// `-v`'s mode as given (`ro`, `ro,z`, ""); "" for `--mount`.
    public var mode: String
    public var readWrite: Bool
    /// The mode's propagation, `rprivate` when it names none.
    public var propagation: String
    /// `-v`: a missing source is made a directory at start; `--mount`: it must exist at create.
    public var createsSource: Bool
}

/// One `--mount` as the CLI sends it (`HostConfig.Mounts`, a `mount.Mount`).
public struct MountOption: Codable, Equatable, Sendable {
    public var type: String
    public var source: String
    public var target: String
    public var readOnly: Bool
    public var propagation: String?
}

/// How the docker CLI and the engine read `-v`/`--volume` and `--mount` (CLI 28 `opts/mount.go` and compose's
/// `ParseVolume`; Engine 20.10 `volume/mounts/linux_parser.go`), with their messages. Observed:
/// docs/engine-observations.md, "bind mounts".
enum MountSyntax {
    static let propagationModes: Set<String> = ["private", "rprivate", "shared", "rshared", "slave", "rslave"]

    // MARK: The client

    /// The CLI's reading of one `-v`: the string it sends as one of `HostConfig.Binds` (a host part starting with
    /// `.` made absolute from `cwd`), or nil for an anonymous volume (`-v /data`), which it sends as
    /// `Config.Volumes` instead. A malformed spec is its error (`invalid spec: …`).
    static func clientBind(_ spec: String, cwd: String) throws(MountError) -> String? {
        if spec.isEmpty { throw MountError("invalid empty volume spec") }
        if spec.count <= 2 { return nil }
        let sections = spec.split(separator: ":", omittingEmptySubsequences: false)
        // Read a section at a time, as ParseVolume does: the first offence found is the one said.
        for (i, section) in sections.enumerated() {
            if section.isEmpty { throw MountError("invalid spec: \(spec): empty section between colons") }
            if i == 2 && sections.count > 3 { throw MountError("invalid spec: \(spec): too many colons") }
        }
        guard sections.count >= 2 else { return nil }
        var host = String(sections[0])
        if host.hasPrefix(".") { host = cleaned(cwd + "/" + host) }
        return ([host] + sections.dropFirst().map(String.init)).joined(separator: ":")
    }

    /// The CLI's reading of one `--mount` (a flag value: its error is the flag parser's).
    static func clientMount(_ value: String, cwd: String) throws(MountError) -> MountOption {
        var mount = MountOption(type: "volume", source: "", target: "", readOnly: false, propagation: nil)
        for field in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let eq = field.firstIndex(of: "=") else {
                switch field.lowercased() {
                case "readonly", "ro": mount.readOnly = true; continue
                case "volume-nocopy", "bind-nonrecursive": continue
                default: throw MountError("invalid field '\(field)' must be a key=value pair")
                }
            }
            let key = field[..<eq].lowercased(), val = String(field[field.index(after: eq)...])
            switch key {
            case "type": mount.type = val.lowercased()
            case "source", "src":
                mount.source = val.hasPrefix("./") || val == "." ? cleaned(cwd + "/" + val) : val
            case "target", "dst", "destination": mount.target = val
            case "readonly", "ro":
                guard let flag = parseBool(val) else { throw MountError("invalid value for \(key): \(val)") }
                mount.readOnly = flag
            case "bind-propagation": mount.propagation = val.lowercased()
            case "consistency", "bind-nonrecursive", "volume-driver", "volume-label", "volume-nocopy", "volume-opt",
                 "tmpfs-size", "tmpfs-mode":
                continue   // stored with the option, not acted on
            default: throw MountError("unexpected key '\(key)' in '\(field)'")
            }
        }
        if mount.target.isEmpty { throw MountError("target is required") }
        if mount.propagation != nil && mount.type != "bind" {
            throw MountError("cannot mix 'bind-*' options with mount type '\(mount.type)'")
        }
        return mount
    }

    // MARK: The engine

    /// The engine's check of a `--mount` bind at create, before it looks for the image; the bind it makes, or nil
    /// for another type (not simulated).
    static func engineMount(_ m: MountOption, sourceExists: (String) -> Bool) throws(MountError) -> BindMount? {
        guard m.type == "bind" else { return nil }
        let invalid = "invalid mount config for type \"bind\": "
        try checkTarget(m.target, prefix: invalid)
        if m.source.isEmpty { throw MountError(invalid + "field Source must not be empty") }
        if let p = m.propagation, !propagationModes.contains(p) { throw MountError(invalid + "invalid propagation mode: \(p)") }
        if !m.source.hasPrefix("/") { throw MountError(invalid + "invalid mount path: '\(m.source)' mount path must be absolute") }
        if !sourceExists(m.source) { throw MountError(invalid + "bind source path does not exist: \(m.source)") }
        return BindMount(source: cleaned(m.source), destination: cleaned(m.target), mode: "", readWrite: !m.readOnly,
                         propagation: m.propagation ?? "rprivate", createsSource: false)
    }

    /// The engine's reading of one of `HostConfig.Binds` at create: the bind it makes, or nil for a named volume
    /// (not simulated).
    static func engineBind(_ raw: String) throws(MountError) -> BindMount? {
        let spec = "invalid volume specification: '\(raw)'"
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) || parts.count > 3 || parts.count < 2 { throw MountError(spec) }
        if parts.count == 2 && isValidMode(parts[1]) { throw MountError(spec) }
        let source = parts[0], target = parts[1], mode = parts.count == 3 ? parts[2] : ""
        if !isValidMode(mode) { throw MountError("invalid mode: \(mode)") }
        guard source.hasPrefix("/") else {
            try checkVolumeName(source)
            return nil
        }
        let options = mode.split(separator: ",").map(String.init)
        let invalid = spec + ": invalid mount config for type \"bind\": "
        try checkTarget(target, prefix: invalid)
        if options.contains("nocopy") { throw MountError(invalid + "field VolumeOptions must not be specified") }
        return BindMount(source: cleaned(source), destination: cleaned(target), mode: mode, readWrite: !options.contains("ro"),
                         propagation: options.first(where: propagationModes.contains) ?? "rprivate", createsSource: true)
    }

    /// The engine's refusal of two mounts at one place: `-v` first, then `--mount`.
    static func checkDuplicates(_ mounts: [BindMount]) throws(MountError) {
        var seen: Set<String> = []
        for m in mounts where !seen.insert(m.destination).inserted {
            throw MountError("Duplicate mount point: \(m.destination)")
        }
    }

    private static func checkTarget(_ target: String, prefix: String) throws(MountError) {
        if target.isEmpty { throw MountError(prefix + "field Target must not be empty") }
        if cleaned(target) == "/" { throw MountError(prefix + "invalid specification: destination can't be '/'") }
        if !target.hasPrefix("/") { throw MountError(prefix + "invalid mount path: '\(target)' mount path must be absolute") }
    }

    /// A local volume's name: `[a-zA-Z0-9][a-zA-Z0-9_.-]` (what the engine says of `~/x` or `h/`).
    private static func checkVolumeName(_ name: String) throws(MountError) {
        func allowed(_ c: Character, first: Bool) -> Bool {
            c.isASCII && (c.isLetter || c.isNumber || (!first && (c == "_" || c == "." || c == "-")))
        }
        guard let head = name.first, allowed(head, first: true), name.dropFirst().allSatisfy({ allowed($0, first: false) })
        else {
            throw MountError("create \(name): \"\(name)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")
        }
    }

    /// The engine's ValidMountMode: known words, at most one of each kind.
    static func isValidMode(_ mode: String) -> Bool {
        if mode.isEmpty { return true }
        let kinds: [Set<String>] = [["rw", "ro"], ["z", "Z"], propagationModes, ["nocopy"], ["consistent", "cached", "delegated"]]
        var counts = Array(repeating: 0, count: kinds.count)
        for option in mode.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let kind = kinds.firstIndex(where: { $0.contains(option) }) else { return false }
            counts[kind] += 1
        }
        return counts.allSatisfy { $0 <= 1 }
    }

    /// Go's strconv.ParseBool.
    private static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    /// Go's path.Clean for an absolute or relative path: no `.`, no `..` past the root, no doubled or trailing `/`.
    static func cleaned(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() } else if !absolute { parts.append(part) }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// A refusal of a mount specification: the CLI's or the engine's text, without its wrapping.
struct MountError: Error, Equatable {
    let text: String
    init(_ text: String) { self.text = text }
}
