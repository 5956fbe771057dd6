import ProcessSpawn
import Testing
@testable import Dockrun

/// Answers from a script (command → answers, the last repeated); records what ran and when, on a clock that only
/// the executor's pauses move.
private final class ScriptedEngine {
    var answers: [String: [DockerAnswer]] = [:]
    var ran: [[String]] = []
    var said: [String] = []
    var clock: Int64 = 0
    var pauses: [Int64] = []
    /// After this much time has passed, the engine answers every command (nil: it never comes back on its own).
    var backAt: Int64?
    /// A pause of this many milliseconds is cut short (a stop signal to `dockrun --cleanup`).
    var interruptAfter: Int?

    func execute(_ command: DockerCommand) -> DockerAnswer {
        ran.append(command.arguments)
        if command.arguments[0] == "ps" { clock += listingMilliseconds }
        if let backAt, clock >= backAt, answers[command.arguments[0]]?.first == ScriptedEngine.down {
            return DockerAnswer(status: .exited(0))
        }
        guard var queue = answers[command.arguments[0]], !queue.isEmpty else { return DockerAnswer(status: .exited(0)) }
        let answer = queue.removeFirst()
        if !queue.isEmpty { answers[command.arguments[0]] = queue }
        return answer
    }

    /// How long each listing takes on the clock (a loaded engine).
    var listingMilliseconds: Int64 = 0

    var executor: TeardownExecutor {
        TeardownExecutor(
            execute: execute, engineWaitMilliseconds: 5000, now: { self.clock },
            pause: { delay in
                if let limit = self.interruptAfter, self.pauses.count >= limit { return false }
                self.pauses.append(delay)
                self.clock += delay
                return true
            },
            say: { self.said.append($0) })
    }

    static let down = DockerAnswer(
        status: .exited(1), error: "Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?\n")
    static let noSuch = DockerAnswer(status: .exited(1), error: "Error response from daemon: No such container: web\n")
}

@Suite("Teardown: the steps of a stop, and the one executor that waits for the engine")
struct TeardownTests {
    @Test("teardown stops, then removes with --rm")
    func stopThenRemove() {
        let engine = ScriptedEngine()
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .stopped(removed: true))
        #expect(engine.ran == [["stop", "web"], ["rm", "-f", "web"]])
    }

    @Test("teardown without --rm keeps the stopped container")
    func stopOnly() {
        let engine = ScriptedEngine()
        #expect(engine.executor.run(Teardown(target: "web", remove: false)) == .stopped(removed: false))
        #expect(engine.ran == [["stop", "web"]])
    }

    @Test("teardown of a container that does not exist runs one command and says absent")
    func absent() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [ScriptedEngine.noSuch]
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .absent)
        #expect(engine.ran == [["stop", "web"]])
    }

    @Test("a failed stop is followed by a kill, then the removal")
    func killAfterFailedStop() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [DockerAnswer(status: .exited(1), error: "Error response from daemon: cannot stop\n")]
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .stopped(removed: true))
        #expect(engine.ran == [["stop", "web"], ["kill", "web"], ["rm", "-f", "web"]])
    }

    @Test("a kill that finds the container already ended is not a failure")
    func killOfEndedContainer() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [DockerAnswer(status: .exited(1), error: "x\n")]
        engine.answers["kill"] = [DockerAnswer(
            status: .exited(1), error: "Error response from daemon: cannot kill container: web: container 0123 is not running\n")]
        #expect(engine.executor.run(Teardown(target: "web", remove: false)) == .stopped(removed: false))
    }

    @Test("a removal that fails is the teardown's failure, with docker's message")
    func removalFails() {
        let engine = ScriptedEngine()
        engine.answers["rm"] = [DockerAnswer(status: .exited(1), error: "Error response from daemon: device busy\nmore\n")]
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .failed("Error response from daemon: device busy"))
    }

    @Test("an engine that does not answer is asked again, backing off, and the same step goes on once it answers")
    func engineComesBack() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [ScriptedEngine.down]
        engine.backAt = 1500
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .stopped(removed: true))
        #expect(engine.pauses == [250, 500, 1000])
        #expect(engine.ran == [["stop", "web"], ["stop", "web"], ["stop", "web"], ["stop", "web"], ["rm", "-f", "web"]])
        #expect(engine.said == ["the docker engine is not answering; waiting for it", "the docker engine answers again"])
    }

    @Test("an engine that does not answer within the bound ends the teardown as failed, nothing killed or removed")
    func engineNeverComesBack() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [ScriptedEngine.down]
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .failed(
            "the docker engine did not answer for 5 s: Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?"))
        #expect(engine.pauses == [250, 500, 1000, 2000, 1250])
        #expect(Set(engine.ran) == [["stop", "web"]])
    }

    @Test("a wait cut short by a stop signal ends the teardown at once, as failed")
    func waitInterrupted() {
        let engine = ScriptedEngine()
        engine.answers["stop"] = [ScriptedEngine.down]
        engine.interruptAfter = 2
        guard case .failed(let text) = engine.executor.run(Teardown(target: "web", remove: true)) else {
            Issue.record("not a failure")
            return
        }
        #expect(text.hasPrefix("stopped waiting for the docker engine after 0 s: Cannot connect"))
        #expect(engine.ran.count == 3)
    }

    @Test("an outage during the removal is waited for too")
    func outageDuringRemoval() {
        let engine = ScriptedEngine()
        engine.answers["rm"] = [ScriptedEngine.down, ScriptedEngine.down, DockerAnswer(status: .exited(0))]
        #expect(engine.executor.run(Teardown(target: "web", remove: true)) == .stopped(removed: true))
        #expect(engine.ran == [["stop", "web"], ["rm", "-f", "web"], ["rm", "-f", "web"], ["rm", "-f", "web"]])
        #expect(engine.pauses == [250, 500])
    }

    @Test("a listing waits for the engine like a teardown step")
    func listingWaits() {
        let engine = ScriptedEngine()
        engine.answers["ps"] = [ScriptedEngine.down, DockerAnswer(status: .exited(0), output: "abc running\n")]
        #expect(engine.executor.answer(.list(filter: "label=x")).output == "abc running\n")
        #expect(engine.pauses == [250])
    }
}

@Suite("The sweep for what a killed client asked for")
struct SweepTests {
    private static let list = ["ps", "-a", "--no-trunc", "--filter", "label=r", "--format", "{{.ID}} {{.State}}"]

    @Test("a container that appears after the client died is torn down, and the listing goes on until the bound")
    func lateCreate() {
        let engine = ScriptedEngine()
        engine.answers["ps"] = [DockerAnswer(status: .exited(0)), DockerAnswer(status: .exited(0), output: "c1 created\n"),
                                DockerAnswer(status: .exited(0))]
        let result = engine.executor.sweep(filter: "label=r", remove: true, since: 0)
        #expect(result == SweepResult(found: [SweepResult.Found(id: "c1", outcome: .stopped(removed: true))]))
        #expect(engine.ran.prefix(4) == [Self.list, Self.list, ["stop", "c1"], ["rm", "-f", "c1"]])
        #expect(engine.pauses.reduce(0, +) == Leftovers.inFlightMilliseconds)
        #expect(engine.pauses.prefix(4) == [100, 200, 400, 800] && engine.pauses.dropFirst(4).allSatisfy { $0 <= 1000 })
    }

    @Test("without --rm: a container created and never started is kept; one whose start landed later is stopped")
    func lateStart() {
        let engine = ScriptedEngine()
        engine.answers["ps"] = [DockerAnswer(status: .exited(0), output: "c1 created\n"),
                                DockerAnswer(status: .exited(0), output: "c1 running\n"),
                                DockerAnswer(status: .exited(0), output: "c1 exited\n")]
        let result = engine.executor.sweep(filter: "label=r", remove: false, since: 0)
        #expect(result == SweepResult(found: [SweepResult.Found(id: "c1", outcome: .stopped(removed: false))]))
        #expect(engine.ran.filter { $0[0] != "ps" } == [["stop", "c1"]])
    }

    @Test("on an engine whose listings take 800 ms the sweep goes on for ten times that, and still finds a late create")
    func slowEngine() {
        let engine = ScriptedEngine()
        engine.listingMilliseconds = 800
        engine.answers["ps"] = Array(repeating: DockerAnswer(status: .exited(0)), count: 6)
            + [DockerAnswer(status: .exited(0), output: "c1 created\n"), DockerAnswer(status: .exited(0))]
        let result = engine.executor.sweep(filter: "label=r", remove: true, since: 0)
        #expect(result == SweepResult(found: [SweepResult.Found(id: "c1", outcome: .stopped(removed: true))]))
        #expect(engine.clock >= 8000)
        #expect(engine.clock < 8000 + 800 + 1000)
    }

    @Test("an engine restart during the sweep does not lengthen it: a listing that waited for the engine is not counted")
    func engineRestartDuringSweep() {
        let engine = ScriptedEngine()
        // Away for 3.75 s: counted as a listing's time, it would have kept the sweep going for 37.5 s.
        engine.answers["ps"] = [ScriptedEngine.down]
        engine.backAt = 3750
        let result = engine.executor.sweep(filter: "label=r", remove: true, since: 0)
        #expect(result == SweepResult())
        #expect(engine.said == ["the docker engine is not answering; waiting for it", "the docker engine answers again"])
        #expect(engine.pauses.prefix(4) == [250, 500, 1000, 2000])
        #expect(engine.clock == Leftovers.inFlightMilliseconds)
        #expect(engine.ran.count > 5, "the sweep listed again once the engine answered")
    }

    @Test("the sweep's bound: 5 s, or ten times the slowest listing", arguments: [
        (0, 5000), (300, 5000), (500, 5000), (800, 8000), (3000, 30000),
    ] as [(Int64, Int64)])
    func deadline(slowest: Int64, bound: Int64) {
        #expect(Leftovers.sweepDeadline(since: 100, slowestListingMilliseconds: slowest) == 100 + bound)
    }

    @Test("a listing that fails ends the sweep and says so")
    func listingFails() {
        let engine = ScriptedEngine()
        engine.answers["ps"] = [DockerAnswer(status: .exited(1), error: "Error response from daemon: bad filter\n")]
        #expect(engine.executor.sweep(filter: "label=r", remove: true, since: 0)
            == SweepResult(listingFailed: "Error response from daemon: bad filter"))
    }
}

@Suite("Backoff: the one retry schedule")
struct BackoffTests {
    @Test("doubles from the first delay up to the longest, and starts again after a reset")
    func schedule() {
        var backoff = Backoff(firstMilliseconds: 50, longestMilliseconds: 2000)
        #expect((0..<8).map { _ in backoff.next() } == [50, 100, 200, 400, 800, 1600, 2000, 2000])
        backoff.reset()
        #expect(backoff.next() == 50)
    }
}
