import Foundation

/// The engine the suite runs against: fake-docker (default, no daemon needed) or a real Docker Engine.
/// `DOCKRUN_TEST_ENGINE=docker` selects the real CLI (`DOCKRUN_TEST_DOCKER`, default `docker`) with
/// `DOCKER_HOST` from the environment and the test image already imported (`scripts/engine-start.sh` does).
struct Engine: Sendable {
    enum Kind: String, Sendable { case fake, docker }

    let kind: Kind
    /// The docker CLI every command goes to (and that dockrun gets as DOCKRUN_DOCKER).
    let cli: String

    var isFake: Bool { kind == .fake }

    /// Whether a test may restart the engine: always on fake-docker (each sandbox's state is its own engine);
    /// on the real engine only in a pass of its own, where no other test shares it —
    /// `DOCKRUN_TEST_RESTART_ENGINE_DIR` names the engine's directory for scripts/engine-restart.sh
    /// (scripts/test-real-engine.sh runs that pass).
    var restartable: Bool { isFake || Self.restartDirectory != nil }
    /// Whether the real engine runs with --live-restore (`DOCKRUN_TEST_LIVE_RESTORE=1`); fake-docker does either.
    func canRestart(liveRestore: Bool) -> Bool {
        isFake || (Self.restartDirectory != nil && liveRestore == Self.realLiveRestore)
    }

    static let restartDirectory = ProcessInfo.processInfo.environment["DOCKRUN_TEST_RESTART_ENGINE_DIR"]
    static let realLiveRestore = ProcessInfo.processInfo.environment["DOCKRUN_TEST_LIVE_RESTORE"] == "1"

    static let image = TestImage.name

    static let current: Engine = {
        let environment = ProcessInfo.processInfo.environment
        switch environment["DOCKRUN_TEST_ENGINE"] ?? "fake" {
        case "docker":
            return Engine(kind: .docker, cli: environment["DOCKRUN_TEST_DOCKER"] ?? "docker")
        case "fake":
            return Engine(kind: .fake, cli: Products.path("fake-docker"))
        case let other:
            fatalError("DOCKRUN_TEST_ENGINE=\(other): expected fake or docker")
        }
    }()
}
