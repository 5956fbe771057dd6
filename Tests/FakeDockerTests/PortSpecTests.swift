@testable import FakeDocker
import Testing

/// `-p`, `--expose` and `docker port`'s argument read as the docker CLI reads them (observed texts:
/// docs/engine-observations.md, "Publishing").
@Suite("Port syntax: -p, --expose, docker port")
struct PortSpecTests {
    func parse(_ spec: String) -> Result<[String], PortSpecError> {
        Result { () throws(PortSpecError) in
            try PortSpec.parse(spec).map { "\($0.0.key)=\($0.1.hostIP)|\($0.1.hostPort)" }
        }
    }

    @Test("a spec gives each container port its host address and port as given")
    func specs() {
        #expect(parse("42850:5000") == .success(["5000/tcp=|42850"]))
        #expect(parse("127.0.0.1:42851:5000") == .success(["5000/tcp=127.0.0.1|42851"]))
        #expect(parse("42852:5001/udp") == .success(["5001/udp=|42852"]))
        #expect(parse("6000") == .success(["6000/tcp=|"]))
        #expect(parse("127.0.0.1::80") == .success(["80/tcp=127.0.0.1|"]))
        #expect(parse("::80") == .success(["80/tcp=|"]))
        #expect(parse(":80") == .success(["80/tcp=|"]))
        #expect(parse("[::1]:8090:80") == .success(["80/tcp=::1|8090"]))
        #expect(parse("0:80") == .success(["80/tcp=|0"]))
        #expect(parse("80/sctp") == .success(["80/sctp=|"]))
        #expect(parse("80/tcp/udp") == .success(["80/tcp=|"]))
    }

    @Test("the long syntax is made the short one as the CLI makes it; a spec without = is kept")
    func longSyntax() {
        func standard(_ spec: String) -> Result<String, PortSpecError> {
            Result { () throws(PortSpecError) in try PortSpec.standardNotation(spec) }
        }
        #expect(standard("published=8080,target=80") == .success("8080:80/tcp"))
        #expect(standard("target=80,protocol=udp,mode=host") == .success(":80/udp"))
        #expect(standard("published=1,target=2,protocol=tcp,protocol=udp") == .success("1:2/udp"))
        #expect(standard("target=80=9") == .success(":80/tcp"))
        #expect(standard("published=8080") == .success("8080:/tcp"))
        #expect(standard("127.0.0.1:8080:80") == .success("127.0.0.1:8080:80"))
        #expect(standard("target=80,protocol")
                == .failure(PortSpecError("invalid publish opts format (should be name=value but got 'protocol')")))
    }

    @Test("ranges pair port by port; a host range with one container port stays a range to take one from")
    func ranges() {
        #expect(parse("8000-8001:80-81") == .success(["80/tcp=|8000", "81/tcp=|8001"]))
        #expect(parse("80-81:90") == .success(["90/tcp=|80-81"]))
        #expect(parse("8000-8001:80") == .success(["80/tcp=|8000-8001"]))
    }

    @Test("malformed specs are refused with the CLI's texts")
    func refusals() {
        #expect(parse("abc") == .failure(PortSpecError("invalid containerPort: abc")))
        #expect(parse("80:abc") == .failure(PortSpecError("invalid containerPort: abc")))
        #expect(parse("70000:80") == .failure(PortSpecError("invalid hostPort: 70000")))
        #expect(parse("80:70000") == .failure(PortSpecError("invalid containerPort: 70000")))
        #expect(parse("8000-8002:80-81") == .failure(PortSpecError(
            "invalid ranges specified for container and host Ports: 80-81 and 8000-8002")))
        #expect(parse("1.2.3:80:80") == .failure(PortSpecError("invalid IP address: 1.2.3")))
        #expect(parse("80/xyz") == .failure(PortSpecError("invalid proto: xyz")))
        #expect(parse("") == .failure(PortSpecError("no port specified: <empty>")))
        #expect(parse("80:") == .failure(PortSpecError("no port specified: 80:<empty>")))
        #expect(parse("127.0.0.1:80") == .failure(PortSpecError("invalid hostPort: 127.0.0.1")))
        #expect(parse("8000-7999:80") == .failure(PortSpecError("invalid hostPort: 8000-7999")))
        #expect(parse("x:1:2:3") == .failure(PortSpecError("invalid IP address: x:1")))
    }

    @Test("--expose takes ports and ranges, not host parts")
    func expose() throws {
        #expect(try PortSpec.expose("9000").map(\.key) == ["9000/tcp"])
        #expect(try PortSpec.expose("7000-7001/udp").map(\.key) == ["7000/udp", "7001/udp"])
        #expect(throws: PortSpecError("invalid port format for --expose: 1:2")) { try PortSpec.expose("1:2") }
        #expect(throws: PortSpecError("invalid range format for --expose: x, error: strconv.ParseUint: parsing \"x\": invalid syntax")) {
            try PortSpec.expose("x")
        }
    }

    @Test("docker port's argument is tcp unless a protocol follows the first /, and its port a number (CLI 28)")
    func query() throws {
        #expect(try PortSpec.query("5000") == "5000/tcp")
        #expect(try PortSpec.query("5000/udp") == "5000/udp")
        #expect(try PortSpec.query("5000/") == "5000/tcp")
        #expect(try PortSpec.query("5000/tcp/x") == "5000/tcp/x")
        #expect(throws: PortSpecError("invalid port (abc): strconv.ParseUint: parsing \"abc\": invalid syntax")) {
            try PortSpec.query("abc")
        }
        #expect(throws: PortSpecError("invalid port (): strconv.ParseUint: parsing \"\": invalid syntax")) {
            try PortSpec.query("/udp")
        }
        #expect(throws: PortSpecError("invalid port (99999): strconv.ParseUint: parsing \"99999\": value out of range")) {
            try PortSpec.query("99999")
        }
    }

    @Test("docker port's lines sort naturally, as the CLI's NaturalLess")
    func naturalOrder() {
        let lines = ["5000/tcp -> 0.0.0.0:42851", "80/tcp -> [::]:8000", "81/tcp -> 0.0.0.0:8001", "80/tcp -> 0.0.0.0:8000",
                     "5001/udp -> 0.0.0.0:42852"]
        #expect(lines.sorted(by: PortSpec.naturalLess) == ["80/tcp -> 0.0.0.0:8000", "80/tcp -> [::]:8000",
                                                          "81/tcp -> 0.0.0.0:8001", "5000/tcp -> 0.0.0.0:42851",
                                                          "5001/udp -> 0.0.0.0:42852"])
    }

    @Test("a start binds each -p; -P adds every other exposed port on an ephemeral one; --network host or none: nothing")
    func plan() {
        let options = ["publish": ["42850:5000", "8000-8001:80-81"], "expose": ["9000"]]
        let config = PortConfig(options: options, imageExposed: ["7001/udp"], networkMode: "bridge")
        #expect(config.exposed.map(\.key) == ["5000/tcp", "7001/udp", "80/tcp", "81/tcp", "9000/tcp"])
        #expect(config.plan.map { "\($0.0.key)=\($0.1.hostPort)" } == ["5000/tcp=42850", "80/tcp=8000", "81/tcp=8001"])
        var all = options
        all["publish-all"] = ["true"]
        #expect(PortConfig(options: all, imageExposed: ["7001/udp"], networkMode: "bridge").plan.map { "\($0.0.key)=\($0.1.hostPort)" }
                == ["5000/tcp=42850", "7001/udp=", "80/tcp=8000", "81/tcp=8001", "9000/tcp="])
        #expect(PortConfig(options: options, imageExposed: [], networkMode: "host").plan.isEmpty)
        #expect(PortConfig(options: options, imageExposed: [], networkMode: "host").createWarning
                == "Published ports are discarded when using host network mode")
        #expect(PortConfig(options: ["publish-all": ["true"], "expose": ["80"]], imageExposed: [], networkMode: "host")
                .createWarning == nil)
        #expect(config.createWarning == nil)
        let none = PortConfig(options: options, imageExposed: [], networkMode: "none")
        #expect(none.plan.isEmpty && none.unpublished.isEmpty && none.createWarning == nil)
        #expect(PortConfig(options: options, imageExposed: [], networkMode: "host").unpublished.isEmpty)
    }

    @Test("NetworkSettings.Ports lists every exposed port, null where it is not published")
    func networkSettingsPorts() {
        let config = PortConfig(options: ["publish": ["42850:5000"], "expose": ["9000"]], imageExposed: [], networkMode: "bridge")
        #expect(config.unpublished == [PublishedPort(port: "9000/tcp", hostIP: "", hostPort: "")])
        let published = [PublishedPort(port: "5000/tcp", hostIP: "0.0.0.0", hostPort: "42850"),
                         PublishedPort(port: "5000/tcp", hostIP: "::", hostPort: "42850")]
        let ports = PublishedPort.networkSettings(published + config.unpublished)
        #expect(ports.map(\.0) == ["5000/tcp", "9000/tcp"])
        #expect(ports[0].1 == published)
        #expect(ports[1].1 == nil)
        #expect(published.map(\.address) == ["0.0.0.0:42850", "[::]:42850"])
    }

    @Test("ps's PORTS groups runs of unpublished or same-numbered ports, then lists every other publication (observed)")
    func displayable() {
        func p(_ port: String, _ ip: String = "", _ host: String = "") -> PublishedPort {
            PublishedPort(port: port, hostIP: ip, hostPort: host)
        }
        // run -p 8000-8002:80-82 -p 9000:9000 -p 9001:9001 --expose 7000-7001 -p 127.0.0.1:42851:5000 -p 6000/udp
        var entries = [p("7000/tcp"), p("7001/tcp"), p("5000/tcp", "127.0.0.1", "42851"),
                       p("6000/udp", "0.0.0.0", "32769"), p("6000/udp", "::", "32769")]
        for (host, ctr) in [(8000, 80), (8001, 81), (8002, 82), (9000, 9000), (9001, 9001)] {
            entries += [p("\(ctr)/tcp", "0.0.0.0", "\(host)"), p("\(ctr)/tcp", "::", "\(host)")]
        }
        #expect(PublishedPort.displayable(entries.shuffled()) == "7000-7001/tcp, 0.0.0.0:9000-9001->9000-9001/tcp, "
                + "[::]:9000-9001->9000-9001/tcp, 0.0.0.0:8000->80/tcp, [::]:8000->80/tcp, 0.0.0.0:8001->81/tcp, "
                + "[::]:8001->81/tcp, 0.0.0.0:8002->82/tcp, [::]:8002->82/tcp, 127.0.0.1:42851->5000/tcp, "
                + "0.0.0.0:32769->6000/udp, [::]:32769->6000/udp")
        #expect(PublishedPort.displayable([p("7000/tcp")]) == "7000/tcp")
        #expect(PublishedPort.displayable([p("7000/tcp"), p("7002/tcp")]) == "7000/tcp, 7002/tcp")
        #expect(PublishedPort.displayable([]) == "")
    }
}
