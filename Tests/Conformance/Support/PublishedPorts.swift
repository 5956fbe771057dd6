import Foundation

/// Where a test reaches the ports an engine publishes: fake-docker publishes in this process's own network namespace
/// (the host's); the real engine of scripts/engine-start.sh in its own, bound at `netns` beside its socket, which a
/// client enters with nsenter. The real engine publishes only when it runs with a bridge (engine-start.sh's default,
/// not `DOCKRUN_ENGINE_BRIDGE=0`).
enum PublishedPorts {
    /// The engine's network namespace, nil for this process's own.
    static let namespace: String? = {
        guard !Engine.current.isFake, let host = ProcessInfo.processInfo.environment["DOCKER_HOST"],
              host.hasPrefix("unix://") else { return nil }
        let path = URL(fileURLWithPath: String(host.dropFirst("unix://".count))).deletingLastPathComponent().path + "/netns"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// Whether the engine can publish: fake-docker always; the real engine when it has its bridge network.
    static let available: Bool = {
        if Engine.current.isFake { return true }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [Engine.current.cli, "network", "inspect", "bridge"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    /// A host port for one test: random in a range no engine hands out on its own (below the ephemeral ports).
    static func hostPort() -> Int { Int.random(in: 20000...29999) }

    /// The argv of a client command run where the ports are published.
    static func client(_ argv: [String]) -> [String] {
        namespace.map { ["nsenter", "--net=\($0)"] + argv } ?? argv
    }

    /// `wget -q -O - http://127.0.0.1:PORT/PATH` with the test image's busybox (the host's static one; its `-T`
    /// crashes, the caller's timeout bounds it instead).
    static func fetch(_ port: Int, _ path: String = "") -> [String] {
        client(["/bin/busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:\(port)/\(path)"])
    }

    /// A container's script: serves `hello` on port 5000 (busybox httpd binds before it goes to the background), says
    /// `ready`, and ends at TERM.
    static let server = "trap 'exit 0' TERM; mkdir -p /www && echo hello > /www/index.html && httpd -p 5000 -h /www && "
        + "echo ready; while :; do sleep 0.1; done"
}
