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

    /// A scripted delay for `run`/`create` is spent here, after the cidfile exists and before the
    /// container is created, as a slow pull would be; other commands spend it before acting.
    func applyScriptedDelay() {
        if scriptedDelay > 0 { sleepSeconds(scriptedDelay); scriptedDelay = 0 }
    }

    /// The daemon address the real CLI would name in "Cannot connect" messages.
    var daemonHost: String { environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix:///var/run/docker.sock" }
}

func sleepSeconds(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) < 0 && errno == EINTR { request = remaining }
}
