import Foundation
import Testing

/// `--link` without a bridge, and the logging drivers, as the engine takes them (docs/engine-observations.md, "links
/// and log drivers").
@Suite("Engine contract: links and log drivers")
struct EngineContractLinksAndLogs {
    static let help = "\n\nRun 'docker run --help' for more information\n"

    @Test("a link's format is the flag's to refuse: 125 with the usage")
    func linkFormat() async throws {
        try await Sandbox.with { sb in
            for (value, reason) in [("", "empty string specified for links"), ("a:b:c", "bad format for links: a:b:c")] {
                let run = try await sb.docker(["run", "--rm", "--link", value] + sb.tag + [sb.image, "true"])
                #expect(run.code == 125)
                #expect(run.err == "invalid argument \"\(value)\" for \"--link\" flag: \(reason)\n\n"
                        + "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]" + Self.help, "\(run.err)")
            }
        }
    }

    @Test("a link to a missing container is refused at create; to a stopped one at the start; beside --network host always")
    func linkTargets() async throws {
        try await Sandbox.with { sb in
            let missing = sb.name("missing")
            let create = try await sb.docker(["create", "--link", "\(missing):al"] + sb.tag + [sb.image, "true"])
            #expect(create.code == 1)
            #expect(create.err == "Error response from daemon: could not get container for \(missing): No such container: \(missing)\n")

            let stopped = sb.name("stopped"), child = sb.name("child")
            _ = try await sb.docker(["create", "--name", stopped] + sb.tag + [sb.image, "true"])
            let created = try await sb.docker(["create", "--name", child, "--link", "\(stopped):al"] + sb.tag + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.inspect(child, "{{json .HostConfig.Links}}") == "[\"/\(stopped):/\(child)/al\"]")
            let start = try await sb.docker(["start", child])
            #expect(start.code == 1)
            #expect(start.err == "Error response from daemon: Cannot link to a non running container: /\(stopped) AS /\(child)/al\n"
                    + "Error: failed to start containers: \(child)\n", "\(start.err)")

            let host = try await sb.docker(["run", "--rm", "--network", "host", "--link", "\(stopped):al"] + sb.tag + [sb.image, "true"])
            #expect(host.code == 125)
            #expect(host.err == "docker: Error response from daemon: conflicting options: host type networking can't be used with "
                    + "links. This would result in undefined behavior" + Self.help, "\(host.err)")
        }
    }

    @Test("a link gives the process the target's name and environment (not HOME or PATH), not .Config.Env")
    func linkEnvironment() async throws {
        try await Sandbox.with { sb in
            let target = sb.name("target"), child = sb.name("child")
            _ = try await sb.docker(["run", "-d", "--name", target, "-e", "GREETING=hi there", "-e", "HOME=/h"] + sb.tag
                                    + [sb.image, "sleep", "600"])
            let run = try await sb.docker(["run", "--name", child, "--link", "\(target):my-db"] + sb.tag
                                          + [sb.image, "sh", "-c", "env | grep ^MY_DB | sort"])
            #expect(run.code == 0, "\(run)")
            #expect(run.out == "MY_DB_ENV_GREETING=hi there\nMY_DB_NAME=/\(child)/my-db\n")
            let env = try await sb.inspect(child, "{{json .Config.Env}}") ?? ""
            #expect(!env.contains("MY_DB"), "\(env)")
        }
    }

    @Test("log drivers: an unknown one, an option the driver does not take, options with none: each refusal where the engine makes it")
    func logRefusals() async throws {
        try await Sandbox.with { sb in
            let unknown = try await sb.docker(["run", "--rm", "--log-driver", "nosuch"] + sb.tag + [sb.image, "true"])
            #expect(unknown.code == 125)
            #expect(unknown.err == "docker: Error response from daemon: error looking up logging plugin nosuch: plugin \"nosuch\" not found"
                    + Self.help, "\(unknown.err)")
            let option = try await sb.docker(["create", "--log-opt", "nosuch=1"] + sb.tag + [sb.image, "true"])
            #expect(option.code == 1)
            #expect(option.err == "Error response from daemon: unknown log opt 'nosuch' for json-file log driver\n")
            let local = try await sb.docker(["run", "--rm", "--log-driver", "local", "--log-opt", "tag=x"] + sb.tag + [sb.image, "true"])
            #expect(local.code == 125)
            #expect(local.err == "docker: Error response from daemon: unknown log opt 'tag' for log driver local" + Self.help)
            let none = try await sb.docker(["run", "--rm", "--log-driver", "none", "--log-opt", "max-size=1k"] + sb.tag + [sb.image, "true"])
            #expect(none.code == 125)
            #expect(none.err == "docker: invalid logging opts for driver none" + Self.help, "\(none.err)")
        }
    }

    @Test("the log config in inspect; logs of a none container fail, its attached output still arrives")
    func logConfig() async throws {
        try await Sandbox.with { sb in
            let json = sb.name("json")
            _ = try await sb.docker(["create", "--name", json, "--log-opt", "max-size=1k", "--log-opt", "max-file=2"] + sb.tag
                                    + [sb.image, "true"])
            #expect(try await sb.inspect(json, "{{json .HostConfig.LogConfig}}")
                    == #"{"Type":"json-file","Config":{"max-file":"2","max-size":"1k"}}"#)
            let plain = sb.name("plain")
            _ = try await sb.docker(["create", "--name", plain] + sb.tag + [sb.image, "true"])
            #expect(try await sb.inspect(plain, "{{json .HostConfig.LogConfig}} {{json .HostConfig.Links}}")
                    == #"{"Type":"json-file","Config":{}} null"#)

            let none = sb.name("none")
            let run = try await sb.docker(["run", "--name", none, "--log-driver", "none"] + sb.tag + [sb.image, "echo", "hi"])
            #expect(run.code == 0 && run.out == "hi\n", "\(run)")
            let logs = try await sb.docker(["logs", none])
            #expect(logs.code == 1)
            #expect(logs.err == "Error response from daemon: configured logging driver does not support reading\n")

            let local = sb.name("local")
            _ = try await sb.docker(["run", "--name", local, "--log-driver", "local"] + sb.tag + [sb.image, "echo", "kept"])
            #expect(try await sb.docker(["logs", local]).out == "kept\n")
        }
    }
}
