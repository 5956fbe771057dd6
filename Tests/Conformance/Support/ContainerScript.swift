import Foundation

/// Container commands shared by the tests, written once for both engines.
enum ContainerScript {
    /// A shell that prints "ready" once its traps are set, then runs until one of them fires: it prints
    /// the signal's name and exits with that signal's code, so the exit code says which signal arrived.
    static func trapping(_ traps: [String: Int32]) -> String {
        let handlers = traps.sorted { $0.key < $1.key }
            .map { "trap \"echo \($0.key); exit \($0.value)\" \($0.key); " }.joined()
        return handlers + "echo ready; while :; do sleep 0.1; done"
    }

    /// Waits until a detached container has printed "ready" (its traps are installed); `logs` is the only
    /// view of a detached container's output that both engines share.
    static func awaitReady(_ sb: Sandbox, _ container: String) async throws {
        try await ChildProcess.eventually("\(container) to print ready") {
            try await sb.docker(["logs", container]).out.contains("ready\n")
        }
    }
}
