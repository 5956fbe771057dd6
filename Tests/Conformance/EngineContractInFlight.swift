import Foundation
import Glibc
import Testing

/// A request the engine has received is carried out whatever happens to the client that sent it
/// (docs/engine-observations.md, "a client SIGKILLed while its create is in flight"): a `docker run` client killed
/// while its create is in flight leaves a `Created` container, `--rm` or not. What dockrun must clean up after.
@Suite("Engine contract: a request in flight outlives its client")
struct EngineContractInFlight {
    @Test("a client SIGKILLed during its create leaves the container the engine created: Created, with its labels",
          .enabled(if: Engine.current.isFake, "needs `fake-docker script run --delay` to hold the create in flight"))
    func killedDuringScriptedCreate() async throws {
        try await Sandbox.with { sb in
            // A test starved of its thread on a loaded machine may see the create only once it is over: it tries
            // again, up to five times, until the kill lands while the create is in flight.
            for attempt in 0..<5 {
                try await sb.script(["run", "--delay", "5"])
                let client = try sb.startDocker(["run", "--rm", "--label", "in-flight=yes"] + sb.tag + [sb.image, "sleep", "600"])
                // The engine's request process exists once the request has reached it whole (RequestProcess); it then
                // spends the scripted delay before the create. Its shim would mean the create was over.
                var inFlight = false
                try await ChildProcess.eventually("the create request to reach the engine") {
                    let children = client.children.compactMap { $0.dropFirst().first }
                    inFlight = children.contains("__create")
                    return inFlight || children.contains("__shim") || !client.isRunning
                }
                client.signal(SIGKILL)
                #expect(try await client.finish().termination == .signaled(SIGKILL))
                guard inFlight else {
                    _ = try await sb.docker(["rm", "-f"] + (try await sb.containers()))
                    #expect(attempt < 4, "five tries and the create was over each time before the test saw it in flight")
                    continue
                }
                var ids: [String] = []
                try await ChildProcess.eventually("the engine to complete the create") {
                    ids = try await sb.containers()
                    return !ids.isEmpty
                }
                #expect(ids.count == 1)
                let id = try #require(ids.first)
                #expect(try await sb.inspect(id, "{{.State.Status}}") == "created", "the start was never sent")
                #expect(try await sb.inspect(id, #"{{index .Config.Labels "in-flight"}} {{index .Config.Labels "dockrun-test"}}"#)
                        == "yes \(sb.id)")
                return
            }
        }
    }

    @Test("clients SIGKILLed 20-1200 ms after they started leave the containers the engine created: Created, with labels",
          .enabled(if: !Engine.current.isFake, "fake-docker's create is held in flight by a scripted delay instead"))
    func killedEarly() async throws {
        try await Sandbox.with { sb in
            // Each kill lands while the engine creates (a create takes 100-550 ms there under load, less when the
            // machine is idle); a kill before the request was sent leaves nothing, one after the start request a
            // running container: both are allowed. A sweep of kills in which none landed in flight is made again,
            // with the delays spread wider (up to four sweeps).
            var created: [String] = []
            for sweep in 0..<4 {
                for (attempt, milliseconds) in [20, 40, 60, 80, 100, 150, 200, 300].enumerated() {
                    let client = try sb.startDocker(["run", "--rm", "--label", "in-flight=\(sweep)-\(attempt)"] + sb.tag
                                                    + [sb.image, "sleep", "600"])
                    try await Task.sleep(nanoseconds: UInt64(milliseconds * (sweep + 1)) * 1_000_000)
                    client.signal(SIGKILL)
                    _ = try await client.finish()
                }
                do {
                    try await ChildProcess.eventually("the engine to complete a create in flight", timeout: 10) {
                        created = try await sb.docker(["ps", "-aq", "--filter", "label=\(sb.label)", "--filter", "status=created"])
                            .out.split(separator: "\n").map(String.init)
                        return !created.isEmpty
                    }
                    break
                } catch is TimeoutError {
                    continue
                }
            }
            #expect(!created.isEmpty, "no kill in four sweeps landed while the engine created")
            for id in created {
                let labels = try await sb.inspect(id, #"{{index .Config.Labels "in-flight"}} {{index .Config.Labels "dockrun-test"}}"#)
                #expect(matches(labels ?? "", "[0-3]-[0-7] \(sb.id)"), "\(labels ?? "no labels")")
            }
        }
    }
}
