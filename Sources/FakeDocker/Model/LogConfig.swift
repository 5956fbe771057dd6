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

    /// The driver's refusal of its options' values when the engine starts it, at each container start (after create
    /// accepted them; docs/engine-observations.md, "--log-opt values"), without "failed to initialize logging driver: ".
    /// Each driver reads its options in its own order and words (moby's jsonfilelog.New and local.New).
    var startRefusal: String? {
        let value = Dictionary(config.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        switch type {
        case "json-file":
            var size: Int64 = -1
            if let text = value["max-size"] {
                switch Self.humanSize(text) {
                case .failure(let e): return e.text
                case .success(let n): size = n
                }
                if size <= 0 { return "max-size must be a positive number" }
            }
            var files = 1
            if let text = value["max-file"] {
                switch Self.atoi(text) {
                case .failure(let e): return e.text
                case .success(let n): files = n
                }
                if files < 1 { return "max-file cannot be less than 1" }
            }
            if let text = value["compress"] {
                guard let compress = Self.parseBool(text) else { return Self.parseBoolError(text) }
                if compress && (files == 1 || size == -1) {
                    return "compress cannot be true when max-file is less than 2 or max-size is not set"
                }
            }
            return nil
        case "local":
            // Its defaults: 20 MB files, 5 of them, compressed.
            var files = 5, compress = true
            if let text = value["max-size"], case .failure(let e) = Self.humanSize(text) {
                return "invalid value for max-size: \(text): \(e.text)"
            }
            if let text = value["max-file"] {
                switch Self.atoi(text) {
                case .failure(let e): return "invalid value for max-file: \(text): \(e.text)"
                case .success(let n): files = n
                }
            }
            if let text = value["compress"] {
                guard let c = Self.parseBool(text) else { return "error reading compress log option: " + Self.parseBoolError(text) }
                compress = c
            }
            if files < 0 { return "max file count cannot be less than 0" }
            if compress && files <= 1 { return "compression cannot be enabled when max file count is 1" }
            return nil
        default:
            return nil
        }
    }

    struct ValueError: Error, Equatable { var text: String }

    /// go-units' FromHumanSize: `^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`, decimal units (k is 1000), the
    /// number taken by ParseFloat and truncated.
    static func humanSize(_ text: String) -> Result<Int64, ValueError> {
        let invalid = ValueError(text: "invalid size: '\(text)'")
        var rest = Substring(text)
        if rest.last == "b" || rest.last == "B" { rest = rest.dropLast() }
        if rest.last == "i" || rest.last == "I" { rest = rest.dropLast() }
        var factor: Double = 1
        if let unit = rest.last?.lowercased(), let power = ["k", "m", "g", "t", "p"].firstIndex(of: unit) {
            for _ in 0...power { factor *= 1000 }
            rest = rest.dropLast()
        }
        if rest.last == " " { rest = rest.dropLast() }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard !rest.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return .failure(invalid)
        }
        guard parts.count <= 2, let number = Double(rest) else {
            return .failure(ValueError(text: "strconv.ParseFloat: parsing \"\(rest)\": invalid syntax"))
        }
        return .success(Int64(clamping: Int64(exactly: (number * factor).rounded(.towardZero)) ?? .max))
    }

    /// Go's strconv.Atoi and its errors.
    static func atoi(_ text: String) -> Result<Int, ValueError> {
        if let n = Int(text), text.first != "+" || text.count > 1 { return .success(n) }
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        let why = !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? "value out of range" : "invalid syntax"
        return .failure(ValueError(text: "strconv.Atoi: parsing \"\(text)\": \(why)"))
    }

    /// Go's strconv.ParseBool.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    static func parseBoolError(_ text: String) -> String { "strconv.ParseBool: parsing \"\(text)\": invalid syntax" }
}
