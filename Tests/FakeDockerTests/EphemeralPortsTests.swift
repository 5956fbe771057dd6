@testable import FakeDocker
import Testing

/// The engine's port allocator's memory: the next ephemeral port is looked for after the last one given, per address
/// and protocol (observed: docs/engine-observations.md, "Ephemeral ports").
@Suite("Ephemeral ports: the allocator counts on")
struct EphemeralPortsTests {
    @Test("a fresh memory tries the range from its start; after a port, from the next one, wrapping")
    func order() {
        var memory = EphemeralPorts()
        #expect(memory.candidates(10...14, address: "", proto: "tcp") == [10, 11, 12, 13, 14])
        memory.gave(12, address: "", proto: "tcp")
        #expect(memory.candidates(10...14, address: "", proto: "tcp") == [13, 14, 10, 11, 12])
        memory.gave(14, address: "", proto: "tcp")
        #expect(memory.candidates(10...14, address: "", proto: "tcp") == [10, 11, 12, 13, 14])
    }

    @Test("each address and protocol counts apart; every address is 0.0.0.0's count")
    func keys() {
        var memory = EphemeralPorts()
        memory.gave(11, address: "", proto: "tcp")
        #expect(memory.candidates(10...12, address: "0.0.0.0", proto: "tcp") == [12, 10, 11])
        #expect(memory.candidates(10...12, address: "", proto: "udp") == [10, 11, 12])
        #expect(memory.candidates(10...12, address: "127.0.0.1", proto: "tcp") == [10, 11, 12])
    }

    @Test("a last port outside the range (the range changed) starts from the range's start")
    func outside() {
        var memory = EphemeralPorts()
        memory.gave(99, address: "", proto: "tcp")
        #expect(memory.candidates(10...12, address: "", proto: "tcp") == [10, 11, 12])
    }

    @Test("the file's text gives the same memory back; a line of another shape is passed over")
    func text() {
        var memory = EphemeralPorts()
        memory.gave(32769, address: "", proto: "tcp")
        memory.gave(40000, address: "127.0.0.1", proto: "udp")
        #expect(EphemeralPorts(text: memory.text) == memory)
        #expect(EphemeralPorts(text: "garbage\n0.0.0.0 tcp 5\n") == { var m = EphemeralPorts(); m.gave(5, address: "", proto: "tcp"); return m }())
    }
}
