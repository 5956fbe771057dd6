import Testing
@testable import FakeDocker

/// `--restart` as the CLI and the daemon read it, and the restart manager's decisions (Model/RestartPolicy.swift),
/// each as observed on Engine 20.10 (docs/engine-observations.md, "Restart policies").
@Suite("Restart policies")
struct RestartPolicyTests {
    @Test("the names and the retry count are read as the engine keeps them")
    func parses() throws {
        #expect(try RestartPolicy.parse("no") == RestartPolicy(name: "no", maximumRetryCount: 0))
        #expect(try RestartPolicy.parse("always") == RestartPolicy(name: "always", maximumRetryCount: 0))
        #expect(try RestartPolicy.parse("unless-stopped") == RestartPolicy(name: "unless-stopped", maximumRetryCount: 0))
        #expect(try RestartPolicy.parse("on-failure") == RestartPolicy(name: "on-failure", maximumRetryCount: 0))
        #expect(try RestartPolicy.parse("on-failure:2") == RestartPolicy(name: "on-failure", maximumRetryCount: 2))
        #expect(try RestartPolicy.parse("") == RestartPolicy(name: "", maximumRetryCount: 0))
    }

    @Test("a count that is not an integer is the client's refusal, the rest the daemon's, in the engine's words")
    func refusals() {
        func refusal(_ value: String) -> RestartPolicy.Refusal? {
            do { _ = try RestartPolicy.parse(value); return nil } catch { return error }
        }
        #expect(refusal("on-failure:x") == .client("invalid restart policy format: maximum retry count must be an integer"))
        #expect(refusal("bogus:x") == .client("invalid restart policy format: maximum retry count must be an integer"))
        #expect(refusal("bogus") == .daemon("invalid restart policy 'bogus'"))
        #expect(refusal("always:3") == .daemon("maximum retry count cannot be used with restart policy 'always'"))
        #expect(refusal("unless-stopped:1") == .daemon("maximum retry count cannot be used with restart policy 'unless-stopped'"))
        #expect(refusal("no:2") == .daemon("maximum retry count cannot be used with restart policy 'no'"))
        #expect(refusal("on-failure:-1") == .daemon("maximum retry count cannot be negative"))
    }

    @Test("the delay starts at 100 ms and doubles, up to a minute")
    func backoff() {
        var manager = RestartManager(policy: RestartPolicy(name: "always", maximumRetryCount: 0))
        var delays: [Double] = []
        for _ in 0..<12 { delays.append(manager.next(exitCode: 0, ranFor: 0.01, stopped: false) ?? -1) }
        #expect(delays == [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60, 60])
        #expect(manager.restartCount == 12)
    }

    @Test("a run of ten seconds or more sets the delay back to 100 ms")
    func longRunResets() {
        var manager = RestartManager(policy: RestartPolicy(name: "always", maximumRetryCount: 0))
        _ = manager.next(exitCode: 0, ranFor: 0, stopped: false)
        _ = manager.next(exitCode: 0, ranFor: 0, stopped: false)
        #expect(manager.next(exitCode: 0, ranFor: 10, stopped: false) == 0.1)
    }

    @Test("on-failure restarts a failure only, and stops after N restarts")
    func onFailure() {
        var manager = RestartManager(policy: RestartPolicy(name: "on-failure", maximumRetryCount: 2))
        #expect(manager.next(exitCode: 0, ranFor: 0, stopped: false) == nil)
        #expect(manager.next(exitCode: 3, ranFor: 0, stopped: false) != nil)
        #expect(manager.next(exitCode: 3, ranFor: 0, stopped: false) != nil)
        #expect(manager.next(exitCode: 3, ranFor: 0, stopped: false) == nil)
        #expect(manager.restartCount == 2)
        var unlimited = RestartManager(policy: RestartPolicy(name: "on-failure", maximumRetryCount: 0))
        for _ in 0..<20 { #expect(unlimited.next(exitCode: 1, ranFor: 0, stopped: false) != nil) }
    }

    @Test("no and an empty name never restart; always and unless-stopped restart any exit")
    func names() {
        for name in ["no", ""] {
            var manager = RestartManager(policy: RestartPolicy(name: name, maximumRetryCount: 0))
            #expect(manager.next(exitCode: 1, ranFor: 0, stopped: false) == nil)
        }
        for name in ["always", "unless-stopped"] {
            var manager = RestartManager(policy: RestartPolicy(name: name, maximumRetryCount: 0))
            #expect(manager.next(exitCode: 0, ranFor: 0, stopped: false) != nil)
            #expect(manager.next(exitCode: 137, ranFor: 0, stopped: false) != nil)
        }
    }

    @Test("a stop or kill since the start ends the restarting, whatever the policy, and is not counted")
    func stopped() {
        for name in ["always", "unless-stopped", "on-failure"] {
            var manager = RestartManager(policy: RestartPolicy(name: name, maximumRetryCount: 0))
            #expect(manager.next(exitCode: 137, ranFor: 0, stopped: true) == nil)
            #expect(manager.restartCount == 0)
        }
    }
}
