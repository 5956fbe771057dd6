import Foundation
import Testing
@testable import FakeDocker

/// Volumes in the state file: the migration that adds them, and a volume kept as first made.
@Suite("State: volumes")
struct VolumeStoreTests {
    @Test("A state file from before volumes gains them; a volume made twice keeps its first labels")
    func volumesMigrated() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        let before = Schema.migrations.prefix { $0.name != "volumes" }
        _ = try StateStore(path: path, migrations: Array(before))
        let store = try StateStore(path: path)
        let first = Volume(name: "v", driver: "local", labels: ["a": "b"], options: [:], createdAt: 1_000)
        #expect(try store.insertVolume(first))
        #expect(try !store.insertVolume(Volume(name: "v", driver: "local", labels: [:], options: [:], createdAt: 2_000)))
        #expect(try store.volumes() == [first])
        #expect(try store.volumeUsers("v").isEmpty)
        try store.deleteVolume("v")
        #expect(try store.volume(named: "v") == nil)
        #expect(store.volumeData("v") == path + ".data/volumes/v/_data")
    }
}
