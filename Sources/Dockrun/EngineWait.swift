/// How long dockrun waits for an engine that stopped answering, and how often it asks again: the first retry after
/// 250 ms, then twice as long each time up to every 2 s — never a busy loop — until the engine answers or `bound`
/// has passed since it stopped answering. A value over the event loop's monotonic clock, so it is unit-tested.
public struct EngineWait: Equatable, Sendable {
    public enum Next: Equatable, Sendable {
        case retry(afterMilliseconds: Int64)
        /// The bound has passed: dockrun gives up.
        case giveUp(waitedMilliseconds: Int64)
    }

    static let firstRetryMilliseconds: Int64 = 250
    /// `DOCKRUN_ENGINE_WAIT`'s default: an engine restart takes seconds, an upgrade rarely a minute.
    public static let defaultBoundMilliseconds: Int64 = 60_000

    public let boundMilliseconds: Int64
    /// When the engine was first found not answering; nil while it answers.
    public private(set) var since: Int64?
    private var backoff = Backoff(firstMilliseconds: EngineWait.firstRetryMilliseconds, longestMilliseconds: 2000)

    public init(boundMilliseconds: Int64) { self.boundMilliseconds = boundMilliseconds }

    /// The engine did not answer at `now`: when to ask again, or to give up.
    public mutating func unanswered(at now: Int64) -> Next {
        let start = since ?? now
        since = start
        let waited = now - start
        guard waited < boundMilliseconds else { return .giveUp(waitedMilliseconds: waited) }
        return .retry(afterMilliseconds: min(backoff.next(), boundMilliseconds - waited))
    }

    /// The engine answered: a later outage is waited for from its own start.
    public mutating func answered() {
        since = nil
        backoff.reset()
    }

    /// `DOCKRUN_ENGINE_WAIT` (or `--engine-wait`): seconds, a decimal number ≥ 0; nil when it is not one.
    public static func bound(seconds text: String) -> Int64? {
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite, seconds < 1e9 else { return nil }
        return Int64((seconds * 1000).rounded())
    }
}
