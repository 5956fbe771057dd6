import Foundation
import Testing

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

    static var executable: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent + "/fake-docker"
    }

    struct Result {
        var code: Int32
        var out: String
        var err: String
    }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["FAKE_DOCKER_STATE"] = state
        env.merge(extra) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)); try input.fileHandleForWriting.close() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(code: process.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Imports a tiny image whose only program is the host's busybox, as the conformance suite does.
    func importBusybox() throws {
        let root = directory + "/rootfs"
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: root + "/bin/busybox")
        for applet in ["sh", "sleep", "cat", "echo", "true"] {
            try FileManager.default.createSymbolicLink(atPath: root + "/bin/" + applet, withDestinationPath: "busybox")
        }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-C", root, "-cf", directory + "/rootfs.tar", "."]
        try tar.run()
        tar.waitUntilExit()
        let r = try run(["import", "-c", "CMD [\"sh\"]", directory + "/rootfs.tar", "dockrun-test/busybox:latest"])
        #expect(r.code == 0, "import failed: \(r.err)")
    }

    func cleanUp() {
        _ = try? run(["script", "--clear"])
        if let ids = try? run(["ps", "-aq"]).out.split(separator: "\n").map(String.init), !ids.isEmpty {
            _ = try? run(["rm", "-f"] + ids)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
