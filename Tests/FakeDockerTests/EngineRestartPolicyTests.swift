@testable import FakeDocker
import Testing

@Suite("which containers an engine restart without live-restore starts again, as a value")
struct EngineRestartPolicyTests {
    func again(_ policy: String, exit: Int32 = 7, count: Int = 0, byHand: Bool = false, started: Bool = true) -> Bool {
        EngineRestart.startsAgain(RestartPolicy.stored(policy), exitCode: exit, restartCount: count, stoppedByHand: byHand,
                                  startedBefore: started)
    }

    @Test("always even stopped by hand; unless-stopped only when not; on-failure on a failure under its limit; never an unstarted one")
    func startsAgain() {
        #expect(again("always") && again("always", byHand: true) && again("always", exit: 0))
        #expect(again("unless-stopped") && !again("unless-stopped", byHand: true))
        #expect(again("on-failure") && !again("on-failure", exit: 0))
        #expect(again("on-failure:2", count: 1) && !again("on-failure:1", count: 1) && again("on-failure", count: 9))
        #expect(!again("no") && !again("") && !again("always", started: false))
    }
}
