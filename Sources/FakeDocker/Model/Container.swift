import Foundation

/// docker's container states, as `{{.State.Status}}` prints them.
public enum ContainerStatus: String, Codable, Sendable {
    case created, running, paused, restarting, removing, exited, dead

    /// Whether a process belongs to the container (its `.State.Running`).
    public var isRunning: Bool { self == .running || self == .paused || self == .restarting }
}

public struct HealthConfig: Codable, Equatable, Sendable {
    public var test: [String]          // docker's form: ["CMD-SHELL", "cmd"] or ["CMD", argv...] or ["NONE"]
    public var interval: Double        // seconds; 0 = docker's default (30 s)
    public var timeout: Double
    public var startPeriod: Double
    public var startInterval: Double
    public var retries: Int
}

/// What a container was created with: the union of the image's config and the `run` options.
public struct ContainerConfig: Codable, Equatable, Sendable {
    public var path: String                  // the program (docker's .Path)
    public var args: [String]                // its arguments (docker's .Args)
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var env: [String]
    public var workingDir: String
    public var user: String
    public var hostname: String
    /// `--domainname`; nil when not given (and in states written before it was kept).
    public var domainname: String?
    public var labels: [String: String]
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var tty: Bool
    public var openStdin: Bool
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var autoRemove: Bool
    public var initProcess: Bool
    public var healthcheck: HealthConfig?
    public var restartPolicy: String
    public var networkMode: String
    /// `-v` as the engine got them (`HostConfig.Binds`: host paths the client made absolute, named volumes too);
    /// nil when none were given (and in states written before they were kept).
    public var binds: [String]?
    /// `--mount` as the engine got them (`HostConfig.Mounts`); nil when none.
    public var mountOptions: [MountOption]?
    /// The bind mounts and volumes made at each start, from `--volumes-from`, `-v`, `--mount` and `.Config.Volumes`
    /// (`.Mounts`, but for a `--mount type=tmpfs`: `tmpfsMounts`).
    public var bindMounts: [BindMount]?
    /// `.Config.Volumes`: the image's `VOLUME`s and `-v /path`; nil when none.
    public var volumes: [String]?
    /// Every other `run` option as given (name → values), shown by `inspect` and otherwise inert.
    public var otherOptions: [String: [String]]
    /// What `--link` adds to the process's environment (not to `.Config.Env`), found at create.
    public var linkEnvironment: [String]? = nil
}

public struct Container: Sendable {
    public var id: String
    public var name: String
    public var imageID: String
    public var imageRef: String
    public var config: ContainerConfig
    public var status: ContainerStatus
    public var exitCode: Int32
    public var error: String
    public var pid: Int32
    public var pidStart: Int64
    public var shimPID: Int32
    public var shimStart: Int64
    public var pidNamespace: Bool
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public var health: String
    public var healthStreak: Int
    public var healthLog: String
    public var seq: Int64
    /// `.State.OOMKilled`: the shim killed it for out of memory (`script --oom-after`).
    public var oomKilled = false

    public var shortID: String { String(id.prefix(12)) }
    public var isRunning: Bool { status.isRunning }
}

/// A container as `ps` lists it.
public struct ContainerSummary: Sendable {
    public var id: String
    public var name: String
    public var imageID: String
    public var imageRef: String
    public var command: String
    public var createdAt: Double
    public var status: ContainerStatus
    public var exitCode: Int32
    public var startedAt: Double?
    public var finishedAt: Double?
    public var health: String
    /// The labels as the configuration's JSON object, decoded only by the few formats and filters
    /// that read them.
    public var labelsJSON: String
    public var networkMode: String
    public var shimPID: Int32
    public var shimStart: Int64

    public var shortID: String { String(id.prefix(12)) }
    public var isRunning: Bool { status.isRunning }
    public var labels: [String: String] {
        guard labelsJSON != "{}", let data = labelsJSON.data(using: .utf8) else { return [:] }
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: String]) ?? [:]
    }
}

public struct ImageConfig: Codable, Equatable, Sendable {
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var env: [String]
    public var workingDir: String
    public var user: String
    public var labels: [String: String]
    public var stopSignal: String?
    public var exposedPorts: [String]
    /// `VOLUME` and `ONBUILD` of `commit --change`/`import --change`; optional, so a configuration stored before
    /// them still decodes.
    public var volumes: [String]?
    public var onBuild: [String]?

    public static let empty = ImageConfig(cmd: nil, entrypoint: nil, env: [], workingDir: "", user: "",
                                          labels: [:], stopSignal: nil, exposedPorts: [])
}

public struct Image: Sendable {
    public var id: String            // 64 hex, without "sha256:"
    public var config: ImageConfig
    public var createdAt: Double
    public var parent: String
    public var comment: String
    public var size: Int64
    public var repoTags: [String]    // "repo:tag", sorted
}

enum JSONCoding {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
