import Foundation

/// `--add-host HOST:IP` (or `HOST=IP`, an IP in brackets), as the CLI checks it (opts.ValidateExtraHost) and sends it
/// (`.HostConfig.ExtraHosts`: `HOST:IP`), and as the engine appends it to the container's `/etc/hosts`.
struct ExtraHost: Equatable {
    var host: String
    var address: String

    /// The engine's name for the host's address on its bridge, taken as given.
    static let hostGateway = "host-gateway"

    /// The value read as the CLI reads it; else the CLI's reason, for `invalid argument … for "--add-host" flag: …`.
    static func parse(_ value: String) -> Result<ExtraHost, FlagValueError> {
        var separator = value.firstIndex(of: "=")
        if separator == nil { separator = value.firstIndex(of: ":") }
        guard let separator else { return .failure(FlagValueError("bad format for add-host: \(quoted(value))")) }
        let host = String(value[..<separator])
        var address = String(value[value.index(after: separator)...])
        guard !host.isEmpty, !host.contains(":") else {
            return .failure(FlagValueError("bad format for add-host: \(quoted(value))"))
        }
        if address != hostGateway {
            if address.count > 2 && address.hasPrefix("[") && address.hasSuffix("]") {
                address = String(address.dropFirst().dropLast())
            }
            guard isIPAddress(address) else {
                return .failure(FlagValueError("invalid IP address in add-host: \(quoted(address))"))
            }
        }
        return .success(ExtraHost(host: host, address: address))
    }

    /// As the engine keeps it.
    var stored: String { "\(host):\(address)" }

    /// As the engine appends it to `/etc/hosts`.
    var hostsLine: String { "\(address)\t\(host)" }

    /// The options in the order given; values that do not parse (the CLI refused them) left out.
    static func list(_ values: [String]) -> [ExtraHost] {
        values.compactMap { if case .success(let h) = parse($0) { return h } else { return nil } }
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    private static func quoted(_ text: String) -> String { "\"" + text + "\"" }
}
