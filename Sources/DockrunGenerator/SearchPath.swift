/// Where the source files are, and which of them count.
public enum SearchPath {
    /// `DOCKRUN_UNIT_PATH` (directories separated by `:`) when set; else /etc/dockrun/containers for the system,
    /// `$XDG_CONFIG_HOME/dockrun/containers` (or `~/.config/dockrun/containers`) for a user.
    public static func directories(environment: [String: String], isUser: Bool) -> [String] {
        if let path = environment["DOCKRUN_UNIT_PATH"] {
            return path.split(separator: ":").map(String.init)
        }
        guard isUser else { return ["/etc/dockrun/containers"] }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return [config + "/dockrun/containers"]
        }
        return environment["HOME"].map { [$0 + "/.config/dockrun/containers"] } ?? []
    }

    /// The `*.container` files of each directory, by name; a name in an earlier directory hides the same name
    /// in a later one.
    public static func select(_ listings: [(directory: String, names: [String])]) -> [(directory: String, name: String)] {
        var seen: Set<String> = []
        var chosen: [(directory: String, name: String)] = []
        for listing in listings {
            for name in listing.names.sorted()
            where name.hasSuffix(".container") && name.count > ".container".count && !seen.contains(name) {
                seen.insert(name)
                chosen.append((listing.directory, name))
            }
        }
        return chosen
    }
}

/// Quadlet's drop-ins: `*.conf` files in directories named after the file, merged into it in the order of their
/// names, a later one's single values winning.
public enum DropIns {
    /// The drop-in directories of a file (`foo-bar@x.container`), the most specific first: its own
    /// (`foo-bar@x.container.d`), its template's (`foo-bar@.container.d`), each shorter dash prefix
    /// (`foo-bar-.container.d`… `foo-.container.d`), and every file's (`container.d`).
    public static func directories(for name: String) -> [String] {
        let suffix = ".container"
        let base = String(name.dropLast(suffix.count))
        var directories = [name + ".d"]
        if let at = base.firstIndex(of: "@"), base.index(after: at) != base.endIndex {
            directories.append(base[...at] + suffix + ".d")
        }
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        for count in stride(from: parts.count - 1, to: 0, by: -1) {
            directories.append(parts[..<count].joined(separator: "-") + "-" + suffix + ".d")
        }
        return directories + ["container.d"]
    }

    /// The drop-ins that apply, from listings in order of precedence (the most specific directory first, and
    /// for one directory name the earlier search directory first): of one file name the first listed wins (a
    /// more specific drop-in of that name replaces a general one), and they apply in the order of their names.
    public static func select(_ listings: [(directory: String, names: [String])]) -> [String] {
        var chosen: [String: String] = [:]
        for listing in listings {
            for name in listing.names where name.hasSuffix(".conf") && chosen[name] == nil {
                chosen[name] = listing.directory + "/" + name
            }
        }
        return chosen.keys.sorted().compactMap { chosen[$0] }
    }
}
