import Foundation
import ProcessSpawn

/// A process a scenario runs — dockrun, or the engine CLI setting the world up — captured by the project's one
/// capture (`ProcessSpawn.captureOutput`: stdin fed from bytes, stdout and stderr read apart with poll) on a thread
/// of its own, so that the events can look at its output while it runs and wait for it to change. It ends once the
/// process has exited and both pipes are at EOF: anything dockrun left holding them (its guardian holds stderr)
/// has ended too.
final class CapturedProcess: @unchecked Sendable {
    private var stdoutBytes: [UInt8] = []
    private var stderrBytes: [UInt8] = []
    private var exited: ExitStatus?
    private var result: CapturedOutput?
    private var startFailure: SystemCallError?
    private var changes = 0
    /// Guards the fields above; broadcast on every change (a chunk of output, the PID, the end).
    private let condition = NSCondition()
    private(set) var pid: pid_t = 0

    /// Starts `argv` (a path or a name on PATH); with `ownGroup` it leads a process group of its own, as a
    /// supervisor starts a service, so that a `group:` event reaches it and what it spawns alone. Past `limits`
    /// it is killed (its group too) and its output no longer waited for.
    init(_ argv: [String], environment: [String: String], stdin: [UInt8], ownGroup: Bool = false,
         workingDirectory: String? = nil, limits: CaptureLimits) throws(SystemCallError) {
        let thread = Thread { [self] in
            var options = SpawnOptions()
            options.environment = environment.map { "\($0.key)=\($0.value)" }
            options.workingDirectory = workingDirectory
            if ownGroup { options.processGroup = .own }
            do throws(SystemCallError) {
                let ran = try captureOutput(argv, options, stdin: stdin, limits: limits, started: { pid in
                    self.update { self.pid = pid }
                }, received: { stream, chunk in
                    self.update {
                        if stream == .stdout { self.stdoutBytes += chunk } else { self.stderrBytes += chunk }
                    }
                }, exited: { status in
                    self.update { self.exited = status }
                })
                update { result = ran }
            } catch {
                update { startFailure = error }
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        condition.lock()
        defer { condition.unlock() }
        while pid == 0 && startFailure == nil { condition.wait() }
        if let startFailure { throw startFailure }
    }

    private func update(_ change: () -> Void) {
        condition.lock()
        change()
        changes += 1
        condition.broadcast()
        condition.unlock()
    }

    private func locked<T>(_ read: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return read()
    }

    var stdout: [UInt8] { locked { stdoutBytes } }
    var stderr: [UInt8] { locked { stderrBytes } }
    /// How it ended; nil while it runs (its output may stay open after).
    var status: ExitStatus? { locked { exited } }

    /// Waits until something changed since `seen` (output, the end) or `until` has come; returns the new count.
    @discardableResult
    func waitForChange(after seen: Int, until: Date) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while changes == seen && exited == nil && Date() < until { _ = condition.wait(until: until) }
        return changes
    }

    /// How many changes have been seen so far (for `waitForChange`).
    var changeCount: Int { locked { changes } }

    /// Waits for the end (within the limits it was started with).
    func finish() -> CapturedOutput {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }

    /// Runs to its end: for setting the world up and looking at it afterwards.
    static func run(_ argv: [String], environment: [String: String], stdin: [UInt8] = []) throws(SystemCallError)
        -> CapturedOutput {
        var options = SpawnOptions()
        options.environment = environment.map { "\($0.key)=\($0.value)" }
        return try captureOutput(argv, options, stdin: stdin, limits: CaptureLimits(killAfter: 120))
    }
}
