import Foundation
import ProcessSpawn

/// One run of a scenario: the world set up on `engine`, dockrun started in a process group of its own
/// (as a supervisor starts a service) with the invocation's arguments, environment and stdin, the events
/// applied as their triggers happen, and the outcome read and normalised once dockrun and everything
/// holding its output (its guardian) have ended.
struct ScenarioRun {
    let engine: any ScenarioEngine
    let dockrun: String
    let testImage: TestImageSource

    /// How long dockrun may run before it is killed (a hung dockrun is a difference, not a hang), and how
    /// long its output may stay open after it exits (a leaked container's process may hold it for ever).
    static let runLimit = 120.0
    static let outputLimit = 20.0

    func run(world: Scenario.World, invocation: Scenario.Invocation) throws(ScenarioFailure) -> Scenario.Outcome {
        var dockrunPID: pid_t?
        defer { engine.cleanUp(dockrunPID: dockrunPID, arguments: invocation.arguments, world: world) }
        try engine.setUp(world, testImage: testImage)
        let arguments = invocation.arguments.map(expand)
        var environment = engine.environment
        environment["TMPDIR"] = engine.tmpDirectory
        environment["DOCKRUN_DOCKER"] = engine.dockrunDocker
        for variable in invocation.environment { environment[variable.name] = expand(variable.value) }
        let process: CapturedProcess
        do {
            process = try CapturedProcess([dockrun] + arguments, environment: environment, stdin: invocation.stdin,
                                          ownGroup: true, workingDirectory: engine.workDirectory,
                                          limits: CaptureLimits(killAfter: Self.runLimit, outputAfterExit: Self.outputLimit))
        } catch {
            throw ScenarioFailure(message: "fake-docker: cannot run \(dockrun): \(error.text)")
        }
        dockrunPID = process.pid
        let fired = try EventDriver(process: process, engine: engine).apply(invocation.events)
        let ended = process.finish()
        return try outcome(of: ended, eventsFired: fired, pid: process.pid, world: world, arguments: invocation.arguments)
    }

    /// `${TMPDIR}` is the run's TMPDIR (a user's `--cidfile ${TMPDIR}/app.cid`).
    private func expand(_ word: String) -> String {
        word.replacingOccurrences(of: "${TMPDIR}", with: engine.tmpDirectory)
    }

    private func outcome(of ended: CapturedOutput, eventsFired: Int, pid: pid_t,
                         world: Scenario.World, arguments: [String]) throws(ScenarioFailure) -> Scenario.Outcome {
        let calls = engine.calls()
        try engine.disarmFaults()
        let containers = try engine.leftContainers(startedBy: pid)
        let images = try engine.leftImages(world: world, arguments: arguments)
        let files = engine.leftFiles()
        let stdout = String(decoding: ended.stdout, as: UTF8.self), stderr = String(decoding: ended.stderr, as: UTF8.self)
        var normaliser = OutcomeNormaliser(
            tmpDirectory: engine.tmpDirectory, dockerCLI: engine.dockrunDocker,
            corpus: [stdout, stderr] + calls.flatMap { $0 } + containers.map(\.name) + files.compactMap(\.content))
        let normalisedStdout = normaliser.bytes(ended.stdout), normalisedStderr = normaliser.bytes(ended.stderr)
        let normalisedCalls = calls.map { OutcomeNormaliser.call($0).map { normaliser.text($0) } }
        let named = Set(world.containers.map(\.name))
        let normalisedContainers = containers.map { c in
            var c = c
            c.name = OutcomeNormaliser.containerName(c.name, world: named, arguments: arguments)
            c.image = normaliser.text(c.image)
            return c
        }.sorted()
        let normalisedFiles = files.map { file in
            Scenario.Outcome.File(path: String(normaliser.text("<TMPDIR>/" + file.path).dropFirst("<TMPDIR>/".count)),
                                  content: file.content.map { normaliser.text($0) })
        }.sorted { $0.path < $1.path }
        return Scenario.Outcome(status: ended.status, eventsFired: eventsFired, stdout: normalisedStdout, stderr: normalisedStderr,
                                calls: normalisedCalls, containers: normalisedContainers, images: images, files: normalisedFiles)
    }
}

/// Applies a scenario's events in order: each waits for its trigger to happen after the previous one
/// fired, then its delay, then acts. It stops at the first trigger that has not come when dockrun ends.
struct EventDriver {
    let process: CapturedProcess
    let engine: any ScenarioEngine

    /// Returns how many events fired.
    func apply(_ events: [ScenarioEvent]) throws(ScenarioFailure) -> Int {
        for (index, event) in events.enumerated() {
            let callsBefore = engine.calls().count
            let deadline = Date() + ScenarioRun.runLimit
            var seen = process.changeCount
            while !happened(event.trigger, callsBefore: callsBefore) {
                if process.status != nil || Date() > deadline { return index }
                // dockrun's output and its exit wake this at once; what only the engine knows (its containers, its
                // calls) is looked at again after at most the engine's interval.
                let wake = event.trigger.isOutput ? deadline : Date() + engine.lookInterval(for: event.trigger)
                seen = process.waitForChange(after: seen, until: wake)
            }
            if event.delayMS > 0 { usleep(UInt32(event.delayMS) * 1000) }
            switch event.action {
            case .signal(let signal): kill(process.pid, signal)
            case .groupSignal(let signal): kill(-process.pid, signal)
            case .restart(let down, let liveRestore): try engine.restart(down: down, liveRestore: liveRestore)
            }
        }
        return events.count
    }

    private func happened(_ trigger: ScenarioEvent.Trigger, callsBefore: Int) -> Bool {
        switch trigger {
        case .start: return true
        case .created: return !engine.containerStates(startedBy: process.pid).isEmpty
        case .running: return engine.containerStates(startedBy: process.pid).contains("running")
        case .stdout(let text): return String(decoding: process.stdout, as: UTF8.self).contains(text)
        case .stderr(let text): return String(decoding: process.stderr, as: UTF8.self).contains(text)
        case .call(let command): return engine.calls().dropFirst(callsBefore).contains { $0.first == command }
        }
    }
}
