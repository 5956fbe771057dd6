import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("Leftovers: what a run left, and the fate of the user's cidfile")
struct LeftoversTests {
    @Test("the guardian tears down the container it was told of, else the cidfile's, else the labelled ones")
    func guardianSearch() {
        #expect(Leftovers.guardianSearch(told: id, cidfileContents: "other", filter: "label=x") == .containers([id.value]))
        #expect(Leftovers.guardianSearch(told: nil, cidfileContents: id.value, filter: "label=x") == .containers([id.value]))
        #expect(Leftovers.guardianSearch(told: nil, cidfileContents: "", filter: "label=x") == .list(filter: "label=x"))
        #expect(Leftovers.guardianSearch(told: nil, cidfileContents: String(id.value.prefix(20)), filter: "label=x")
            == .list(filter: "label=x"))
        #expect(Leftovers.guardianSearch(told: nil, cidfileContents: nil, filter: nil) == .containers([]))
    }

    @Test("--cleanup names the container by --name first, else by the cidfile's ID; an empty or absent file names none")
    func cleanupSearch() {
        #expect(Leftovers.cleanupSearch(name: "web", cidfileContents: id.value) == .containers(["web"]))
        #expect(Leftovers.cleanupSearch(name: nil, cidfileContents: id.value) == .containers([id.value]))
        #expect(Leftovers.cleanupSearch(name: nil, cidfileContents: "") == .containers([]))
        #expect(Leftovers.cleanupSearch(name: nil, cidfileContents: nil) == .containers([]))
    }

    @Test("a listing gives its IDs; a failed listing is a failure with docker's message, never 'nothing left'")
    func listing() {
        #expect(Leftovers.listed(DockerAnswer(status: .exited(0), output: "a1\n\nb2\n")) == .success(["a1", "b2"]))
        #expect(Leftovers.listed(DockerAnswer(status: .exited(0), output: "")) == .success([]))
        #expect(Leftovers.listed(DockerAnswer(status: .exited(1), error: "Cannot connect to the Docker daemon\n"))
            == .failure(Leftovers.ListingFailed(message: "Cannot connect to the Docker daemon")))
    }

    @Test("a run's cidfile goes only with the container dockrun removed (--rm), never after a failed listing")
    func runRule() {
        let removed: [Teardown.Outcome] = [.stopped(removed: true)]
        #expect(Leftovers.deletesCidfile(.run(remove: true), outcomes: removed, searchFailed: false))
        #expect(Leftovers.deletesCidfile(.run(remove: true), outcomes: [.absent], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.run(remove: true), outcomes: [], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), outcomes: [], searchFailed: true))
        #expect(!Leftovers.deletesCidfile(.run(remove: false), outcomes: [.absent], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), outcomes: [.stopped(removed: false)], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), outcomes: removed + [.failed("x")], searchFailed: false))
    }

    @Test("--cleanup's cidfile goes when nothing it names is left, removed or absent")
    func cleanupRule() {
        #expect(Leftovers.deletesCidfile(.cleanup, outcomes: [.absent], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.cleanup, outcomes: [.stopped(removed: true)], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.cleanup, outcomes: [], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.cleanup, outcomes: [.stopped(removed: false)], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.cleanup, outcomes: [.failed("x")], searchFailed: false))
    }
}
