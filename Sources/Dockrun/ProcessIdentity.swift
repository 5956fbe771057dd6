/// What tells one process from every other process there has been on this host: the kernel's boot ID and the
/// process's start time in clock ticks after that boot. A PID alone does not: the kernel gives a freed PID to the next
/// process, and a boot starts counting again. Read from /proc (`System.processIdentity`); the parsing is here.
public struct ProcessIdentity: Equatable, Sendable {
    /// /proc/sys/kernel/random/boot_id: a UUID, new at every boot.
    public let boot: String
    /// Field 22 of /proc/PID/stat (`starttime`): clock ticks after boot, fixed for the life of the process.
    public let startTicks: UInt64

    public init(boot: String, startTicks: UInt64) {
        self.boot = boot
        self.startTicks = startTicks
    }

    /// The boot ID from the file's contents (one line), or nil when it is not one.
    public static func boot(bootIDFile contents: String) -> String? {
        let line = contents.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return !line.isEmpty && line.allSatisfy { $0.isHexDigit || $0 == "-" } ? line : nil
    }

    /// What /proc/PID/stat says of a process.
    public enum Stat: Equatable, Sendable {
        /// It runs (or sleeps, or is stopped), started so many clock ticks after boot.
        case living(startTicks: UInt64)
        /// It has ended and waits for its parent to reap it (state `Z` or `X`): its /proc entry, start time included,
        /// outlives it until then — seen for a guardian SIGKILLed with its dockrun, whose new parent had not reaped
        /// it yet.
        case ended
    }

    /// The state (field 3) and `starttime` (field 22) from the contents of /proc/PID/stat. The second field, the
    /// command in parentheses, may hold blanks and parentheses of its own (a process may name itself anything): the
    /// fields are counted from after the last `)`, where field 3 begins.
    public static func stat(_ contents: String) -> Stat? {
        guard let close = contents.lastIndex(of: ")") else { return nil }
        let fields = contents[contents.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (the state), so field 22 is fields[19].
        guard fields.count > 19, let ticks = UInt64(fields[19]) else { return nil }
        return fields[0] == "Z" || fields[0] == "X" ? .ended : .living(startTicks: ticks)
    }

}
