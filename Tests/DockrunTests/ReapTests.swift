import DockerSyntax
import Glibc
import ProcessSpawn
import Testing
@testable import Dockrun

/// `dockrun reap`'s decisions: which of dockrun's containers have lost their dockrun, and what their dockrun would
/// have done with them.
@Suite("dockrun reap")
struct ReapTests {
    static let boot = "0c0c48d4-104e-4270-9ca4-ca660e77f0e4"
    /// Booted at 2026-12-06T00:00:00Z, 100 ticks a second.
    static let host = Reap.Host(name: "web-1", boot: boot, bootTimeNanoseconds: 1_796_515_200 * 1_000_000_000,
                                ticksPerSecond: 100)

    /// A container of dockrun 4242 on web-1, started 5000 ticks (50 s) after the boot, at 00:00:50.
    static func container(state: String = "running", remove: String? = "true", identity: Bool = true,
                          host: String = "web-1", started: String = "2026-12-06T00:00:50Z",
                          guardian: Bool = false) -> Reap.Container {
        var labels = [RunLabelKey.run: "00000000000000ff", RunLabelKey.pid: "4242", RunLabelKey.host: host,
                      RunLabelKey.started: started]
        if identity { (labels[RunLabelKey.pidStart], labels[RunLabelKey.boot]) = ("5000", boot) }
        // Its guardian: PID 4243, started the tick after.
        if guardian { (labels[RunLabelKey.guardianPID], labels[RunLabelKey.guardianStart]) = ("4243", "5001") }
        if let remove { labels[RunLabelKey.remove] = remove }
        return Reap.Container(id: String(repeating: "ab", count: 32), state: state, name: "web", labels: labels)
    }

    // MARK: Whether the dockrun lives

    @Test("a dockrun whose PID is the process that started at its tick in this boot lives: its container is kept")
    func lives() {
        #expect(Reap.decide(Self.container(), host: Self.host, process: .started(ticks: 5000)) == .keep(.dockrunLives))
    }

    @Test("no process with the dockrun's PID: it is gone")
    func deadPID() {
        #expect(Reap.decide(Self.container(), host: Self.host, process: .absent) == .remove(.noProcess))
    }

    @Test("the PID is a process started at another tick: recycled, the dockrun is gone", arguments: [4999, 5001, 90_000])
    func recycledPID(ticks: UInt64) {
        #expect(Reap.decide(Self.container(), host: Self.host, process: .started(ticks: ticks)) == .remove(.recycled))
    }

    @Test("a dockrun of another boot is gone, whatever process has its PID now")
    func otherBoot() {
        let host = Reap.Host(name: "web-1", boot: "11111111-2222-3333-4444-555555555555",
                             bootTimeNanoseconds: Self.host.bootTimeNanoseconds, ticksPerSecond: 100)
        for process in [Reap.Process.started(ticks: 5000), .absent, .unknown] {
            #expect(Reap.decide(Self.container(), host: host, process: process) == .remove(.otherBoot))
        }
    }

    @Test("a PID whose start time cannot be read (another user's, under hidepid) is kept: in doubt")
    func unknownProcess() {
        #expect(Reap.decide(Self.container(), host: Self.host, process: .unknown) == .keep(.inDoubt))
        #expect(Reap.decide(Self.container(identity: false), host: Self.host, process: .unknown) == .keep(.inDoubt))
    }

    @Test("a container of a dockrun on another host is never touched, even with no such process here")
    func otherHost() {
        #expect(Reap.decide(Self.container(host: "web-2"), host: Self.host, process: .absent) == .keep(.otherHost))
    }

    @Test("a container without dockrun's PID or host label is not dockrun's: kept", arguments: [
        [RunLabelKey.started: "2026-12-06T00:00:50Z"],
        [RunLabelKey.pid: "4242"],
        [RunLabelKey.host: "web-1"],
        [RunLabelKey.pid: "x", RunLabelKey.host: "web-1"],
        [RunLabelKey.pid: "0", RunLabelKey.host: "web-1"],
        [RunLabelKey.pid: "-1", RunLabelKey.host: "web-1"],
    ])
    func notDockrun(labels: [String: String]) {
        let container = Reap.Container(id: "ab", state: "running", name: "other", labels: labels)
        #expect(Reap.decide(container, host: Self.host, process: .absent) == .keep(.notDockrun))
    }

    @Test("an older dockrun's labels (no identity): it lives when its PID's process started no later than its label")
    func oldLabelsLive() {
        let old = Self.container(identity: false)
        // 50 s after the boot is 00:00:50, the label's second; the next second is the slack.
        for ticks: UInt64 in [100, 5000, 5099, 5199] {
            #expect(Reap.decide(old, host: Self.host, process: .started(ticks: ticks)) == .keep(.dockrunLives), "\(ticks)")
        }
    }

    @Test("an older dockrun's labels: a process started after its label has its PID (recycled); no process: gone")
    func oldLabelsGone() {
        let old = Self.container(identity: false)
        for ticks: UInt64 in [5200, 9000] {
            #expect(Reap.decide(old, host: Self.host, process: .started(ticks: ticks)) == .remove(.recycled), "\(ticks)")
        }
        #expect(Reap.decide(old, host: Self.host, process: .absent) == .remove(.noProcess))
    }

    @Test("an older dockrun's label that cannot be read is kept: in doubt")
    func oldLabelUnreadable() {
        let old = Self.container(identity: false, started: "yesterday")
        #expect(Reap.decide(old, host: Self.host, process: .started(ticks: 9000)) == .keep(.inDoubt))
    }

    @Test("when this host's boot ID cannot be read, the identity labels give way to the start time")
    func noBootID() {
        let host = Reap.Host(name: "web-1", boot: nil, bootTimeNanoseconds: Self.host.bootTimeNanoseconds,
                             ticksPerSecond: 100)
        #expect(Reap.decide(Self.container(), host: host, process: .started(ticks: 5000)) == .keep(.dockrunLives))
        #expect(Reap.decide(Self.container(), host: host, process: .started(ticks: 9000)) == .remove(.recycled))
    }

    @Test("a gone dockrun's guardian that lives (same boot, same start tick) is at work: the container is its own")
    func guardianAtWork() {
        let guarded = Self.container(guardian: true)
        #expect(Reap.decide(guarded, host: Self.host, process: .absent, guardian: .started(ticks: 5001))
                    == .keep(.guardianAtWork))
        #expect(Reap.decide(guarded, host: Self.host, process: .started(ticks: 7), guardian: .started(ticks: 5001))
                    == .keep(.guardianAtWork))
        #expect(Reap.decide(guarded, host: Self.host, process: .absent, guardian: .unknown) == .keep(.inDoubt))
    }

    @Test("a guardian that is gone too, or whose PID is a later process's, leaves the container to reap")
    func guardianGone() {
        let guarded = Self.container(guardian: true)
        for guardian in [Reap.Process.absent, .started(ticks: 5002)] {
            #expect(Reap.decide(guarded, host: Self.host, process: .absent, guardian: guardian) == .remove(.noProcess))
        }
        let otherBoot = Reap.Host(name: "web-1", boot: "11111111-2222-3333-4444-555555555555",
                                  bootTimeNanoseconds: Self.host.bootTimeNanoseconds, ticksPerSecond: 100)
        #expect(Reap.decide(guarded, host: otherBoot, process: .absent, guardian: .started(ticks: 5001))
                    == .remove(.otherBoot))
        // Without the guardian's labels, what has its PID does not count.
        #expect(Reap.decide(Self.container(), host: Self.host, process: .absent, guardian: .started(ticks: 5001))
                    == .remove(.noProcess))
    }

    // MARK: What the dockrun would have done

    @Test("with --rm the container is stopped and removed, whatever its state",
          arguments: ["running", "created", "paused", "restarting", "exited", "dead"])
    func withRemove(state: String) {
        #expect(Reap.decide(Self.container(state: state), host: Self.host, process: .absent) == .remove(.noProcess))
    }

    @Test("without --rm one that runs is stopped and kept", arguments: ["running", "paused", "restarting"])
    func withoutRemoveRunning(state: String) {
        #expect(Reap.decide(Self.container(state: state, remove: "false"), host: Self.host, process: .absent)
                    == .stop(.noProcess))
    }

    @Test("without --rm one created, or ended, is left as the run leaves it", arguments: ["created", "exited", "dead"])
    func withoutRemoveOver(state: String) {
        #expect(Reap.decide(Self.container(state: state, remove: "false"), host: Self.host, process: .absent)
                    == .keep(.runOver))
    }

    @Test("an older dockrun's container (no remove label) counts as without --rm: never removed")
    func noRemoveLabel() {
        #expect(Reap.decide(Self.container(remove: nil), host: Self.host, process: .absent) == .stop(.noProcess))
        #expect(Reap.decide(Self.container(state: "exited", remove: nil), host: Self.host, process: .absent)
                    == .keep(.runOver))
        #expect(Reap.decide(Self.container(remove: "yes"), host: Self.host, process: .absent) == .stop(.noProcess))
    }

    @Test("the decision's teardown is the run's: by full ID, removing only with --rm")
    func teardowns() {
        let container = Self.container()
        #expect(Reap.Decision.remove(.noProcess).teardown(of: container) == Teardown(target: container.id, remove: true))
        #expect(Reap.Decision.stop(.recycled).teardown(of: container) == Teardown(target: container.id, remove: false))
        #expect(Reap.Decision.keep(.dockrunLives).teardown(of: container) == nil)
    }

    // MARK: What is said

    @Test("one line per container torn down: what was done, which container, whose dockrun, why")
    func lines() {
        let container = Self.container()
        #expect(Reap.line(container, .remove(.noProcess), outcome: .stopped(removed: true))
                    == "removed web (abababababab) of dockrun 4242, gone\n")
        #expect(Reap.line(container, .stop(.recycled), outcome: .stopped(removed: false))
                    == "stopped web (abababababab) of dockrun 4242, gone (its PID is a later process's)\n")
        #expect(Reap.line(container, .remove(.otherBoot), outcome: nil)
                    == "would remove web (abababababab) of dockrun 4242, gone (it ran before this boot)\n")
        #expect(Reap.line(container, .stop(.noProcess), outcome: nil)
                    == "would stop web (abababababab) of dockrun 4242, gone\n")
    }

    @Test("nothing is said of a container kept, already gone, or whose teardown failed (stderr says that)")
    func silentLines() {
        let container = Self.container()
        #expect(Reap.line(container, .keep(.dockrunLives), outcome: nil) == nil)
        #expect(Reap.line(container, .remove(.noProcess), outcome: .absent) == nil)
        #expect(Reap.line(container, .remove(.noProcess), outcome: .failed("no")) == nil)
    }

    // MARK: Arguments

    @Test("reap's arguments: --dry-run, --filter (repeated, also --filter=), --engine-wait")
    func parse() throws {
        #expect(try Reap.parse([]) == Reap.Options())
        #expect(try Reap.parse(["--dry-run", "--filter", "label=a=b", "--filter", "label=c", "--filter=name=web=x",
                                "--engine-wait=2.5"])
                    == Reap.Options(dryRun: true, filters: ["label=a=b", "label=c", "name=web=x"],
                                    engineWaitMilliseconds: 2500))
        #expect(try Reap.parse(["--engine-wait", "0"]).engineWaitMilliseconds == 0)
    }

    @Test("a bad argument to reap is one message and 125", arguments: [
        (["web"], #"reap: unexpected argument "web": expected --dry-run, --filter FILTER or --engine-wait SECONDS"#),
        (["--dry-run=yes"], #"reap: unexpected argument "--dry-run=yes": expected --dry-run, --filter FILTER or --engine-wait SECONDS"#),
        (["--filter"], "reap: flag needs an argument: --filter"),
        // reap takes no arguments, so no `--` to end options before them.
        (["--"], #"reap: unexpected argument "--": expected --dry-run, --filter FILTER or --engine-wait SECONDS"#),
        (["--dry-run", "--", "web"], #"reap: unexpected argument "--": expected --dry-run, --filter FILTER or --engine-wait SECONDS"#),
        // Not docker ps's -f: docker's prune commands read -f as --force.
        (["-f", "label=c"], #"reap: unexpected argument "-f": expected --dry-run, --filter FILTER or --engine-wait SECONDS"#),
        (["--engine-wait", "soon"], #"reap: invalid argument "soon" for "--engine-wait" flag: expected a number of seconds"#),
    ])
    func badArguments(arguments: [String], message: String) {
        #expect(throws: Reap.Failure.self) { try Reap.parse(arguments) }
        do { _ = try Reap.parse(arguments) } catch {
            #expect(error.message == message)
            #expect(error.exitCode == 125)
        }
    }

    // MARK: The listing

    @Test("the listing asks for every container with dockrun's run label and the filters, with ID, state, name, labels")
    func listCommand() {
        #expect(Reap.list(filters: ["label=t=1"]).arguments == [
            "ps", "-a", "--no-trunc", "--filter", "label=io.dockrun.run", "--filter", "label=t=1", "--format",
            #"{{.ID}}\#t{{.State}}\#t{{.Names}}\#t{{.Label "io.dockrun.run"}}\#t{{.Label "io.dockrun.pid"}}\#t{{.Label "io.dockrun.pid-start"}}\#t"#
                + #"{{.Label "io.dockrun.boot"}}\#t{{.Label "io.dockrun.host"}}\#t{{.Label "io.dockrun.started"}}\#t"#
                + #"{{.Label "io.dockrun.remove"}}\#t{{.Label "io.dockrun.guardian-pid"}}\#t"#
                + #"{{.Label "io.dockrun.guardian-start"}}"#,
        ])
    }

    @Test("a listing's lines become containers; a label it lacks is absent; a line of another shape is left out")
    func listed() throws {
        let output = "aa\trunning\tweb\t00000000000000ff\t4242\t5000\t\(Self.boot)\tweb-1\t2026-12-06T00:00:50Z\ttrue\t\t\n"
            + "bb\texited\told\t\t7\t\t\th\t2026-01-01T00:00:00Z\t\t\t\n"
            + "cc\trunning\ttabbed\t7\tx\ty\tz\n"
        let containers = try Reap.listed(DockerAnswer(status: .exited(0), output: output)).get()
        #expect(containers == [
            Self.container(state: "running").relabelled(id: "aa"),
            Reap.Container(id: "bb", state: "exited", name: "old",
                           labels: [RunLabelKey.pid: "7", RunLabelKey.host: "h", RunLabelKey.started: "2026-01-01T00:00:00Z"]),
        ])
    }

    @Test("the run's private directory goes once its dockrun is gone and the teardown is done, never while it lives")
    func privateDirectory() {
        #expect(Reap.Decision.remove(.noProcess).clearsPrivateDirectory)
        #expect(Reap.Decision.stop(.recycled).clearsPrivateDirectory)
        #expect(Reap.Decision.keep(.runOver).clearsPrivateDirectory)
        for keep in [Reap.Keep.dockrunLives, .guardianAtWork, .inDoubt, .otherHost, .notDockrun] {
            #expect(!Reap.Decision.keep(keep).clearsPrivateDirectory, "\(keep)")
        }
        #expect(Self.container().run == "00000000000000ff")
        // Only a run ID names a directory: never a path.
        for label in ["../../etc", "00000000000000f", "0000000000000/ff", ""] {
            #expect(Reap.Container(id: "a", state: "running", name: "n", labels: [RunLabelKey.run: label]).run == nil)
        }
    }

    @Test("a failed listing is said, never taken for nothing to reap")
    func listingFailed() {
        let answer = DockerAnswer(status: .exited(1), error: "Cannot connect to the Docker daemon\n")
        #expect(Reap.listed(answer) == .failure(.listingFailed("Cannot connect to the Docker daemon")))
        #expect(Reap.Failure.listingFailed("x").message == "reap: cannot list containers: x")
    }

    // MARK: The labels that make it exact

    @Test("a run's labels carry dockrun's identity, --rm and the guardian's identity, after the four others")
    func runLabels() {
        let labels = RunLabels(run: "00000000000000ff", pid: 7, host: "h", started: "2026-11-29T00:00:00Z",
                               identity: ProcessIdentity(boot: Self.boot, startTicks: 5000), remove: true)
        let first = [
            "--label", "io.dockrun.run=00000000000000ff", "--label", "io.dockrun.pid=7", "--label", "io.dockrun.host=h",
            "--label", "io.dockrun.started=2026-11-29T00:00:00Z", "--label", "io.dockrun.pid-start=5000",
            "--label", "io.dockrun.boot=\(Self.boot)", "--label", "io.dockrun.remove=true",
        ]
        #expect(labels.options == first)
        #expect(labels.guarded(by: 8, startTicks: 5001).options
                    == first + ["--label", "io.dockrun.guardian-pid=8", "--label", "io.dockrun.guardian-start=5001"])
        #expect(labels.guarded(by: 8, startTicks: 5001).filter == labels.filter)
    }

    @Test("the start time is field 22 of /proc/PID/stat, counted after the last ')' of a command that may hold any")
    func startTicks() {
        let fields = (4...52).map { $0 == 22 ? "777" : "\($0)" }.joined(separator: " ")
        #expect(ProcessIdentity.stat("1234 (dockrun) S \(fields)\n") == .living(startTicks: 777))
        #expect(ProcessIdentity.stat("1234 (a) (b) 9 9) R \(fields)\n") == .living(startTicks: 777))
        #expect(ProcessIdentity.stat("1234 (dockrun) S 1 2") == nil)
        #expect(ProcessIdentity.stat("1234 (dockrun) S \(fields.replacingOccurrences(of: "777", with: "x"))") == nil)
        #expect(ProcessIdentity.stat("") == nil)
    }

    @Test("a process that has ended and waits to be reaped (a zombie) has ended, whatever its /proc entry still says",
          arguments: ["Z", "X"])
    func zombie(state: String) {
        let fields = (4...52).map { $0 == 22 ? "777" : "\($0)" }.joined(separator: " ")
        #expect(ProcessIdentity.stat("1234 (dockrun) \(state) \(fields)\n") == .ended)
    }

    @Test("this process's own start time reads from /proc, and its boot ID")
    func ownIdentity() {
        let identity = System.processIdentity(getpid())
        #expect(identity != nil)
        #expect(identity?.boot == System.bootID())
        #expect(System.processExists(getpid()))
    }

    @Test("a child that has exited and is not yet reaped reads as ended, and exists no more once reaped")
    func realZombie() throws {
        let pid = try spawnProcess("sh", argv: ["sh", "-c", "exit 0"], SpawnOptions())
        // Waits for the exit without reaping (WNOWAIT): the child is a zombie from here until the reap below.
        var info = siginfo_t()
        #expect(waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0)
        #expect(System.processStat(pid) == .ended)
        #expect(System.processIdentity(pid) == nil)
        _ = ExitStatus(reaping: pid)
        #expect(System.processStat(pid) == nil)
        #expect(!System.processExists(pid))
    }

    @Test("the boot ID file's line is the boot ID; anything else is none")
    func bootID() {
        #expect(ProcessIdentity.boot(bootIDFile: Self.boot + "\n") == Self.boot)
        #expect(ProcessIdentity.boot(bootIDFile: "") == nil)
        #expect(ProcessIdentity.boot(bootIDFile: "not a boot id\n") == nil)
    }

    @Test("the started label reads back as the second it names; other text does not", arguments: [
        ("2026-12-06T00:00:50Z", Int64?.some(1_796_515_250)),
        ("1970-01-01T00:00:00Z", 0),
        ("2026-12-06T00:00:50.5Z", nil), ("2026-12-06 00:00:50Z", nil), ("2026-13-06T00:00:50Z", nil),
        ("2026-12-06T00:00:5xZ", nil), ("", nil),
    ])
    func startedLabel(text: String, seconds: Int64?) {
        #expect(LogTime(rfc3339Seconds: text).map { $0.nanoseconds / 1_000_000_000 } == seconds)
        if let seconds { #expect(LogTime(seconds: seconds).rfc3339Seconds == text) }
    }
}

private extension Reap.Container {
    func relabelled(id: String) -> Reap.Container { Reap.Container(id: id, state: state, name: name, labels: labels) }
}
