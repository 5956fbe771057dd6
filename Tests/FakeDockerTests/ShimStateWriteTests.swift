import Foundation
import Testing
@testable import FakeDocker

/// The shim's writes to the state file can fail (a full disk, a broken file); each failure reaches the
/// client instead of being dropped. A trigger the test adds to the state file makes one write fail with
/// SQLite's own error path.
@Suite("Failed shim writes")
struct ShimStateWriteTests {
    /// Runs `run --name unrecorded` with `args` in `sim` (busybox imported) where every UPDATE that would set a
    /// container's status to `status` fails with "disk full (simulated)"; the result and the container's ID.
    func run(_ args: [String], refusing status: ContainerStatus, in sim: Simulator) throws -> (Outcome, id: String) {
        try sim.importBusybox()
        try Database(path: sim.state).execute("""
            CREATE TRIGGER refuse_\(status.rawValue) BEFORE UPDATE OF status ON containers
            WHEN NEW.status = '\(status.rawValue)' BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;
            """)
        let run = try sim.run(["run", "--name", "unrecorded", "dockrun-test/busybox"] + args)
        // Read from the file: a command would first try to record the exit the trigger refuses, and fail.
        let id = try Database(path: sim.state).firstRow("SELECT id FROM containers WHERE name = 'unrecorded'", []) {
            $0.text("id")
        }
        return (run, id ?? "")
    }

    /// The PIDs of host processes whose argv is exactly `argv`.
    func processes(running argv: [String]) -> [Int32] {
        let wanted = Data((argv.joined(separator: "\0") + "\0").utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { FileManager.default.contents(atPath: "/proc/\($0)/cmdline") == wanted }
    }

    @Test("A start the shim cannot record as running fails with the error, and the process is killed")
    func unrecordedStart() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        // A sleep no other test runs, short enough that a shim which let it run would not stall the suite long.
        let (run, id) = try run(["sleep", "27"], refusing: .running, in: sim)
        #expect(run.code == 125)
        #expect(run.err == "docker: Error response from daemon: cannot record container \(id) as running: disk full (simulated)\n\nRun 'docker run --help' for more information\n")
        #expect(run.out.isEmpty)
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}", "unrecorded"]).out
                == "created 128 cannot record the container as running: disk full (simulated)\n",
                "a failed start that is not 126/127 is recorded as 128, as the engine records it")
        #expect(processes(running: ["sleep", "27"]).isEmpty, "the container's process must not run on unrecorded")
    }

    @Test("An exit the shim cannot record reaches the attached client as exit 125 with the error")
    func unrecordedExit() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let (run, id) = try run(["sh", "-c", "echo out; exit 3"], refusing: .exited, in: sim)
        #expect(run.code == 125)
        #expect(run.out == "out\n")
        #expect(run.err == "Error response from daemon: cannot record the exit of container \(id): disk full (simulated)\n")
    }

    @Test("A failed start the shim cannot record is reported with the start's own error")
    func unrecordedFailedStart() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let (run, id) = try run(["no-such-program"], refusing: .created, in: sim)
        #expect(run.code == 127)
        #expect(run.err == """
            docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "no-such-program": executable file not found in $PATH: unknown
            Error response from daemon: cannot record the failed start of container \(id): disk full (simulated)

            Run 'docker run --help' for more information

            """)
    }
}
