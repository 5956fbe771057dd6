import Glibc
import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!
private let target = try! CommitTarget("out/image:1")

/// A machine that has seen the container's ID (its client attached to it).
private func running(remove: Bool = false, commit: CommitTarget? = nil, interactive: Bool = false) -> RunPolicy {
    var machine = RunPolicy(remove: remove, commit: commit, interactive: interactive)
    _ = machine.handle(.containerID(id))
    return machine
}

@Suite("State machine")
struct RunPolicyTests {
    // MARK: starting

    @Test("the container ID starts nothing: the attached client reports the end, and the machine runs")
    func idStartsNothing() {
        var machine = RunPolicy(remove: false, commit: nil)
        #expect(machine.phase == .starting)
        #expect(machine.handle(.containerID(id)) == [.tellGuardian(.container(id))])
        #expect(machine.phase == .running)
        #expect(machine.containerID == id)
    }

    @Test("a docker failure before any container exists exits with docker's code")
    func dockerFailsBeforeCreate() {
        for code: Int32 in [125, 126, 127, 1] {
            var machine = RunPolicy(remove: true, commit: target)
            #expect(machine.handle(.clientExited(.exited(code))) == [.exit(code)])
            #expect(machine.phase == .done)
        }
    }

    @Test("a client killed before its container was known: the run's label is swept, what was found said, its code")
    func clientKilledBeforeID() {
        var machine = RunPolicy(remove: true, commit: nil)
        #expect(machine.handle(.clientExited(.signaled(SIGKILL))) == [
            .writeMessage("docker client was killed (signal 9) before its container was known; looking for what it created by the run's label"),
            .sweep,
        ])
        #expect(machine.phase == .sweeping)
        #expect(machine.handle(.signal(SIGTERM)) == [])
        #expect(machine.handle(.swept(SweepResult(found: [SweepResult.Found(id: "c1", outcome: .stopped(removed: true))])))
            == [.writeMessage("container c1 removed"), .exit(137)])
        #expect(machine.removedContainer)
    }

    @Test("after the sweep: a container kept without --rm, or one that could not be removed, is said; the client's code")
    func sweepKeepsOrFails() {
        var kept = RunPolicy(remove: false, commit: nil)
        _ = kept.handle(.clientExited(.signaled(SIGTERM)))
        #expect(kept.handle(.swept(SweepResult(found: [SweepResult.Found(id: "c1", outcome: .stopped(removed: false))])))
            == [.writeMessage("container c1 kept (no --rm)"), .exit(143)])
        #expect(!kept.removedContainer)
        var failed = RunPolicy(remove: true, commit: nil)
        _ = failed.handle(.clientExited(.signaled(SIGKILL)))
        #expect(failed.handle(.swept(SweepResult(listingFailed: "Cannot connect to the Docker daemon")))
            == [.writeMessage("warning: could not list the containers of this run: Cannot connect to the Docker daemon; one may be left behind"),
                .exit(137)])
        #expect(!failed.removedContainer)
    }

    @Test("after the sweep, without --rm and nothing found, nothing of the run is left: its empty cidfile may go")
    func sweepFindsNothing() {
        var machine = RunPolicy(remove: false, commit: nil)
        _ = machine.handle(.clientExited(.signaled(SIGKILL)))
        #expect(machine.handle(.swept(SweepResult())) == [.exit(137)])
        #expect(machine.removedContainer)
    }

    @Test("while the client lives there is no timeout for the container ID")
    func noCidfileTimeout() {
        var machine = RunPolicy(remove: true, commit: nil)
        for event: RunPolicy.Event in [.timerFired(.stopCheck), .signal(SIGWINCH)] {
            #expect(machine.handle(event) == [])
        }
        #expect(machine.phase == .starting)
    }

    @Test("a TERM before the ID is known is held, then stops the container as soon as it exists")
    func heldStop() {
        var machine = RunPolicy(remove: true, commit: nil)
        #expect(machine.handle(.signal(SIGTERM)) == [])
        #expect(machine.handle(.containerID(id)) == [.tellGuardian(.container(id)), .spawnStop(id)])
        #expect(machine.phase == .stopping)
    }

    @Test("a container created after a stop request is stopped and, with --rm, removed")
    func heldStopRemoves() {
        var machine = RunPolicy(remove: true, commit: nil)
        _ = machine.handle(.signal(SIGINT))
        _ = machine.handle(.containerID(id))
        #expect(machine.handle(.stopFinished(ok: true)) == [stopCheck])
        #expect(machine.handle(.clientExited(.exited(143))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(143)])
        #expect(machine.removedContainer)
    }

    @Test("two TERMs before the ID is known stop and then kill, in order")
    func heldEscalation() {
        var machine = RunPolicy(remove: false, commit: nil)
        _ = machine.handle(.signal(SIGTERM))
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.containerID(id)) == [.tellGuardian(.container(id)), .spawnStop(id), .spawnKill(id, signal: nil)])
    }

    @Test("HUP, QUIT, USR1 and USR2 before the ID is known are relayed once it exists")
    func heldRelay() {
        var machine = RunPolicy(remove: false, commit: nil)
        for signal in [SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] { _ = machine.handle(.signal(signal)) }
        #expect(machine.handle(.containerID(id)) == [
            .tellGuardian(.container(id)), .spawnKill(id, signal: SIGHUP), .spawnKill(id, signal: SIGQUIT),
            .spawnKill(id, signal: SIGUSR1), .spawnKill(id, signal: SIGUSR2),
        ])
        #expect(machine.phase == .running)
    }

    @Test("a stop requested when the client exits without a container: nothing to stop, the client's code")
    func heldStopNoContainer() {
        var machine = RunPolicy(remove: true, commit: nil)
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.clientExited(.exited(125))) == [.exit(125)])
    }

    // MARK: the exit code

    @Test("the client's own exit code is the container's when it cannot be docker's: no docker process is started")
    func clientReportsTheEnd() {
        // 137 is asked about: a kill or the OOM killer (HealthTests).
        for code: Int32 in [0, 2, 3, 124, 128, 143, 255] {
            var machine = running()
            #expect(machine.handle(.clientExited(.exited(code))) == [.exit(code)])
        }
        #expect(RunPolicy.containerCode(reportedBy: .exited(3), interactive: false) == 3)
    }

    @Test("an ambiguous end (1, 125, 126, 127, a signal, a terminal's client) is asked of one docker inspect")
    func ambiguousEnds() {
        let ambiguous: [(ProcessSpawn.ExitStatus, Bool)] = [
            (.exited(1), false), (.exited(125), false), (.exited(126), false), (.exited(127), false), (.signaled(SIGKILL), false),
            (.exited(0), true),
        ]
        for (status, interactive) in ambiguous {
            var machine = running(interactive: interactive)
            #expect(RunPolicy.containerCode(reportedBy: status, interactive: interactive) == nil)
            #expect(machine.handle(.clientExited(status)) == [.markStreamEnd, .spawnInspect(id)])
        }
    }

    @Test("a container that itself exits 125, 126 or 127 is reported as such")
    func containerOwnFailureCodes() {
        for code: Int32 in [125, 126, 127] {
            var machine = running()
            _ = machine.handle(.clientExited(.exited(code)))
            #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: code)))) == [.exit(code)])
        }
    }

    @Test("a failed start after create (126/127) exits with docker's code, and --rm removes the container")
    func failedStart() {
        // The container never ran (it is still "created"): the client's code, then the removal.
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.clientExited(.exited(127)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "created", exitCode: 127)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(127)])
    }

    @Test("a container someone else removed: the client's code, nothing to commit or remove, no warning")
    func removedBySomeoneElse() {
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.clientExited(.exited(125)))
        #expect(machine.handle(.inspected(.failed("Error: No such object: \(id)"))) == [.exit(125)])
        #expect(machine.removedContainer)
    }

    @Test("docker's own failure (125) after create wins over the container's code")
    func dockerFailureWins() {
        #expect(RunPolicy.exitCode(wait: .code(0), client: .exited(125)) == 125)
        #expect(RunPolicy.exitCode(wait: .code(128), client: .exited(125)) == 125)
        #expect(RunPolicy.exitCode(wait: .code(126), client: .exited(126)) == 126)
        #expect(RunPolicy.exitCode(wait: .code(3), client: .exited(3)) == 3)
        #expect(RunPolicy.exitCode(wait: .code(143), client: .signaled(SIGKILL)) == 143)
        #expect(RunPolicy.exitCode(wait: .failed("x"), client: .exited(4)) == 4)
        #expect(RunPolicy.exitCode(wait: .failed("x"), client: .signaled(SIGTERM)) == 143)
    }

    @Test("a failed docker inspect or wait falls back on the client's code, with a warning")
    func inspectOrWaitFails() {
        var machine = running()
        #expect(machine.handle(.clientExited(.exited(125))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.failed("Cannot connect"))) == [
            .writeMessage("warning: docker inspect failed: Cannot connect; using the docker client's exit code"),
            .exit(125),
        ])
        var waiting = running()
        _ = waiting.handle(.clientExited(.signaled(SIGKILL)))
        _ = waiting.handle(.inspected(.state(ContainerState(status: "running"))))
        _ = waiting.handle(.stopFinished(ok: true))
        #expect(waiting.handle(.waitReturned(.failed("Cannot connect"))) == [
            .writeMessage("warning: docker wait failed: Cannot connect; using the docker client's exit code"),
            .exit(137),
        ])
    }

    // MARK: signals while the container runs

    @Test("TERM or INT stops the container once; another one kills it; more do nothing")
    func stopThenKill() {
        for stopSignal in [SIGTERM, SIGINT] {
            var machine = running()
            #expect(machine.handle(.signal(stopSignal)) == [.spawnStop(id)])
            #expect(machine.phase == .stopping)
            #expect(machine.stoppedByDockrun)
            #expect(machine.handle(.signal(SIGINT)) == [.spawnKill(id, signal: nil)])
            #expect(machine.handle(.signal(SIGTERM)) == [])
        }
    }

    @Test("a failed docker stop escalates to docker kill")
    func failedStopKills() {
        var machine = running()
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.stopFinished(ok: false)) == [.spawnKill(id, signal: nil)])
    }

    @Test("HUP, QUIT, USR1 and USR2 are relayed with docker kill --signal and are not a stop")
    func relay() {
        var machine = running(commit: target)
        for signal in [SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] {
            #expect(machine.handle(.signal(signal)) == [.spawnKill(id, signal: signal)])
        }
        #expect(!machine.stoppedByDockrun)
        #expect(machine.handle(.killFinished(signal: SIGHUP, ok: true)) == [])
        #expect(machine.handle(.clientExited(.exited(0))) == [.tellGuardian(.committing), .spawnCommit(id, target)])
    }

    @Test("a stop that found the container not yet started is repeated when the end does not follow")
    func stopBeforeStart() {
        var machine = running()
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.stopFinished(ok: true)) == [stopCheck])
        #expect(machine.handle(.timerFired(.stopCheck)) == [.spawnStop(id)])
    }

    @Test("a stop repeated by the check is in progress too: a second check during it does nothing")
    func repeatedStopInFlight() {
        var machine = running()
        _ = machine.handle(.signal(SIGTERM))
        _ = machine.handle(.stopFinished(ok: true))
        #expect(machine.handle(.timerFired(.stopCheck)) == [.spawnStop(id)])
        #expect(machine.handle(.timerFired(.stopCheck)) == [])
        #expect(machine.handle(.stopFinished(ok: true)) == [stopCheck])
    }

    @Test("a deadline while a stop is still in progress does nothing: docker stop waits for the stop timeout")
    func deadlineDuringStop() {
        var machine = running()
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.timerFired(.stopCheck)) == [])
    }

    @Test("the client dying while the container runs: a message, a stop, and the container's code")
    func clientDies() {
        var machine = running(commit: target)
        #expect(machine.handle(.clientExited(.signaled(SIGKILL))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "running")))) == [
            .writeMessage("docker client exited (status 137) while container \(id) was still running; stopping it"),
            .spawnWait(id), .spawnStop(id),
        ])
        #expect(machine.stoppedByDockrun)
        #expect(machine.handle(.stopFinished(ok: true)) == [stopCheck])
        // The wait started when the client's death was found answers once the stop took effect; no commit after a stop.
        #expect(machine.handle(.waitReturned(.code(0))) == [.exit(0)])
    }

    @Test("the client dying during dockrun's own stop: no second stop, the wait gives the code")
    func clientDiesDuringStop() {
        var machine = running()
        _ = machine.handle(.signal(SIGTERM))
        _ = machine.handle(.clientExited(.signaled(SIGTERM)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "running")))) == [.spawnWait(id)])
        _ = machine.handle(.stopFinished(ok: true))
        #expect(machine.handle(.waitReturned(.code(143))) == [.exit(143)])
    }

    // MARK: commit and remove

    @Test("commit happens when the container exited 0 unstopped, before removal")
    func commitThenRemove() {
        var machine = running(remove: true, commit: target)
        #expect(machine.handle(.clientExited(.exited(0))) == [.tellGuardian(.committing), .spawnCommit(id, target)])
        #expect(machine.phase == .committing)
        #expect(machine.handle(.commitFinished(ok: true, message: "")) == [.tellGuardian(.committed), .spawnRemove(id)])
        #expect(machine.phase == .removing)
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(0)])
        #expect(machine.phase == .done)
    }

    @Test("no commit when the container exited non-zero")
    func noCommitOnFailure() {
        var machine = running(commit: target)
        #expect(machine.handle(.clientExited(.exited(3))) == [.exit(3)])
    }

    @Test("a client's exit 1 is asked about (the CLI's own failures exit 1 too): the container's 1 is its code")
    func exitOneIsInspected() {
        var machine = running(remove: true)
        #expect(machine.handle(.clientExited(.exited(1))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 1)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(1)])
    }

    @Test("a client that failed between its create and its start: dockrun starts the container, attached, and reports its end")
    func startCarriedThrough() {
        var machine = running(remove: true)
        _ = machine.handle(.clientExited(.exited(1)))
        // The engine is still away: the inspect waits for it as any other command.
        #expect(machine.handle(.engineUnreachable(.inspect)).contains(.writeMessage("the docker engine is not answering; waiting for it")))
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "created", exitCode: 0)))) == [
            .writeMessage("the docker engine answers again"),
            .writeMessage("the docker client exited (status 1) before starting container \(id); starting it"),
            .spawnStart(id),
        ])
        // A start that cannot reach the engine is tried again, like any other command.
        #expect(machine.handle(.engineUnreachable(.start)).contains(.setTimer(.engineRetry, afterMilliseconds: 250)))
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnStart(id)])
        // Its end is a follower's: the container's own code, whatever the first client said.
        #expect(machine.handle(.followerExited) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 3)))) == [
            .writeMessage("the docker engine answers again"), .spawnRemove(id),
        ])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(3)])
    }

    @Test("a container asked to stop before it ever started is not started: the stop's signal is its end")
    func neverStartedAfterStop() {
        for (signal, code) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            var machine = running(remove: true)
            #expect(machine.handle(.signal(signal)) == [.spawnStop(id)])
            _ = machine.handle(.clientExited(.exited(1)))
            _ = machine.handle(.stopFinished(ok: true))
            #expect(machine.handle(.inspected(.state(ContainerState(status: "created", exitCode: 0)))) == [
                .writeMessage("container \(id) was never started (the docker client exited with status 1 before starting it); "
                              + "not starting it, as it was asked to stop"),
                .spawnRemove(id),
            ])
            #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(code)])
        }
    }

    @Test("on a terminal, a client that exits 2 after the terminal's QUIT died of it: the container runs on, followed")
    func clientDiesOfTerminalQuit() {
        var machine = running(interactive: true)
        #expect(machine.handle(.signal(SIGQUIT)) == [.spawnKill(id, signal: SIGQUIT)])
        #expect(machine.handle(.clientExited(.exited(2))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "running")))) == [
            .writeMessage("the attached stream of container \(id) broke while it still runs; following its output again"),
            .spawnFollow(id),
        ])
        // Without the QUIT, an exit 2 of the client with the container running is a client that died: a stop.
        var other = running(interactive: true)
        _ = other.handle(.clientExited(.exited(2)))
        #expect(other.handle(.inspected(.state(ContainerState(status: "running")))).contains(.spawnStop(id)))
    }

    @Test("a follower that cannot reach the engine is started again once it may answer")
    func followerWaitsForEngine() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(125)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "running")))).last == .spawnFollow(id))
        #expect(machine.handle(.engineUnreachable(.follow)).contains(.setTimer(.engineRetry, afterMilliseconds: 250)))
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnFollow(id)])
    }

    @Test("no commit after dockrun stopped the container, even when it exited 0")
    func noCommitAfterStop() {
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.clientExited(.exited(0))) == [.spawnRemove(id)])
    }

    @Test("a failed commit exits 125 and keeps the container, even with --rm")
    func commitFails() {
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.clientExited(.exited(0)))
        #expect(machine.handle(.commitFinished(ok: false, message: "Error response from daemon: boom")) == [
            .writeMessage("commit failed: Error response from daemon: boom; container \(id) kept"),
            .exit(125),
        ])
        #expect(!machine.removedContainer)
    }

    @Test("signals during commit and removal neither interrupt them nor are lost as a leak")
    func signalsDuringCleanup() {
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.clientExited(.exited(0)))
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGTERM] { #expect(machine.handle(.signal(signal)) == []) }
        #expect(machine.handle(.commitFinished(ok: true, message: "")) == [.tellGuardian(.committed), .spawnRemove(id)])
        for signal in [SIGTERM, SIGQUIT] { #expect(machine.handle(.signal(signal)) == []) }
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(0)])
    }

    @Test("with --rm dockrun removes the container itself, after the end the client reported")
    func dockrunRemoves() {
        var machine = running(remove: true)
        #expect(machine.handle(.clientExited(.exited(3))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(3)])
        #expect(machine.removedContainer)
    }

    @Test("a failed removal is a warning; the exit code stays the container's")
    func removeFails() {
        var machine = running(remove: true, commit: target)
        _ = machine.handle(.clientExited(.exited(3)))
        #expect(machine.handle(.removeFinished(ok: false, message: "Error response from daemon: busy")) == [
            .writeMessage("warning: could not remove container \(id): Error response from daemon: busy"),
            .exit(3),
        ])
        #expect(!machine.removedContainer)
    }

    @Test("a removal that finds the container already gone is no failure")
    func removeFindsItGone() {
        var machine = running(remove: true)
        _ = machine.handle(.clientExited(.signaled(SIGKILL)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 137)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: false, message: "Error response from daemon: No such container: x")) == [.exit(137)])
        #expect(machine.removedContainer)
    }

    @Test("without --rm the container is left and nothing is removed")
    func noRemove() {
        var machine = running()
        #expect(machine.handle(.clientExited(.exited(0))) == [.exit(0)])
        #expect(!machine.removedContainer)
    }

    @Test("events after the end change nothing")
    func afterDone() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(0)))
        for event: RunPolicy.Event in [
            .signal(SIGTERM), .containerID(id), .timerFired(.stopCheck), .stopFinished(ok: false),
            .waitReturned(.code(1)), .inspected(.failed("x")), .clientExited(.exited(1)),
        ] {
            #expect(machine.handle(event) == [])
        }
        #expect(machine.phase == .done)
    }
}
