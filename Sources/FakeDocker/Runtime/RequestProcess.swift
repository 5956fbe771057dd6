import CProcess
import Foundation
import ProcessSpawn

/// A request the engine carries out in a process of its own, not in the client's: the daemon completes a request
/// it has received whatever happens to the client that sent it (docs/engine-observations.md, "a client SIGKILLed
/// while its create is in flight"). A create is carried out by `fake-docker __create` (CreateRequestProcess), a
/// start by the container's shim. The process runs in a session of its own (a signal to the client's process group
/// does not reach it) and ignores SIGHUP and SIGPIPE. A request with a body gets it in its environment
/// (`FAKE_DOCKER_REQUEST`, readable by its owner only), so that once the process exists the request has arrived
/// whole: a test that sees it may kill the client. It answers on descriptor 3, which it closes once it has; a client
/// that has died is simply not answered.
enum RequestProcess {
    static let answerFD: Int32 = 3

    /// The request's process (a child of the caller, to be reaped) and its answer.
    struct Answered {
        var pid: pid_t
        var answer: String
    }

    static let bodyVariable = "FAKE_DOCKER_REQUEST"

    /// Spawns `argv` with the given streams (nil: /dev/null) and `body`, and reads its answer to the end.
    static func send(_ argv: [String], stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil,
                     body: String? = nil, what: String) throws(DockerError) -> Answered {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        var answerPipe: [Int32] = [0, 0]
        guard cp_pipe_cloexec(&answerPipe) == 0 else { throw DockerError.daemon("pipe: \(String(cString: strerror(errno)))") }
        var options = SpawnOptions()
        if let body {
            options.environment = ProcessInfo.processInfo.environment.filter { $0.key != bodyVariable }
                .map { "\($0.key)=\($0.value)" } + ["\(bodyVariable)=\(body)"]
        }
        options.stdin = stdin ?? devNull
        options.stdout = stdout ?? devNull
        options.stderr = stderr ?? devNull
        options.newSession = true
        options.ignoredSignals = [SIGHUP, SIGPIPE]
        options.passedDescriptor = answerPipe[1]
        let pid: pid_t
        do {
            pid = try spawnProcess(argv[0], argv: argv, options)
        } catch {
            close(answerPipe[0])
            close(answerPipe[1])
            throw DockerError.daemon("cannot start \(what): \(error.text)")
        }
        close(answerPipe[1])
        defer { close(answerPipe[0]) }
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(answerPipe[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            text.append(contentsOf: buffer[0..<n])
        }
        return Answered(pid: pid, answer: String(decoding: text, as: UTF8.self))
    }

    /// In the request's process: says `text` to the client, if it still listens, and closes the answer pipe.
    static func answer(_ text: String) {
        _ = Output.write(answerFD, text)
        close(answerFD)
    }

    /// In the request's process: the body the client sent, taken out of the environment.
    static func receivedBody() -> String? {
        guard let body = getenv(bodyVariable) else { return nil }
        defer { unsetenv(bodyVariable) }
        return String(cString: body)
    }
}
