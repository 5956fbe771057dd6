import Foundation

/// `--restart no|always|unless-stopped|on-failure[:N]`, as the engine keeps it (`.HostConfig.RestartPolicy`).
/// dockrun refuses restart policies; fake-docker enforces them, as a test double for other people's CI must.
public struct RestartPolicy: Equatable, Sendable {
    /// As given: "no", "always", "unless-stopped", "on-failure", or "" (`--restart ""`, which the engine keeps as is).
    public var name: String
    /// `on-failure:N`; 0 means no limit.
    public var maximumRetryCount: Int

    public static let none = RestartPolicy(name: "no", maximumRetryCount: 0)

    /// Whether the policy ever starts the container again ("no" and "" never do).
    public var restarts: Bool { name != "no" && !name.isEmpty }

    /// Why a `--restart` value is refused: by the client (`docker: …`, 125) or by the daemon (`Error response…`).
    public enum Refusal: Error, Equatable {
        case client(String)
        case daemon(String)
    }

    /// Reads the flag's value as the CLI (the count must be an integer) and the daemon (the rest) check it.
    public static func parse(_ value: String) throws(Refusal) -> RestartPolicy {
        let parts = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        var count = 0
        if parts.count == 2 {
            guard let n = Int(parts[1]) else {
                throw .client("invalid restart policy format: maximum retry count must be an integer")
            }
            count = n
        }
        switch name {
        case "", "no", "always", "unless-stopped":
            // The engine's own message; the count is refused even when it is 0 only if one was written.
            if parts.count == 2 && !name.isEmpty {
                throw .daemon("maximum retry count cannot be used with restart policy '\(name)'")
            }
        case "on-failure":
            if count < 0 { throw .daemon("maximum retry count cannot be negative") }
        default:
            throw .daemon("invalid restart policy '\(name)'")
        }
        return RestartPolicy(name: name, maximumRetryCount: count)
    }

    /// The stored value read back (it was checked at create); anything unreadable restarts nothing.
    public static func stored(_ value: String) -> RestartPolicy { (try? parse(value)) ?? .none }
}

/// Whether and when a container that exited is started again: moby's restartmanager, as a value the shim asks after
/// each exit. The delay starts at 100 ms and doubles up to a minute; a run of 10 s or more sets it back to 100 ms.
/// Each restart decided counts (`.RestartCount` goes up when the container enters `restarting`, before the delay).
public struct RestartManager: Equatable, Sendable {
    public static let firstDelay = 0.1
    public static let longestDelay = 60.0
    public static let longRun = 10.0

    public let policy: RestartPolicy
    public private(set) var restartCount = 0
    /// The last delay, seconds; 0 before the first.
    public private(set) var delay = 0.0

    public init(policy: RestartPolicy) { self.policy = policy }

    /// After an exit with `exitCode` of a run that lasted `ranFor` seconds: the delay before the next start, or nil.
    /// `stopped`: a `docker stop` or `docker kill` (any signal) reached the container since its start, which ends
    /// the restarting whatever the policy (the engine's ExitOnNext).
    public mutating func next(exitCode: Int32, ranFor: Double, stopped: Bool) -> Double? {
        if stopped { return nil }
        if ranFor >= Self.longRun { delay = 0 }
        delay = delay == 0 ? Self.firstDelay : min(delay * 2, Self.longestDelay)
        let restart: Bool
        switch policy.name {
        case "always", "unless-stopped":
            restart = true
        case "on-failure":
            let max = policy.maximumRetryCount
            restart = exitCode != 0 && (max == 0 || restartCount < max)
        default:
            restart = false
        }
        guard restart else { return nil }
        restartCount += 1
        return delay
    }
}
