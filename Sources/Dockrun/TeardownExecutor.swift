/// The one executor of the docker commands dockrun runs to their end outside its event loop — the guardian's,
/// `--cleanup`'s and `--replace`'s: each command is run, and run again while the engine does not answer, on
/// `EngineWait`'s schedule, until it answers or the bound has passed. A teardown is run step by step through it.
/// The commands, the clock and the pause are the caller's, so every path is unit-tested without docker or time.
struct TeardownExecutor {
    /// Runs one docker command to its end.
    let execute: (DockerCommand) -> DockerAnswer
    /// How long an engine that does not answer is waited for (`--engine-wait`, `DOCKRUN_ENGINE_WAIT`).
    let engineWaitMilliseconds: Int64
    /// The monotonic clock, in milliseconds.
    let now: () -> Int64
    /// Waits so long before the engine is asked again; false when the wait was cut short (a stop signal to
    /// `dockrun --cleanup`): the engine is then not waited for any longer.
    let pause: (Int64) -> Bool
    /// Says what happens while the engine does not answer (dockrun's stderr).
    let say: (String) -> Void

    /// The engine's answer to `command`; an engine that does not answer within the bound gives its last message,
    /// prefixed with how long it was waited for.
    func answer(_ command: DockerCommand) -> DockerAnswer { answerNoting(command).answer }

    /// `answer`, and whether the engine had to be waited for (it was restarting, or away) before it answered.
    func answerNoting(_ command: DockerCommand) -> (answer: DockerAnswer, waited: Bool) {
        var wait = EngineWait(boundMilliseconds: engineWaitMilliseconds)
        var waiting = false
        while true {
            let answer = execute(command)
            guard answer.saysEngineUnreachable else {
                if waiting { say("the docker engine answers again") }
                return (answer, waiting)
            }
            switch wait.unanswered(at: now()) {
            case .retry(let delay):
                if !waiting { say("the docker engine is not answering; waiting for it") }
                waiting = true
                if pause(delay) { continue }
                let waited = now() - (wait.since ?? now())
                return (unanswered(answer, "stopped waiting for the docker engine after \(waited / 1000) s"), true)
            case .giveUp(let waited):
                return (unanswered(answer, "the docker engine did not answer for \(waited / 1000) s"), true)
            }
        }
    }

    /// Runs the teardown's steps to its outcome.
    func run(_ teardown: Teardown) -> Teardown.Outcome {
        var teardown = teardown
        var command = teardown.command
        while true {
            switch teardown.answered(answer(command)) {
            case .run(let next): command = next
            case .finished(let outcome): return outcome
            }
        }
    }

    /// Tears down a run's containers, found by its labels, as they appear: until `Leftovers.sweepDeadline` after
    /// `since` (when its client died, on the `now` clock), since the engine completes a create or start it had
    /// received after the client is gone. The listing is asked again on a backoff (100 ms to 1 s); an engine that
    /// does not answer is waited for as for any command (and that listing's time does not count toward the bound).
    func sweep(filter: String, remove: Bool, since: Int64) -> SweepResult {
        var result = SweepResult()
        var backoff = Backoff(firstMilliseconds: 100, longestMilliseconds: 1000)
        var slowestListing: Int64 = 0
        while true {
            let asked = now()
            let (listing, waited) = answerNoting(.list(filter: filter))
            // A listing that waited for the engine measured its absence and its start (a live-restore engine answers
            // its first requests only once it has restored its containers), not how long it takes under load to
            // finish a create: counted, one engine restart kept a guardian sweeping for 50 s.
            if !waited { slowestListing = max(slowestListing, now() - asked) }
            switch Leftovers.listed(listing) {
            case .failure(let failure):
                result.listingFailed = failure.message
                return result
            case .success(let listed):
                for container in listed {
                    if Leftovers.sweepTearsDown(container, remove: remove) {
                        say("container \(container.id) was created for this run; stopping it")
                        result.record(container.id, run(Teardown(target: container.id, remove: remove)))
                    } else if !result.found.contains(where: { $0.id == container.id }) {
                        result.record(container.id, .stopped(removed: false))
                    }
                }
            }
            let left = Leftovers.sweepDeadline(since: since, slowestListingMilliseconds: slowestListing) - now()
            guard left > 0, pause(min(backoff.next(), left)) else { return result }
        }
    }

    /// The engine's last message, after what the wait for it was: still an "engine unreachable" answer.
    private func unanswered(_ answer: DockerAnswer, _ wait: String) -> DockerAnswer {
        DockerAnswer(status: answer.status, output: answer.output, error: "\(wait): \(answer.firstErrorLine)\n")
    }
}

extension TeardownExecutor {
    /// The executor of the docker CLI `docker`, on the monotonic clock. `pause` defaults to a plain sleep (the
    /// guardian, and a run at its end); `--cleanup` and `--replace` give one that a stop signal cuts short.
    init(docker: String, debug: Bool, engineWaitMilliseconds: Int64,
         pause: @escaping (Int64) -> Bool = { System.sleep(milliseconds: $0); return true },
         say: @escaping (String) -> Void) {
        let call = DockerCall(docker: docker, debug: debug)
        self.init(execute: { call.run($0) }, engineWaitMilliseconds: engineWaitMilliseconds,
                  now: System.monotonicMilliseconds, pause: pause, say: say)
    }
}
