@testable import FakeDocker
import Testing

@Suite("--link and --log-driver/--log-opt, as values")
struct LinksAndLogConfigTests {
    @Test("a link reads as the CLI's ParseLink: NAME, NAME:ALIAS, a config's /NAME:/CONTAINER/ALIAS; refusals")
    func parse() throws {
        #expect(try Link.parse("db") == Link(name: "db", alias: "db"))
        #expect(try Link.parse("db:main") == Link(name: "db", alias: "main"))
        #expect(try Link.parse("/db:/web/main") == Link(name: "db", alias: "main"))
        #expect(throws: Link.Invalid(reason: "empty string specified for links")) { try Link.parse("") }
        #expect(throws: Link.Invalid(reason: "bad format for links: a:b:c")) { try Link.parse("a:b:c") }
    }

    @Test("a link's variables: the alias upper-cased with - as _, the target's environment but HOME and PATH")
    func environment() {
        let env = Link(name: "db", alias: "my-db").environment(container: "web", targetEnvironment: ["PATH=/bin", "HOME=/h", "A=1=2", "B"])
        #expect(env == ["MY_DB_NAME=/web/my-db", "MY_DB_ENV_A=1=2"])
        #expect(Link(name: "db", alias: "x").inspected(container: "web") == "/db:/web/x")
    }

    @Test("log config: options sorted, a later key wins; each refusal from its own side")
    func logConfig() {
        let config = LogConfig(driver: nil, options: ["max-size=1k", "compress", "max-size=2k"])
        #expect(config.type == "json-file")
        #expect(config.config.map { "\($0.key)=\($0.value)" } == ["compress=", "max-size=2k"])
        #expect(config.daemonRefusal == nil && config.clientRefusal == nil)
        #expect(LogConfig(driver: "none", options: ["tag=x"]).clientRefusal == "invalid logging opts for driver none")
        #expect(LogConfig(driver: "none", options: []).isReadable == false)
        #expect(LogConfig(driver: "x", options: []).daemonRefusal == "error looking up logging plugin x: plugin \"x\" not found")
        #expect(LogConfig(driver: "json-file", options: ["k=v"]).daemonRefusal == "unknown log opt 'k' for json-file log driver")
        #expect(LogConfig(driver: "local", options: ["tag=v"]).daemonRefusal == "unknown log opt 'tag' for log driver local")
        #expect(LogConfig(driver: "syslog", options: []).daemonRefusal?.hasPrefix("fake-docker: the syslog log driver is not simulated") == true)
    }
}
