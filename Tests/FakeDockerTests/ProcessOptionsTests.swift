import ProcessSpawn
import Testing
@testable import FakeDocker

/// `--ulimit`, `--cap-add`/`--cap-drop`, `--add-host` and the container's resolv.conf as the CLI and the engine read
/// and apply them (Model/Ulimit.swift, Capabilities.swift, ExtraHost.swift, ResolvConf.swift); observed on Engine 20.10
/// (docs/engine-observations.md, "The container's process").
/// The CLI's reason when `parsed` is a refusal.
private func refusal<T>(_ parsed: Result<T, FlagValueError>) -> String? {
    if case .failure(let e) = parsed { return e.text }
    return nil
}

@Suite("Process options")
struct ProcessOptionsTests {
    @Test("a ulimit is NAME=SOFT[:HARD], one value for both; -1 is unlimited")
    func ulimitParses() throws {
        #expect(try Ulimit.parse("nofile=100:200").get() == Ulimit(name: "nofile", soft: 100, hard: 200))
        #expect(try Ulimit.parse("nproc=50").get() == Ulimit(name: "nproc", soft: 50, hard: 50))
        #expect(try Ulimit.parse("core=-1").get() == Ulimit(name: "core", soft: -1, hard: -1))
        #expect(try Ulimit.parse("nofile=5:-1").get() == Ulimit(name: "nofile", soft: 5, hard: -1))
        #expect(Ulimit(name: "nofile", soft: -1, hard: 7).resourceLimit == .init(resource: 7, soft: .max, hard: 7))
    }

    @Test("the CLI's reasons for a ulimit it refuses")
    func ulimitRefusals() {
        func reason(_ value: String) -> String? { refusal(Ulimit.parse(value)) }
        #expect(reason("bogus=1") == "invalid ulimit type: bogus")
        #expect(reason("as=1") == "invalid ulimit type: as")
        #expect(reason("nofile") == "invalid ulimit argument: nofile")
        #expect(reason("nofile=a") == "strconv.ParseInt: parsing \"a\": invalid syntax")
        #expect(reason("nofile=1:b") == "strconv.ParseInt: parsing \"b\": invalid syntax")
        #expect(reason("nofile=99999999999999999999") == "strconv.ParseInt: parsing \"99999999999999999999\": value out of range")
        #expect(reason("nofile=200:100") == "ulimit soft limit must be less than or equal to hard limit: 200 > 100")
        #expect(reason("nofile=1:2:3") == "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`")
    }

    @Test("the engine keeps one ulimit per name, the last given, listed by name")
    func ulimitList() {
        #expect(Ulimit.list(["nproc=5", "nofile=1:2", "nofile=3:4"])
                == [Ulimit(name: "nofile", soft: 3, hard: 4), Ulimit(name: "nproc", soft: 5, hard: 5)])
    }

    @Test("the default capability set is the engine's 0xa80425fb")
    func defaultCapabilities() {
        #expect(Capabilities.set(adds: [], drops: [], lastCapability: 40) == 0xa804_25fb)
    }

    @Test("drops then adds, any case, with or without CAP_; ALL in the drops keeps only the adds; ALL in the adds all but the drops")
    func capabilityChanges() {
        #expect(Capabilities.set(adds: [], drops: ["net_raw"], lastCapability: 40) == 0xa804_05fb)
        #expect(Capabilities.set(adds: ["SYS_ADMIN"], drops: [], lastCapability: 40) == 0xa824_25fb)
        #expect(Capabilities.set(adds: ["cap_chown"], drops: ["all"], lastCapability: 40) == 1)
        #expect(Capabilities.set(adds: ["ALL"], drops: ["CHOWN"], lastCapability: 40) == (1 << 41) - 2)
        #expect(Capabilities.set(adds: ["all"], drops: [], lastCapability: 37) == (1 << 38) - 1)
    }

    @Test("names are kept upper case with CAP_; an unknown one is refused, --cap-add's first")
    func capabilityNames() {
        #expect(Capabilities.normalized("net_raw") == "CAP_NET_RAW")
        #expect(Capabilities.normalized("Cap_Chown") == "CAP_CHOWN")
        #expect(Capabilities.normalized("all") == "ALL")
        #expect(Capabilities.requested(["sys_admin", "chown", "CAP_CHOWN", "all"]) == ["ALL", "CAP_CHOWN", "CAP_SYS_ADMIN"])
        #expect(Capabilities.refusal(adds: ["all", "chown"], drops: ["ALL"]) == nil)
        #expect(Capabilities.refusal(adds: ["nope"], drops: ["bogus"]) == "invalid CapAdd: unknown capability: \"CAP_NOPE\"")
        #expect(Capabilities.refusal(adds: [], drops: ["bogus"]) == "invalid CapDrop: unknown capability: \"CAP_BOGUS\"")
    }

    @Test("add-host takes HOST:IP or HOST=IP, an IPv6 address, brackets, host-gateway; kept as HOST:IP")
    func extraHosts() throws {
        #expect(try ExtraHost.parse("foo:1.2.3.4").get() == ExtraHost(host: "foo", address: "1.2.3.4"))
        #expect(try ExtraHost.parse("bar=::1").get().stored == "bar:::1")
        #expect(try ExtraHost.parse("v6:fe80::1").get() == ExtraHost(host: "v6", address: "fe80::1"))
        #expect(try ExtraHost.parse("b=[::1]").get() == ExtraHost(host: "b", address: "::1"))
        #expect(try ExtraHost.parse("gw:host-gateway").get() == ExtraHost(host: "gw", address: "host-gateway"))
        #expect(ExtraHost(host: "foo", address: "1.2.3.4").hostsLine == "1.2.3.4\tfoo")
    }

    @Test("the CLI's reasons for an add-host it refuses")
    func extraHostRefusals() {
        func reason(_ value: String) -> String? { refusal(ExtraHost.parse(value)) }
        #expect(reason("foo") == "bad format for add-host: \"foo\"")
        #expect(reason(":1.2.3.4") == "bad format for add-host: \":1.2.3.4\"")
        #expect(reason("bogus:notip") == "invalid IP address in add-host: \"notip\"")
        #expect(reason("a:1.2.3") == "invalid IP address in add-host: \"1.2.3\"")
    }

    @Test("resolv.conf: the host's without localhost and IPv6 nameservers; Google's when none is left; whole with host networking")
    func resolvConf() {
        #expect(ResolvConf.forContainer(host: "nameserver 10.0.0.1\n", networkMode: "bridge") == "nameserver 10.0.0.1\n")
        #expect(ResolvConf.forContainer(host: "search x\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n", networkMode: "bridge")
                == "search x\n\nnameserver 10.0.0.1\n")
        #expect(ResolvConf.forContainer(host: "nameserver 127.0.0.53\nnameserver ::1\n", networkMode: "default")
                == "\n\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4")
        #expect(ResolvConf.forContainer(host: "nameserver 127.0.0.53\n", networkMode: "host") == "nameserver 127.0.0.53\n")
    }
}
