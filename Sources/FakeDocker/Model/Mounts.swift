import Foundation

/// A bind mount of a container as the engine records it (`.Mounts` in inspect, a `types.MountPoint`), made at
/// each start in the container's own mount namespace (ContainerMounts). A volume is one too: a bind of its
/// directory in fake-docker's state (`kind` volume).
public struct BindMount: Codable, Equatable, Sendable {
    /// The absolute host path (a volume's: its `_data` directory).
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
    /// nil: a bind of a host path (and every mount of a state written before volumes).
    public var kind: Kind?
    /// A volume's name (64 hex digits for an anonymous one).
    public var volumeName: String?
    /// A volume made for this container (`-v /x`, the image's `VOLUME`, `--mount type=volume` without a source):
    /// `rm -v` and `run --rm` remove it, as the engine removes a mount point whose spec named no source.
    public var anonymous: Bool?
    /// A volume found empty at create gets the image's files at its destination (not with `nocopy`).
    public var copiesImageFiles: Bool?

    public enum Kind: String, Codable, Sendable {
        case volume
    }

    public var isVolume: Bool { kind == .volume }

    /// A volume mount: its source is filled in by the engine (the volume's directory), its propagation is "".
    static func volume(_ name: String?, destination: String, mode: String, readWrite: Bool, copies: Bool) -> BindMount {
        BindMount(source: "", destination: cleaned(destination), mode: mode, readWrite: readWrite, propagation: "",
                  createsSource: true, kind: .volume, volumeName: name, anonymous: name == nil, copiesImageFiles: copies)
    }

    private static func cleaned(_ path: String) -> String { MountSyntax.cleaned(path) }
}

/// One `--mount` as the CLI sends it (`HostConfig.Mounts`, a `mount.Mount`).
public struct MountOption: Codable, Equatable, Sendable {
    public var type: String
    public var source: String
    public var target: String
    public var readOnly: Bool
    public var propagation: String?
    /// `volume-nocopy`, `volume-label`, `volume-driver` (`VolumeOptions`); nil when none was given.
    public var volumeOptions: VolumeOptions?
    /// `tmpfs-size` in bytes and `tmpfs-mode` (`TmpfsOptions`); nil when none was given.
    public var tmpfsSize: Int64?
    public var tmpfsMode: UInt32?

    public struct VolumeOptions: Codable, Equatable, Sendable {
        public var noCopy = false
        public var labels: [String: String] = [:]
        public var driver: String?
    }

    var hasTmpfsOptions: Bool { tmpfsSize != nil || tmpfsMode != nil }
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
        var bindOptions = false
        func volumeOptions(_ change: (inout MountOption.VolumeOptions) -> Void) {
            var options = mount.volumeOptions ?? .init()
            change(&options)
            mount.volumeOptions = options
        }
        for field in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let eq = field.firstIndex(of: "=") else {
                switch field.lowercased() {
                case "readonly", "ro": mount.readOnly = true; continue
                case "volume-nocopy": volumeOptions { $0.noCopy = true }; continue
                case "bind-nonrecursive": bindOptions = true; continue
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
            case "bind-propagation": mount.propagation = val.lowercased(); bindOptions = true
            case "bind-nonrecursive": bindOptions = true
            case "volume-nocopy":
                guard let flag = parseBool(val) else { throw MountError("invalid value for volume-nocopy: \(val)") }
                volumeOptions { $0.noCopy = flag }
            case "volume-label":
                let (k, v) = val.firstIndex(of: "=").map { (String(val[..<$0]), String(val[val.index(after: $0)...])) } ?? (val, "")
                volumeOptions { $0.labels[k] = v }
            case "volume-driver": volumeOptions { $0.driver = val }
            case "volume-opt": volumeOptions { _ in }   // the local driver's options: not simulated
            case "tmpfs-size":
                guard let bytes = ramInBytes(val) else { throw MountError("invalid value for \(key): \(val)") }
                mount.tmpfsSize = bytes
            case "tmpfs-mode":
                guard let mode = UInt32(val, radix: 8) else { throw MountError("invalid value for \(key): \(val)") }
                mount.tmpfsMode = mode
            case "consistency": continue   // stored with the option, not acted on
            default: throw MountError("unexpected key '\(key)' in '\(field)'")
            }
        }
        if mount.target.isEmpty { throw MountError("target is required") }
        // The CLI's order of these checks (opts/mount.go).
        if mount.volumeOptions != nil && mount.type != "volume" {
            throw MountError("cannot mix 'volume-*' options with mount type '\(mount.type)'")
        }
        if bindOptions && mount.type != "bind" {
            throw MountError("cannot mix 'bind-*' options with mount type '\(mount.type)'")
        }
        if mount.hasTmpfsOptions && mount.type != "tmpfs" {
            throw MountError("cannot mix 'tmpfs-*' options with mount type '\(mount.type)'")
        }
        return mount
    }

    // MARK: The engine

    /// The engine's check of a `--mount` at create, before it looks for the image; the bind or volume it makes, or
    /// nil for a tmpfs (TmpfsMount makes it).
    static func engineMount(_ m: MountOption, sourceExists: (String) -> Bool) throws(MountError) -> BindMount? {
        let invalid = "invalid mount config for type \"\(m.type)\": "
        switch m.type {
        case "bind": break
        case "volume":
            try checkTarget(m.target, prefix: invalid)
            if !m.source.isEmpty { try checkVolumeName(m.source) }
            return .volume(m.source.isEmpty ? nil : m.source, destination: m.target, mode: "z", readWrite: !m.readOnly,
                           copies: !(m.volumeOptions?.noCopy ?? false))
        case "tmpfs":
            if !m.source.isEmpty { throw MountError(invalid + "field Source must not be specified") }
            try checkTarget(m.target, prefix: invalid)
            return nil
        default:
            throw MountError(invalid + "mount type unknown")
        }
        try checkTarget(m.target, prefix: invalid)
        if m.source.isEmpty { throw MountError(invalid + "field Source must not be empty") }
        if let p = m.propagation, !propagationModes.contains(p) { throw MountError(invalid + "invalid propagation mode: \(p)") }
        if !m.source.hasPrefix("/") { throw MountError(invalid + "invalid mount path: '\(m.source)' mount path must be absolute") }
        if !sourceExists(m.source) { throw MountError(invalid + "bind source path does not exist: \(m.source)") }
        return BindMount(source: cleaned(m.source), destination: cleaned(m.target), mode: "", readWrite: !m.readOnly,
                         propagation: m.propagation ?? "rprivate", createsSource: false)
    }

    /// The engine's reading of one of `HostConfig.Binds` at create: the bind it makes, or the named volume's mount
    /// (`Mode` as given, `z` when none).
    static func engineBind(_ raw: String) throws(MountError) -> BindMount {
        let spec = "invalid volume specification: '\(raw)'"
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: \.isEmpty) || parts.count > 3 || parts.count < 2 { throw MountError(spec) }
        if parts.count == 2 && isValidMode(parts[1]) { throw MountError(spec) }
        let source = parts[0], target = parts[1], mode = parts.count == 3 ? parts[2] : ""
        if !isValidMode(mode) { throw MountError("invalid mode: \(mode)") }
        guard source.hasPrefix("/") else {
            try checkVolumeName(source)
            let options = mode.split(separator: ",")
            return .volume(source, destination: target, mode: mode.isEmpty ? "z" : mode, readWrite: !options.contains("ro"),
                           copies: !options.contains("nocopy"))
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
        try checkDuplicates(mounts.map(\.destination))
    }

    /// The same, of the destinations of every mount (`--mount type=tmpfs` too; `--tmpfs` is not checked).
    static func checkDuplicates(_ destinations: [String]) throws(MountError) {
        var seen: Set<String> = []
        for d in destinations where !seen.insert(d).inserted { throw MountError("Duplicate mount point: \(d)") }
    }

    private static func checkTarget(_ target: String, prefix: String) throws(MountError) {
        if target.isEmpty { throw MountError(prefix + "field Target must not be empty") }
        if cleaned(target) == "/" { throw MountError(prefix + "invalid specification: destination can't be '/'") }
        if !target.hasPrefix("/") { throw MountError(prefix + "invalid mount path: '\(target)' mount path must be absolute") }
    }

    /// A local volume's name: `[a-zA-Z0-9][a-zA-Z0-9_.-]` (what the engine says of `~/x` or `h/`).
    static func checkVolumeName(_ name: String) throws(MountError) {
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

    /// go-units' RAMInBytes (`--mount tmpfs-size`): a number, a binary unit k, m, g, t or p, an optional `i` and `b`.
    static func ramInBytes(_ text: String) -> Int64? {
        var rest = Substring(text.lowercased())
        if rest.hasSuffix("b") { rest = rest.dropLast() }
        if rest.hasSuffix("i") { rest = rest.dropLast() }
        var factor: Double = 1
        if let unit = rest.last, let power = "kmgtp".firstIndex(of: unit) {
            factor = pow(1024, Double("kmgtp".distance(from: "kmgtp".startIndex, to: power) + 1))
            rest = rest.dropLast()
        }
        if rest.hasSuffix(" ") { rest = rest.dropLast() }
        guard let number = Double(rest), number >= 0, rest.first?.isNumber == true else { return nil }
        return Int64(number * factor)
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
