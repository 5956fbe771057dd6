import Glibc
import Testing
@testable import Dockrun

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("What a docker process's end means")
struct DockerProcessTests {
    @Test("docker wait answers with the container's code on stdout")
    func waitAnswers() {
        #expect(RunPolicy.Event.ended(.wait, status: .exited(0), stdout: bytes("3\n"), stderr: [])
                == .waitReturned(.code(3)))
    }

    @Test("a failed docker wait is its first line of stderr, or its status when it wrote none")
    func waitFails() {
        #expect(RunPolicy.Event.ended(.wait, status: .exited(1), stdout: [],
                                      stderr: bytes("Error response from daemon: No such container: x\nmore\n"))
                == .waitReturned(.failed("Error response from daemon: No such container: x")))
        #expect(RunPolicy.Event.ended(.wait, status: .exited(0), stdout: bytes("not a number\n"), stderr: [])
                == .waitReturned(.failed("docker exited with status 0")))
        #expect(RunPolicy.Event.ended(.wait, status: .signaled(SIGKILL), stdout: [], stderr: [])
                == .waitReturned(.failed("docker exited with status 137")))
    }

    @Test("the client's end is its status; stop, kill, commit and rm by theirs, with docker's message")
    func others() {
        #expect(RunPolicy.Event.ended(.client, status: .signaled(SIGTERM), stdout: [], stderr: [])
                == .clientExited(.signaled(SIGTERM)))
        #expect(RunPolicy.Event.ended(.stop, status: .exited(0), stdout: [], stderr: []) == .stopFinished(ok: true))
        #expect(RunPolicy.Event.ended(.stop, status: .exited(1), stdout: [], stderr: []) == .stopFinished(ok: false))
        #expect(RunPolicy.Event.ended(.kill(signal: SIGHUP), status: .exited(0), stdout: [], stderr: [])
                == .killFinished(signal: SIGHUP, ok: true))
        #expect(RunPolicy.Event.ended(.commit, status: .exited(1), stdout: [], stderr: bytes("commit failed\n"))
                == .commitFinished(ok: false, message: "commit failed"))
        #expect(RunPolicy.Event.ended(.remove, status: .exited(0), stdout: [], stderr: [])
                == .removeFinished(ok: true, message: "docker exited with status 0"))
    }

    @Test("a docker process that could not be started is its failure, so the usual fallback follows")
    func notStarted() {
        let reason = "cannot start docker: Too many open files"
        #expect(RunPolicy.Event.notStarted(.wait, reason: reason) == .waitReturned(.failed(reason)))
        #expect(RunPolicy.Event.notStarted(.stop, reason: reason) == .stopFinished(ok: false))
        #expect(RunPolicy.Event.notStarted(.kill(signal: nil), reason: reason) == .killFinished(signal: nil, ok: false))
        #expect(RunPolicy.Event.notStarted(.commit, reason: reason) == .commitFinished(ok: false, message: reason))
        #expect(RunPolicy.Event.notStarted(.remove, reason: reason) == .removeFinished(ok: false, message: reason))
        #expect(RunPolicy.Event.notStarted(.client, reason: reason) == .clientExited(.exited(127)))
    }
}
