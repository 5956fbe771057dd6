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
