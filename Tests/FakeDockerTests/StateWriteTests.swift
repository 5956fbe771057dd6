import Foundation
import Testing
@testable import FakeDocker

/// The commands' own writes to the state file (a reconcile of a container whose shim is gone, the
/// engine-down flag) can fail; each failure is said and fails the command instead of being dropped. A trigger
/// the test adds to the state file makes the write fail through SQLite's own error path, as in
/// ShimStateWriteTests.
@Suite("Failed state writes of the commands")
struct StateWriteTests {
    static let refusal = "disk full (simulated)"

    /// Makes every write `when` describes fail (`event`: e.g. `UPDATE OF status ON containers`).
    func refuse(_ name: String, _ event: String, when condition: String, in sim: Simulator) throws {
        try Database(path: sim.state).execute("""
            CREATE TRIGGER \(name) BEFORE \(event) WHEN \(condition) BEGIN SELECT RAISE(ABORT, '\(Self.refusal)'); END;
            """)
    }

    func allow(_ name: String, in sim: Simulator) throws {
        try Database(path: sim.state).execute("DROP TRIGGER \(name)")
    }

    /// A container recorded as running whose shim is gone (its PID now names another process, the test's
    /// own, with another start time), so that the next reader must record its exit; its ID.
    func containerWithLostShim(_ sim: Simulator) throws -> String {
        try sim.importBusybox()
        let created = try sim.run(["create", "--name", "lost", "dockrun-test/busybox", "true"])
        #expect(created.code == 0, "\(created.err)")
        let id = created.out.trimmingCharacters(in: .whitespacesAndNewlines)
        try Database(path: sim.state).execute("""
            UPDATE containers SET status = 'running', shim_pid = \(getpid()), shim_start = -1 WHERE id = '\(id)';
            """)
        return id
    }

    @Test("ps fails with the error when it cannot record the exit of a container whose shim is gone")
    func psReconcile() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let id = try containerWithLostShim(sim)
        try refuse("refuse_exited", "UPDATE OF status ON containers", when: "NEW.status = 'exited'", in: sim)
        let ps = try sim.run(["ps"])
        #expect(ps.code == 1)
        #expect(ps.out.isEmpty)
        #expect(ps.err == "Error response from daemon: cannot record the exit of container \(id): \(Self.refusal)\n")
        // The same listing records the exit once the state takes it: the failure was the write's.
        try allow("refuse_exited", in: sim)
        #expect(try sim.run(["ps", "-a", "--format", "{{.Names}} {{.State}}"]).out == "lost exited\n")
    }

    @Test("inspect says the error for the container whose exit it cannot record, and fails")
    func inspectReconcile() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let id = try containerWithLostShim(sim)
        try refuse("refuse_exited", "UPDATE OF status ON containers", when: "NEW.status = 'exited'", in: sim)
        let inspect = try sim.run(["inspect", "-f", "{{.State.Status}}", "lost"])
        #expect(inspect.code == 1)
        #expect(inspect.err == "Error response from daemon: cannot record the exit of container \(id): \(Self.refusal)\n")
        try allow("refuse_exited", in: sim)
    }

    @Test("An attached client whose shim dies says the exit the state cannot record, and exits 125")
    func attachedReconcile() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let argv = [Simulator.executable, "run", "--name", "orphaned", "dockrun-test/busybox", "sh", "-c", "echo up; sleep 600"]
        let client = try ChildProcess(argv, ChildProcess.Options(environment: ["FAKE_DOCKER_STATE": sim.state, "PATH": "/usr/bin:/bin"]))
        try await client.waitForStdout("up")
        let query = "SELECT id, shim_pid FROM containers WHERE name = 'orphaned'"
        let row = try Database(path: sim.state).firstRow(query, []) { row in
            (id: row.text("id"), shim: Int32(truncatingIfNeeded: row.int("shim_pid")))
        }
        let (id, shim) = try #require(row)
        try refuse("refuse_exited", "UPDATE OF status ON containers", when: "NEW.status = 'exited'", in: sim)
        #expect(kill(shim, SIGKILL) == 0)
        let run = try await client.finish()
        #expect(run.code == 125)
        #expect(run.err == "Error response from daemon: cannot record the exit of container \(id): \(Self.refusal)\n")
        try allow("refuse_exited", in: sim)
    }

    @Test("script --restart fails with the error when it cannot bring the engine back, and the engine stays down")
    func restartCannotEnd() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        #expect(try sim.run(["script", "--list"]).code == 0, "the state file, created")
        try refuse("keep_down", "DELETE ON settings", when: "OLD.key = 'engine_down_until'", in: sim)
        let restart = try sim.run(["script", "--restart"])
        #expect(restart.code == 1)
        #expect(restart.err == "fake-docker: cannot record the engine as up again: \(Self.refusal)\n")
        let ps = try sim.run(["ps"])
        #expect(ps.code == 1 && ps.err.hasPrefix("Cannot connect to the Docker daemon"), "\(ps)")
        try allow("keep_down", in: sim)
        #expect(try sim.run(["script", "--clear"]).code == 0)
        #expect(try sim.run(["ps"]).code == 0)
    }

    @Test("script --restart fails with the error, and stops nothing, when it cannot take the engine down")
    func restartCannotBegin() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "-d", "--name", "runs", "dockrun-test/busybox", "sleep", "600"])
        try refuse("keep_up", "INSERT ON settings", when: "NEW.key = 'engine_down_until'", in: sim)
        let restart = try sim.run(["script", "--restart"])
        #expect(restart.code == 1)
        #expect(restart.err == "fake-docker: cannot record the engine as down: \(Self.refusal)\n")
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "runs"]).out == "running\n")
        try allow("keep_up", in: sim)
    }

    @Test("A restart during script --daemon-down leaves the engine down: one flag, the longer outage kept")
    func restartDuringDaemonDown() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        #expect(try sim.run(["script", "--daemon-down"]).code == 0)
        #expect(try sim.run(["script", "--restart"]).code == 0)
        #expect(try sim.run(["script", "--list"]).out == "daemon-down\n")
        #expect(try sim.run(["ps"]).code == 1)
        #expect(try sim.run(["script", "--clear"]).code == 0)
        #expect(try sim.run(["script", "--list"]).out.isEmpty)
        #expect(try sim.run(["ps"]).code == 0)
    }
}
