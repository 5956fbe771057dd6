import Foundation
import ProcessSpawn

/// `--ulimit NAME=SOFT[:HARD]`, as the CLI reads it (go-units' ParseUlimit), the engine keeps it
/// (`.HostConfig.Ulimits`) and runc sets it in the container's process (setrlimit; -1 is unlimited).
public struct Ulimit: Equatable, Sendable {
    public var name: String
    public var soft: Int64
    public var hard: Int64

    /// The names go-units takes (`as` is left out, as there), with Linux's RLIMIT_ numbers.
    static let resources: [String: Int32] = [
        "cpu": 0, "fsize": 1, "data": 2, "stack": 3, "core": 4, "rss": 5, "nproc": 6, "nofile": 7, "memlock": 8,
        "locks": 10, "sigpending": 11, "msgqueue": 12, "nice": 13, "rtprio": 14, "rttime": 15,
    ]

    /// The value read as the CLI reads it; else the CLI's reason, for `invalid argument … for "--ulimit" flag: …`.
    static func parse(_ value: String) -> Result<Ulimit, FlagValueError> {
        let parts = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return .failure(FlagValueError("invalid ulimit argument: \(value)")) }
        guard resources[parts[0]] != nil else { return .failure(FlagValueError("invalid ulimit type: \(parts[0])")) }
        let values = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard values.count <= 2 else {
            return .failure(FlagValueError("too many limit value arguments - \(parts[1]), can only have up to two, `soft[:hard]`"))
        }
        var numbers: [Int64] = []
        // Go reads the hard limit first.
        for text in values.reversed() {
            switch goParseInt(text) {
            case .success(let n): numbers.insert(n, at: 0)
            case .failure(let e): return .failure(e)
            }
        }
        let soft = numbers[0], hard = numbers.count == 2 ? numbers[1] : numbers[0]
        if hard != -1 && soft > hard {
            return .failure(FlagValueError("ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)"))
        }
        return .success(Ulimit(name: parts[0], soft: soft, hard: hard))
    }

    /// strconv.ParseInt(text, 10, 64) and its error's text.
    private static func goParseInt(_ text: String) -> Result<Int64, FlagValueError> {
        if let n = Int64(text) { return .success(n) }
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        let reason = !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? "value out of range" : "invalid syntax"
        return .failure(FlagValueError("strconv.ParseInt: parsing \(goQuoted(text)): \(reason)"))
    }

    private static func goQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The options as the engine keeps them: one per name (the CLI's map keeps the last), by name; values that do
    /// not parse (the CLI refused them) left out.
    static func list(_ values: [String]) -> [Ulimit] {
        var byName: [String: Ulimit] = [:]
        for value in values { if case .success(let u) = parse(value) { byName[u.name] = u } }
        return byName.keys.sorted().compactMap { byName[$0] }
    }

    /// As runc sets it: -1 (any negative) is RLIM_INFINITY.
    var resourceLimit: SpawnOptions.ResourceLimit {
        SpawnOptions.ResourceLimit(resource: Self.resources[name] ?? -1, soft: UInt64(bitPattern: soft), hard: UInt64(bitPattern: hard))
    }
}
