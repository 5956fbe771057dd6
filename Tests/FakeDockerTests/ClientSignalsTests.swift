import Glibc
import Testing
@testable import FakeDocker

/// The attached client's signal table against the docker CLI 28.2.2 as observed (docs/engine-observations.md, "The
/// attached client and signals"), a row at a time.
@Suite("fake-docker's attached client: the signal table")
struct ClientSignalsTests {
    typealias Action = ClientSignals.Action
    static let dropped: [Int32] = [SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGCHLD, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM,
                                   SIGPROF, SIGWINCH, SIGIO, SIGPWR] + Array(35...64)
    static let crashes: [Int32] = [SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSTKFLT, SIGSYS]

    @Test("without the proxy: dropped, Go's crash, TERM/INT counted, HUP and 34 fatal, TSTP/TTIN/TTOU/CONT left as inherited")
    func withoutProxy() {
        for signal in Self.dropped { #expect(ClientSignals.action(for: signal, proxy: false) == .ignore, "\(signal)") }
        for signal in Self.crashes {
            #expect(ClientSignals.action(for: signal, proxy: false) == .crash(ClientSignals.goName(signal)), "\(signal)")
        }
        #expect(ClientSignals.action(for: SIGQUIT, proxy: false) == .crash("SIGQUIT: quit"))
        for signal in [SIGTERM, SIGINT] { #expect(ClientSignals.action(for: signal, proxy: false) == .count(forward: false)) }
        for signal in [SIGHUP, 34] { #expect(ClientSignals.action(for: signal, proxy: false) == .fatal, "\(signal)") }
        for signal in [SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT] {
            #expect(ClientSignals.action(for: signal, proxy: false) == .inherited, "\(signal)")
        }
    }

    @Test("what the client inherited: a blocked TSTP or USR1 stays blocked, an ignored HUP stays ignored, INT is counted anyway, QUIT crashes anyway")
    func inherited() {
        let blocked = ClientSignals.Inherited(blocked: true), ignored = ClientSignals.Inherited(ignored: true)
        #expect(ClientSignals.action(for: SIGTSTP, proxy: false, inherited: blocked) == .inherited)
        #expect(ClientSignals.action(for: SIGUSR1, proxy: false, inherited: blocked) == .inherited)
        #expect(ClientSignals.action(for: SIGQUIT, proxy: false, inherited: blocked) == .crash("SIGQUIT: quit"))
        #expect(ClientSignals.action(for: 34, proxy: false, inherited: blocked) == .fatal)
        #expect(ClientSignals.action(for: SIGHUP, proxy: false, inherited: ignored) == .inherited)
        #expect(ClientSignals.action(for: SIGINT, proxy: false, inherited: ignored) == .count(forward: false))
    }

    @Test("with the proxy: all forwarded but CHLD, PIPE, URG and PROF (dropped) and 34 (fatal); TSTP even when inherited blocked")
    func withProxy() {
        for signal in ClientSignals.all {
            let expected: Action
            switch signal {
            case SIGCHLD, SIGPIPE, SIGURG, SIGPROF: expected = .ignore
            case 34: expected = .fatal
            case SIGTERM, SIGINT: expected = .count(forward: true)
            default: expected = .forward
            }
            #expect(ClientSignals.action(for: signal, proxy: true) == expected, "\(signal)")
        }
        #expect(ClientSignals.action(for: SIGTSTP, proxy: true, inherited: .init(blocked: true)) == .forward)
        #expect(ClientSignals.action(for: SIGHUP, proxy: true, inherited: .init(ignored: true)) == .forward)
    }

    @Test("with a terminal to follow, WINCH is a resize (forwarded too with the proxy), even when inherited blocked")
    func resize() {
        #expect(ClientSignals.action(for: SIGWINCH, proxy: false, resizes: true) == .resize(forward: false))
        #expect(ClientSignals.action(for: SIGWINCH, proxy: true, resizes: true) == .resize(forward: true))
        #expect(ClientSignals.action(for: SIGWINCH, proxy: false, resizes: true, inherited: .init(blocked: true))
                == .resize(forward: false))
        #expect(ClientSignals.action(for: SIGWINCH, proxy: false, resizes: false, inherited: .init(blocked: true))
                == .inherited)
    }
}
