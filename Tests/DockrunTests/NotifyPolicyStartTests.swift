import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("systemd notification: the start, and --sdnotify=container")
struct NotifyPolicyStartTests {
    @Test("while the container does not exist, the start timeout is extended by 15 s every 5 s; not once it does")
    func extendedWhileCreating() {
        var policy = NotifyPolicy(mode: .running, watchdogMicroseconds: nil, mainPID: nil)
        #expect(policy.start() == [.send("STATUS=Pulling or creating the container\nEXTEND_TIMEOUT_USEC=15000000"),
                                   .scheduleExtension(milliseconds: 5000)])
        #expect(policy.extensionDue() == [.send("EXTEND_TIMEOUT_USEC=15000000"), .scheduleExtension(milliseconds: 5000)])
        #expect(policy.extensionDue() == [.send("EXTEND_TIMEOUT_USEC=15000000"), .scheduleExtension(milliseconds: 5000)])
        _ = policy.phaseChanged(to: .running, container: id)
        #expect(policy.extensionDue() == [])
        var sweeping = NotifyPolicy(mode: .healthy, watchdogMicroseconds: nil, mainPID: nil)
        _ = sweeping.start()
        _ = sweeping.phaseChanged(to: .sweeping, container: nil)
        #expect(sweeping.extensionDue() == [])
    }

    @Test("--sdnotify=ignore extends nothing")
    func ignoreExtendsNothing() {
        var policy = NotifyPolicy(mode: .ignore, watchdogMicroseconds: nil, mainPID: nil)
        #expect(policy.start() == [])
        #expect(policy.extensionDue() == [])
    }

    @Test("--sdnotify=container: no READY=1, no probe, no watchdog ping and no running STATUS= of dockrun's own")
    func containerSpeaks() {
        var policy = NotifyPolicy(mode: .container, watchdogMicroseconds: 4_000_000, mainPID: 7)
        #expect(policy.watchdogMilliseconds == nil)
        #expect(policy.watchdogMicroseconds == 4_000_000)
        #expect(policy.start() == [.send("STATUS=Pulling or creating the container\nEXTEND_TIMEOUT_USEC=15000000"),
                                   .scheduleExtension(milliseconds: 5000)])
        #expect(policy.phaseChanged(to: .running, container: id) == [])
        #expect(policy.probeDue() == [])
        #expect(policy.watchdogDue() == [])
        #expect(!policy.ready)
        #expect(policy.phaseChanged(to: .stopping, container: id) == [.send("STOPPING=1\nSTATUS=Stopping container 0123456789ab")])
        #expect(policy.exited(0) == [.send("STATUS=Exited with code 0")])
    }

    @Test("--sdnotify=container under systemd is configured as the others; the relay gets dockrun's MAINPID")
    func containerConfiguration() {
        let environment = ["NOTIFY_SOCKET": "/run/n", "SYSTEMD_EXEC_PID": "42", "WATCHDOG_USEC": "4000000"]
        let configured = NotifyPolicy.configuration(mode: .container, environment: { environment[$0] }, pid: 100)
        #expect(configured?.socket == "/run/n")
        #expect(configured?.policy.mainPID == 100)
        #expect(configured?.policy.watchdogMicroseconds == 4_000_000)
        #expect(NotifyPolicy.configuration(mode: .container, environment: { _ in nil }, pid: 100) == nil)
    }
}
