import Foundation
import Glibc
import Testing

/// The seed's second example, `dockrun -p 42850:5000 myrepo/coolservice` ("start and expose a service"): the service
/// answers on the host port while dockrun runs, and once dockrun has ended the port is free, so that a monitor's
/// immediate restart never meets "port is already allocated" (docs/fake-docker.md, "Publishing").
@Suite("dockrun: a service with -p", .enabled(if: PublishedPorts.available, "the real engine runs without a bridge"))
struct DockrunPublish {
    @Test("dockrun --rm -p HOST:5000 IMG httpd: reachable while it runs; stopped and run again at once, reachable again")
    func serviceRestartsOnItsPort() async throws {
        try await Sandbox.with { sb in
            let port = PublishedPorts.hostPort()
            for round in 1...2 {
                let run = try sb.startDockrun(["--rm", "-p", "\(port):5000"] + sb.tag + [sb.image, "sh", "-c", PublishedPorts.server])
                try await run.waitForStdout("ready\n")
                let fetched = try await ChildProcess(PublishedPorts.fetch(port), ChildProcess.Options(environment: sb.environment))
                    .finish(timeout: 30)
                #expect(fetched.out == "hello\n", "round \(round): \(fetched)")
                run.signal(SIGTERM)
                let outcome = try await run.finish()
                #expect(outcome.code == 0, "round \(round): \(outcome)")
                #expect(!outcome.err.contains("port is already allocated"), "round \(round): \(outcome)")
            }
            #expect(try await sb.containers().isEmpty)
        }
    }
}
