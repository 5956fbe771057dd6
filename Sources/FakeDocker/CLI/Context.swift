import Foundation

/// What every command gets: the state, the client's environment, and the scripted fault (if any)
/// armed for this invocation.
final class Context {
    let store: StateStore
    let environment: [String: String]
    let daemon: Daemon
    var scriptedDelay: Double = 0

    init(store: StateStore, environment: [String: String]) {
        self.store = store
        self.environment = environment
        self.daemon = Daemon(store: store)
    }

    /// The scripted delay of a `run`/`create`/`start`, handed to the request it delays (once): the create is
    /// delayed after the cidfile exists, as by a slow pull, the start before the container starts. Other
    /// commands spend theirs before acting.
    func takeScriptedDelay() -> Double {
        defer { scriptedDelay = 0 }
        return scriptedDelay
    }

    /// What the CLI says when a request of a command already under way cannot dial the engine, gone while it
    /// restarts (exit 1): its socket no longer exists (a TCP address refuses instead).
    var dialFailure: String {
        let host = daemonHost
        let dial = host.hasPrefix("unix://")
            ? "dial unix \(host.dropFirst("unix://".count)): connect: no such file or directory"
            : "dial tcp \(host.drop(while: { $0 != "/" }).dropFirst(2)): connect: connection refused"
        return "cannot connect to the Docker daemon. Is 'docker daemon' running on this host?: " + dial
    }

    /// The daemon address the real CLI would name in "Cannot connect" messages.
    var daemonHost: String { environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix:///var/run/docker.sock" }
}

func sleepSeconds(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) < 0 && errno == EINTR { request = remaining }
}
