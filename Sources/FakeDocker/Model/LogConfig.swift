/// A container's logging driver and its options (`--log-driver`, `--log-opt`), checked where the engine checks them
/// (docs/engine-observations.md, "links and log drivers"): `none` with options by the CLI; an unknown driver and an
/// option the driver does not take by the daemon at create. fake-docker logs as `json-file` for `json-file` and
/// `local` (both readable by `docker logs`), keeps nothing readable for `none`, and refuses the drivers that ship
/// logs elsewhere, which it does not simulate.
struct LogConfig: Equatable {
    var type: String
    /// The options, each `key=value` as given (a later key replacing an earlier one), sorted as inspect shows them.
    var config: [(key: String, value: String)]

    static func == (a: LogConfig, b: LogConfig) -> Bool {
        a.type == b.type && a.config.map(\.key) == b.config.map(\.key) && a.config.map(\.value) == b.config.map(\.value)
    }

    /// The engine's log plugins (`docker info`'s Plugins.Log) and `none`.
    static let drivers = ["awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries", "splunk",
                          "syslog", "none"]
    /// The options each simulated driver takes (the engine's ValidateLogOpt of each).
    static let options: [String: Set<String>] = [
        "json-file": ["max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"],
        "local": ["max-size", "max-file", "compress"],
        "none": [],
    ]

    /// `docker logs` can read what this driver kept.
    var isReadable: Bool { type != "none" }

    init(driver: String?, options: [String]) {
        type = driver ?? "json-file"
        var pairs: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            pairs[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        config = pairs.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    /// From a container's stored options.
    init(_ other: [String: [String]]) {
        self.init(driver: other["log-driver"]?.last, options: other["log-opt"] ?? [])
    }

    /// The CLI's own refusal, before the daemon is asked.
    var clientRefusal: String? {
        type == "none" && !config.isEmpty ? "invalid logging opts for driver none" : nil
    }

    /// The daemon's refusal at create (without "Error response from daemon: ").
    var daemonRefusal: String? {
        guard Self.drivers.contains(type) else { return "error looking up logging plugin \(type): plugin \"\(type)\" not found" }
        guard let taken = Self.options[type] else {
            return "fake-docker: the \(type) log driver is not simulated (json-file, local and none are)"
        }
        if let unknown = config.first(where: { !taken.contains($0.key) }) {
            // Each driver words it its own way.
            return type == "local" ? "unknown log opt '\(unknown.key)' for log driver local"
                : "unknown log opt '\(unknown.key)' for \(type) log driver"
        }
        return nil
    }
}
