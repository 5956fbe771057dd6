import Foundation

/// `--link NAME[:ALIAS]`, read as the CLI reads it (opts.ParseLink) and given to the container as the engine gives it
/// without a bridge: `.HostConfig.Links` as `/NAME:/CONTAINER/ALIAS`, and `ALIAS_NAME` and `ALIAS_ENV_*` in the
/// environment (docs/engine-observations.md, "links and log drivers").
struct Link: Equatable {
    var name: String
    var alias: String

    struct Invalid: Error, Equatable {
        var reason: String
    }

    static func parse(_ text: String) throws(Invalid) -> Link {
        if text.isEmpty { throw Invalid(reason: "empty string specified for links") }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count > 2 { throw Invalid(reason: "bad format for links: \(text)") }
        if parts.count == 1 { return Link(name: text, alias: text) }
        // A link read back from a container's config: `/name:/container/alias`.
        if parts[0].hasPrefix("/") { return Link(name: String(parts[0].dropFirst()), alias: String(parts[1].split(separator: "/").last ?? "")) }
        return Link(name: parts[0], alias: parts[1])
    }

    /// The links of `values` (a container's `--link` options, which the CLI checked at create), in order.
    static func list(_ values: [String]) -> [Link] { values.compactMap { try? parse($0) } }

    /// As `.HostConfig.Links` lists it, for the container called `container`.
    func inspected(container: String) -> String { "/\(name):/\(container)/\(alias)" }

    /// The variables the linked container's process gets: its name as the link sees it, and the target's own
    /// environment but HOME and PATH (without a bridge there is no address, so no `_PORT` variables).
    func environment(container: String, targetEnvironment: [String]) -> [String] {
        let prefix = alias.uppercased().replacingOccurrences(of: "-", with: "_")
        var env = ["\(prefix)_NAME=/\(container)/\(alias)"]
        for variable in targetEnvironment {
            let parts = variable.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] != "HOME", parts[0] != "PATH" else { continue }
            env.append("\(prefix)_ENV_\(parts[0])=\(parts[1])")
        }
        return env
    }
}
