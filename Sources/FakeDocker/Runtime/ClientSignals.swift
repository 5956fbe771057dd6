import Glibc

/// What an attached client (`run` without -d, `start -a`) does with each signal, as the docker CLI does: a Go program,
/// whose runtime treats each signal by its class (Go's runtime/sigtab_linux_generic.go) unless the CLI asked for it
/// with `signal.Notify` — TERM and INT always (it gives up after three), and with the signal proxy every signal it can
/// catch, forwarded to the container but for CHLD, PIPE and URG. Observed on the docker CLI 28.2.2
/// (docs/engine-observations.md, "The attached client and signals").
enum ClientSignals {
    enum Action: Equatable {
        /// Sent to the container (the proxy).
        case forward
        /// Counted: the third TERM or INT ends the client with 1 ("got 3 SIGTERM/SIGINTs, forcefully exiting").
        /// Forwarded as well with the proxy.
        case count(forward: Bool)
        /// The client's terminal was resized: the container's terminal gets its new size (the CLI's resize request).
        /// Forwarded as well with the proxy.
        case resize(forward: Bool)
        /// Caught and dropped.
        case ignore
        /// Go's crash: a goroutine dump on stderr starting `SIGQUIT: quit`, and exit 2.
        case crash(String)
        /// Left to the kernel as the client inherited it: its disposition and its mask. A blocked signal stays
        /// pending for ever; TSTP, TTIN and TTOU at their default stop the client; a HUP it inherited ignored is.
        case inherited
        /// Left to the kernel, at its default and unblocked: the client dies of it (HUP; signal 34, which Go never
        /// handles: musl's SIGSYNCCALL).
        case fatal
    }

    /// How Go's runtime treats a signal that no `signal.Notify` asked for.
    private enum GoClass {
        case dropped        // _SigNotify alone: its handler drops it
        case kill           // _SigKill: it dies of it; an inherited SIG_IGN of HUP or INT is kept
        case crash          // _SigThrow, and _SigPanic when sent with kill: dump, exit 2
        case inherited      // _SigDefault: no handler is installed
        case runtime        // _SigSetStack (32–34): never handled, always unblocked
        case profiler       // PROF: the runtime's own, never passed on to Notify
    }

    /// Go's class of `signal`, and whether Go keeps an inherited block of it (`blockableSig`: not for _SigKill,
    /// _SigThrow or _SigUnblock signals).
    private static func goClass(_ signal: Int32) -> (GoClass, blockable: Bool) {
        switch signal {
        case SIGHUP, SIGINT, SIGTERM: return (.kill, false)
        case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSTKFLT, SIGSYS: return (.crash, false)
        case SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU: return (.inherited, true)
        case SIGCHLD: return (.dropped, false)
        case SIGPROF: return (.profiler, false)
        case 32...34: return (.runtime, false)
        default: return (.dropped, true)
        }
    }

    /// The signals the CLI always asks for: its count of termination signals.
    static let terminationSignals: Set<Int32> = [SIGTERM, SIGINT]
    /// Asked for by the proxy but not forwarded (docker's ForwardAllSignals).
    static let unforwarded: Set<Int32> = [SIGCHLD, SIGPIPE, SIGURG]
    /// Every signal a process can be sent and glibc lets it handle.
    static let all: [Int32] = (1...64).filter { ![SIGKILL, SIGSTOP, 32, 33].contains($0) }

    /// How the client found a signal when it started.
    struct Inherited: Equatable {
        var ignored = false
        var blocked = false
    }

    /// What the client does with `signal`. `proxy`: `--sig-proxy` (run's default; always for `start -a`). `resizes`:
    /// the container has a terminal and the client's stdout is one, whose size the CLI passes on at each WINCH.
    static func action(for signal: Int32, proxy: Bool, resizes: Bool = false, inherited: Inherited = Inherited()) -> Action {
        let (goClass, blockable) = goClass(signal)
        // Notify reaches every signal but those Go keeps to itself; it un-ignores an inherited SIG_IGN, and receives
        // even one the client inherited blocked (on a thread of its own that unblocks it).
        let notified = goClass != .runtime && goClass != .profiler
            && (proxy || terminationSignals.contains(signal) || (resizes && signal == SIGWINCH))
        if notified {
            if terminationSignals.contains(signal) { return .count(forward: proxy) }
            if resizes && signal == SIGWINCH { return .resize(forward: proxy) }
            return unforwarded.contains(signal) ? .ignore : .forward
        }
        if blockable && inherited.blocked { return .inherited }
        switch goClass {
        case .dropped, .profiler: return .ignore
        case .kill: return inherited.ignored ? .inherited : .fatal
        case .crash: return .crash(goName(signal))
        case .inherited: return .inherited
        case .runtime: return .fatal
        }
    }

    /// The first line of Go's crash report for `signal`.
    static func goName(_ signal: Int32) -> String {
        switch signal {
        case SIGQUIT: "SIGQUIT: quit"
        case SIGILL: "SIGILL: illegal instruction"
        case SIGTRAP: "SIGTRAP: trace trap"
        case SIGABRT: "SIGABRT: abort"
        case SIGBUS: "SIGBUS: bus error"
        case SIGFPE: "SIGFPE: floating-point exception"
        case SIGSEGV: "SIGSEGV: segmentation violation"
        case SIGSTKFLT: "SIGSTKFLT: stack fault"
        case SIGSYS: "SIGSYS: bad system call"
        default: "signal \(signal)"
        }
    }

    /// What Go prints when it dies of a signal sent with kill, and exits 2 with (GOTRACEBACK's default). The
    /// register dump and the goroutines' stacks are the docker CLI's own; a client here has none to show.
    static func crashReport(_ name: String) -> String {
        "\(name)\nPC=0x0 m=0 sigcode=0\n\ngoroutine 0 gp=0x0 m=0 mp=0x0 [idle]:\n(fake-docker: no goroutines to dump)\n"
    }
    static let crashExitCode: Int32 = 2
}
