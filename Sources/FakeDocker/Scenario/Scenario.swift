import ProcessSpawn

/// One regression scenario, as a fixture holds it: the world dockrun starts in, how it is invoked (with
/// the events that drive it), what came of it, and which engine that was recorded on.
struct Scenario {
    var recording: Recording
    var world: World
    var invocation: Invocation
    var outcome: Outcome

    /// The image every scenario's world has (made by scripts/test-image.sh), and its containers run.
    static let testImage = "dockrun-test/busybox:latest"

    /// The engine a scenario was recorded on: `fake` (fake-docker) or `docker` (a real engine, with the
    /// versions `docker version` gave).
    struct Recording {
        var engine: String
        var clientVersion: String
        var serverVersion: String
        var recordedAt: String
    }

    /// What exists before dockrun starts.
    struct World {
        var images: [Image] = []
        var containers: [Container] = []
        /// Each the arguments of one `fake-docker script` call, armed in order (fake-docker only).
        var faults: [[String]] = []
        /// Files in dockrun's TMPDIR, by path relative to it (a user's `--cidfile` left by an earlier run).
        var files: [File] = []

        /// An image to import. Without a root filesystem it is the test image (`scripts/test-image.sh`), which
        /// the real engine already has and a replay imports by recipe rather than from bytes in every fixture.
        struct Image {
            var reference: String
            var rootfsTar: [UInt8]?
            var changes: [String]
        }

        /// A container of the test image, `sh -c COMMAND`, left `created`, `running` or `exited`.
        struct Container {
            var name: String
            var state: String
            var command: String
        }

        /// A file's content may name a world container's full ID as `${ID:NAME}` (a stale cidfile).
        struct File {
            var path: String
            var content: [UInt8]
        }
    }

    /// dockrun's command line without the binary, the environment it needs beyond what every run gets
    /// (PATH, HOME, TMPDIR, DOCKRUN_DOCKER and the engine's address), its stdin, and the events. `${TMPDIR}`
    /// in an argument or a value is the run's TMPDIR.
    struct Invocation {
        var arguments: [String]
        var environment: [(name: String, value: String)] = []
        var stdin: [UInt8] = []
        var events: [ScenarioEvent] = []
    }

    /// What came of the run, normalised (`OutcomeNormaliser`): equal outcomes are the same behaviour.
    struct Outcome: Equatable {
        var status: ExitStatus
        /// How many of the events fired before dockrun ended (a trigger that never came is a difference).
        var eventsFired: Int
        var stdout: [UInt8]
        var stderr: [UInt8]
        /// Each docker call's arguments (the command first), in the order they started.
        var calls: [[String]]
        var containers: [Container]
        /// The references left of the world's images and of those the arguments name (a commit's).
        var images: [String]
        var files: [File]

        struct Container: Equatable, Comparable {
            var name: String
            var status: String
            var exitCode: Int32
            var image: String

            static func < (a: Container, b: Container) -> Bool {
                (a.name, a.status, a.exitCode, a.image) < (b.name, b.status, b.exitCode, b.image)
            }
        }

        /// A file left in TMPDIR: its path relative to TMPDIR (a directory ends in `/`), and a small
        /// regular file's content.
        struct File: Equatable {
            var path: String
            var content: String?
        }
    }
}
