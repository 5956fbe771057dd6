@testable import Dockrun

extension RunPolicy {
    /// For the decisions that do not depend on the time: the event at time 0 of the monotonic clock.
    mutating func handle(_ event: Event) -> [Action] { handle(event, at: 0) }
}

/// The check that a finished stop is followed by the container's end.
let stopCheck = RunPolicy.Action.setTimer(.stopCheck, afterMilliseconds: RunPolicy.stopCheckMilliseconds)
