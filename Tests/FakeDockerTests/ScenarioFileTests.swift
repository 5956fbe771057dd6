import FakeDocker
import ProcessSpawn
import Foundation
import Testing

/// `fake-docker scenario show|replay` on a file that is not a fixture it can use: one line, exit 1, and
/// the file as it was.
@Suite("Scenario fixture files")
struct ScenarioFileTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Conformance/Fixtures/poc-guessable-temp-name.sqlite").standardized.path

    /// Runs `scenario COMMAND FILE` on a file with `content`, and returns the outcome and what the file holds after.
    func run(_ command: String, on content: Data?, named name: String = "file.sqlite") throws -> (Outcome, Data?) {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let path = sim.directory + "/" + name
        if let content { FileManager.default.createFile(atPath: path, contents: content) }
        let outcome = try sim.run(["scenario", command, path])
        return (outcome, FileManager.default.contents(atPath: path))
    }

    func expectRefused(_ outcome: Outcome, saying text: String) {
        #expect(outcome.code == 1)
        #expect(outcome.out.isEmpty)
        #expect(outcome.err.hasPrefix("fake-docker: ") && outcome.err.hasSuffix("\n") && outcome.err.dropLast().split(separator: "\n").count == 1,
                "\(outcome.err.debugDescription)")
        #expect(outcome.err.contains(text), "\(outcome.err.debugDescription)")
    }

    @Test("a file that is not SQLite, a state file, a damaged fixture and a missing file are refused in one line, untouched",
          arguments: ["show", "replay"])
    func refused(command: String) throws {
        let notSQLite = Data("hello, not a database\n".utf8)
        var (outcome, after) = try run(command, on: notSQLite)
        expectRefused(outcome, saying: "is not a scenario fixture")
        #expect(after == notSQLite)

        let sim = try Simulator()
        defer { sim.cleanUp() }
        _ = try sim.run(["ps"])
        let stateFile = try Data(contentsOf: URL(fileURLWithPath: sim.state))
        (outcome, after) = try run(command, on: stateFile)
        expectRefused(outcome, saying: "is not a scenario fixture")
        #expect(after == stateFile)

        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        let damaged = whole.prefix(whole.count / 2) + Data(repeating: 0x5A, count: 3000)
        (outcome, after) = try run(command, on: damaged)
        expectRefused(outcome, saying: "damaged fixture")
        #expect(after == damaged)

        (outcome, after) = try run(command, on: nil)
        expectRefused(outcome, saying: "cannot read")
        #expect(after == nil)
    }

    @Test("a fixture of a newer schema is refused in one line and left as it was")
    func newer() throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixture))
        // The header's user_version, a big-endian integer at offset 60.
        bytes.replaceSubrange(60..<64, with: [0, 0, 0, 99])
        let (outcome, after) = try run("show", on: bytes)
        expectRefused(outcome, saying: "written by a newer fake-docker (fixture schema 99")
        #expect(after == bytes)
    }

    @Test("show prints the fixture: the world, the invocation, the outcome and the engine")
    func show() throws {
        let (outcome, after) = try run("show", on: try Data(contentsOf: URL(fileURLWithPath: Self.fixture)))
        #expect(outcome.code == 0, "\(outcome.err)")
        for line in ["recorded on fake-docker", "image dockrun-test/busybox:latest (the test image)",
                     "dockrun --rm dockrun-test/busybox:latest sh -c", "exit: exit 0", "rm -f '<ID1>'"] {
            #expect(outcome.out.contains(line), "\(line) in \(outcome.out)")
        }
        #expect(after == (try Data(contentsOf: URL(fileURLWithPath: Self.fixture))))
    }

    /// A PREFIX laid out as scripts/install.sh lays it out (its copy step; its release build is too slow for a
    /// test): PREFIX/bin/fake-docker and dockrun, PREFIX/share/dockrun/test-image.sh unless `recipe` is false.
    func installed(recipe: Bool) throws -> Simulator {
        let prefix = try Simulator()
        // Copied by install(1) in a process of its own, as install.sh does: a copy written here would leave its
        // descriptor open to a child another test forks meanwhile, and exec'ing the copy would fail (ETXTBSY).
        var install = ["install", "-D", "-m", "0755", "-t", prefix.directory + "/bin",
                       Products.path("fake-docker"), Products.path("dockrun")]
        if recipe {
            install += ["&&", "install", "-D", "-m", "0644", Repository.script("test-image.sh"),
                        prefix.directory + "/share/dockrun/test-image.sh",
                        "&&", "install", "-D", "-m", "0644", Repository.root + "/Tests/Helpers/sdnotify-send.c",
                        prefix.directory + "/share/dockrun/sdnotify-send.c"]
        }
        let copied = try ChildProcess.runBlocking(["/bin/sh", "-c", install.map { $0 == "&&" ? $0 : shellQuoted($0) }.joined(separator: " ")],
                                                  ChildProcess.Options(environment: ProcessInfo.processInfo.environment))
        #expect(copied.code == 0, "\(copied)")
        return prefix
    }

    /// `fake-docker scenario replay FIXTURE` run from /, with nothing but the installed files.
    func replayFromRoot(_ prefix: Simulator) throws -> Outcome {
        try ChildProcess.runBlocking(["/bin/sh", "-c", #"cd / && exec "$0" scenario replay "$1""#,
                                      prefix.directory + "/bin/fake-docker", Self.fixture],
                                     ChildProcess.Options(environment: ProcessInfo.processInfo.environment), timeout: 120)
    }

    @Test("an installed fake-docker replays a fixture from any directory, with the test image's recipe under PREFIX/share")
    func installedReplay() throws {
        let prefix = try installed(recipe: true)
        defer { prefix.cleanUp() }
        let replayed = try replayFromRoot(prefix)
        #expect(replayed.code == 0 && replayed.out.isEmpty && replayed.err.isEmpty, "\(replayed)")
    }

    @Test("without the recipe installed, the replay says where it looked for it")
    func installedWithoutRecipe() throws {
        let prefix = try installed(recipe: false)
        defer { prefix.cleanUp() }
        let replayed = try replayFromRoot(prefix)
        #expect(replayed.code == 1)
        #expect(replayed.err.contains("share/dockrun/test-image.sh is above \(prefix.directory)/bin/fake-docker"), "\(replayed)")
    }
}
