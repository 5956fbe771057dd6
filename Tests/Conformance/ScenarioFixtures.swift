import Foundation
import Testing

/// The regression scenarios kept as fixtures (Tests/Conformance/Fixtures, recorded by
/// scripts/record-fixtures.sh; docs/scenarios.md): each replayed on fake-docker with the built dockrun must
/// come out as recorded — those recorded on the real engine included, which makes each of them a check of
/// fake-docker's fidelity too. The replay runs on fake-docker whichever engine the suite tests, so it runs
/// in the fake-docker pass only (once, not twice). At most four replays at a time: each runs dockrun,
/// fake-docker's shims and containers, and forty of them at once on a small machine would starve the
/// timing-sensitive tests that run beside them (and the replays' own engine restarts), while one at a time
/// would add the whole set's waiting (its delays, dockrun's 3 s re-checks) to the suite's time.
@Suite("Scenario fixtures")
struct ScenarioFixtures {
    static let slots = ReplaySlots(4)

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let fixtures = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".sqlite") }.sorted()

    @Test("the fixture set is there: the proof of concept's bugs, the faults, and ten or more from the real engine")
    func fixtureSet() {
        #expect(Self.fixtures.filter { $0.hasPrefix("poc-") }.count == 15)
        #expect(Self.fixtures.filter { $0.hasPrefix("fault-") }.count >= 10)
        #expect(Self.fixtures.filter { $0.hasPrefix("engine-") }.count >= 10)
    }

    @Test("a recorded scenario replays on fake-docker with the outcome recorded",
          .enabled(if: Engine.current.isFake, "the replay runs on fake-docker: once, in the fake-docker pass"),
          arguments: fixtures)
    func replays(fixture: String) async throws {
        await Self.slots.take()
        defer { Task { await Self.slots.give() } }
        let replay = try ChildProcess(
            [Products.path("fake-docker"), "scenario", "replay", Self.directory + "/" + fixture,
             "--dockrun", Products.path("dockrun"), "--test-image", TestImage.rootfsTar],
            ChildProcess.Options(environment: ProcessInfo.processInfo.environment))
        let replayed = try await replay.finish(timeout: 240)
        #expect(replayed.code == 0 && replayed.out.isEmpty && replayed.err.isEmpty, "\(replayed.out)\(replayed.err)")
    }
}

/// A counting semaphore for async tests: `take` waits for a free slot, `give` frees one.
actor ReplaySlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func take() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
