/// What dockrun tears down outside a run, before or after it, with the run's own `Teardown` and its executor (an engine
/// that does not answer is waited for, up to `--engine-wait`):
/// - `dockrun --cleanup`: what a run of one service may have left, found by its `--name` or the ID in its
///   `--cidfile` (`Leftovers`), is stopped as dockrun stops a container and, with `--rm`, removed; a cidfile naming
///   nothing that is left (or left empty by a run killed before its container existed) is deleted, so it cannot block
///   the next start. For a monitor that kills every process of a service at once, guardian included: systemd's
///   `ExecStopPost=`.
/// - `--replace`: a container already called `--name` is stopped and removed before the start; one that cannot be
///   removed stops the start (docker would refuse the name anyway).
enum Cleanup {
    static func run(_ request: RunRequest, executor: TeardownExecutor) -> Int32 {
        let cidfileContents = request.cidfile.flatMap(System.readSmallFile)
        let targets = Leftovers.cleanupTargets(name: request.name, cidfileContents: cidfileContents)
        var outcomes: [Teardown.Outcome] = []
        for target in targets {
            let outcome = executor.run(Teardown(target: target, remove: request.remove))
            if case .failed(let text) = outcome {
                let error = DockrunError.cleanupFailed(target: target, message: text)
                System.write(2, "dockrun: \(error.message)\n")
                return error.exitCode
            }
            outcomes.append(outcome)
        }
        if let cidfile = request.cidfile, let cidfileContents,
           Leftovers.deletesCidfile(.cleanup, namesContainer: ContainerID(cidfileContents: cidfileContents) != nil,
                                    outcomes: outcomes, searchFailed: false) {
            System.removeFile(cidfile)
        }
        return 0
    }

    static func replace(_ name: String, executor: TeardownExecutor) throws(DockrunError) {
        if case .failed(let text) = executor.run(Teardown(target: name, remove: true)) {
            throw .replaceFailed(name: name, message: text)
        }
    }
}
