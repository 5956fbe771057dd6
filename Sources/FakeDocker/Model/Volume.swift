/// A volume of the local driver, as `docker volume inspect` shows it (a `types.Volume`): a directory of fake-docker's
/// state (`<state>.data/volumes/NAME/_data`, its `Mountpoint`) that containers mount as a bind (BindMount, kind
/// volume). Made by `volume create` or at the create of the first container that names it; removed only by
/// `volume rm`, or with the container that made it when it is anonymous (`rm -v`, `run --rm`).
public struct Volume: Equatable, Sendable {
    public var name: String
    public var driver: String
    public var labels: [String: String]
    /// `-o`/`--opt` as given: stored and shown, not acted on.
    public var options: [String: String]
    public var createdAt: Double
}
