import CProcess
import Glibc
import ProcessSpawn

/// The guardian: a small process that makes sure a container outlives no dockrun. dockrun starts it before the
/// client, in a session of its own (a supervisor's `kill -KILL -PGID` does not reach it) with TERM, INT and HUP
/// ignored (a control group's TERM to every process leaves it to see how dockrun's own stop ends), and tells it
/// over a pipe what it learns (`GuardianBriefing`). The guardian blocks on that pipe — it never polls — and when
/// the pipe closes:
/// - after dockrun said it finished, it exits at once;
/// - otherwise dockrun died without cleaning up (SIGKILL), and the guardian does what dockrun would have done:
///   stops the container it knew of (`docker stop`, then kill), removes it with `--rm` (unless a commit of it may
///   still be running), then for 5 s (or ten times its slowest listing) tears down whatever else carries the run's
///   label (a create or start the dead client had asked for still lands), deletes dockrun's private directory, and
///   exits. An engine that does not answer is waited for as dockrun would (`--engine-wait`).
/// It dies with everything else when a whole control group is SIGKILLed; `dockrun --cleanup` is for that case.
enum Guardian {
    /// The hidden first argument that makes dockrun a guardian: never a valid image reference, never an option.
    static let argument = "__guardian"
    static let ignoredSignals = [SIGINT, SIGHUP, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE]

    /// The guardian process's whole life. Its stdin is dockrun's pipe; its stdout /dev/null; its stderr dockrun's.
    /// Its argument is dockrun's PID: a dockrun killed before the guardian first ran has already left it to PID 1,
    /// so `getppid()` is only the fallback.
    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        let dockrunPID = arguments.first.flatMap { pid_t($0) } ?? getppid()
        // dockrun's pipes are non-blocking on its side; the guardian's read must block.
        System.setBlocking(0)
        var briefing = GuardianBriefing()
        var clientPidfd: Int32 = -1
        var pending: [UInt8] = []
        while System.readBlocking(0, appendingTo: &pending) {
            let (records, consumed) = GuardianBriefing.decode(pending[...])
            pending.removeFirst(consumed)
            for record in records {
                briefing.apply(record)
                // Opened while dockrun is alive and has not reaped the client, so the PID is the client's.
                if case .client(let pid) = record, clientPidfd < 0 { clientPidfd = System.openPidfd(pid) }
            }
        }
        if briefing.finished { return 0 }
        takeOver(briefing, dockrunPID: dockrunPID, client: clientPidfd >= 0 ? clientPidfd : nil)
        return 0
    }

    /// dockrun died without cleaning up: the guardian tears down the container dockrun knew of, as dockrun would
    /// (`Teardown`, waiting through an engine that does not answer), then sweeps the run's label for what the client
    /// had asked for before it died — a create, or a start of the container just stopped — and deletes what dockrun
    /// would have (`Leftovers`).
    private static func takeOver(_ briefing: GuardianBriefing, dockrunPID: pid_t, client: Int32?) {
        let executor = TeardownExecutor(docker: briefing.docker, debug: System.debugging,
                                        engineWaitMilliseconds: briefing.engineWaitMilliseconds, say: message)
        // The client dies with dockrun (PR_SET_PDEATHSIG); this only waits for its end, so that nothing more is asked.
        if let client { System.killAndAwait(pidfd: client) }
        var outcomes: [Teardown.Outcome] = []
        if let known = briefing.container {
            message("dockrun (pid \(dockrunPID)) ended before its container; stopping container \(known.value)")
            let outcome = executor.run(Teardown(target: known.value, remove: briefing.mayRemove))
            report(known.value, outcome, briefing: briefing)
            outcomes.append(outcome)
        } else {
            message("dockrun (pid \(dockrunPID)) ended before its container was known; looking for it by the run's label")
        }
        var searchFailed = false
        if let filter = briefing.filter {
            let swept = executor.sweep(filter: filter, remove: briefing.mayRemove, since: System.monotonicMilliseconds())
            if let failure = swept.listingFailed {
                searchFailed = true
                message("could not list the containers of dockrun (pid \(dockrunPID)): \(failure)")
            }
            for found in swept.found where found.id != briefing.container?.value {
                report(found.id, found.outcome, briefing: briefing)
            }
            outcomes += swept.outcomes
        }
        if let directory = briefing.directory { System.removePrivateDirectory(directory) }
        if let user = briefing.userCidfile,
           Leftovers.deletesCidfile(.run(remove: briefing.remove),
                                    namesContainer: System.readSmallFile(user).flatMap(ContainerID.init(cidfileContents:)) != nil,
                                    outcomes: outcomes, searchFailed: searchFailed) {
            System.removeFile(user)
        }
    }

    private static func report(_ target: String, _ outcome: Teardown.Outcome, briefing: GuardianBriefing) {
        switch outcome {
        case .absent: break
        case .stopped(let removed):
            if briefing.remove && !removed { message("a commit of container \(target) was under way; container kept") }
        case .failed(let text):
            message("could not stop or remove container \(target): \(text)")
        }
    }

    private static func message(_ text: String) { System.write(2, "dockrun: guardian: \(text)\n") }
}

/// dockrun's end of the guardian: it starts the guardian, tells it what dockrun learns, and lets it go at the end.
struct GuardianLink {
    let child: System.Child
    let pipe: Int32

    /// Starts the guardian with the first records of its briefing; throws if it cannot be started (the event loop
    /// then goes on unguarded, with a warning).
    static func start(_ records: [GuardianBriefing.Record]) throws(System.Failure) -> GuardianLink {
        let pipe = try System.pipe()
        defer { close(pipe.read) }
        let child: System.Child
        do {
            var options = SpawnOptions()
            options.stdin = pipe.read
            let stdout = try System.openDevNull(O_WRONLY)
            defer { close(stdout) }
            options.stdout = stdout
            options.newSession = true
            options.ignoredSignals = Guardian.ignoredSignals
            child = try System.spawn(System.ownExecutable(), [Guardian.argument, String(getpid())], options)
        } catch {
            // Neither the pipe's write end nor /dev/null outlives a failed start.
            close(pipe.write)
            throw error
        }
        let link = GuardianLink(child: child, pipe: pipe.write)
        for record in records { link.tell(record) }
        return link
    }

    /// A lost record only matters if dockrun is killed later; a guardian that died cannot be told anything.
    func tell(_ record: GuardianBriefing.Record) {
        let bytes = GuardianBriefing.encode(record)
        _ = bytes.withUnsafeBytes { Glibc.write(pipe, $0.baseAddress, $0.count) }
    }

    /// dockrun has cleaned up: the guardian is told so, ends, and is reaped; one that does not end within a second
    /// is killed, so dockrun neither waits without a bound nor leaves it behind.
    func release() {
        tell(.finished)
        close(pipe)
        if System.poll([child.pidfd], timeoutMilliseconds: 1000) == [false] { System.kill(child) }
        _ = System.reap(child)
        close(child.pidfd)
    }
}
