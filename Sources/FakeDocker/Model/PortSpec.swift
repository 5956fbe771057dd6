import Glibc

/// A refusal of a port option, in the docker CLI's words (go-connections' `nat` package, observed on Engine 20.10:
/// docs/engine-observations.md, "Publishing").
struct PortSpecError: Error, Equatable {
    var text: String
    init(_ text: String) { self.text = text }
}

/// One container port bound to the host, as `HostConfig.PortBindings` keeps it: the host address and port as given
/// (either may be empty: every address, an ephemeral port; the port may be a range to take one from).
struct PortBinding: Equatable, Sendable {
    var hostIP: String
    var hostPort: String
}

/// A container port with its protocol, `80/tcp` (go-connections' `nat.Port`).
struct ContainerPort: Hashable, Comparable, Sendable {
    var number: Int
    var proto: String
    var key: String { "\(number)/\(proto)" }

    init(_ number: Int, _ proto: String) { self.number = number; self.proto = proto }

    /// `80/tcp` as a key of `ExposedPorts` (the image's EXPOSE); nil when it is not one.
    init?(key: String) {
        let parts = key.split(separator: "/", maxSplits: 1)
        guard let n = Int(parts[0]) else { return nil }
        self.init(n, parts.count > 1 ? String(parts[1]) : "tcp")
    }

    /// Go's JSON order of a map's keys: as strings.
    static func < (a: ContainerPort, b: ContainerPort) -> Bool { a.key < b.key }
}

/// `-p`/`--publish`, `--expose` and `docker port`'s argument read as the docker CLI reads them (go-connections'
/// `nat.ParsePortSpec`, `SplitProtoPort`, `ParsePortRange`), every message the CLI's.
enum PortSpec {
    /// One `-p [IP:][HOST:]CTR[/PROTO]`: a binding per container port (a range gives one each; a host range with a
    /// single container port stays a range, the ports the engine may take one from).
    static func parse(_ raw: String) throws(PortSpecError) -> [(ContainerPort, PortBinding)] {
        var (ip, hostPort, containerPart) = splitParts(raw)
        let (proto, containerPort) = splitProtoPort(containerPart)
        if ip.hasPrefix("[") {
            guard ip.hasSuffix("]") else {
                throw PortSpecError("Invalid ip address \(ip): address \(ip):: missing ']' in address")
            }
            ip = String(ip.dropFirst().dropLast())
        }
        if !ip.isEmpty && !isIPAddress(ip) { throw PortSpecError("invalid IP address: \(ip)") }
        if containerPort.isEmpty { throw PortSpecError("no port specified: \(raw)<empty>") }
        guard let ports = try? portRange(containerPort) else { throw PortSpecError("invalid containerPort: \(containerPort)") }
        var hostPorts: ClosedRange<Int>?
        if !hostPort.isEmpty {
            guard let range = try? portRange(hostPort) else { throw PortSpecError("invalid hostPort: \(hostPort)") }
            hostPorts = range
        }
        if let hostPorts, ports.count != hostPorts.count, ports.count > 1 {
            throw PortSpecError("invalid ranges specified for container and host Ports: \(containerPort) and \(hostPort)")
        }
        guard ["tcp", "udp", "sctp"].contains(proto.lowercased()) else { throw PortSpecError("invalid proto: \(proto)") }
        return ports.enumerated().map { offset, number in
            var host = ""
            if let hostPorts {
                host = String(hostPorts.lowerBound + offset)
                // Only a single container port keeps a host range: the engine takes a free port from it.
                if ports.count == 1 && hostPorts.count > 1 { host += "-\(hostPorts.upperBound)" }
            }
            return (ContainerPort(number, proto.lowercased()), PortBinding(hostIP: ip, hostPort: host))
        }
    }

    /// Every `-p` of a create, as `HostConfig.PortBindings`: per container port, its bindings in the order given.
    static func bindings(_ specs: [String]) throws(PortSpecError) -> [ContainerPort: [PortBinding]] {
        var bindings: [ContainerPort: [PortBinding]] = [:]
        for spec in specs {
            for (port, binding) in try parse(try standardNotation(spec)) {
                bindings[port, default: []].append(binding)
            }
        }
        return bindings
    }

    /// `-p`'s long syntax, `published=8080,target=80[,protocol=udp]`, made the short one as the CLI makes it before it
    /// parses (`convertToStandardNotation`): `PUBLISHED:TARGET/PROTOCOL`, tcp unless said, either port empty when not
    /// given; a key it does not know (`mode`, any other) is passed over, and the last of a repeated key counts, as Go's
    /// map keeps it. Every part must be `name=value`. A spec without `=` is returned as it is.
    static func standardNotation(_ raw: String) throws(PortSpecError) -> String {
        guard raw.contains("=") else { return raw }
        var params = ["protocol": "tcp"]
        for param in raw.split(separator: ",", omittingEmptySubsequences: false) {
            // Go's strings.Split: the value is what lies between the first `=` and a second one.
            let parts = param.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count >= 2 else {
                throw PortSpecError("invalid publish opts format (should be name=value but got '\(param)')")
            }
            params[String(parts[0])] = String(parts[1])
        }
        return "\(params["published"] ?? ""):\(params["target"] ?? "")/\(params["protocol"] ?? "")"
    }

    /// One `--expose PORT[-END][/PROTO]`: every port of it (the CLI's `parse`).
    static func expose(_ raw: String) throws(PortSpecError) -> [ContainerPort] {
        if raw.contains(":") { throw PortSpecError("invalid port format for --expose: \(raw)") }
        let (proto, port) = splitProtoPort(raw)
        let range: ClosedRange<Int>
        do { range = try portRange(port) } catch {
            throw PortSpecError("invalid range format for --expose: \(raw), error: \(error.text)")
        }
        return range.map { ContainerPort($0, proto) }
    }

    /// `docker port CONTAINER PORT[/PROTO]`'s argument (CLI 28): the key of `NetworkSettings.Ports` it asks for, the
    /// port as given and the protocol tcp unless one follows the first `/`; the port must be a number.
    static func query(_ raw: String) throws(PortSpecError) -> String {
        let parts = raw.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let port = parts[0]
        let proto = parts.count == 2 && !parts[1].isEmpty ? parts[1] : "tcp"
        do { _ = try parseUInt16(port) } catch { throw PortSpecError("invalid port (\(port)): \(error.text)") }
        return "\(port)/\(proto)"
    }

    /// `docker port`'s order: the lines sorted naturally (digit runs by value), as the CLI's `sortorder.NaturalLess`.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        var i = Substring(a), j = Substring(b)
        while let x = i.first, let y = j.first {
            if x.isASCII && x.isNumber && y.isASCII && y.isNumber {
                let m = i.prefix { $0.isASCII && $0.isNumber }, n = j.prefix { $0.isASCII && $0.isNumber }
                let p = m.drop { $0 == "0" }, q = n.drop { $0 == "0" }
                if p.count != q.count { return p.count < q.count }
                if p != q { return p < q }
                if m.count != n.count { return m.count < n.count }
                i = i.dropFirst(m.count); j = j.dropFirst(n.count)
            } else {
                if x != y { return x < y }
                i = i.dropFirst(); j = j.dropFirst()
            }
        }
        return i.isEmpty && !j.isEmpty
    }

    // MARK: go-connections' helpers

    /// `IP:HOST:CTR`, `HOST:CTR`, `CTR`; with more colons all but the last two are the (IPv6) address.
    private static func splitParts(_ raw: String) -> (String, String, String) {
        let parts = raw.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return ("", "", parts[0])
        case 2: return ("", parts[0], parts[1])
        case 3: return (parts[0], parts[1], parts[2])
        default: return (parts.dropLast(2).joined(separator: ":"), parts[parts.count - 2], parts[parts.count - 1])
        }
    }

    /// `80/udp` → (udp, 80); no protocol (or an empty one) is tcp; nothing before the `/` is no port at all.
    private static func splitProtoPort(_ raw: String) -> (String, String) {
        let parts = raw.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if raw.isEmpty || parts[0].isEmpty { return ("", "") }
        if parts.count == 1 || parts[1].isEmpty { return ("tcp", parts[0]) }
        return (parts[1], parts[0])
    }

    /// `8000` or `8000-8010`, with Go's `strconv.ParseUint(_, 10, 16)` errors.
    static func portRange(_ text: String) throws(PortSpecError) -> ClosedRange<Int> {
        if text.isEmpty { throw PortSpecError("Empty string specified for ports.") }
        guard text.contains("-") else {
            let port = try parseUInt16(text)
            return port...port
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let start = try parseUInt16(parts[0]), end = try parseUInt16(parts[1])
        if end < start { throw PortSpecError("Invalid range specified for the Port: \(text)") }
        return start...end
    }

    private static func parseUInt16(_ text: String) throws(PortSpecError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw PortSpecError("strconv.ParseUint: parsing \"\(text)\": invalid syntax")
        }
        guard let n = Int(text), n <= 65535 else { throw PortSpecError("strconv.ParseUint: parsing \"\(text)\": value out of range") }
        return n
    }

    static func isIPAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}

/// A container's ports as its configuration has them: `-p` (`HostConfig.PortBindings`), the exposed ports
/// (`Config.ExposedPorts`: the image's EXPOSE, `--expose`, and every `-p`) and `-P`.
struct PortConfig: Equatable {
    var bindings: [ContainerPort: [PortBinding]] = [:]
    var exposed: [ContainerPort] = []
    var publishAll = false
    /// `--network host` or `none`: the engine publishes nothing and shows no ports (for host it warns at create).
    var networkMode = "bridge"
    var hasNetworkOfItsOwn: Bool { networkMode != "host" && networkMode != "none" }

    /// From the options as the container keeps them (`ContainerConfig.otherOptions`, checked at create: a spec that
    /// does not parse is skipped) and the image's exposed ports (`80/tcp`).
    init(options: [String: [String]], imageExposed: [String], networkMode: String) {
        bindings = (try? PortSpec.bindings(options["publish"] ?? [])) ?? [:]
        var exposed = Set(imageExposed.compactMap { ContainerPort(key: $0) })
        for spec in options["expose"] ?? [] { exposed.formUnion((try? PortSpec.expose(spec)) ?? []) }
        exposed.formUnion(bindings.keys)
        self.exposed = exposed.sorted()
        publishAll = options["publish-all"]?.last == "true"
        self.networkMode = networkMode
    }

    /// What a start binds, in key order: each binding; with `-P`, each exposed port without one on an ephemeral port.
    var plan: [(ContainerPort, PortBinding)] {
        if !hasNetworkOfItsOwn { return [] }
        return exposed.flatMap { port -> [(ContainerPort, PortBinding)] in
            if let given = bindings[port] { return given.map { (port, $0) } }
            return publishAll ? [(port, PortBinding(hostIP: "", hostPort: ""))] : []
        }
    }

    /// The engine's warning for this configuration at create (the CLI prints it `WARNING: …` on stderr).
    var createWarning: String? {
        networkMode == "host" && !bindings.isEmpty ? "Published ports are discarded when using host network mode" : nil
    }

    /// What a running container shows of the exposed ports `plan` does not publish: each with no address.
    var unpublished: [PublishedPort] {
        if !hasNetworkOfItsOwn { return [] }
        let planned = Set(plan.map(\.0))
        return exposed.filter { !planned.contains($0) }.map { PublishedPort(port: $0.key, hostIP: "", hostPort: "") }
    }
}

/// One entry of a running container's `NetworkSettings.Ports`: a port published at an address, or (empty address and
/// port) a port exposed and not published, which `Ports` shows as null and `ps` bare.
struct PublishedPort: Codable, Equatable, Sendable {
    var port: String
    var hostIP: String
    var hostPort: String

    var isPublished: Bool { !hostPort.isEmpty }

    /// `docker port`'s address: Go's `net.JoinHostPort`, an IPv6 address in brackets.
    var address: String { PublishedPort.join(hostIP, hostPort) }

    static func join(_ host: String, _ port: String) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `NetworkSettings.Ports`: per port in Go's key order, its addresses, nil (null) for one not published.
    static func networkSettings(_ entries: [PublishedPort]) -> [(String, [PublishedPort]?)] {
        Set(entries.map(\.port)).sorted().map { key in
            let published = entries.filter { $0.port == key && $0.isPublished }
            return (key, published.isEmpty ? nil : published)
        }
    }

    /// `ps`'s PORTS (the CLI's `DisplayablePorts`): sorted by container port, address, host port, protocol; runs of
    /// consecutive ports that are not published, or published on the same port number, grouped per address and
    /// protocol (`7000-7001/tcp`, `0.0.0.0:9000-9001->9000-9001/tcp`), in the order first met; every other
    /// publication after them (`0.0.0.0:8000->80/tcp`).
    static func displayable(_ entries: [PublishedPort]) -> String {
        struct Port { var ip: String; var privatePort: Int; var publicPort: Int; var type: String }
        let ports = entries.compactMap { e -> Port? in
            guard let p = ContainerPort(key: e.port) else { return nil }
            return Port(ip: e.hostIP, privatePort: p.number, publicPort: Int(e.hostPort) ?? 0, type: p.proto)
        }.sorted { a, b in
            if a.privatePort != b.privatePort { return a.privatePort < b.privatePort }
            if a.ip != b.ip { return a.ip < b.ip }
            if a.publicPort != b.publicPort { return a.publicPort < b.publicPort }
            return a.type < b.type
        }
        func group(_ key: (ip: String, type: String), _ first: Int, _ last: Int) -> String {
            let range = first == last ? "\(first)" : "\(first)-\(last)"
            return (key.ip.isEmpty ? range : "\(join(key.ip, range))->\(range)") + "/\(key.type)"
        }
        var groups: [String: (first: Int, last: Int)] = [:]
        var order: [(ip: String, type: String)] = []
        var result: [String] = [], mappings: [String] = []
        for p in ports {
            if !p.ip.isEmpty && p.publicPort != p.privatePort {
                mappings.append("\(join(p.ip, String(p.publicPort)))->\(p.privatePort)/\(p.type)")
                continue
            }
            let name = p.ip + "/" + p.type
            guard let current = groups[name] else {
                groups[name] = (p.privatePort, p.privatePort)
                order.append((p.ip, p.type))
                continue
            }
            if p.privatePort == current.last + 1 {
                groups[name]?.last = p.privatePort
                continue
            }
            result.append(group((p.ip, p.type), current.first, current.last))
            groups[name] = (p.privatePort, p.privatePort)
        }
        for key in order {
            if let g = groups[key.ip + "/" + key.type] { result.append(group(key, g.first, g.last)) }
        }
        return (result + mappings).joined(separator: ", ")
    }
}
