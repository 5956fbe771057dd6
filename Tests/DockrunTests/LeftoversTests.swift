import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("Leftovers: what a run left, and the fate of the user's cidfile")
struct LeftoversTests {
    @Test("--cleanup names the container by --name first, else by the cidfile's ID; an empty or absent file names none")
    func cleanupTargets() {
        #expect(Leftovers.cleanupTargets(name: "web", cidfileContents: id.value) == ["web"])
        #expect(Leftovers.cleanupTargets(name: nil, cidfileContents: id.value) == [id.value])
        #expect(Leftovers.cleanupTargets(name: nil, cidfileContents: "") == [])
        #expect(Leftovers.cleanupTargets(name: nil, cidfileContents: nil) == [])
    }

    @Test("a listing gives each container with its state; a failed listing is a failure with docker's message, never 'nothing left'")
    func listing() {
        #expect(Leftovers.listed(DockerAnswer(status: .exited(0), output: "a1 running\n\nb2 created\n"))
            == .success([Leftovers.Listed(id: "a1", state: "running"), Leftovers.Listed(id: "b2", state: "created")]))
        #expect(Leftovers.listed(DockerAnswer(status: .exited(0), output: "")) == .success([]))
        #expect(Leftovers.listed(DockerAnswer(status: .exited(1), error: "Cannot connect to the Docker daemon\n"))
            == .failure(Leftovers.ListingFailed(message: "Cannot connect to the Docker daemon")))
    }

    @Test("the sweep removes anything with --rm; without it, it stops what runs and keeps what was created or ended")
    func sweepTearsDown() {
        for state in ["created", "running", "exited", "restarting", "paused", "dead"] {
            #expect(Leftovers.sweepTearsDown(Leftovers.Listed(id: "a", state: state), remove: true), "\(state)")
        }
        for state in ["running", "restarting", "paused"] {
            #expect(Leftovers.sweepTearsDown(Leftovers.Listed(id: "a", state: state), remove: false), "\(state)")
        }
        for state in ["created", "exited", "dead"] {
            #expect(!Leftovers.sweepTearsDown(Leftovers.Listed(id: "a", state: state), remove: false), "\(state)")
        }
    }

    @Test("a run's cidfile goes only with the container dockrun removed (--rm), never after a failed listing")
    func runRule() {
        let removed: [Teardown.Outcome] = [.stopped(removed: true)]
        #expect(Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: removed, searchFailed: false))
        #expect(Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: [.absent], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: [], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: [], searchFailed: true))
        #expect(!Leftovers.deletesCidfile(.run(remove: false), namesContainer: true, outcomes: [.absent], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: [.stopped(removed: false)], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), namesContainer: true, outcomes: removed + [.failed("x")], searchFailed: false))
    }

    @Test("--cleanup's cidfile goes when nothing it names is left, removed or absent")
    func cleanupRule() {
        #expect(Leftovers.deletesCidfile(.cleanup, namesContainer: true, outcomes: [.absent], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.cleanup, namesContainer: true, outcomes: [.stopped(removed: true)], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.cleanup, namesContainer: true, outcomes: [], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.cleanup, namesContainer: true, outcomes: [.stopped(removed: false)], searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.cleanup, namesContainer: true, outcomes: [.failed("x")], searchFailed: false))
    }

    @Test("a cidfile that names no container goes unless a container of the run is kept or the search failed")
    func emptyCidfile() {
        #expect(Leftovers.deletesCidfile(.run(remove: false), namesContainer: false, outcomes: [], searchFailed: false))
        #expect(Leftovers.deletesCidfile(.run(remove: true), namesContainer: false, outcomes: [.stopped(removed: true)],
                                         searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: false), namesContainer: false, outcomes: [.stopped(removed: false)],
                                          searchFailed: false))
        #expect(!Leftovers.deletesCidfile(.run(remove: true), namesContainer: false, outcomes: [], searchFailed: true))
        #expect(Leftovers.deletesCidfile(.cleanup, namesContainer: false, outcomes: [], searchFailed: false))
    }
}
