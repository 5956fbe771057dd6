/// `docker version` and `docker info`: the client and engine versions fake-docker stands for (CLI 28.2.2,
/// Engine 20.10.24, API 1.41: docs/engine-observations.md), and what the state holds.
enum VersionCommand {
    static let syntax = CommandSyntax(name: "version", usage: "[OPTIONS]", flags: [
        FlagSpec(long: "format", short: "f", takesValue: true), .help,
    ], maxArguments: 0)

    static let clientVersion = "28.2.2"
    static let serverVersion = "20.10.24"
    static let apiVersion = "1.41"

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        if let format = f.last("format") {
            let data = TemplateValue.structure("types.VersionResponse", [
                ("Client", .structure("*command.ClientInfo", [("Version", .string(clientVersion)), ("APIVersion", .string(apiVersion)), ("Os", .string("linux")), ("Arch", .string("amd64"))])),
                ("Server", .structure("*types.Version", [("Version", .string(serverVersion)), ("APIVersion", .string(apiVersion)), ("Os", .string("linux")), ("Arch", .string("amd64"))])),
            ])
            Output.out(try render(format, data))
            return 0
        }
        Output.out("""
            Client:
             Version:           \(clientVersion)
             API version:       \(apiVersion) (downgraded from 1.50)
             OS/Arch:           linux/amd64
             Context:           default

            Server:
             Engine:
              Version:          \(serverVersion)
              API version:      \(apiVersion) (minimum version 1.12)
              OS/Arch:          linux/amd64
              Experimental:     false
             fake-docker:
              State:            \(ctx.store.path)
            """)
        return 0
    }
}

enum InfoCommand {
    static let syntax = CommandSyntax(name: "info", usage: "[OPTIONS]", flags: [FlagSpec(long: "format", short: "f", takesValue: true), .help], maxArguments: 0)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        let containers: [ContainerSummary], images: Int
        do {
            containers = try ctx.store.containerSummaries()
            images = try ctx.store.allImages().count
        } catch {
            throw DockerError.daemon("\(error)")
        }
        let running = containers.filter(\.isRunning).count
        if let format = f.last("format") {
            let data = TemplateValue.structure("info", [
                ("Containers", .int(Int64(containers.count))), ("ContainersRunning", .int(Int64(running))),
                ("ContainersStopped", .int(Int64(containers.count - running))), ("Images", .int(Int64(images))),
                ("ServerVersion", .string(VersionCommand.serverVersion)), ("Driver", .string("fake")),
                ("OperatingSystem", .string("fake-docker")), ("Name", .string("fake-docker")),
            ])
            Output.out(try render(format, data))
            return 0
        }
        Output.out("""
            Client:
             Version:    \(VersionCommand.clientVersion)
             Context:    default

            Server:
             Containers: \(containers.count)
              Running: \(running)
              Paused: 0
              Stopped: \(containers.count - running)
             Images: \(images)
             Server Version: \(VersionCommand.serverVersion)
             Storage Driver: fake
             Operating System: fake-docker (state \(ctx.store.path))
            """)
        return 0
    }
}
