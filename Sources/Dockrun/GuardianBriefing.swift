/// What dockrun tells its guardian over their pipe, record by record as it learns it, and what the guardian must do
/// if the pipe closes before dockrun said it was finished. A value: every decision here is unit-tested.
///
/// On the wire a record is `KEY=VALUE` ended by a NUL byte (paths may hold any other byte). Each is far shorter than
/// PIPE_BUF, so a write is atomic: the guardian never reads half a record of a dockrun killed midway.
public struct GuardianBriefing: Equatable, Sendable {
    public enum Record: Equatable, Sendable {
        /// The docker CLI to run.
        case docker(String)
        /// How long an engine that does not answer is waited for (`--engine-wait`).
        case engineWait(milliseconds: Int64)
        case remove
        /// The `docker ps --filter` that finds this run's container by its labels.
        case filter(String)
        /// dockrun's private directory, deleted by whoever ends last.
        case directory(String)
        /// The file docker writes the container ID to.
        case cidfile(String)
        /// The user's own `--cidfile`: deleted only with the container, as dockrun does.
        case userCidfile(String)
        /// The `docker run` client's PID: the guardian opens a pidfd on it at once (dockrun has not reaped it yet).
        case client(Int32)
        case container(ContainerID)
        /// A commit has started: the container must not be removed until it is known to have succeeded.
        case committing
        case committed
        /// dockrun has cleaned up itself: the guardian has nothing to do.
        case finished
    }

    public var docker = "docker"
    public var engineWaitMilliseconds = EngineWait.defaultBoundMilliseconds
    public var remove = false
    public var filter: String?
    public var directory: String?
    public var cidfile: String?
    public var userCidfile: String?
    public var container: ContainerID?
    public var committing = false
    public var finished = false

    public init() {}

    public mutating func apply(_ record: Record) {
        switch record {
        case .docker(let path): docker = path
        case .engineWait(let milliseconds): engineWaitMilliseconds = milliseconds
        case .remove: remove = true
        case .filter(let text): filter = text
        case .directory(let path): directory = path
        case .cidfile(let path): cidfile = path
        case .userCidfile(let path): userCidfile = path
        case .client: break
        case .container(let id): container = id
        case .committing: committing = true
        case .committed: committing = false
        case .finished: finished = true
        }
    }

    /// Whether the container may be removed when dockrun died: not while a commit of it may still be running
    /// (its `docker commit` outlives dockrun), so that nothing is lost.
    public var mayRemove: Bool { remove && !committing }

    // MARK: the wire

    public static func encode(_ record: Record) -> [UInt8] {
        let (key, value): (String, String) = switch record {
        case .docker(let path): ("docker", path)
        case .engineWait(let milliseconds): ("engine-wait", String(milliseconds))
        case .remove: ("remove", "")
        case .filter(let text): ("filter", text)
        case .directory(let path): ("directory", path)
        case .cidfile(let path): ("cidfile", path)
        case .userCidfile(let path): ("user-cidfile", path)
        case .client(let pid): ("client", String(pid))
        case .container(let id): ("container", id.value)
        case .committing: ("committing", "")
        case .committed: ("committed", "")
        case .finished: ("finished", "")
        }
        return Array("\(key)=\(value)".utf8) + [0]
    }

    /// The complete records in `bytes`, and how many bytes they took (a partial record stays for the next read).
    /// An unknown or malformed record is skipped: a guardian must not fail on it.
    public static func decode(_ bytes: ArraySlice<UInt8>) -> (records: [Record], consumed: Int) {
        var records: [Record] = []
        var start = bytes.startIndex
        while let end = bytes[start...].firstIndex(of: 0) {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            start = end + 1
            guard let equals = text.firstIndex(of: "=") else { continue }
            let value = String(text[text.index(after: equals)...])
            switch text[..<equals] {
            case "docker": records.append(.docker(value))
            case "engine-wait": if let milliseconds = Int64(value) { records.append(.engineWait(milliseconds: milliseconds)) }
            case "remove": records.append(.remove)
            case "filter": records.append(.filter(value))
            case "directory": records.append(.directory(value))
            case "cidfile": records.append(.cidfile(value))
            case "user-cidfile": records.append(.userCidfile(value))
            case "client": if let pid = Int32(value) { records.append(.client(pid)) }
            case "container": if let id = ContainerID(cidfileContents: value) { records.append(.container(id)) }
            case "committing": records.append(.committing)
            case "committed": records.append(.committed)
            case "finished": records.append(.finished)
            default: continue
            }
        }
        return (records, start - bytes.startIndex)
    }
}
