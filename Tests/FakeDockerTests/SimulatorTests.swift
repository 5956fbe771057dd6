import Foundation
import Testing
@testable import FakeDocker

typealias FakeDockerStore = StateStore

/// The simulator-only surface: fault scripting, the call log, and the shim's own fidelity points that
/// cannot be observed through a real engine (a killed shim).
@Suite("fake-docker as a simulator")
struct SimulatorTests {
    @Test("script --exit makes the next N invocations print the texts and exit with the code, then acts again")
    func scriptedExit() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["script", "rm", "--exit", "1", "--stderr", "Error response from daemon: boom\n", "--times", "2"])
        let id = try sim.run(["create", "dockrun-test/busybox", "true"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<2 {
            let r = try sim.run(["rm", id])
            #expect(r.code == 1)
            #expect(r.err == "Error response from daemon: boom\n")
        }
        let third = try sim.run(["rm", id])
        #expect(third.code == 0)
        #expect(third.out == id + "\n")
    }

    @Test("script run --delay keeps the cidfile empty while the create is delayed, as a slow pull does")
    func scriptedDelay() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["script", "run", "--delay", "1.5"])
        let cidfile = sim.directory + "/cid"
        let client = try ChildProcess([Simulator.executable, "run", "--rm", "--cidfile", cidfile, "dockrun-test/busybox", "true"],
                                      ChildProcess.Options(environment: ["FAKE_DOCKER_STATE": sim.state, "PATH": "/usr/bin:/bin"]))
        var sawEmpty = false
        for _ in 0..<100 where !sawEmpty {
            if let data = FileManager.default.contents(atPath: cidfile), data.isEmpty { sawEmpty = true }
            usleep(10_000)
        }
        #expect(sawEmpty, "the cidfile must exist and be empty during the delay")
        #expect(try sim.run(["ps", "-aq"]).out.isEmpty, "no container exists during the delay")
        #expect(try await client.waitForExit().code == 0)
        let id = String(decoding: FileManager.default.contents(atPath: cidfile) ?? Data(), as: UTF8.self)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
    }

    @Test("script --daemon-down fails every command as docker does without a daemon, until --clear")
    func daemonDown() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["script", "--daemon-down"])
        #expect(try sim.run(["script", "--list"]).out == "daemon-down\n")
        let run = try sim.run(["run", "--rm", "dockrun-test/busybox", "true"], environment: ["DOCKER_HOST": ""])
        #expect(run.code == 125)
        #expect(run.err == "docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n\nRun 'docker run --help' for more information\n")
        let ps = try sim.run(["ps"], environment: ["DOCKER_HOST": "unix:///tmp/x.sock"])
        #expect(ps.code == 1)
        #expect(ps.err == "Cannot connect to the Docker daemon at unix:///tmp/x.sock. Is the docker daemon running?\n")
        try sim.run(["script", "--clear"])
        #expect(try sim.run(["run", "--rm", "dockrun-test/busybox", "true"]).code == 0)
    }

    @Test("script --list shows each armed fault with what is left of it")
    func listsFaults() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.run(["script", "commit", "--exit", "1", "--stderr", "no space", "--times", "3"])
        try sim.run(["script", "run", "--delay", "0.5"])
        #expect(try sim.run(["script", "--list"]).out == "commit --times 3 --exit 1 --stderr 'no space'\nrun --times 1 --delay 0.5\n")
    }

    @Test("calls lists every invocation in order with its exit code")
    func callLog() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        try sim.run(["run", "--name", "c1", "dockrun-test/busybox", "sh", "-c", "exit 3"])
        try sim.run(["rm", "c1"])
        try sim.run(["rm", "c1"])
        let lines = try sim.run(["calls"]).out.split(separator: "\n").map(String.init)
        #expect(Array(lines.suffix(3)) == [
            "3\trun --name c1 dockrun-test/busybox sh -c 'exit 3'",
            "0\trm c1",
            "1\trm c1",
        ])
    }

    @Test("A shim that is killed takes its container with it and the container is marked exited, not left running")
    func killedShim() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let id = try sim.run(["run", "-d", "dockrun-test/busybox", "sleep", "30"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let db = try FakeDockerTestsDatabase(path: sim.state)
        let (shim, pid) = try db.shimAndPID(of: id)
        #expect(kill(shim, SIGKILL) == 0)
        let wait = try sim.run(["wait", id])
        #expect(wait.out == "137\n")
        #expect(try sim.run(["ps", "-q"]).out.isEmpty)
        var gone = false
        for _ in 0..<200 where !gone { gone = kill(pid, 0) != 0 || isZombie(pid); usleep(10_000) }
        #expect(gone, "the container's process must not outlive its shim")
    }

    @Test("A client killed with SIGKILL leaves its container running; wait, stop and logs still work")
    func killedClient() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let client = try ChildProcess([Simulator.executable, "run", "--name", "survivor", "dockrun-test/busybox", "sh", "-c", "echo started; sleep 600"],
                                      ChildProcess.Options(environment: ["FAKE_DOCKER_STATE": sim.state]))
        try await client.waitForStdout("started\n")
        client.signal(SIGKILL)
        _ = try await client.waitForExit()
        #expect(try sim.run(["inspect", "-f", "{{.State.Status}}", "survivor"]).out == "running\n")
        #expect(try sim.run(["stop", "-t", "1", "survivor"]).out == "survivor\n")
        #expect(try sim.run(["wait", "survivor"]).out == "137\n")
        #expect(try sim.run(["logs", "survivor"]).out == "started\n")
    }
}

func isZombie(_ pid: Int32) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return true }
    return status.contains("State:\tZ")
}

/// Reads the shim and main-process PIDs of a container straight from the state file.
struct FakeDockerTestsDatabase {
    let store: FakeDockerStore
    init(path: String) throws { store = try FakeDockerStore(path: path) }
    func shimAndPID(of id: String) throws -> (Int32, Int32) {
        guard let c = try store.container(id: id) else { throw CocoaError(.fileNoSuchFile) }
        return (c.shimPID, c.pid)
    }
}
