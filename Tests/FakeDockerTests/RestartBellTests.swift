import Foundation
import Testing
@testable import FakeDocker

/// An open EngineConnection is woken by a restart through the bell (a FIFO beside the state), not by polling.
@Suite("The restart bell")
struct RestartBellTests {
    /// Whether `fd` is readable (or hung up) right now.
    func isReady(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    /// A restart as EngineRestart makes it: its line in the restarts file, then the bell.
    func restart(_ store: StateStore) throws {
        let fd = open(EngineConnection.restartsPath(store), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        _ = Output.write(fd, "restart\n")
        close(fd)
        EngineConnection.ringBell(store)
    }

    @Test("A restart wakes every open connection, each is lost, and looking re-arms the bell so a poll blocks again")
    func ringWakesAndRearms() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: dir + "/s.sqlite")
        let first = EngineConnection(store: store), second = EngineConnection(store: store)
        #expect(first.watchFD >= 0 && second.watchFD >= 0)
        #expect(!isReady(first.watchFD) && !isReady(second.watchFD))
        #expect(!first.isLost)

        try restart(store)
        #expect(isReady(first.watchFD) && isReady(second.watchFD))
        #expect(first.isLost && second.isLost)
        #expect(!isReady(first.watchFD) && !isReady(second.watchFD))
        // A connection made after the restart is not cut by it.
        #expect(!EngineConnection(store: store).isLost)
    }

    @Test("A shim's restart mark grows at each restart, the bell re-armed between them")
    func marksTellEachRestart() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: dir + "/s.sqlite")
        let shim = EngineConnection(store: store)
        let before = shim.restartMark
        try restart(store)
        #expect(isReady(shim.watchFD))
        let once = shim.restartMark
        #expect(once > before && !isReady(shim.watchFD))
        try restart(store)
        #expect(isReady(shim.watchFD))
        #expect(shim.restartMark > once)
    }

    @Test("Without a FIFO at the bell's path, a connection looks at the restarts file every 100 ms")
    func noBellFallsBackToTimer() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: dir + "/s.sqlite")
        // A regular file would be readable at once and for ever: not taken for a bell.
        #expect(FileManager.default.createFile(atPath: EngineConnection.bellPath(store), contents: Data("x".utf8)))
        let connection = EngineConnection(store: store)
        #expect(connection.watchFD == -1)
        #expect(connection.pollTimeout(-1) == 100)
        try restart(store)
        #expect(connection.isLost)
    }
}
