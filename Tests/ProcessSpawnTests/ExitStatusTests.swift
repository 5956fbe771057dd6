import Glibc
import ProcessSpawn
import Testing

@Suite("Exit status")
struct ExitStatusTests {
    @Test("a signal death is 128 + N, as sh and docker report it; an exit is its code")
    func code() {
        #expect(ExitStatus.exited(0).code == 0)
        #expect(ExitStatus.exited(125).code == 125)
        #expect(ExitStatus.signaled(SIGTERM).code == 143)
        #expect(ExitStatus.signaled(SIGKILL).code == 137)
    }

    @Test("a raw waitpid status decodes to the exit code or the signal")
    func waitStatus() {
        // glibc's encoding: the code in bits 8-15 after an exit, the signal in bits 0-6 after a kill.
        #expect(ExitStatus(waitStatus: 3 << 8) == .exited(3))
        #expect(ExitStatus(waitStatus: 0) == .exited(0))
        #expect(ExitStatus(waitStatus: SIGKILL) == .signaled(SIGKILL))
        #expect(ExitStatus(waitStatus: SIGSEGV | 0x80) == .signaled(SIGSEGV))   // with a core dump
    }

    @Test("described as a test failure reads it")
    func description() {
        #expect(ExitStatus.exited(3).description == "exit 3")
        #expect(ExitStatus.signaled(9).description == "killed by signal 9")
    }
}
