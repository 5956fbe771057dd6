import Foundation
import Testing
@testable import FakeDocker

/// A command that decides from what the state holds (an image nobody uses, an image that exists) must
/// still be right when it writes: its reads and writes are one transaction that holds the write lock.
/// Each test lets a command begin, then changes the state under the write lock while the command is
/// between its first read and its write, and shows the command deciding from the changed state.
@Suite("Read-modify-writes")
struct ReadModifyWriteTests {
    @Test("rmi refuses an image a container started using while rmi waited for the write lock")
    func rmiSeesANewUser() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let store = try StateStore(path: sim.state)
        // A container to insert later, read from a real create; removed again so the image starts unused.
        let id = try sim.run(["create", "dockrun-test/busybox", "true"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        var user = try #require(try store.container(id: id))
        try sim.run(["rm", id])
        user.id = randomHexID()
        user.name = "late-user"
        let rmi = try await Self.run(["rmi", "dockrun-test/busybox"], on: sim, store: store) {
            try store.insert(user)
        }
        #expect(rmi.code == 1)
        #expect(rmi.err == "Error response from daemon: conflict: unable to remove repository reference \"dockrun-test/busybox:latest\" (must force) - container \(user.shortID) is using its referenced image \(user.imageID.prefix(12))\n")
        #expect(try sim.run(["images", "--format", "{{.Repository}}"]).out == "dockrun-test/busybox\n")
    }

    @Test("create refuses an image that rmi deleted after create looked it up")
    func createSeesTheImageGone() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let store = try StateStore(path: sim.state)
        let create = try await Self.run(["create", "--name", "orphan", "dockrun-test/busybox", "true"], on: sim, store: store) {
            try store.deleteImage(try #require(try store.findImage("dockrun-test/busybox")))
        }
        // `create` prints the daemon's errors bare and exits 1, as the engine does (docs/engine-observations.md).
        #expect(create.code == 1)
        #expect(create.err == "Error response from daemon: No such image: dockrun-test/busybox:latest\n")
        #expect(try sim.run(["ps", "-aq"]).out.isEmpty)
    }

    /// Runs fake-docker with `args`, delayed by a scripted fault; once the delay has begun (the fault is
    /// used up, so the command holds no lock), `change` runs in a transaction that keeps the write lock
    /// until after the delay ends. The command's reads before its transaction therefore see the state
    /// without `change`, and its transaction, which waits for the lock, sees it with.
    static func run(_ args: [String], on sim: Simulator, store: StateStore, change: () throws -> Void) async throws -> Outcome {
        let delay = 1.5
        try sim.run(["script", args[0], "--delay", String(delay)])
        var environment = ProcessInfo.processInfo.environment
        environment["FAKE_DOCKER_STATE"] = sim.state
        let process = try ChildProcess([Simulator.executable] + args, ChildProcess.Options(environment: environment))
        var consumed = false
        for _ in 0..<2000 where !consumed {
            consumed = try store.armedFaults().isEmpty
            if !consumed { usleep(5_000) }
        }
        #expect(consumed, "the command never took its scripted delay")
        try store.transaction {
            try change()
            sleepSeconds(delay + 1)
        }
        return try await process.finish()
    }
}
