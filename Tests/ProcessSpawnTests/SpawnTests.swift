import Glibc
import ProcessSpawn
import Testing

@Suite("Spawning")
struct SpawnTests {
    @Test("the options start as the C defaults: everything inherited, nothing ignored")
    func defaults() {
        let options = SpawnOptions()
        #expect(options.stdin == nil && options.stdout == nil && options.stderr == nil)
        #expect(options.processGroup == .inherited)
        #expect(!options.newSession && !options.controllingTerminal)
        #expect(options.deathSignal == nil && options.passedDescriptor == nil)
        #expect(options.environment == nil && options.root == nil && options.workingDirectory == nil)
    }

    @Test("a program found on PATH runs with its arguments, and its exit code comes back")
    func exitCode() throws {
        let pid = try spawnProcess("sh", argv: ["sh", "-c", "exit $0", "7"], SpawnOptions())
        #expect(ExitStatus(reaping: pid) == .exited(7))
    }

    @Test("a signal death is reported as the signal")
    func signaled() throws {
        let pid = try spawnProcess("sh", argv: ["sh", "-c", "kill -TERM $$"], SpawnOptions())
        #expect(ExitStatus(reaping: pid) == .signaled(SIGTERM))
    }

    @Test("environment, working directory, stdout and a process group of its own are applied")
    func options() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        var options = SpawnOptions()
        options.environment = ["GREETING=hi"]
        options.workingDirectory = "/"
        options.stdout = fds[1]
        options.processGroup = .own
        // Field 5 of /proc/PID/stat is the process group.
        let script = #"read -r _ _ _ _ group _ < /proc/$$/stat; echo "$GREETING $(pwd) $group""#
        let pid = try spawnProcess("/bin/sh", argv: ["sh", "-c", script], options)
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 256)
        let n = read(fds[0], &bytes, bytes.count)
        close(fds[0])
        #expect(ExitStatus(reaping: pid) == .exited(0))
        #expect(String(decoding: bytes[..<max(0, n)], as: UTF8.self) == "hi / \(pid)\n")
    }

    @Test("a program that is not there is the exec's errno")
    func missing() {
        #expect(throws: SystemCallError(errno: ENOENT)) {
            try spawnProcess("dockrun-no-such-program", argv: ["x"], SpawnOptions())
        }
    }
}
