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
    func answer(_ command: DockerCommand) -> DockerAnswer {
        var wait = EngineWait(boundMilliseconds: engineWaitMilliseconds)
        var waiting = false
        while true {
            let answer = execute(command)
            guard answer.saysEngineUnreachable else {
                if waiting { say("the docker engine answers again") }
                return answer
            }
            switch wait.unanswered(at: now()) {
            case .retry(let delay):
                if !waiting { say("the docker engine is not answering; waiting for it") }
                waiting = true
                if pause(delay) { continue }
                let waited = now() - (wait.since ?? now())
                return unanswered(answer, "stopped waiting for the docker engine after \(waited / 1000) s")
            case .giveUp(let waited):
                return unanswered(answer, "the docker engine did not answer for \(waited / 1000) s")
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

    /// The engine's last message, after what the wait for it was: still an "engine unreachable" answer.
    private func unanswered(_ answer: DockerAnswer, _ wait: String) -> DockerAnswer {
        DockerAnswer(status: answer.status, output: answer.output, error: "\(wait): \(answer.firstErrorLine)\n")
    }
}
