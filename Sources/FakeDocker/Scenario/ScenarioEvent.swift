import DockerSyntax

/// One timed event of a scenario, `TRIGGER[+MS]:ACTION`: once the trigger has happened (after the
/// previous event fired) and MS more milliseconds have passed, the action is taken. Timing is tied to
/// what happened, never to the wall clock from the start, so a replay on a slower machine does the same.
struct ScenarioEvent: Equatable, CustomStringConvertible {
    enum Trigger: Equatable {
        /// dockrun has been started.
        case start
        /// A container of this run exists / runs (found by its `io.dockrun.pid` label).
        case created, running
        /// dockrun's stdout / stderr so far contains the text.
        case stdout(String), stderr(String)
        /// A docker call with this command (`stop`, `rm`) started after the event began waiting.
        case call(String)

        /// It happens in dockrun's output (or at its start), which wakes a waiting event itself; the others are
        /// in the engine, which is asked.
        var isOutput: Bool {
            switch self {
            case .start, .stdout, .stderr: true
            case .created, .running, .call: false
            }
        }
    }

    enum Action: Equatable {
        /// A signal to dockrun alone, or to its process group (a supervisor's `kill -SIG -PGID`).
        case signal(Int32), groupSignal(Int32)
        /// `fake-docker script --restart --down S [--live-restore]`: fake-docker only.
        case restart(down: Double, liveRestore: Bool)
    }

    var trigger: Trigger
    var delayMS: Int
    var action: Action

    struct Unreadable: Error {
        let message: String
    }

    /// Reads `TRIGGER[+MS]:ACTION`. The action is read from the end, since a trigger's text may hold colons.
    init(parsing text: String) throws(Unreadable) {
        let fail = Unreadable(message: "not an event: \(text) (expected TRIGGER[+MS]:ACTION, e.g. stdout:ready:TERM, call:stop+200:group:KILL)")
        guard let lastColon = text.lastIndex(of: ":") else { throw fail }
        var head = String(text[..<lastColon])
        var actionText = String(text[text.index(after: lastColon)...])
        if head.hasSuffix(":group") || head == "group" {
            head = String(head.dropLast(head == "group" ? 5 : 6))
            actionText = "group:" + actionText
        }
        guard let action = Self.action(actionText) else { throw fail }
        var delay = 0
        if let plus = head.lastIndex(of: "+"), let ms = Int(head[head.index(after: plus)...]), ms >= 0 {
            delay = ms
            head = String(head[..<plus])
        }
        guard let trigger = Self.trigger(head) else { throw fail }
        self.init(trigger: trigger, delayMS: delay, action: action)
    }

    init(trigger: Trigger, delayMS: Int, action: Action) {
        (self.trigger, self.delayMS, self.action) = (trigger, delayMS, action)
    }

    static func trigger(_ text: String) -> Trigger? {
        switch text {
        case "start": return .start
        case "created": return .created
        case "running": return .running
        default:
            if text.hasPrefix("stdout:") { return .stdout(String(text.dropFirst(7))) }
            if text.hasPrefix("stderr:") { return .stderr(String(text.dropFirst(7))) }
            if text.hasPrefix("call:"), text.count > 5 { return .call(String(text.dropFirst(5))) }
            return nil
        }
    }

    static func action(_ text: String) -> Action? {
        if text.hasPrefix("restart") {
            let live = text.hasPrefix("restart-live")
            let rest = text.dropFirst(live ? 12 : 7)
            guard rest.first == "=" || rest.isEmpty, let down = rest.isEmpty ? 0 : Double(rest.dropFirst()), down >= 0 else { return nil }
            return .restart(down: down, liveRestore: live)
        }
        if text.hasPrefix("group:") { return SignalName.parse(String(text.dropFirst(6))).map { .groupSignal($0) } }
        return SignalName.parse(text).map { .signal($0) }
    }

    var triggerText: String {
        switch trigger {
        case .start: "start"
        case .created: "created"
        case .running: "running"
        case .stdout(let t): "stdout:" + t
        case .stderr(let t): "stderr:" + t
        case .call(let c): "call:" + c
        }
    }

    var actionText: String {
        switch action {
        case .signal(let s): SignalName.name(of: s)
        case .groupSignal(let s): "group:" + SignalName.name(of: s)
        case .restart(let down, let live):
            (live ? "restart-live=" : "restart=") + (down == down.rounded() ? String(Int(down)) : String(down))
        }
    }

    var description: String { triggerText + (delayMS > 0 ? "+\(delayMS)" : "") + ":" + actionText }
}
