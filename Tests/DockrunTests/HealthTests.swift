import Glibc
import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

private func state(_ health: String?, interval: Int64? = 1000) -> ContainerState {
    ContainerState(status: "running", health: health, healthIntervalMilliseconds: health == nil ? nil : interval)
}

/// A run whose container exists, watched for `onFailure`.
private func watched(_ onFailure: HealthFailureAction, confirm: Bool = false, reports: Bool = false,
                     remove: Bool = false) -> RunPolicy {
    var machine = RunPolicy(remove: remove, commit: nil,
                            health: HealthWatch.needed(onFailure: onFailure, confirm: confirm, reports: reports))
    #expect(machine.handle(.containerID(id)) == [.tellGuardian(.container(id)), .spawnHealthProbe(id)])
    return machine
}

@Suite("Health and out of memory")
struct HealthTests {
    // MARK: the inspect format

    @Test("the state's inspect output gives the health, its interval (0: docker's 30 s) and OOMKilled")
    func inspectOutput() {
        #expect(ContainerState(inspectOutput: "running 0 unhealthy interval=1000000000 oom=false\n")
            == ContainerState(status: "running", health: "unhealthy", healthIntervalMilliseconds: 1000))
        #expect(ContainerState(inspectOutput: "running 0 starting interval=0 oom=false\n")?.healthIntervalMilliseconds == 30_000)
        #expect(ContainerState(inspectOutput: "exited 137  oom=true\n")
            == ContainerState(status: "exited", exitCode: 137, oomKilled: true))
        #expect(ContainerState(inspectOutput: "exited 137  oom=false\n")?.oomKilled == false)
    }

    @Test("an image's health check: null and NONE are none, a command is one, anything else unknown")
    func imageHealthcheck() {
        #expect(HealthCheckPresence(imageHealthcheck: "null\n") == .absent)
        #expect(HealthCheckPresence(imageHealthcheck: #"{"Test":["NONE"]}"#) == .absent)
        #expect(HealthCheckPresence(imageHealthcheck: #"{"Test":["CMD-SHELL","true"],"Interval":1000000000}"#) == .present)
        #expect(HealthCheckPresence(imageHealthcheck: #"{"Test":["CMD","/check"]}"#) == .present)
        #expect(HealthCheckPresence(imageHealthcheck: "") == .unknown)
    }

    // MARK: the watch's schedule

    @Test("nothing depends on the health: no watch, no inspect")
    func noWatch() {
        #expect(HealthWatch.needed(onFailure: .none, confirm: false, reports: false) == nil)
        var machine = RunPolicy(remove: false, commit: nil)
        #expect(machine.handle(.containerID(id)) == [.tellGuardian(.container(id))])
    }

    @Test("one inspect when the container appears, again soon while it is created, then one per health-check interval")
    func schedule() {
        var watch = HealthWatch(onFailure: .kill, confirm: false, reports: false)
        #expect(watch.due() == [.probe])
        #expect(watch.due() == [])
        #expect(watch.probed(ContainerState(status: "created")) == [.probeAfter(milliseconds: 50)])
        #expect(watch.due() == [.probe])
        #expect(watch.probed(nil) == [.probeAfter(milliseconds: 100)])
        _ = watch.due()
        #expect(watch.probed(state("starting", interval: 5000)) == [.probeAfter(milliseconds: 5000)])
        _ = watch.due()
        #expect(watch.probed(state("healthy", interval: 5000)) == [.probeAfter(milliseconds: 5000)])
        _ = watch.due()
        #expect(watch.probed(nil) == [.probeAfter(milliseconds: 5000)])
        _ = watch.due()
        #expect(watch.probed(state("unhealthy", interval: 5000)) == [.unhealthy])
        #expect(watch.due() == [])
    }

    @Test("for STATUS= each change of the health is told, and unhealthy alone does nothing with --health-on-failure=none")
    func reports() {
        var watch = HealthWatch(onFailure: .none, confirm: false, reports: true)
        _ = watch.due()
        #expect(watch.probed(state("starting")) == [.changed("starting"), .probeAfter(milliseconds: 1000)])
        _ = watch.due()
        #expect(watch.probed(state("starting")) == [.probeAfter(milliseconds: 1000)])
        _ = watch.due()
        #expect(watch.probed(state("unhealthy")) == [.changed("unhealthy"), .probeAfter(milliseconds: 1000)])
        _ = watch.due()
        #expect(watch.probed(ContainerState(status: "exited", exitCode: 1)) == [])
        #expect(watch.due() == [])
    }

    @Test("a container without a health check: missing when one is needed, else the watch just ends")
    func noHealthCheck() {
        var needed = HealthWatch(onFailure: .none, confirm: true, reports: false)
        _ = needed.due()
        #expect(needed.probed(state(nil)) == [.missing])
        var told = HealthWatch(onFailure: .none, confirm: false, reports: true)
        _ = told.due()
        #expect(told.probed(state(nil)) == [])
        #expect(told.due() == [])
        var confirmed = HealthWatch(onFailure: .none, confirm: true, reports: false)
        _ = confirmed.due()
        #expect(confirmed.probed(state("starting")) == [])
        #expect(confirmed.due() == [])
    }

    // MARK: the run

    @Test("--health-on-failure=kill: an unhealthy container is killed, and dockrun exits 124 after the removal")
    func killUnhealthy() {
        var machine = watched(.kill, remove: true)
        #expect(machine.handle(.healthProbed(state("healthy"))) == [.setTimer(.healthProbe, afterMilliseconds: 1000)])
        #expect(machine.handle(.timerFired(.healthProbe)) == [.spawnHealthProbe(id)])
        #expect(machine.handle(.healthProbed(state("unhealthy"))) == [
            .writeMessage("container \(id) is unhealthy; killing it (--health-on-failure=kill)"), .spawnKill(id, signal: nil),
        ])
        #expect(machine.phase == .stopping)
        // A TERM from the monitor meanwhile adds nothing to the kill.
        #expect(machine.handle(.signal(SIGTERM)) == [])
        _ = machine.handle(.clientExited(.exited(137)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 137)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(HealthFailureAction.exitCode)])
        #expect(HealthFailureAction.exitCode == 124)
        #expect(Ending.of(containerCode: 124) == .exit(124))
    }

    @Test("--health-on-failure=stop: an unhealthy container is stopped as a TERM would stop it; exit 124, not its 143")
    func stopUnhealthy() {
        var machine = watched(.stop)
        _ = machine.handle(.healthProbed(state("unhealthy")))
        #expect(machine.phase == .stopping)
        #expect(machine.handle(.stopFinished(ok: true)) == [.setTimer(.stopCheck, afterMilliseconds: RunPolicy.stopCheckMilliseconds)])
        #expect(machine.handle(.clientExited(.exited(143))) == [.exit(124)])
        var fresh = watched(.stop)
        #expect(fresh.handle(.healthProbed(state("unhealthy"))) == [
            .writeMessage("container \(id) is unhealthy; stopping it (--health-on-failure=stop)"), .spawnStop(id),
        ])
    }

    @Test("once dockrun stops the container for a signal, the health is watched no more")
    func noWatchWhileStopping() {
        var machine = watched(.kill)
        _ = machine.handle(.signal(SIGTERM))
        #expect(machine.handle(.healthProbed(state("unhealthy"))) == [])
        #expect(machine.handle(.timerFired(.healthProbe)) == [])
        #expect(machine.handle(.clientExited(.exited(143))) == [.exit(143)])
    }

    @Test("a health change is reported for STATUS=")
    func reportsChange() {
        var machine = watched(.none, reports: true)
        #expect(machine.handle(.healthProbed(state("healthy")))
            == [.report(.health("healthy")), .setTimer(.healthProbe, afterMilliseconds: 1000)])
    }

    @Test("a container found without the health check the run needs is stopped, and dockrun exits 125")
    func missingHealthCheck() {
        var machine = watched(.none, confirm: true)
        #expect(machine.handle(.healthProbed(state(nil))) == [
            .writeMessage("--sdnotify=healthy needs a health check, and container \(id) has none (give one with "
                          + "--health-cmd, or a HEALTHCHECK in the image); stopping it"),
            .spawnStop(id),
        ])
        #expect(machine.handle(.clientExited(.exited(143))) == [.exit(125)])
    }

    // MARK: out of memory

    @Test("a 137 is asked of one docker inspect: an OOM kill is said and reported, and the code stays 137")
    func outOfMemory() {
        var machine = RunPolicy(remove: false, commit: nil)
        _ = machine.handle(.containerID(id))
        #expect(machine.handle(.clientExited(.exited(137))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 137, oomKilled: true)))) == [
            .writeMessage("container \(id) was killed: out of memory"), .report(.outOfMemory), .exit(137),
        ])
        var killed = RunPolicy(remove: false, commit: nil)
        _ = killed.handle(.containerID(id))
        _ = killed.handle(.clientExited(.exited(137)))
        #expect(killed.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 137)))) == [.exit(137)])
    }

    // MARK: options

    @Test("--health-on-failure takes none, kill or stop; anything else is refused")
    func option() throws {
        guard case .run(let request) = try Invocation.parse(["--health-on-failure=kill", "--health-cmd", "true", "img"]) else {
            Issue.record("not a run")
            return
        }
        #expect(request.healthOnFailure == .kill)
        #expect(request.healthCheck == .present)
        #expect(request.dockerOptions == ["--health-cmd", "true"])
        #expect(throws: DockrunError.invalidChoice(option: "--health-on-failure", value: "restart",
                                                   choices: ["none", "kill", "stop"])) {
            try Invocation.parse(["--health-on-failure", "restart", "img"])
        }
    }

    @Test("a run whose options disable the health check is refused when it needs one, nothing started")
    func refusedByOptions() throws {
        for option in ["--sdnotify=healthy", "--health-on-failure=stop"] {
            #expect(throws: DockrunError.noHealthCheck(option: option, reason: "--no-healthcheck disables it")) {
                try Invocation.parse([option, "--no-healthcheck", "img"])
            }
        }
        #expect(DockrunError.noHealthCheck(option: "--sdnotify=healthy", reason: "image img has none").message
            == "--sdnotify=healthy needs a health check, and image img has none (give one with --health-cmd, or a "
            + "HEALTHCHECK in the image)")
        #expect(DockrunError.noHealthCheck(option: "x", reason: "y").exitCode == 125)
        guard case .run(let plain) = try Invocation.parse(["--no-healthcheck", "img"]) else { return }
        #expect(plain.healthCheck == .absent)
        #expect(plain.optionNeedingHealthCheck == nil)
    }

    // MARK: STATUS=

    @Test("STATUS= tells the health once ready, and an OOM kill until the exit")
    func status() {
        var policy = NotifyPolicy(mode: .running, watchdogMicroseconds: nil, mainPID: nil)
        _ = policy.start()
        _ = policy.phaseChanged(to: .running, container: id)
        #expect(policy.noted(.health("healthy")) == [])
        #expect(policy.probed(state("starting")) == [.send("READY=1\nSTATUS=Container 0123456789ab running (starting)")])
        #expect(policy.noted(.health("starting")) == [])
        #expect(policy.noted(.health("healthy")) == [.send("STATUS=Container 0123456789ab running, healthy")])
        #expect(policy.noted(.health("unhealthy")) == [.send("STATUS=Container 0123456789ab running, unhealthy")])
        #expect(policy.noted(.outOfMemory) == [.send("STATUS=Container 0123456789ab was killed: out of memory")])
        #expect(policy.exited(137) == [.send("STATUS=Exited with code 137 (container 0123456789ab was killed: out of memory)")])
    }
}
