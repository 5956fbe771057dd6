/// Faults armed with `fake-docker script`, kept in the state file: consumed one invocation at a time, in
/// the order armed.
enum ScriptedFaults {
    /// What a fault does to one invocation of its command: wait `delay` seconds, then either act as usual
    /// or, given an exit code, print the texts and exit with it instead.
    struct Fault {
        var delay: Double
        var exitCode: Int32?
        var stdout: String
        var stderr: String

        /// For a fault with an exit code, what the invocation does instead of acting: the delay, the texts, and the
        /// code it exits with. nil for a fault without one (its delay is the caller's to spend where it belongs).
        func replacingCommand() -> Int32? {
            guard let exitCode else { return nil }
            sleepSeconds(delay)
            if !stdout.isEmpty { Output.write(1, stdout) }
            if !stderr.isEmpty { Output.write(2, stderr) }
            return exitCode
        }
    }

    /// The fault `script --oom-after SECONDS` arms: the next container started is killed by its shim after `delay`
    /// seconds, as by the kernel's OOM killer (exit 137, `.State.OOMKilled` true). Not a command's name.
    static let outOfMemory = "--oom-after"

    /// A fault as `script --list` shows it: its command and the invocations it has left.
    struct Armed {
        var command: String
        var fault: Fault
        var remaining: Int
    }

    /// The fault this invocation of `command` uses up, if one is armed. A state file that cannot be read
    /// or written here is reported, and the command then runs without a fault.
    static func consume(_ store: StateStore, command: String) -> Fault? {
        do {
            return try store.consumeFault(for: command)
        } catch {
            Output.err("fake-docker: cannot read the scripted faults: \(error)")
            return nil
        }
    }
}
