import Foundation
import Testing
import TestSupport

@Suite("The test process harness")
struct ChildProcessTests {
    static let twoMiB = 2 << 20

    /// Both orders: a harness that read one pipe to its end before the other would wait forever for the
    /// first while the child waits for room in the second (a pipe holds 64 KiB).
    @Test("A child writing 2 MiB to stderr and to stdout finishes with every byte read, whichever it writes first",
          arguments: [">&2; head -c \(twoMiB) /dev/zero", "; head -c \(twoMiB) /dev/zero >&2"])
    func bothPipesAtOnce(then: String) throws {
        let script = "head -c \(Self.twoMiB) /dev/zero \(then)"
        let outcome = try ChildProcess.runBlocking(["sh", "-c", script],
                                                   ChildProcess.Options(environment: ProcessInfo.processInfo.environment),
                                                   timeout: 30)
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.count == Self.twoMiB)
        #expect(outcome.stderr.count == Self.twoMiB)
    }

    @Test("The async wait reads both pipes at once too")
    func bothPipesAtOnceAsync() async throws {
        let child = try ChildProcess(["sh", "-c", "head -c \(Self.twoMiB) /dev/zero >&2; head -c \(Self.twoMiB) /dev/zero"],
                                     ChildProcess.Options(environment: ProcessInfo.processInfo.environment))
        let outcome = try await child.finish(timeout: 30)
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout.count == Self.twoMiB)
        #expect(outcome.stderr.count == Self.twoMiB)
    }

    @Test("A signal death reads as the shell's 128+N")
    func signalDeath() throws {
        let outcome = try ChildProcess.runBlocking(["sh", "-c", "kill -TERM $$"],
                                                   ChildProcess.Options(environment: ProcessInfo.processInfo.environment))
        #expect(outcome.termination == .signaled(SIGTERM))
        #expect(outcome.code == 128 + SIGTERM)
    }

    @Test("A child that does not finish in time is killed and the wait throws")
    func timeout() throws {
        let started = Date()
        #expect(throws: TimeoutError.self) {
            try ChildProcess.runBlocking(["sleep", "30"], ChildProcess.Options(environment: ProcessInfo.processInfo.environment),
                                         timeout: 0.2)
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
