/// `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`: where a running container's ports are published, from its
/// `NetworkSettings.Ports` as the CLI prints them (every line `PORT/PROTO -> ADDRESS:PORT`, sorted naturally; one
/// port's addresses alone; nothing for a stopped container).
enum PortCommand {
    static let syntax = CommandSyntax(name: "port", usage: "CONTAINER [PRIVATE_PORT[/PROTO]]", flags: [.help],
                                      minArguments: 1, maxArguments: 2)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let reference = f.arguments[0]
        let c = try ctx.daemon.find(reference)
        let records = PublishedPorts.records(c.id, running: c.isRunning, store: ctx.store).filter(\.isPublished)
        // An empty port is no port: every line.
        guard f.arguments.count == 2, !f.arguments[1].isEmpty else {
            let lines = records.map { "\($0.port) -> \($0.address)" }.sorted(by: PortSpec.naturalLess)
            for line in lines { Output.out(line) }
            return 0
        }
        let asked = f.arguments[1]
        let key: String
        do { key = try PortSpec.query(asked) } catch { throw DockerError("Error: \(error.text)") }
        let found = records.filter { $0.port == key }
        guard !found.isEmpty else { throw DockerError("Error: No public port '\(asked)' published for \(reference)") }
        for record in found { Output.out(record.address) }
        return 0
    }
}
