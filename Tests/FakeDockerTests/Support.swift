import Foundation
import Testing
// The process harness and the test image, shared with the conformance suite; exported so that every file
// here sees them without importing them.
@_exported import TestSupport

/// Runs the built fake-docker (beside this test binary) against one state file.
struct Simulator {
    let directory: String
    var state: String { directory + "/state.sqlite" }

    init() throws {
        directory = try Self.makeTemporaryDirectory()
    }

    static func makeTemporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "fake-docker-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static var executable: String { Products.path("fake-docker") }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Outcome {
        try runToEnd([Self.executable] + args, stdin: stdin, environment: extra)
    }

    /// Imports the test image (`TestImage`, as the conformance suite does).
    func importBusybox() throws {
        let r = try runToEnd(TestImage.importCommand(cli: Self.executable))
        #expect(r.code == 0, "import failed: \(r.err)")
    }

    /// Runs `argv` against this state file, blocking: most of these tests are synchronous.
    private func runToEnd(_ argv: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_DOCKER_STATE"] = state
        environment.merge(extra) { $1 }
        var options = ChildProcess.Options(environment: environment)
        options.stdin = stdin.map { Array($0.utf8) }
        return try ChildProcess.runBlocking(argv, options)
    }

    func cleanUp() {
        _ = try? run(["script", "--clear"])
        if let ids = try? run(["ps", "-aq"]).out.split(separator: "\n").map(String.init), !ids.isEmpty {
            _ = try? run(["rm", "-f"] + ids)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
