import Foundation
import ProcessSpawn

/// The engine's side of a `run`/`create` client's create request, carried out in a process of its own
/// (RequestProcess): a client killed while the create is in flight leaves the container the engine then makes,
/// `Created` with its labels, as the engine does (docs/engine-observations.md, "a client SIGKILLed while its
/// create is in flight"). Started as `fake-docker __create --state PATH --command run|create [--delay S]` with the
/// request (CreateRequest.Message, JSON) as its body; it answers `ok ID`, or `fail CODE` and the client's message.
enum CreateRequestProcess {
    /// In the client: sends `request` and waits for the engine's answer. `delay`: a scripted delay
    /// (`fake-docker script run|create --delay`) the engine spends before the create, as a slow pull.
    static func send(_ request: CreateRequest, store: StateStore, command: CreatingCommand,
                     delay: Double) throws(DockerError) -> Container {
        let body: String
        do {
            body = String(decoding: try JSONEncoder().encode(request.message), as: UTF8.self)
        } catch {
            throw command.failure("cannot encode the create request: \(error)")
        }
        var argv = [Launcher.selfExecutable(), "__create", "--state", store.path, "--command", command.rawValue]
        if delay > 0 { argv += ["--delay", String(delay)] }
        let sent = try RequestProcess.send(argv, body: body, what: "the create request")
        let status = ExitStatus(reaping: sent.pid)
        let answer = sent.answer
        if answer.hasPrefix("ok ") {
            let id = String(answer.dropFirst(3))
            do {
                if let container = try store.container(id: id) { return container }
            } catch {
                throw command.failure("Error response from daemon: \(error)")
            }
            // Removed between its create and now, by someone else.
            throw command.failure("Error response from daemon: No such container: \(id)")
        }
        if answer.hasPrefix("fail "), let newline = answer.firstIndex(of: "\n"),
           let code = Int32(answer[answer.index(answer.startIndex, offsetBy: 5)..<newline]) {
            throw DockerError(String(answer[answer.index(after: newline)...]), exitCode: code)
        }
        throw command.failure("Error response from daemon: the create request ended without an answer (\(status))")
    }

    /// In the request's process: reads the request, spends the scripted delay, creates the container and answers.
    static func main(_ args: [String], store: StateStore) -> Int32 {
        func value(_ option: String) -> String? {
            args.firstIndex(of: option).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
        }
        guard let command = value("--command").flatMap(CreatingCommand.init(rawValue:)),
              let body = RequestProcess.receivedBody(),
              let message = try? JSONDecoder().decode(CreateRequest.Message.self, from: Data(body.utf8)),
              let request = CreateRequest(message) else {
            RequestProcess.answer("fail 125\nfake-docker: __create: no create request to carry out")
            return 125
        }
        if let delay = value("--delay").flatMap(Double.init) { sleepSeconds(delay) }
        do {
            let container = try RunCommand.createContainer(request, store: store, command: command)
            RequestProcess.answer("ok \(container.id)")
            return 0
        } catch {
            RequestProcess.answer("fail \(error.exitCode)\n\(error.message)")
            return error.exitCode
        }
    }
}
