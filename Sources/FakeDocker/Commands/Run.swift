import CProcess
import DockerSyntax
import Foundation

/// `docker run` and `docker create`.
enum RunCommand {
    static func execute(_ args: [String], _ ctx: Context, create: Bool) throws(DockerError) -> Int32 {
        let command: CreatingCommand = create ? .create : .run
        let name = command.rawValue
        let run: RunArguments
        do {
            run = try RunArguments.parse(args)
        } catch {
            if error == .noImage {
                throw DockerError("docker: 'docker \(name)' requires at least 1 argument\n\n\(command.usageLine)\n\nSee 'docker \(name) --help' for more information", exitCode: 1)
            }
            throw command.flagError(error.dockerMessage)
        }
        if run.flag("help") { Output.out(command.usageLine); return 0 }
        let request = try CreateRequest(args, run, environment: ctx.environment, command: command)
        let detached = create || run.flag("detach")
        if !create && run.flag("detach") && !run.all("attach").isEmpty {
            throw DockerError("conflicting options: cannot specify both --attach and --detach", exitCode: 1)
        }
        // Only an attached stdin needs a terminal: `run -dit` is accepted without one, as on the engine.
        if !detached && run.flag("interactive") && run.flag("tty") && isatty(0) == 0 {
            throw DockerError("the input device is not a TTY", exitCode: 1)
        }
        if let n = run.last("name")?.value, !isValidName(n) {
            throw command.failure("Error response from daemon: Invalid container name (\(n)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }

        // The cidfile is checked and created before anything else reaches the daemon, and removed
        // again if the create fails; docker never removes it afterwards.
        let cidfile = run.last("cidfile")?.value
        if let cidfile {
            let fd = open(cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 {
                if errno == EEXIST {
                    throw command.failure("container ID file found, make sure the other container isn't running or delete \(cidfile)")
                }
                throw command.failure("failed to create the container ID file: open \(cidfile): \(String(cString: strerror(errno)))")
            }
            close(fd)
        }
        let container: Container
        do {
            // Sent to the engine, which completes it even if this client is killed now.
            container = try CreateRequestProcess.send(request, store: ctx.store, command: command, delay: ctx.takeScriptedDelay())
        } catch {
            if let cidfile { unlink(cidfile) }
            throw error
        }
        let ports = PortConfig(options: container.config.otherOptions, imageExposed: [], networkMode: container.config.networkMode)
        if let warning = ports.createWarning { Output.err("WARNING: \(warning)") }
        if let cidfile {
            // Written without a trailing newline, right after the create and before the start.
            let fd = open(cidfile, O_WRONLY | O_TRUNC | O_CLOEXEC)
            if fd >= 0 { Output.write(fd, container.id); close(fd) }
        }
        if create { Output.out(container.id); return 0 }
        if detached {
            // The CLI prints the ID as the start begins (a goroutine of its own), so a start that fails follows it.
            Output.out(container.id)
            _ = try Launcher.start(container, store: ctx.store, attachment: nil, command: name)
            return 0
        }
        // The attach is a request of its own, dialled after the create: an engine gone since (a restart, an outage)
        // leaves the container created and never started, and the client exits 1 (engine-observations, "A `docker
        // run` client whose engine restarts between create and start"). `fake-docker script attach` delays it.
        if let fault = ScriptedFaults.consume(ctx.store, command: "attach") {
            if let exit = fault.replacingCommand() { return exit }
            sleepSeconds(fault.delay)
        }
        if ctx.daemon.engineIsDown {
            Output.err(ctx.dialFailure)
            return 1
        }
        let connection = EngineConnection(store: ctx.store)
        let sigProxy = run.flag("sig-proxy", default: true)
        let signalFD = AttachedSession.blockSignals(proxy: sigProxy)
        let config = container.config
        let shim = try Launcher.start(container, store: ctx.store,
                                      attachment: .init(stdin: config.attachStdin, stdout: config.attachStdout, stderr: config.attachStderr),
                                      command: name)
        return AttachedSession(container: container, shimPID: shim, store: ctx.store, signalFD: signalFD,
                               proxiedSignals: sigProxy, connection: connection).run()
    }

    static func isValidName(_ n: String) -> Bool {
        var chars = Substring(n)
        if chars.first == "/" { chars.removeFirst() }
        guard chars.count >= 2, let first = chars.first, first.isASCII && (first.isLetter || first.isNumber) else { return false }
        return chars.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    /// The engine's create, in the request's process (CreateRequestProcess): whatever it would say before its
    /// refusal is part of the error's message.
    static func createContainer(_ request: CreateRequest, store: StateStore, command: CreatingCommand) throws(DockerError) -> Container {
        let run = request.arguments
        let factory = ContainerFactory(store: store, command: command)
        try factory.verify(request)
        guard let image = try? store.findImage(run.image) else {
            let shown = StateStore.normalizedTag(run.image)
            // What the engine says with no network to pull from.
            let failure = command.failure("Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: connect: network is unreachable")
            throw DockerError("Unable to find image '\(shown)' locally\n" + failure.message, exitCode: failure.exitCode)
        }
        let id = randomHexID()
        let config = try factory.makeConfig(request, image: image, id: id)
        var container = Container(
            id: id, name: "", imageID: image.id, imageRef: run.image, config: config, status: .created,
            exitCode: 0, error: "", pid: 0, pidStart: 0, shimPID: 0, shimStart: 0, pidNamespace: false,
            createdAt: now(), startedAt: nil, finishedAt: nil, health: "", healthStreak: 0, healthLog: "[]", seq: 0)
        let requested = run.last("name")?.value.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        do {
            try store.transaction {
                // The image is looked up again under the write lock: an `rmi` may have deleted it since.
                guard try store.imageExists(id: image.id) else {
                    throw command.failure("Error response from daemon: No such image: \(StateStore.normalizedTag(run.image))")
                }
                if let requested {
                    if let holder = try store.nameInUse(requested) {
                        throw command.failure("Error response from daemon: Conflict. The container name \"/\(requested)\" is already in use by container \"\(holder)\". You have to remove (or rename) that container to be able to reuse that name.")
                    }
                    container.name = requested
                } else {
                    var candidate = NameGenerator.random()
                    while try store.nameInUse(candidate) != nil { candidate = NameGenerator.random() }
                    container.name = candidate
                }
                container.config.linkEnvironment = try factory.linkEnvironment(request, name: container.name)
                try store.insert(container)
                try factory.makeVolumes(config, image: image)
            }
        } catch let e as DockerError {
            throw e
        } catch {
            throw command.failure("Error response from daemon: \(error)")
        }
        do {
            try factory.makeRootfs(for: id, image: image, hostname: config.hostname,
                                   extraHosts: ExtraHost.list(config.otherOptions["add-host"] ?? []), networkMode: config.networkMode)
        } catch {
            // The half-made container goes with its files; one the state keeps is said before the reason.
            do throws(DockerError) {
                try Daemon(store: store).remove(container, force: true)
            } catch let removal {
                throw DockerError(removal.message + "\n" + error.message, exitCode: error.exitCode)
            }
            throw error
        }
        return container
    }
}

func randomHexID() -> String {
    var generator = SystemRandomNumberGenerator()
    let digits = Array("0123456789abcdef")
    return String((0..<64).map { _ in digits[Int(generator.next() % 16)] })
}
/// docker's namesgenerator: adjective_surname.
enum NameGenerator {
    static let adjectives = ["admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "boring", "brave",
                             "busy", "charming", "clever", "compassionate", "competent", "confident", "cool", "dazzling",
                             "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant",
                             "epic", "festive", "focused", "friendly", "frosty", "funny", "gallant", "gifted", "goofy",
                             "gracious", "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring",
                             "jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
                             "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
                             "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical",
                             "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic",
                             "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled",
                             "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful",
                             "zealous", "zen"]
    static let surnames = ["albattani", "allen", "almeida", "archimedes", "ardinghelli", "babbage", "banach", "bardeen",
                           "bartik", "bell", "benz", "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brahmagupta",
                           "brown", "carson", "chandrasekhar", "clarke", "curie", "darwin", "davinci", "dijkstra", "easley",
                           "einstein", "elion", "engelbart", "euclid", "euler", "fermat", "fermi", "feynman", "franklin",
                           "galileo", "gates", "goldberg", "goodall", "hamilton", "hawking", "heisenberg", "hermann",
                           "hodgkin", "hopper", "hypatia", "jackson", "jang", "jennings", "johnson", "kalam", "keller",
                           "kepler", "khorana", "knuth", "lalande", "lamarr", "leakey", "lovelace", "lumiere", "mahavira",
                           "mayer", "mccarthy", "mcclintock", "meitner", "mendel", "merkle", "mirzakhani", "montalcini",
                           "moore", "morse", "newton", "nobel", "noether", "pascal", "pasteur", "payne", "perlman", "pike",
                           "poincare", "ptolemy", "raman", "ritchie", "rosalind", "sammet", "shannon", "shockley", "sinoussi",
                           "stonebraker", "swanson", "tesla", "thompson", "torvalds", "turing", "varahamihira", "villani",
                           "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow", "yonath"]
    static func random() -> String {
        "\(adjectives.randomElement()!)_\(surnames.randomElement()!)"
    }
}
