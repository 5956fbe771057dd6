@testable import FakeDocker
import Glibc
import Testing

/// `docker exec`'s request read as the CLI reads it, its environment built as the daemon builds it, and the signals
/// that end a pause (observed: EngineContractExec, docs/engine-observations.md "exec, pause, restart").
@Suite("exec request, and the signals that thaw a paused container")
struct ExecRequestTests {
    func parse(_ args: [String], environment: [String: String] = [:], files: [String: String] = [:]) throws(DockerError) -> ExecRequest {
        try ExecRequest.parse(args, environment: environment, readFile: { files[$0] })
    }

    @Test("options end at the container: the command keeps its own flags")
    func optionsEndAtContainer() throws {
        let request = try parse(["-d", "-u", "1000", "c", "ls", "-l", "-t"])
        #expect(request.container == "c" && request.argv == ["ls", "-l", "-t"])
        #expect(request.detach && !request.tty && request.user == "1000")
    }

    @Test("without a command: the CLI's usage error, exit 1")
    func missingCommand() {
        do { _ = try parse(["c"]); Issue.record("accepted") } catch {
            #expect(error.exitCode == 1 && error.message.hasPrefix("docker: 'docker exec' requires at least 2 arguments\n"))
        }
    }

    @Test("-e NAME takes the client's value or is dropped; -e '' and -e =x are refused with 125")
    func environmentFlags() throws {
        let request = try parse(["-e", "K=V", "-e", "SET", "-e", "UNSET", "c", "env"], environment: ["SET": "client"])
        #expect(request.env == ["K=V", "SET=client"])
        for bad in ["", "=x"] {
            do { _ = try parse(["-e", bad, "c", "env"]); Issue.record("accepted \(bad.debugDescription)") } catch {
                #expect(error.exitCode == 125)
                #expect(error.message.hasPrefix("invalid argument \"\(bad)\" for \"-e, --env\" flag: invalid environment variable: \(bad)\n"))
            }
        }
    }

    @Test("--env-file: its variables before -e's, blank lines and comments skipped; a missing file refused")
    func environmentFile() throws {
        let request = try parse(["--env-file", "f", "-e", "A=2", "c", "env"], environment: ["B": "client"],
                                files: ["f": "A=1\n# c\n\nB\n"])
        #expect(request.env == ["A=1", "B=client", "A=2"])
        #expect(request.environment(container: []) == ["A=2", "B=client"])
        do { _ = try parse(["--env-file", "missing", "c", "env"]); Issue.record("accepted") } catch {
            #expect(error.message == "open missing: no such file or directory" && error.exitCode == 1)
        }
    }

    @Test("the environment: the container's, TERM=xterm with -t unless set, -e replacing a variable of the same name")
    func environment() throws {
        let tty = try parse(["-t", "-e", "A=2", "-e", "NEW=1", "c", "env"])
        #expect(tty.environment(container: ["A=1", "B=1"]) == ["TERM=xterm", "A=2", "B=1", "NEW=1"])
        #expect(tty.environment(container: ["TERM=dumb"]) == ["TERM=dumb", "A=2", "NEW=1"])
        let plain = try parse(["c", "env"])
        #expect(plain.environment(container: ["A=1"]) == ["A=1"])
    }

    @Test("a paused container is thawed by KILL, by any signal without --stop-signal, else only by its stop signal")
    func signalsThatThaw() {
        #expect(Daemon.signalEndsPause(SIGTERM, stopSignal: nil))
        #expect(Daemon.signalEndsPause(SIGUSR1, stopSignal: ""))
        #expect(Daemon.signalEndsPause(SIGKILL, stopSignal: "SIGUSR1"))
        #expect(Daemon.signalEndsPause(SIGUSR1, stopSignal: "SIGUSR1"))
        #expect(!Daemon.signalEndsPause(SIGTERM, stopSignal: "SIGUSR1"))
    }
}
