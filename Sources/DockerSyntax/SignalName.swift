#if canImport(Glibc)
import Glibc
#endif

/// Signal names as docker accepts them (`KILL`, `SIGKILL`, `9`), after moby's signal.ParseSignal.
public enum SignalName {
    public static let table: [(String, Int32)] = [
        ("ABRT", SIGABRT), ("ALRM", SIGALRM), ("BUS", SIGBUS), ("CHLD", SIGCHLD), ("CLD", SIGCHLD),
        ("CONT", SIGCONT), ("FPE", SIGFPE), ("HUP", SIGHUP), ("ILL", SIGILL), ("INT", SIGINT), ("IO", SIGIO),
        ("IOT", SIGIOT), ("KILL", SIGKILL), ("PIPE", SIGPIPE), ("POLL", SIGPOLL), ("PROF", SIGPROF),
        ("PWR", SIGPWR), ("QUIT", SIGQUIT), ("SEGV", SIGSEGV), ("STKFLT", SIGSTKFLT), ("STOP", SIGSTOP),
        ("SYS", SIGSYS), ("TERM", SIGTERM), ("TRAP", SIGTRAP), ("TSTP", SIGTSTP), ("TTIN", SIGTTIN),
        ("TTOU", SIGTTOU), ("URG", SIGURG), ("USR1", SIGUSR1), ("USR2", SIGUSR2), ("VTALRM", SIGVTALRM),
        ("WINCH", SIGWINCH), ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ),
    ]

    /// Parses a docker signal argument; nil when docker would answer "Invalid signal".
    public static func parse(_ raw: String) -> Int32? {
        if let n = Int32(raw) { return (1...64).contains(n) ? n : nil }
        var name = raw.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        if name.hasPrefix("RTMIN") || name.hasPrefix("RTMAX") {
            let base: Int32 = name.hasPrefix("RTMIN") ? 34 : 64
            let rest = name.dropFirst(5)
            if rest.isEmpty { return base }
            guard let off = Int32(rest), (name.hasPrefix("RTMIN") ? off > 0 : off < 0) else { return nil }
            let n = base + off
            return (34...64).contains(n) ? n : nil
        }
        return table.first { $0.0 == name }?.1
    }

    /// "TERM" for 15; the number as text for a signal without a name.
    public static func name(of signal: Int32) -> String {
        table.first { $0.1 == signal && $0.0 != "CLD" && $0.0 != "IOT" && $0.0 != "POLL" }?.0 ?? String(signal)
    }
}
