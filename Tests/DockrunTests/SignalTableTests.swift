import Glibc
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("Signals: one table, as docker run's proxy passes them")
struct SignalTableTests {
    static let uncatchable: Set<Int32> = [SIGKILL, SIGSTOP]

    @Test("TERM and INT stop; CHLD, PIPE, URG, PROF are dropped as docker drops them; every other signal is relayed")
    func table() {
        #expect(SignalTable.action(for: SIGTERM) == .stop)
        #expect(SignalTable.action(for: SIGINT) == .stop)
        for signal in [SIGCHLD, SIGPIPE, SIGURG, SIGPROF, SIGKILL, SIGSTOP, 32, 33, 0, 65] {
            #expect(SignalTable.action(for: signal) == .drop, "\(signal)")
        }
        let relayed: [Int32] = [SIGHUP, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1, SIGSEGV, SIGUSR2,
                                SIGALRM, SIGSTKFLT, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGXCPU, SIGXFSZ, SIGVTALRM,
                                SIGWINCH, SIGIO, SIGPWR, SIGSYS] + Array(34...64)
        for signal in relayed { #expect(SignalTable.action(for: signal) == .relay, "\(signal)") }
        #expect(Set(relayed).count + 2 + 4 + 2 + 2 == 64, "every signal of Linux is in one class")
    }

    @Test("dockrun takes over every signal it stops or relays on — the fault signals and TSTP too — and none it drops")
    func supervised() {
        let supervised = Set(SignalTable.supervisedSignals)
        for signal in SignalTable.allSignals where SignalTable.action(for: signal) != .drop {
            #expect(supervised.contains(signal), "\(signal)")
        }
        #expect(supervised.contains(SIGPROF), "dropped, but taken over: its default would end dockrun")
        for signal in [SIGCHLD, SIGPIPE, SIGURG, SIGKILL, SIGSTOP, 32, 33] { #expect(!supervised.contains(signal), "\(signal)") }
    }

    @Test("the client is started with the stop signals blocked, which Go keeps blocked, so the terminal cannot stop it")
    func clientBlocked() {
        #expect(SignalTable.clientBlockedSignals == [SIGTSTP, SIGTTIN, SIGTTOU])
    }

    @Test("on a terminal the client shares its foreground group only when it reads it (-i) or makes it raw (-t)")
    func clientGroup() {
        #expect(DockerProcess.clientProcessGroup(onTerminal: false, readsTerminal: true) == .own)
        #expect(DockerProcess.clientProcessGroup(onTerminal: false, readsTerminal: false) == .own)
        #expect(DockerProcess.clientProcessGroup(onTerminal: true, readsTerminal: false) == .own)
        #expect(DockerProcess.clientProcessGroup(onTerminal: true, readsTerminal: true) == .inherited)
    }

    @Test("the policy sends what the table relays with docker kill, held until the container exists; drops the rest")
    func policy() {
        var machine = RunPolicy(remove: false, commit: nil)
        for signal in [SIGALRM, 40, SIGCHLD, SIGTSTP, SIGSEGV] { #expect(machine.handle(.signal(signal)) == []) }
        #expect(machine.handle(.containerID(id)) == [
            .tellGuardian(.container(id)), .spawnKill(id, signal: SIGALRM), .spawnKill(id, signal: 40),
            .spawnKill(id, signal: SIGTSTP), .spawnKill(id, signal: SIGSEGV),
        ])
        #expect(machine.handle(.signal(SIGWINCH)) == [.spawnKill(id, signal: SIGWINCH)])
        #expect(machine.handle(.signal(SIGPIPE)) == [])
        #expect(machine.handle(.signal(SIGPROF)) == [])
        #expect(machine.handle(.signal(SIGCONT)) == [.spawnKill(id, signal: SIGCONT)])
    }

    @Test("a real-time signal is named by its number for docker kill")
    func names() {
        #expect(DockerCommand.kill(id, signal: 40).arguments == ["kill", "--signal", "40", id.value])
        #expect(DockerCommand.kill(id, signal: SIGWINCH).arguments == ["kill", "--signal", "WINCH", id.value])
    }
}
