import Glibc
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("An engine that does not answer")
struct EngineWaitTests {
    @Test("retries back off from 250 ms to every 2 s, and stop at the bound")
    func backoff() {
        var wait = EngineWait(boundMilliseconds: 5000)
        var now: Int64 = 1000
        var delays: [Int64] = []
        while case .retry(let delay) = wait.unanswered(at: now) {
            delays.append(delay)
            now += delay
        }
        #expect(delays == [250, 500, 1000, 2000, 1250])
        #expect(wait.unanswered(at: now) == .giveUp(waitedMilliseconds: 5000))
    }

    @Test("an answer starts the next outage afresh")
    func answered() {
        var wait = EngineWait(boundMilliseconds: 60_000)
        _ = wait.unanswered(at: 0)
        _ = wait.unanswered(at: 59_000)
        wait.answered()
        #expect(wait.unanswered(at: 100_000) == .retry(afterMilliseconds: 250))
    }

    @Test("DOCKRUN_ENGINE_WAIT and --engine-wait are seconds")
    func bound() {
        #expect(EngineWait.bound(seconds: "60") == 60_000)
        #expect(EngineWait.bound(seconds: "0.5") == 500)
        #expect(EngineWait.bound(seconds: "0") == 0)
        for bad in ["", "-1", "1m", "nan", "inf"] { #expect(EngineWait.bound(seconds: bad) == nil, "\(bad)") }
    }

    @Test("engine messages: down, gone mid-request, and the rest")
    func messages() {
        #expect(EngineMessage.saysEngineUnreachable("Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?"))
        #expect(EngineMessage.saysEngineUnreachable("unexpected EOF"))
        #expect(EngineMessage.saysEngineUnreachable(#"error during connect: Post "http://%2Fx/v1.41/containers/c/stop?t=20": EOF"#))
        #expect(!EngineMessage.saysEngineUnreachable("Error response from daemon: No such container: c"))
        #expect(EngineMessage.saysNoSuchContainer("Error: No such object: c"))
    }

    private func running(remove: Bool = true, commit: CommitTarget? = nil) -> RunPolicy {
        var machine = RunPolicy(remove: remove, commit: commit)
        _ = machine.handle(.containerID(id))
        return machine
    }

    @Test("with live-restore: the client's 125, the engine away, then back with the container running: its output is followed again and its end is the code")
    func liveRestore() {
        var machine = running()
        #expect(machine.handle(.clientExited(.exited(125))) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.engineUnreachable(.inspect), at: 1000) == [
            .writeMessage("the docker engine is not answering; waiting for it"), .setTimer(.engineRetry, afterMilliseconds: 250),
        ])
        #expect(machine.handle(.timerFired(.engineRetry), at: 1250) == [.spawnInspect(id)])
        #expect(machine.handle(.engineUnreachable(.inspect), at: 1300) == [.setTimer(.engineRetry, afterMilliseconds: 500)])
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "running")))) == [
            .writeMessage("the docker engine answers again"),
            .writeMessage("the attached stream of container \(id) broke while it still runs; following its output again"),
            .spawnFollow(id),
        ])
        #expect(machine.handle(.followerExited) == [.markStreamEnd, .spawnInspect(id)])
        // The container's own code, not the broken client's 125.
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 7)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(7)])
    }

    @Test("a signal during the outage is applied once the engine answers")
    func signalDuringOutage() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(125)))
        _ = machine.handle(.engineUnreachable(.inspect))
        #expect(machine.handle(.signal(SIGTERM)) == [.spawnStop(id)])
        #expect(machine.handle(.engineUnreachable(.stop)) == [])
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnInspect(id), .spawnStop(id)])
    }

    @Test("without live-restore: the client got the code; the removal that the stopping engine refused is retried")
    func removalRetried() {
        var machine = running()
        #expect(machine.handle(.clientExited(.exited(143))) == [.spawnRemove(id)])
        #expect(machine.handle(.engineUnreachable(.remove)) == [
            .writeMessage("the docker engine is not answering; waiting for it"), .setTimer(.engineRetry, afterMilliseconds: 250),
        ])
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [
            .writeMessage("the docker engine answers again"), .exit(143),
        ])
    }

    @Test("a commit the engine could not take is retried, and removal follows it")
    func commitRetried() {
        let target = try! CommitTarget("out/image:1")
        var machine = running(commit: target)
        #expect(machine.handle(.clientExited(.exited(0))) == [.tellGuardian(.committing), .spawnCommit(id, target)])
        _ = machine.handle(.engineUnreachable(.commit))
        #expect(machine.handle(.timerFired(.engineRetry)) == [.spawnCommit(id, target)])
        #expect(machine.handle(.commitFinished(ok: true, message: "")).last == .spawnRemove(id))
    }

    @Test("past the bound: a message and 125; with only the removal left, a warning and the container's code")
    func givesUp() {
        var unknown = running()
        _ = unknown.handle(.clientExited(.exited(125)))
        _ = unknown.handle(.engineUnreachable(.inspect), at: 1000)
        #expect(unknown.handle(.timerFired(.engineRetry), at: 1250) == [.spawnInspect(id)])
        #expect(unknown.handle(.engineUnreachable(.inspect), at: 61_400) == [
            .writeMessage("the docker engine did not answer for 60 s; container \(id) may be left behind"), .exit(125),
        ])
        var removing = running()
        _ = removing.handle(.clientExited(.exited(3)))
        _ = removing.handle(.engineUnreachable(.remove), at: 1000)
        _ = removing.handle(.timerFired(.engineRetry), at: 1250)
        #expect(removing.handle(.engineUnreachable(.remove), at: 61_000) == [
            .writeMessage("warning: could not remove container \(id): the docker engine did not answer for 60 s"), .exit(3),
        ])
        #expect(removing.handle(.timerFired(.engineRetry)) == [])
    }

    @Test("with live-restore, a container that ended during the gap: the output it missed, then its own code, not the client's 125")
    func endedDuringTheGap() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(125)))
        _ = machine.handle(.engineUnreachable(.inspect))
        _ = machine.handle(.timerFired(.engineRetry))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 7)))) == [
            .writeMessage("the docker engine answers again"),
            .writeMessage("container \(id) ended (exit 7) while its stream was broken; showing the output it missed"),
            .spawnFollow(id),
        ])
        #expect(machine.handle(.followerExited) == [.markStreamEnd, .spawnInspect(id)])
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 7)))) == [.spawnRemove(id)])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(7)])
    }

    @Test("a client dead of SIGPIPE, its container stopped across an engine restart, the engine's 255: said, and the code")
    func unknownExitStatusSaid() {
        var machine = running()
        _ = machine.handle(.clientExited(.signaled(SIGPIPE)))
        let stopping = machine.handle(.inspected(.state(ContainerState(status: "running"))))
        #expect(stopping.contains(.spawnWait(id)) && stopping.contains(.spawnStop(id)))
        _ = machine.handle(.engineUnreachable(.wait))
        _ = machine.handle(.engineUnreachable(.stop))
        _ = machine.handle(.timerFired(.engineRetry))
        #expect(machine.handle(.waitReturned(.code(255))) == [
            .writeMessage("the docker engine answers again"),
            .writeMessage("container \(id) ended with 255, the code the docker engine also gives a container that ended while it was away"),
            .spawnRemove(id),
        ])
        #expect(machine.handle(.removeFinished(ok: true, message: "")) == [.exit(255)])
    }

    @Test("a client killed, the engine away, then the container ended with 255: said, and the code")
    func unknownExitStatusInspected() {
        var machine = running()
        _ = machine.handle(.clientExited(.signaled(SIGKILL)))
        _ = machine.handle(.engineUnreachable(.inspect))
        _ = machine.handle(.timerFired(.engineRetry))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 255)))) == [
            .writeMessage("the docker engine answers again"),
            .writeMessage("container \(id) ended with 255, the code the docker engine also gives a container that ended while it was away"),
            .spawnRemove(id),
        ])
    }

    @Test("a container's own 255, the engine never away: nothing said", arguments: [true, false])
    func ownCode255(viaWait: Bool) {
        var machine = running()
        if viaWait {
            _ = machine.handle(.clientExited(.signaled(SIGPIPE)))
            _ = machine.handle(.inspected(.state(ContainerState(status: "running"))))
            #expect(machine.handle(.waitReturned(.code(255))) == [.spawnRemove(id)])
        } else {
            _ = machine.handle(.clientExited(.signaled(SIGKILL)))
            #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 255)))) == [.spawnRemove(id)])
        }
    }

    @Test("a container that itself exits 125 while the engine answers: no break, its code, nothing replayed")
    func ownCode125() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(125)))
        #expect(machine.handle(.inspected(.state(ContainerState(status: "exited", exitCode: 125)))) == [.spawnRemove(id)])
    }

    @Test("an answer ends the outage: the next one is said again and waited for from the first delay")
    func nextOutageAfresh() {
        var machine = running()
        _ = machine.handle(.clientExited(.exited(125)))
        _ = machine.handle(.engineUnreachable(.inspect), at: 0)
        _ = machine.handle(.timerFired(.engineRetry), at: 250)
        #expect(machine.handle(.engineUnreachable(.inspect), at: 300) == [.setTimer(.engineRetry, afterMilliseconds: 500)])
        _ = machine.handle(.timerFired(.engineRetry), at: 800)
        _ = machine.handle(.inspected(.state(ContainerState(status: "running"))), at: 900)
        _ = machine.handle(.followerExited, at: 5000)
        #expect(machine.handle(.engineUnreachable(.inspect), at: 5100) == [
            .writeMessage("the docker engine is not answering; waiting for it"), .setTimer(.engineRetry, afterMilliseconds: 250),
        ])
    }
}
