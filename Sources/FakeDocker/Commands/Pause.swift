/// `docker pause` / `docker unpause`: each container frozen or thawed (Daemon.pause), its name printed; every
/// failure said together at the end, exit 1.
enum PauseCommand {
    static let pause = CommandSyntax(name: "pause", usage: "CONTAINER [CONTAINER...]", flags: [.help], minArguments: 1)
    static let unpause = CommandSyntax(name: "unpause", usage: "CONTAINER [CONTAINER...]", flags: [.help], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context, unpausing: Bool) throws(DockerError) -> Int32 {
        let f = try (unpausing ? unpause : pause).parse(args)
        return try forEachContainer(f.arguments) { reference throws(DockerError) in
            let c = try ctx.daemon.find(reference)
            if unpausing { try ctx.daemon.unpause(c) } else { try ctx.daemon.pause(c) }
            Output.out(reference)
        }
    }
}
