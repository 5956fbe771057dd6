import Glibc
import Testing
@testable import Dockrun

@Suite("How dockrun ends: as its container ended")
struct EndingTests {
    @Test("128+N with N a signal that ends a process: dockrun ends by N; a shell reads the same code either way")
    func bySignal() {
        for (code, signal) in [(Int32(129), SIGHUP), (130, SIGINT), (131, SIGQUIT), (134, SIGABRT), (137, SIGKILL),
                               (139, SIGSEGV), (141, SIGPIPE), (143, SIGTERM), (158, SIGPWR), (162, 34), (192, 64)] {
            #expect(Ending.of(containerCode: code) == .signal(signal), "\(code)")
            #expect(Ending.of(containerCode: code).shellCode == code)
        }
    }

    @Test("every other code is an exit: dockrun's own, a container's own, and 128+N for a signal that does not end a process")
    func byExit() {
        for code: Int32 in [0, 1, 3, 125, 126, 127, 128, 128 + SIGCHLD, 128 + SIGCONT, 128 + SIGURG, 128 + SIGWINCH,
                            128 + SIGSTOP, 128 + SIGTSTP, 128 + SIGTTIN, 128 + SIGTTOU, 160, 161, 193, 255] {
            #expect(Ending.of(containerCode: code) == .exit(code), "\(code)")
        }
    }
}
