/// The engine's port allocator's memory of the ephemeral ports it gave (libnetwork's portallocator, observed on Engine
/// 20.10 with a bridge: docs/engine-observations.md, "Ephemeral ports"): for each host address and protocol, the last
/// port it gave, so that the next one is looked for after it, wrapping to the range's start, not the range's first
/// free port again: three `run -p 80` one after the other get 32769, 32770, 32771 even when each was removed before the
/// next, and a `-p 80/udp` or a `-p 127.0.0.1::80` between them starts its own count. The engine keeps it in memory, so
/// a restart of the engine forgets it; fake-docker keeps it in a file beside the state (`PublishedPorts`), removed at
/// each restart (`EngineRestart`).
struct EphemeralPorts: Equatable, Sendable {
    /// The last port given, by `key(address:proto:)`.
    private(set) var last: [String: Int] = [:]

    init() {}

    /// The file's text: one `ADDRESS PROTO PORT` a line; a line not of that shape is passed over.
    init(text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let port = Int(fields[2]) else { continue }
            last[Self.key(address: String(fields[0]), proto: String(fields[1]))] = port
        }
    }

    var text: String {
        last.keys.sorted().map { "\($0) \(last[$0]!)\n" }.joined()
    }

    /// The binding's address as the allocator keys it: every address is IPv4's 0.0.0.0 (the IPv6 binding then takes
    /// the port the IPv4 one got).
    static func key(address: String, proto: String) -> String {
        "\(address.isEmpty ? "0.0.0.0" : address) \(proto)"
    }

    /// The order the range's ports are tried in: after the last one given for this address and protocol, wrapping;
    /// from the range's start when none was given (or the last lies outside the range).
    func candidates(_ range: ClosedRange<Int>, address: String, proto: String) -> [Int] {
        guard let previous = last[Self.key(address: address, proto: proto)], range.contains(previous),
              previous < range.upperBound else { return Array(range) }
        return Array((previous + 1)...range.upperBound) + Array(range.lowerBound...previous)
    }

    mutating func gave(_ port: Int, address: String, proto: String) {
        last[Self.key(address: address, proto: proto)] = port
    }
}
