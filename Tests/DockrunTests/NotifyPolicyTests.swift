import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!
private let running = ContainerState(status: "running", health: nil)

private func created(_ mode: NotifyPolicy.Mode, watchdog: Int64? = nil, mainPID: Int32? = nil) -> NotifyPolicy {
    var policy = NotifyPolicy(mode: mode, watchdogMicroseconds: watchdog, mainPID: mainPID)
    _ = policy.start()
    _ = policy.phaseChanged(to: .running, container: id)
    return policy
}

@Suite("systemd notification")
struct NotifyPolicyTests {
    @Test("the container's creation starts a probe; READY=1 only once it runs")
    func readyWhenRunning() {
        var policy = NotifyPolicy(mode: .running, watchdogMicroseconds: nil, mainPID: nil)
        #expect(policy.start() == [.send("STATUS=Pulling or creating the container\nEXTEND_TIMEOUT_USEC=15000000"),
                                   .scheduleExtension(milliseconds: 5000)])
        #expect(policy.phaseChanged(to: .running, container: id)
            == [.send("STATUS=Container 0123456789ab created; waiting for it to run"), .probe(id)])
        #expect(policy.probed(.init(status: "created", health: nil)) == [.scheduleProbe(milliseconds: 50)])
        #expect(policy.probeDue() == [.probe(id)])
        #expect(policy.probed(running) == [.send("READY=1\nSTATUS=Container 0123456789ab running")])
        #expect(policy.ready)
    }

    @Test("probe retries back off to at most 2 s")
    func backoff() {
        var policy = created(.running)
        var delays: [Int64] = []
        for _ in 0..<8 {
            if case .scheduleProbe(let ms)? = policy.probed(nil).last { delays.append(ms) }
            _ = policy.probeDue()
        }
        #expect(delays == [50, 100, 200, 400, 800, 1600, 2000, 2000])
    }

    @Test("a container that exits before it runs never sends READY=1")
    func noReadyForFailedStart() {
        var policy = created(.running)
        #expect(policy.probed(.init(status: "exited", health: nil)) == [])
        #expect(!policy.ready)
        #expect(policy.probeDue() == [.probe(id)])
    }

    @Test("a container that ran and ended before a probe saw it running says READY=1 as it ends; a failed start or a stop does not")
    func readyAtTheEnd() {
        var oneShot = created(.running)
        #expect(oneShot.probed(.init(status: "exited", health: nil)) == [])
        #expect(oneShot.exited(0) == [.send("READY=1"), .send("STATUS=Exited with code 0")])
        #expect(oneShot.exited(3) == [.send("READY=1"), .send("STATUS=Exited with code 3")])
        #expect(created(.running, mainPID: 7).exited(0) == [.send("READY=1\nMAINPID=7"), .send("STATUS=Exited with code 0")])
        for code: Int32 in [125, 126, 127] {
            #expect(created(.running).exited(code) == [.send("STATUS=Exited with code \(code)")])
        }
        var stopped = created(.running)
        _ = stopped.phaseChanged(to: .stopping, container: id)
        #expect(stopped.exited(143) == [.send("STATUS=Exited with code 143")])
        var ready = created(.running)
        _ = ready.probed(running)
        #expect(ready.exited(0) == [.send("STATUS=Exited with code 0")])
        #expect(created(.healthy).exited(0) == [.send("STATUS=Exited with code 0")])
        var pulling = NotifyPolicy(mode: .running, watchdogMicroseconds: nil, mainPID: nil)
        _ = pulling.start()
        #expect(pulling.exited(1) == [.send("STATUS=Exited with code 1")])
    }

    @Test("--sdnotify=healthy waits for the health check; without one it is never ready (the run is refused)")
    func healthy() {
        var policy = created(.healthy)
        #expect(policy.probed(.init(status: "running", health: "starting")) == [.scheduleProbe(milliseconds: 50)])
        _ = policy.probeDue()
        #expect(policy.probed(.init(status: "running", health: "unhealthy")) == [.scheduleProbe(milliseconds: 100)])
        _ = policy.probeDue()
        #expect(policy.probed(.init(status: "running", health: "healthy"))
            == [.send("READY=1\nSTATUS=Container 0123456789ab running (healthy)")])
        var plain = created(.healthy)
        #expect(plain.probed(running) == [.scheduleProbe(milliseconds: 50)])
        #expect(!plain.ready)
    }

    @Test("MAINPID is sent with READY=1 when systemd's main process is another")
    func mainPID() {
        var policy = created(.running, mainPID: 4242)
        #expect(policy.probed(running) == [.send("READY=1\nSTATUS=Container 0123456789ab running\nMAINPID=4242")])
    }

    @Test("a stop sends STOPPING=1, then each step its STATUS")
    func stopping() {
        var policy = created(.running)
        _ = policy.probed(running)
        #expect(policy.phaseChanged(to: .stopping, container: id) == [.send("STOPPING=1\nSTATUS=Stopping container 0123456789ab")])
        #expect(policy.phaseChanged(to: .removing, container: id) == [.send("STATUS=Removing container 0123456789ab")])
        #expect(policy.exited(143) == [.send("STATUS=Exited with code 143")])
    }

    @Test("--sdnotify=ignore sends nothing at all")
    func ignore() {
        var policy = NotifyPolicy(mode: .ignore, watchdogMicroseconds: 2_000_000, mainPID: nil)
        #expect(policy.start() == [])
        #expect(policy.phaseChanged(to: .running, container: id) == [])
        #expect(policy.phaseChanged(to: .stopping, container: id) == [])
        #expect(policy.exited(0) == [])
    }

    @Test("the watchdog pings every WATCHDOG_USEC/2 only once the container runs")
    func watchdogPlain() {
        var policy = NotifyPolicy(mode: .running, watchdogMicroseconds: 3_000_000, mainPID: nil)
        #expect(policy.start() == [.send("STATUS=Pulling or creating the container\nEXTEND_TIMEOUT_USEC=15000000"),
                                   .scheduleExtension(milliseconds: 5000), .scheduleWatchdog(milliseconds: 1500)])
        #expect(policy.watchdogDue() == [.scheduleWatchdog(milliseconds: 1500)])
        _ = policy.phaseChanged(to: .running, container: id)
        #expect(policy.watchdogDue() == [.scheduleWatchdog(milliseconds: 1500)])
        _ = policy.probed(running)
        #expect(policy.watchdogDue() == [.send("WATCHDOG=1"), .scheduleWatchdog(milliseconds: 1500)])
    }

    @Test("with a health check the watchdog pings only after a probe says healthy")
    func watchdogHealth() {
        var policy = created(.running, watchdog: 2_000_000)
        _ = policy.probed(.init(status: "running", health: "starting"))
        #expect(policy.ready)
        #expect(policy.watchdogDue() == [.scheduleWatchdog(milliseconds: 1000), .probe(id)])
        #expect(policy.probed(.init(status: "running", health: "unhealthy")) == [])
        #expect(policy.watchdogDue() == [.scheduleWatchdog(milliseconds: 1000), .probe(id)])
        #expect(policy.probed(.init(status: "running", health: "healthy")) == [.send("WATCHDOG=1")])
    }

    @Test("during a stop the watchdog keeps pinging, so it cannot fire in the stop timeout")
    func watchdogWhileStopping() {
        var policy = created(.running, watchdog: 2_000_000)
        _ = policy.probed(running)
        _ = policy.phaseChanged(to: .stopping, container: id)
        #expect(policy.watchdogDue() == [.send("WATCHDOG=1"), .scheduleWatchdog(milliseconds: 1000)])
        _ = policy.phaseChanged(to: .done, container: id)
        #expect(policy.watchdogDue() == [])
    }

    @Test("the probe's output is read as status and health")
    func probeOutput() {
        #expect(ContainerState(inspectOutput: "running 0 healthy\n") == .init(status: "running", health: "healthy"))
        #expect(ContainerState(inspectOutput: "exited 3 \n") == .init(status: "exited", exitCode: 3))
        #expect(ContainerState(inspectOutput: "\n") == nil)
    }
}
