import Foundation
import Testing

/// `--log-opt` values, as the real engine checks them (docs/engine-observations.md, "--log-opt values"): create
/// takes any value of an option the driver knows; the driver refuses a bad one when it starts, at each start, with
/// the container left created (128, `.State.Error`). The same assertions on both engines.
@Suite("Engine contract: --log-opt values")
struct EngineContractLogOptions {
    static let help = "\n\nRun 'docker run --help' for more information\n"

    @Test("a bad json-file value is refused at the start, not at create: run 125, start 1, the container left created")
    func jsonFile() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--name", sb.name("r"), "--log-opt", "max-size=foo"] + sb.tag + [sb.image, "echo", "hi"])
            #expect(run.code == 125 && run.out.isEmpty, "\(run)")
            #expect(run.err == "docker: Error response from daemon: failed to initialize logging driver: invalid size: 'foo'" + Self.help,
                    "\(run.err)")
            #expect(try await sb.inspect(sb.name("r"), "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}")
                    == "created 128 failed to initialize logging driver: invalid size: 'foo'")
            // Detached: create's answer, the ID, is printed before the start fails.
            let detached = try await sb.docker(["run", "-d", "--name", sb.name("d"), "--log-opt", "max-size=foo"] + sb.tag
                                               + [sb.image, "true"])
            #expect(detached.code == 125 && matches(detached.out, hex64 + "\n") && detached.err == run.err, "\(detached)")

            let cases: [([String], String?)] = [
                (["max-file=0"], "max-file cannot be less than 1"),
                (["max-file=x"], "strconv.Atoi: parsing \"x\": invalid syntax"),
                (["max-size=0"], "max-size must be a positive number"),
                (["compress=yes"], "strconv.ParseBool: parsing \"yes\": invalid syntax"),
                (["compress=true"], "compress cannot be true when max-file is less than 2 or max-size is not set"),
                (["max-size=foo", "max-file=0"], "invalid size: 'foo'"),
                (["max-file=2"], nil),
                (["max-size=1.5k", "max-file=2", "compress=true"], nil),
            ]
            try await Self.check(sb, driver: "json-file", cases)
        }
    }

    @Test("local's values: its own words, and its defaults (5 files, compressed) counted")
    func local() async throws {
        try await Sandbox.with { sb in
            let cases: [([String], String?)] = [
                (["max-size=foo"], "invalid value for max-size: foo: invalid size: 'foo'"),
                (["max-file=x"], "invalid value for max-file: x: strconv.Atoi: parsing \"x\": invalid syntax"),
                (["max-file=1"], "compression cannot be enabled when max file count is 1"),
                (["max-file=-1"], "max file count cannot be less than 0"),
                (["compress=yes"], "error reading compress log option: strconv.ParseBool: parsing \"yes\": invalid syntax"),
                (["max-size=0"], nil),
                (["max-file=1", "compress=false"], nil),
            ]
            try await Self.check(sb, driver: "local", cases)
        }
    }

    /// Each case created (accepted) and started: refused in the driver's words, or started.
    static func check(_ sb: Sandbox, driver: String, _ cases: [([String], String?)]) async throws {
        for (i, (options, refusal)) in cases.enumerated() {
            let name = sb.name("\(driver)\(i)")
            let create = try await sb.docker(["create", "--name", name, "--log-driver", driver]
                                             + options.flatMap { ["--log-opt", $0] } + sb.tag + [sb.image, "true"])
            #expect(create.code == 0, "\(options): \(create)")
            let start = try await sb.docker(["start", name])
            if let refusal {
                #expect(start.code == 1 && start.err == "Error response from daemon: failed to initialize logging driver: "
                        + "\(refusal)\nError: failed to start containers: \(name)\n", "\(options): \(start)")
            } else {
                #expect(start.code == 0 && start.err.isEmpty, "\(options): \(start)")
            }
        }
    }
}
