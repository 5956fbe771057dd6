/// What `docker inspect` says of a container's state, in one short command: its status, its exit code, and its
/// health check's status if it has one. The policy asks it after an ambiguous end of the client; the notifier asks
/// it for systemd's readiness and watchdog.
public struct ContainerState: Equatable, Sendable {
    /// `.State.Status`: created, running, paused, restarting, removing, exited, dead.
    public var status: String
    public var exitCode: Int32
    /// nil for a container without a health check.
    public var health: String?

    /// The engine answers `{{if .State.Health}}` for a container without one: its typed State has a nil Health.
    public static let inspectFormat = "{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}"

    public init(status: String, exitCode: Int32 = 0, health: String? = nil) {
        self.status = status
        self.exitCode = exitCode
        self.health = health
    }

    /// The output of `inspectFormat`: `STATUS CODE[ HEALTH]`.
    public init?(inspectOutput text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard words.count >= 2, let code = Int32(words[1]) else { return nil }
        self.init(status: words[0], exitCode: code, health: words.count > 2 ? words[2] : nil)
    }

    /// It ran and has ended: its exit code is final.
    public var hasEnded: Bool { status == "exited" || status == "dead" }
}
