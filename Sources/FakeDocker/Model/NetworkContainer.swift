/// `--network container:NAME|ID`: the container joins the network namespace of another, running one, as Engine
/// 20.10 does (observed: docs/engine-observations.md, "--network container:NAME"). The decisions, as values.
enum NetworkContainer {
    static let prefix = "container:"

    /// The container a `container:REF` mode names; nil for every other mode (`container` alone included: refused).
    static func reference(_ mode: String) -> String? {
        mode.hasPrefix(prefix) ? String(mode.dropFirst(prefix.count)) : nil
    }

    /// What the create request asks for beside the mode, as runconfig's validateNetContainerMode reads it.
    struct Request: Equatable {
        var hostname: String?
        var links = false
        var dns = false
        var extraHosts = false
        var publishes = false
        var exposes = false
    }

    /// The daemon's refusal of the create (exit 1, `run` 125), in its order; nil when the mode is not a container's
    /// or nothing conflicts with it.
    static func refusal(mode: String, _ request: Request) -> String? {
        if mode == "container" || mode == prefix {
            return "Invalid network mode: invalid container format container:<name|id>"
        }
        guard reference(mode) != nil else { return nil }
        if !(request.hostname ?? "").isEmpty { return "conflicting options: hostname and the network mode" }
        if request.links {
            return "conflicting options: container type network can't be used with links. This would result in undefined behavior"
        }
        if request.dns { return "conflicting options: dns and the network mode" }
        if request.extraHosts { return "conflicting options: custom host-to-IP mapping and the network mode" }
        if request.publishes { return "conflicting options: port publishing and the container type network mode" }
        if request.exposes { return "conflicting options: port exposing and the container type network mode" }
        return nil
    }

    /// The mode the engine records at create: the named container's full ID when it exists, else the name as given
    /// (the create succeeds; the start refuses it).
    static func recorded(_ mode: String, targetID: String?) -> String {
        guard reference(mode) != nil, let targetID else { return mode }
        return prefix + targetID
    }

    /// The start's refusal (`.State.Error`, exit code 128, the container left as it was): the named container gone,
    /// or not running. `target`: the container the recorded reference names now, nil when none.
    static func startRefusal(reference: String, target: (id: String, running: Bool)?) -> String? {
        guard let target else { return "No such container: \(reference)" }
        return target.running ? nil : "cannot join network of a non running container: \(target.id)"
    }

    /// Whose `/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf` inspect names (`.HostnamePath`, `.HostsPath`,
    /// `.ResolvConfPath`): the joined container's once a start has taken them (the engine binds its files), none before;
    /// the container's own (`ownID`) in every other mode.
    static func filesOwner(mode: String, ownID: String, started: Bool) -> String? {
        guard let reference = reference(mode) else { return ownID }
        return started ? reference : nil
    }

    /// The files the joining container gets from the one it joins (the engine binds that container's own).
    static let sharedFiles = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]
}
