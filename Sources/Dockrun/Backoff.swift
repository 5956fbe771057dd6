/// How long to wait before asking again: `first`, then twice as long each time up to `longest` — never a busy loop,
/// never a long silence. The one schedule of dockrun's retries: an engine that does not answer (`EngineWait`) and a
/// container that is not ready yet (`NotifyPolicy`'s probes).
public struct Backoff: Equatable, Sendable {
    public let firstMilliseconds: Int64
    public let longestMilliseconds: Int64
    private var delay: Int64

    public init(firstMilliseconds: Int64, longestMilliseconds: Int64) {
        self.firstMilliseconds = firstMilliseconds
        self.longestMilliseconds = longestMilliseconds
        delay = firstMilliseconds
    }

    /// The delay before the next try; the one after it is twice as long, up to `longestMilliseconds`.
    public mutating func next() -> Int64 {
        let current = delay
        delay = min(delay * 2, longestMilliseconds)
        return current
    }

    /// It worked: the next trouble starts from `firstMilliseconds` again.
    public mutating func reset() { delay = firstMilliseconds }
}
