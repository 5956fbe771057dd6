import Foundation
import Glibc
import Testing

/// `docker attach` with stdin, as the real engine answers it (docs/engine-observations.md, "attach: stdin and detach
/// keys"): the client's stdin reaches a `-i` container's, `--no-stdin` keeps it back, the detach keys of a `-t`
/// container end the client and leave the container running. The same assertions on both engines.
@Suite("Engine contract: attach with stdin")
struct EngineContractAttach {
    /// Echoes each line of its stdin (`got LINE`) in the background; exits 3 on TERM.
    static let echoer = ["sh", "-c", "exec 3<&0; (while read l; do echo \"got $l\"; done) <&3 & "
                         + "trap 'echo bye; exit 3' TERM; echo ready; while :; do sleep 0.1; done"]

    /// The engine CLI on a pseudo-terminal, running on.
    static func startOnTerminal(_ sb: Sandbox, _ args: [String]) throws -> ChildProcess {
        try ChildProcess([sb.engine.cli] + args, ChildProcess.Options(environment: sb.environment, terminal: true))
    }

    @Test("attach passes its stdin on to a -i container, --no-stdin does not; the client ends with the container's exit")
    func stdinPassedOn() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "-di", "--name", name] + sb.tag + [sb.image] + Self.echoer)
            #expect(run.code == 0, "\(run)")
            try await ContainerScript.awaitReady(sb, name)
            let client = try sb.startDocker(["attach", name], keepStdinOpen: true)
            client.write(toStdin: "one\n")
            try await client.waitForStdout("got one")
            // Its stdin is not read: the line never reaches the container.
            let quiet = try sb.startDocker(["attach", "--no-stdin", name], stdin: Array("lost\n".utf8))
            // The first client's stdin ends: it shows nothing more and waits for the container's exit.
            client.closeStdin()
            var mark = 0
            try await ChildProcess.eventually("the --no-stdin client to attach") {
                mark += 1
                _ = try await sb.docker(["exec", name, "sh", "-c", "echo mark\(mark) > /proc/1/fd/1"])
                return quiet.stdout.text.contains("mark")
            }
            #expect(client.isRunning, "the client ended at the end of its stdin: \(client.stdout.text.debugDescription)")
            #expect(try await sb.docker(["stop", name]).code == 0)
            let first = try await client.finish()
            #expect(first.code == 3, "\(first)")
            let second = try await quiet.finish()
            #expect(second.code == 3 && second.out.hasSuffix("bye\n"), "\(second)")
            let logs = try await sb.docker(["logs", name])
            #expect(logs.out.contains("got one\n") && !logs.out.contains("lost"), "\(logs)")
        }
    }

    @Test("the detach keys (ctrl-p ctrl-q, --detach-keys) end a -t container's client with 1, the container running on")
    func detachKeys() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "-dit", "--name", name] + sb.tag + [sb.image, "sh"])
            #expect(run.code == 0, "\(run)")
            try await Self.detach(sb, name, [], typing: [0x10, 0x11])
            try await Self.detach(sb, name, ["--detach-keys", "ctrl-a,x"], typing: [0x01, 0x78])

            let last = try Self.startOnTerminal(sb, ["attach", name])
            last.write(toStdin: "exit 4\r")
            let ended = try await last.finish()
            #expect(ended.code == 4, "\(ended)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 4")
        }
    }

    /// Attaches on a terminal with `options`, has the shell answer, types `keys`: the client ends, the container runs on.
    static func detach(_ sb: Sandbox, _ name: String, _ options: [String], typing keys: [UInt8]) async throws {
        let client = try startOnTerminal(sb, ["attach"] + options + [name])
        client.write(toStdin: "echo $((6 * 7))\r")
        try await client.waitForStdout("42")
        client.write(toStdin: keys)
        let detached = try await client.finish()
        #expect(detached.code == 1 && detached.out.hasSuffix("read escape sequence\r\n"), "\(options): \(detached)")
        #expect(try await sb.inspect(name, "{{.State.Status}}") == "running")
    }

    @Test("attach gives a -t container the size of the client's terminal, which it keeps once the client detached")
    func terminalSize() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            #expect(try await sb.docker(["run", "-dit", "--name", name] + sb.tag + [sb.image, "sh"]).code == 0)
            var options = ChildProcess.Options(environment: sb.environment, terminal: true)
            options.terminalSize = (rows: 31, columns: 97)
            let client = try ChildProcess([sb.engine.cli, "attach", name], options)
            client.write(toStdin: "stty size\r")
            try await client.waitForStdout("31 97")
            client.write(toStdin: [0x10, 0x11])
            #expect(try await client.finish().code == 1)
            let kept = try await sb.docker(["exec", name, "sh", "-c", "stty size < /proc/1/fd/0"])
            #expect(kept.out == "31 97\n", "\(kept)")
        }
    }

    @Test("attach refuses detach keys it cannot read, and a -t container's stdin that is not a terminal")
    func refusals() async throws {
        try await Sandbox.with { sb in
            let name = sb.name("i"), tty = sb.name("t")
            #expect(try await sb.docker(["run", "-di", "--name", name] + sb.tag + [sb.image] + Self.echoer).code == 0)
            #expect(try await sb.docker(["run", "-dt", "--name", tty] + sb.tag + [sb.image, "sh"]).code == 0)
            let keys = try await sb.docker(["attach", "--no-stdin", "--detach-keys", "ctrl-1", name])
            #expect(keys.code == 1 && keys.err == "unable to upgrade to tcp, received 400\n", "\(keys)")
            let notTTY = try await sb.docker(["attach", tty])
            #expect(notTTY.code == 1 && notTTY.err == "the input device is not a TTY\n", "\(notTTY)")
        }
    }
}
