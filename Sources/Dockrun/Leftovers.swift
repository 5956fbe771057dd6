/// What a run may have left behind and what becomes of the user's cidfile, decided from what is known: the rules of
/// the guardian (dockrun was killed) and of `--cleanup` (a monitor killed the whole service), as a value. The caller
/// reads the files, lists the containers and runs the teardowns; every decision is here, and unit-tested.
public enum Leftovers {
    /// Where the containers to tear down are to be found.
    public enum Search: Equatable, Sendable {
        /// These names or IDs (none: there is nothing to tear down).
        case containers([String])
        /// The run's container is found by its labels: `docker ps -a -q --filter FILTER`.
        case list(filter: String)
    }

    /// The guardian's: the container dockrun told it of; else the ID in the cidfile (once the client is gone,
    /// whatever it created is written there); else whatever carries the run's labels (a create whose ID was not
    /// written yet).
    public static func guardianSearch(told: ContainerID?, cidfileContents: String?, filter: String?) -> Search {
        if let told { return .containers([told.value]) }
        if let id = cidfileContents.flatMap(ContainerID.init(cidfileContents:)) { return .containers([id.value]) }
        if let filter { return .list(filter: filter) }
        return .containers([])
    }

    /// `--cleanup`'s: the container called `--name`; else the one whose ID is in `--cidfile` (nothing when the file
    /// is absent, or names no container: left empty by a run killed before its container existed).
    public static func cleanupSearch(name: String?, cidfileContents: String?) -> Search {
        if let name { return .containers([name]) }
        return .containers(cidfileContents.flatMap(ContainerID.init(cidfileContents:)).map { [$0.value] } ?? [])
    }

    /// The containers `docker ps -q` listed, or why there is no list (its message): a failed listing is said, never
    /// taken for "nothing left".
    public static func listed(_ answer: DockerAnswer) -> Result<[String], ListingFailed> {
        guard answer.succeeded else { return .failure(ListingFailed(message: answer.firstErrorLine)) }
        return .success(answer.output.split(separator: "\n").map(String.init).filter { !$0.isEmpty })
    }

    public struct ListingFailed: Error, Equatable, Sendable {
        public let message: String
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
    /// run's containers failed (what the file names may still be there) or a teardown failed.
    public static func deletesCidfile(_ rule: CidfileRule, outcomes: [Teardown.Outcome], searchFailed: Bool) -> Bool {
        guard !searchFailed else { return false }
        let nothingLeft = outcomes.allSatisfy { $0 == .absent || $0 == .stopped(removed: true) }
        switch rule {
        case .run(let remove): return remove && nothingLeft
        case .cleanup: return nothingLeft
        }
    }
}
