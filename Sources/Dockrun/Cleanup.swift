import Glibc

/// `dockrun --cleanup`: what a run of one service may have left, found by its `--name` or the ID in its `--cidfile`,
/// is stopped as dockrun stops a container and, with `--rm`, removed; a cidfile naming nothing that is left (or
/// left empty by a run killed before its container existed) is deleted, so it cannot block the next start. For a
/// monitor that kills every process of a service at once, guardian included: systemd's `ExecStopPost=`.
enum Cleanup {
    static func run(_ request: RunRequest, docker: DockerCall) -> Int32 {
        let target: String
        if let name = request.name {
            target = name
        } else if let cidfile = request.cidfile {
            guard let text = System.readSmallFile(cidfile) else { return 0 }
            guard let id = ContainerID(cidfileContents: text) else {
                unlink(cidfile)
                return 0
            }
            target = id.value
        } else {
            // Invocation.parse refuses --cleanup without either.
            return DockrunError.cleanupNeedsTarget.exitCode
        }
        let gone: Bool
        switch Teardown.run(target, remove: request.remove, execute: { docker.run($0) }) {
        case .absent: gone = true
        case .stopped(let removed): gone = removed
        case .failed(let text):
            System.write(2, "dockrun: \(DockrunError.cleanupFailed(target: target, message: text).message)\n")
            return DockrunError.cleanupFailed(target: target, message: text).exitCode
        }
        if gone, let cidfile = request.cidfile { unlink(cidfile) }
        return 0
    }
}
