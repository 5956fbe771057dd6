@testable import FakeDocker
import Testing

@Suite("--network container:NAME, as values")
struct NetworkContainerTests {
    @Test("the reference of a container: mode; none for the others, nor for `container` alone")
    func reference() {
        #expect(NetworkContainer.reference("container:web") == "web")
        #expect(NetworkContainer.reference("container:") == "")
        #expect(NetworkContainer.reference("container") == nil)
        #expect(NetworkContainer.reference("host") == nil)
        #expect(NetworkContainer.reference("bridge") == nil)
    }

    @Test("create refusals: the format, then hostname, links, dns, hosts, publishing, exposing, in the daemon's order")
    func refusals() {
        typealias R = NetworkContainer.Request
        let format = "Invalid network mode: invalid container format container:<name|id>"
        #expect(NetworkContainer.refusal(mode: "container:", R()) == format)
        #expect(NetworkContainer.refusal(mode: "container", R(hostname: "h")) == format)
        #expect(NetworkContainer.refusal(mode: "container:a", R()) == nil)
        #expect(NetworkContainer.refusal(mode: "container:a", R(hostname: "")) == nil)
        #expect(NetworkContainer.refusal(mode: "host", R(hostname: "h", dns: true, publishes: true)) == nil)
        let all = R(hostname: "h", links: true, dns: true, extraHosts: true, publishes: true, exposes: true)
        #expect(NetworkContainer.refusal(mode: "container:a", all) == "conflicting options: hostname and the network mode")
        var r = all
        r.hostname = nil
        #expect(NetworkContainer.refusal(mode: "container:a", r)
                == "conflicting options: container type network can't be used with links. This would result in undefined behavior")
        r.links = false
        #expect(NetworkContainer.refusal(mode: "container:a", r) == "conflicting options: dns and the network mode")
        r.dns = false
        #expect(NetworkContainer.refusal(mode: "container:a", r) == "conflicting options: custom host-to-IP mapping and the network mode")
        r.extraHosts = false
        #expect(NetworkContainer.refusal(mode: "container:a", r) == "conflicting options: port publishing and the container type network mode")
        r.publishes = false
        #expect(NetworkContainer.refusal(mode: "container:a", r) == "conflicting options: port exposing and the container type network mode")
        r.exposes = false
        #expect(NetworkContainer.refusal(mode: "container:a", r) == nil)
    }

    @Test("the mode recorded: the target's full ID when it exists, else as given; other modes as given")
    func recorded() {
        let id = String(repeating: "ab", count: 32)
        #expect(NetworkContainer.recorded("container:web", targetID: id) == "container:" + id)
        #expect(NetworkContainer.recorded("container:gone", targetID: nil) == "container:gone")
        #expect(NetworkContainer.recorded("host", targetID: id) == "host")
    }

    @Test("the start's refusal: the reference when gone, the full ID when not running; none when running")
    func startRefusal() {
        let id = String(repeating: "cd", count: 32)
        #expect(NetworkContainer.startRefusal(reference: "gone", target: nil) == "No such container: gone")
        #expect(NetworkContainer.startRefusal(reference: "web", target: (id, false))
                == "cannot join network of a non running container: \(id)")
        #expect(NetworkContainer.startRefusal(reference: "web", target: (id, true)) == nil)
    }

    @Test("whose /etc files inspect names: the joined container's once started, none before; else the container's own")
    func filesOwner() {
        #expect(NetworkContainer.filesOwner(mode: "container:aaa", ownID: "bbb", started: true) == "aaa")
        #expect(NetworkContainer.filesOwner(mode: "container:aaa", ownID: "bbb", started: false) == nil)
        #expect(NetworkContainer.filesOwner(mode: "bridge", ownID: "bbb", started: false) == "bbb")
        #expect(NetworkContainer.filesOwner(mode: "host", ownID: "bbb", started: true) == "bbb")
    }

    @Test("a MAC address as net.ParseMAC reads it: 6, 8 or 20 bytes, `:`/`-` pairs or `.` quads; parse()'s text else")
    func macAddress() {
        for valid in ["02:42:ac:11:00:02", "02-42-AC-11-00-02", "0242.ac11.0002", "02:42:ac:11:00:02:00:01"] {
            #expect(MacAddress.invalid(valid) == nil, "\(valid)")
        }
        for invalid in ["zz", "02:42:ac:11:00", "02:42:AC:11:00:0G", "02:42-ac:11:00:02", "02:42:ac:11:00:02:03", "0242.ac11.0002.00"] {
            #expect(MacAddress.invalid(invalid) == "\(invalid) is not a valid mac address", "\(invalid)")
        }
    }
}
