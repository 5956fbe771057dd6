import Foundation
import ProcessSpawn

/// Runs a container's health check as the engine does: every interval (start-interval during the
/// start period), bounded by the timeout; `starting` until the first success or until `retries`
/// consecutive failures after the start period, which make it `unhealthy`.
final class HealthChecker {
    let config: HealthConfig
    let container: Container
    let store: StateStore
    private let startedAt = monotonicNow()
    private var nextDue: Double
    private var running: (pid: pid_t, deadline: Double, startedAt: Double, output: Int32)?
    private var streak = 0
    /// A failed record was said, and none has succeeded since.
    private var failureReported = false

    var interval: Double { config.interval > 0 ? config.interval : 30 }
    var timeout: Double { config.timeout > 0 ? config.timeout : 30 }
    var retries: Int { config.retries > 0 ? config.retries : 3 }
    var inStartPeriod: Bool { monotonicNow() - startedAt < config.startPeriod }

    init(config: HealthConfig, container: Container, store: StateStore) {
        self.config = config
        self.container = container
        self.store = store
        let first = config.startPeriod > 0 && config.startInterval > 0 ? config.startInterval : (config.interval > 0 ? config.interval : 30)
        nextDue = monotonicNow() + first
    }

    func millisecondsUntilDue() -> Int32 {
        let target = running.map { $0.deadline } ?? nextDue
        return Int32(max(0, min((target - monotonicNow()) * 1000, 86_400_000)).rounded(.up))
    }

    func tick() {
        let t = monotonicNow()
        if let r = running {
            if t >= r.deadline { kill(r.pid, SIGKILL) }
            return
        }
        guard t >= nextDue else { return }
        guard let (pid, output) = spawnCheck() else { record(exitCode: -1, output: ""); scheduleNext(); return }
        running = (pid, t + timeout, now(), output)
    }

    func finished(pid: pid_t, status: Int32) {
        guard let r = running, r.pid == pid else { return }
        running = nil
        let timedOut = monotonicNow() >= r.deadline
        let code = timedOut ? -1 : ExitStatus(waitStatus: status).code
        let output = timedOut ? "Health check exceeded timeout (\(GoDuration.format(timeout)))" : Self.read(r.output)
        close(r.output)
        record(exitCode: code, startedAt: r.startedAt, output: output)
        scheduleNext()
    }

    /// The engine keeps a check's first 4096 bytes of output, and "..." when there were more.
    static let outputLimit = 4096

    /// What the check wrote (stdout and stderr, in order) to its unlinked file, as the engine keeps it.
    private static func read(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: outputLimit + 1)
        let n = max(0, pread(fd, &buffer, buffer.count, 0))
        let kept = String(decoding: buffer.prefix(min(n, outputLimit)), as: UTF8.self)
        return n > outputLimit ? kept + "..." : kept
    }

    func cancel() {
        if let r = running { kill(r.pid, SIGKILL); close(r.output) }
        running = nil
    }

    private func scheduleNext() {
        let gap = inStartPeriod && config.startInterval > 0 ? config.startInterval : interval
        nextDue = monotonicNow() + gap
    }

    /// The check's PID and the unlinked file that takes its output.
    private func spawnCheck() -> (pid_t, Int32)? {
        let argv: [String]
        switch config.test.first {
        case "CMD-SHELL": argv = ["/bin/sh", "-c", config.test.dropFirst().joined(separator: " ")]
        case "CMD": argv = Array(config.test.dropFirst())
        default: argv = config.test
        }
        guard let program = argv.first else { return nil }
        let exec = ContainerExec(rootfs: store.rootfs(ofContainer: container.id), config: container.config)
        guard case .success(let path) = exec.resolve(program) else { return nil }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var template = Array((NSTemporaryDirectory() + "/fake-docker-health-XXXXXX").utf8CString)
        let output = mkstemp(&template)
        guard output >= 0 else { return nil }
        _ = fcntl(output, F_SETFD, FD_CLOEXEC)
        unlink(String(cString: template))
        let spawned = exec.spawn(path, argv: argv, streams: .init(stdin: devNull, stdout: output, stderr: output, newSession: false),
                                 namespaces: .joining(container.pid))
        if case .success(let pid) = spawned { return (pid, output) }
        close(output)
        return nil
    }

    private func record(exitCode: Int32, startedAt: Double = now(), output: String) {
        let healthy = exitCode == 0
        if healthy { streak = 0 } else if !inStartPeriod { streak += 1 }
        let id = container.id
        let streakNow = streak
        let retries = self.retries
        // A result that cannot be recorded is only late: the streak is counted here, so the next check's
        // record brings the health up to date (this result's log entry is lost). It is said on the shim's
        // stderr (the attached client's, as the shim's other failed writes), once until a record succeeds.
        do {
            try store.transaction {
                guard var c = try store.container(id: id), c.isRunning else { return }
                if healthy { c.health = "healthy" } else if streakNow >= retries { c.health = "unhealthy" }
                c.healthStreak = streakNow
                var log = (try? JSONCoding.decode([HealthLogEntry].self, c.healthLog)) ?? []
                log.append(HealthLogEntry(start: startedAt, end: now(), exitCode: exitCode, output: output))
                c.healthLog = JSONCoding.encode(Array(log.suffix(5)))
                try store.updateState(c)
            }
            failureReported = false
        } catch {
            if !failureReported {
                Output.err("Error response from daemon: cannot record the health of container \(id): \(error)")
            }
            failureReported = true
        }
    }
}

struct HealthLogEntry: Codable {
    var start: Double
    var end: Double
    var exitCode: Int32
    var output: String
}
