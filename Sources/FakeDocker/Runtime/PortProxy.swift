import CProcess
import Foundation
import ProcessSpawn

/// A container's published ports, as the engine's bridge driver and its docker-proxy make them: at each start the
/// shim binds every host port before the container's process exists (a taken one fails the start with the engine's
/// message), then starts one proxy process per bound socket — `fake-docker __proxy`, the socket its descriptor 3,
/// in the container's network namespace — which relays each connection (or datagram) to the container's port on
/// its loopback. When the container's process has exited the shim kills the proxies, so the ports are free before
/// the exit is recorded: whoever sees the container stopped can bind them (docs/fake-docker.md, "Publishing").
struct PublishedPorts {
    struct Listener {
        var port: ContainerPort
        var hostIP: String
        var hostPort: Int
        var fd: Int32
    }

    private(set) var listeners: [Listener] = []
    private var proxies: [pid_t] = []
    /// The exposed ports this start does not publish, which `NetworkSettings.Ports` lists too.
    private var unpublished: [PublishedPort] = []

    /// Binds every host port `config` publishes; the engine's refusal when one is taken (nothing stays bound then).
    static func bind(_ config: PortConfig, endpoint: String, store: StateStore) -> Result<PublishedPorts, Shim.StartFailure> {
        var published = PublishedPorts()
        published.unpublished = config.unpublished
        // The allocator's memory is read and written under a lock, so that two starts at once count on from each other.
        let memory = config.plan.contains { $0.1.hostPort.isEmpty } ? AllocatorMemory(store) : nil
        var ephemeral = memory?.read() ?? EphemeralPorts()
        defer { memory?.close(writing: ephemeral) }
        for (port, binding) in config.plan {
            switch bindOne(port, binding, &ephemeral) {
            case .success(let bound): published.listeners += bound
            case .failure(let reason):
                published.release()
                // The endpoint ID is the network's; a fresh random one, as each start of the engine's has.
                let endpointID = (0..<4).map { _ in String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) }.joined()
                return .failure(Shim.StartFailure(
                    detail: "driver failed programming external connectivity on endpoint \(endpoint) (\(endpointID)): \(reason.text)",
                    fromDaemon: true))
            }
        }
        return .success(published)
    }

    static func config(_ c: Container, store: StateStore) -> PortConfig {
        let image = (try? store.findImage(c.imageID)) ?? nil
        return PortConfig(options: c.config.otherOptions, imageExposed: image?.config.exposedPorts ?? [],
                          networkMode: c.config.networkMode)
    }

    // MARK: The record of a running container's ports

    /// Written by its shim once the proxies run, removed once they are gone; only read while the state shows the
    /// container running (a killed shim's file is stale).
    private static func recordPath(_ id: String, _ store: StateStore) -> String {
        store.containerDirectory(id) + "/published-ports.json"
    }

    func save(_ id: String, store: StateStore) {
        let records = listeners.map { PublishedPort(port: $0.port.key, hostIP: $0.hostIP, hostPort: String($0.hostPort)) }
            + unpublished
        guard !records.isEmpty, let data = try? JSONEncoder().encode(records) else { return }
        try? data.write(to: URL(fileURLWithPath: Self.recordPath(id, store)))
    }

    func forget(_ id: String, store: StateStore) {
        unlink(Self.recordPath(id, store))
    }

    /// A container's `NetworkSettings.Ports`, as entries: none unless it runs.
    static func records(_ id: String, running: Bool, store: StateStore) -> [PublishedPort] {
        guard running, let data = FileManager.default.contents(atPath: recordPath(id, store)) else { return [] }
        return (try? JSONDecoder().decode([PublishedPort].self, from: data)) ?? []
    }

    /// Starts a proxy per socket into the network namespace of `containerPID` (the host's own when it has none), and
    /// closes the shim's copies: from now on only the proxies hold the ports.
    mutating func startProxies(into containerPID: pid_t) {
        defer { release() }
        let network: Int32?
        switch Self.networkNamespace(containerPID) {
        // Exited already: its ports are closed with the shim's sockets, never relayed elsewhere.
        case .gone: return
        case .host: network = nil
        case .own(let fd): network = fd
        }
        defer { if let network { close(network) } }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(devNull) }
        for l in listeners {
            var options = SpawnOptions()
            options.stdin = devNull; options.stdout = devNull; options.stderr = devNull
            options.passedDescriptor = l.fd
            options.deathSignal = SIGKILL
            if let network { options.joinedNamespaces = [network] }
            let argv = [Launcher.selfExecutable(), "__proxy", "--proto", l.port.proto, "--port", String(l.port.number)]
            if let pid = try? spawnProcess(argv[0], argv: argv, options) { proxies.append(pid) }
        }
    }

    /// Frees every port: the proxies killed and reaped (so none of their descriptors is left), the sockets closed.
    mutating func stop() {
        for pid in proxies { kill(pid, SIGKILL) }
        for pid in proxies { while waitpid(pid, nil, 0) < 0 && errno == EINTR {} }
        proxies = []
        release()
    }

    private mutating func release() {
        for l in listeners where l.fd >= 0 { close(l.fd) }
        listeners = listeners.map { var l = $0; l.fd = -1; return l }
    }

    enum NetworkNamespace {
        /// Its own (the usual case as root): the proxies join it.
        case own(Int32)
        /// The host's (`--network host`, the fallback without root): the proxies reach the port on its loopback.
        case host
        /// The process has exited (its namespace is gone): nothing to relay to.
        case gone
    }

    private static func networkNamespace(_ pid: pid_t) -> NetworkNamespace {
        var theirs = stat(), ours = stat()
        guard stat("/proc/\(pid)/ns/net", &theirs) == 0, stat("/proc/self/ns/net", &ours) == 0 else { return .gone }
        if theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev { return .host }
        let fd = open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC)
        return fd >= 0 ? .own(fd) : .gone
    }

    // MARK: Binding

    /// One binding: every address (IPv4 and, where the host has it, IPv6) unless one is given, at the port given, the
    /// first free one of a range, or an ephemeral one (the same on both addresses). The error is the engine's reason.
    private static func bindOne(_ port: ContainerPort, _ binding: PortBinding,
                                _ ephemeral: inout EphemeralPorts) -> Result<[Listener], BindRefusal> {
        let addresses = binding.hostIP.isEmpty ? ["0.0.0.0", "::"] : [binding.hostIP]
        let candidates: [Int]
        if binding.hostPort.isEmpty {
            // Ephemeral: as the engine's port allocator, the first free port of the kernel's local port range after
            // the last one it gave for this address and protocol (a fresh engine, like a fresh state here, from the
            // first).
            candidates = ephemeral.candidates(ephemeralPorts(), address: binding.hostIP, proto: port.proto)
        } else {
            candidates = Array((try? PortSpec.portRange(binding.hostPort)) ?? 0...0)
        }
        var lastRefusal = BindRefusal("")
        for candidate in candidates {
            var bound: [Listener] = []
            var hostPort = candidate
            var refused: BindRefusal?
            for address in addresses {
                switch bindSocket(address, hostPort, port.proto) {
                case .success(let (fd, actual)):
                    hostPort = actual
                    bound.append(Listener(port: port, hostIP: address, hostPort: actual, fd: fd))
                case .failure(let e) where address == "::" && binding.hostIP.isEmpty && e.errno != EADDRINUSE:
                    continue    // a host without IPv6: the engine publishes on IPv4 only
                case .failure(let e):
                    // The engine's allocator names the port as given (a range too), Go's `%s:%d`-style.
                    let asked = binding.hostPort.isEmpty ? String(hostPort) : binding.hostPort
                    let reason = String(cString: strerror(e.errno))
                    refused = e.errno == EADDRINUSE
                        ? BindRefusal("Bind for \(address):\(asked) failed: port is already allocated")
                        : BindRefusal("Error starting userland proxy: listen \(port.proto) "
                                      + "\(PublishedPort.join(address, String(hostPort))): bind: \(reason)")
                }
                if refused != nil { break }
            }
            if refused == nil {
                if binding.hostPort.isEmpty { ephemeral.gave(hostPort, address: binding.hostIP, proto: port.proto) }
                return .success(bound)
            }
            for l in bound { close(l.fd) }
            lastRefusal = refused!
        }
        return .failure(lastRefusal)
    }

    /// The engine's dynamic port range: the kernel's `ip_local_port_range`, else the engine's default.
    private static func ephemeralPorts() -> ClosedRange<Int> {
        let bounds = HostProcess.readFile("/proc/sys/net/ipv4/ip_local_port_range")?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
        guard bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1] else { return 49153...65535 }
        return bounds[0]...bounds[1]
    }

    /// The file that keeps `EphemeralPorts` beside the state, locked (flock) from `init` to `close`: only the shims
    /// of starts that publish an ephemeral port open it. Missing or unreadable, the memory is empty, as a fresh engine's.
    private struct AllocatorMemory {
        let fd: Int32

        static func path(_ store: StateStore) -> String { store.path + ".ephemeral-ports" }

        init(_ store: StateStore) {
            fd = open(Self.path(store), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 { while flock(fd, LOCK_EX) < 0 && errno == EINTR {} }
        }

        func read() -> EphemeralPorts {
            fd >= 0 ? EphemeralPorts(text: HostProcess.readToEnd(fd)) : EphemeralPorts()
        }

        /// Writes the memory back and lets the next start have it.
        func close(writing memory: EphemeralPorts) {
            guard fd >= 0 else { return }
            if ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 { _ = Output.write(fd, memory.text) }
            Glibc.close(fd)
        }
    }

    /// The engine restart forgets what the allocator gave, as a new dockerd starts with an empty one.
    static func forgetEphemeralPorts(_ store: StateStore) {
        unlink(AllocatorMemory.path(store))
    }

    struct BindRefusal: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    private struct SocketError: Error { var errno: Int32 }

    /// A socket bound (and for TCP listening) at `address`:`port` (0: the kernel's ephemeral choice), close-on-exec;
    /// the port it got.
    private static func bindSocket(_ address: String, _ port: Int, _ proto: String) -> Result<(Int32, Int), SocketError> {
        let v6 = address.contains(":")
        let type = proto == "udp" ? SOCK_DGRAM : SOCK_STREAM
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(SocketError(errno: errno)) }
        var one: Int32 = 1
        // As Go's listeners: TIME_WAIT of an earlier run's connections does not hold a TCP port (never for UDP, where
        // it would let two bind the same port).
        if proto != "udp" { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        if v6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        var storage = sockaddr_storage()
        let length = SocketAddress.fill(&storage, address, port)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0, proto == "udp" || listen(fd, 4096) == 0 else {
            let e = errno
            close(fd)
            return .failure(SocketError(errno: e))
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        return .success((fd, SocketAddress.port(actual)))
    }
}

/// IPv4 and IPv6 socket addresses from and to text.
enum SocketAddress {
    static func fill(_ storage: inout sockaddr_storage, _ address: String, _ port: Int) -> socklen_t {
        if address.contains(":") {
            return withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { a in
                    a.pointee.sin6_family = sa_family_t(AF_INET6)
                    a.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                    inet_pton(AF_INET6, address, &a.pointee.sin6_addr)
                    return socklen_t(MemoryLayout<sockaddr_in6>.size)
                }
            }
        }
        return withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { a in
                a.pointee.sin_family = sa_family_t(AF_INET)
                a.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET, address, &a.pointee.sin_addr)
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
        }
    }

    static func port(_ storage: sockaddr_storage) -> Int {
        var copy = storage
        return withUnsafePointer(to: &copy) {
            if storage.ss_family == sa_family_t(AF_INET6) {
                return $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}

/// `fake-docker __proxy --proto tcp|udp --port N`: docker-proxy's relay. Descriptor 3 is the bound host socket; the
/// process runs in the container's network namespace, where each connection (each client's datagrams) goes to the
/// container's port on its loopback, as docker-proxy sends them to the container's address. A connection the
/// container refuses is closed. Lives until the shim kills it.
enum PortProxy {
    static func main(_ args: [String]) -> Int32 {
        guard let i = args.firstIndex(of: "--port"), i + 1 < args.count, let port = Int(args[i + 1]) else { return 2 }
        let udp = args.firstIndex(of: "--proto").map { $0 + 1 < args.count && args[$0 + 1] == "udp" } ?? false
        signal(SIGPIPE, SIG_IGN)
        return udp ? relayDatagrams(listener: 3, port: port) : relayConnections(listener: 3, port: port)
    }

    private static func relayConnections(listener: Int32, port: Int) -> Int32 {
        while true {
            let client = accept(listener, nil, nil)   // the proxy starts nothing: no close-on-exec needed
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return 1
            }
            Thread.detachNewThread {
                let upstream = connectLoopback(port, type: SOCK_STREAM)
                if upstream >= 0 { pump(client, upstream) }
                close(client)
                if upstream >= 0 { close(upstream) }
            }
        }
    }

    /// Copies both ways until both sides have ended; an end of one direction is passed on as a half close.
    private static func pump(_ a: Int32, _ b: Int32) {
        var open = [true, true]        // a→b, b→a
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open[0] || open[1] {
            var fds = [pollfd(fd: open[0] ? a : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: open[1] ? b : -1, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 2, -1) < 0 { if errno == EINTR { continue } else { return } }
            for (index, (from, to)) in [(a, b), (b, a)].enumerated() where open[index] && fds[index].revents != 0 {
                let n = read(from, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || !writeAll(to, buffer, n) {
                    open[index] = false
                    shutdown(to, Int32(SHUT_WR))
                    if n < 0 { return }
                }
            }
        }
    }

    private static func writeAll(_ fd: Int32, _ buffer: [UInt8], _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, count - done) }
            if n < 0 { if errno == EINTR { continue } else { return false } }
            done += n
        }
        return true
    }

    /// Each client address gets a socket of its own towards the container, and a thread that returns the replies.
    private static func relayDatagrams(listener: Int32, port: Int) -> Int32 {
        let clients = DatagramClients()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(listener, &buffer, buffer.count, 0, $0, &peerLength) }
            }
            if n < 0 { if errno == EINTR { continue } else { return 1 } }
            let key = withUnsafeBytes(of: &peer) { Data($0.prefix(Int(peerLength))) }
            clients.send(buffer, n, from: key) {
                let upstream = connectLoopback(port, type: SOCK_DGRAM)
                guard upstream >= 0 else { return nil }
                let client = peer, clientLength = peerLength
                Thread.detachNewThread { returnReplies(from: upstream, to: client, clientLength, via: listener, clients, key) }
                return upstream
            }
        }
    }

    /// Until the client has been silent for `DatagramClients.idleSeconds`: then its socket is closed and forgotten.
    private static func returnReplies(from upstream: Int32, to client: sockaddr_storage, _ length: socklen_t,
                                      via listener: Int32, _ clients: DatagramClients, _ key: Data) {
        var timeout = timeval(tv_sec: DatagramClients.idleSeconds, tv_usec: 0)
        setsockopt(upstream, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        var address = client
        while true {
            let n = recv(upstream, &buffer, buffer.count, 0)
            if n < 0 {
                if errno == EINTR || errno == ECONNREFUSED { continue }
                clients.forget(key)
                return
            }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(listener, buffer, n, 0, $0, length) }
            }
        }
    }

    /// A socket connected to `port` on this namespace's loopback (the container's); -1 when refused.
    private static func connectLoopback(_ port: Int, type: __socket_type) -> Int32 {
        let fd = socket(AF_INET, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var storage = sockaddr_storage()
        let length = SocketAddress.fill(&storage, "127.0.0.1", port)
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        if connected < 0 { close(fd); return -1 }
        return fd
    }
}

/// A UDP relay's clients (by address) and their sockets towards the container. Sends and the forgetting of an idle
/// client hold the lock, so a socket is never used after it is closed.
private final class DatagramClients: @unchecked Sendable {
    /// docker-proxy's UDP connection timeout.
    static let idleSeconds = 90
    private let lock = NSLock()
    private var sockets: [Data: Int32] = [:]

    /// Sends the datagram on `key`'s socket, made by `connect` for a new client (nil: the datagram is dropped).
    func send(_ buffer: [UInt8], _ count: Int, from key: Data, connect: () -> Int32?) {
        lock.lock()
        defer { lock.unlock() }
        guard let upstream = sockets[key] ?? connect() else { return }
        sockets[key] = upstream
        _ = Glibc.send(upstream, buffer, count, 0)
    }

    func forget(_ key: Data) {
        lock.lock()
        defer { lock.unlock() }
        if let upstream = sockets.removeValue(forKey: key) { close(upstream) }
    }
}
