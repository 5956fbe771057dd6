/// What a run may have left behind and what becomes of the user's cidfile, decided from what is known: the rules of
/// the guardian (dockrun was killed), of a run whose client died before its container was known, and of `--cleanup`
/// (a monitor killed the whole service), as a value. The caller reads the files, lists the containers and runs the
/// teardowns; every decision is here, and unit-tested.
public enum Leftovers {
    /// How long after a `docker run` client died a container it asked for may still appear, or start: the engine
    /// completes a create (and a start) whose request it received even when the client is gone — measured here up to
    /// 364 ms after the client's SIGKILL, while a whole `docker create` took 557 ms at most with both cores busy
    /// (docs/engine-observations.md, "in-flight requests"). Ten times that.
    public static let inFlightMilliseconds: Int64 = 5000

    /// When the sweep for in-flight requests may end: `inFlightMilliseconds` after `since`, or ten times the slowest
    /// listing the sweep has seen, if that is longer (a listing that waited for the engine is not counted: it
    /// measured the engine's absence). An engine (or a machine) so loaded that a listing takes seconds also takes
    /// that much longer to finish a create it had received: a CI run of the whole suite against the real engine,
    /// with every test's containers created at once, saw a create land after a fixed 5 s.
    public static func sweepDeadline(since: Int64, slowestListingMilliseconds: Int64) -> Int64 {
        since + max(inFlightMilliseconds, 10 * slowestListingMilliseconds)
    }

    /// `--cleanup`'s: the container called `--name`; else the one whose ID is in `--cidfile` (nothing when the file
    /// is absent, or names no container: left empty by a run killed before its container existed).
    public static func cleanupTargets(name: String?, cidfileContents: String?) -> [String] {
        if let name { return [name] }
        return cidfileContents.flatMap(ContainerID.init(cidfileContents:)).map { [$0.value] } ?? []
    }

    /// One container of a listing, with its state (`running`, `created`, `exited`...).
    public struct Listed: Equatable, Sendable {
        public let id: String
        public let state: String

        public init(id: String, state: String) {
            self.id = id
            self.state = state
        }
    }

    /// The containers `DockerCommand.list` listed, or why there is no list (its message): a failed listing is said,
    /// never taken for "nothing left".
    public static func listed(_ answer: DockerAnswer) -> Result<[Listed], ListingFailed> {
        guard answer.succeeded else { return .failure(ListingFailed(message: answer.firstErrorLine)) }
        return .success(answer.output.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            return words.count == 2 ? Listed(id: words[0], state: words[1]) : nil
        })
    }

    public struct ListingFailed: Error, Equatable, Sendable {
        public let message: String
    }

    /// Whether a container the sweep found is torn down (again): with `--rm`, anything that exists goes; without it,
    /// one that runs is stopped, and one that was created and never started, or has ended, is kept as a run keeps it.
    public static func sweepTearsDown(_ container: Listed, remove: Bool) -> Bool {
        remove || ["running", "restarting", "paused"].contains(container.state)
    }

    /// Whose rule decides the fate of the user's `--cidfile`.
    public enum CidfileRule: Equatable, Sendable {
        /// A run's (the guardian finishes one): the file goes with the container dockrun removed (`--rm`), as the
        /// run itself would have deleted it; otherwise it is how the user finds the container that is kept.
        case run(remove: Bool)
        /// `--cleanup`'s: the file goes when nothing it names is left (removed, or absent), so that it cannot
        /// block the next start.
        case cleanup
    }

    /// Whether the user's cidfile is deleted, given what the teardowns ended with. Never when the search for the
    /// run's containers failed (what the file names may still be there) or a teardown failed. A file that names no
    /// container (left empty by a client that died before writing it) goes unless a container of the run is kept:
    /// it could only block the next start; beside a kept container it stays, as docker left it.
    public static func deletesCidfile(_ rule: CidfileRule, namesContainer: Bool, outcomes: [Teardown.Outcome],
                                      searchFailed: Bool) -> Bool {
        guard !searchFailed else { return false }
        let nothingLeft = outcomes.allSatisfy { $0 == .absent || $0 == .stopped(removed: true) }
        guard namesContainer else { return nothingLeft }
        switch rule {
        case .run(let remove): return remove && nothingLeft
        case .cleanup: return nothingLeft
        }
    }
}

/// What a sweep for a run's containers found and did.
public struct SweepResult: Equatable, Sendable {
    public struct Found: Equatable, Sendable {
        public let id: String
        /// How its last teardown ended; a container kept as it was (created, or ended, without `--rm`) is
        /// `.stopped(removed: false)`.
        public var outcome: Teardown.Outcome
    }

    /// Each container found, in the order found.
    public var found: [Found] = []
    /// The listing failed (the engine's message): what the run left is unknown.
    public var listingFailed: String?

    public init(found: [Found] = [], listingFailed: String? = nil) {
        self.found = found
        self.listingFailed = listingFailed
    }

    public var outcomes: [Teardown.Outcome] { found.map(\.outcome) }

    mutating func record(_ id: String, _ outcome: Teardown.Outcome) {
        if let index = found.firstIndex(where: { $0.id == id }) {
            found[index].outcome = outcome
        } else {
            found.append(Found(id: id, outcome: outcome))
        }
    }
}
