import DockerSyntax
import Foundation

/// The daemon's pause and unpause (ContainerFreezer does the freezing), and the thaw a stop or kill of a paused
/// container ends with.
extension Daemon {
    /// `docker pause`: the container must be running and not paused already.
    func pause(_ c: Container) throws(DockerError) {
        guard c.isRunning else { throw DockerError.daemon("Container \(c.id) is not running") }
        guard c.status != .paused else { throw DockerError.daemon("Container \(c.id) is already paused") }
        try refuseRestarting(c)
        ContainerFreezer(container: c).freeze()
        try record(c, from: .running, to: .paused)
    }

    /// `docker unpause`: the container must be paused.
    func unpause(_ c: Container) throws(DockerError) {
        guard c.status == .paused else { throw DockerError.daemon("Container \(c.id) is not paused") }
        ContainerFreezer(container: c).thaw()
        try record(c, from: .paused, to: .running)
    }

    /// The engine's kill of a paused container: the signal is sent, then the container is thawed so that it can act
    /// on it, when the signal is one that ends the container: KILL, or any signal without a `--stop-signal`, else
    /// that stop signal (observed: `stop` of a paused container delivers TERM and the container exits by its trap;
    /// `kill` ends it with 137, `.State.Paused` false).
    static func signalEndsPause(_ signal: Int32, stopSignal: String?) -> Bool {
        guard let stopSignal, !stopSignal.isEmpty, signal != SIGKILL else { return true }
        return SignalName.parse(stopSignal) == signal
    }

    func thawAfterSignal(_ signal: Int32, to c: Container) {
        guard c.status == .paused, Self.signalEndsPause(signal, stopSignal: c.config.stopSignal) else { return }
        ContainerFreezer(container: c).thaw()
        try? record(c, from: .paused, to: .running)
    }

    /// Sets the status, if the container is still in `from` (its shim may have recorded its exit meanwhile).
    private func record(_ c: Container, from: ContainerStatus, to: ContainerStatus) throws(DockerError) {
        do {
            try store.transaction {
                guard var fresh = try store.container(id: c.id), fresh.status == from else { return }
                fresh.status = to
                try store.updateState(fresh)
            }
        } catch {
            throw DockerError.daemon("cannot record container \(c.id) as \(to.rawValue): \(error)")
        }
    }
}
