import Foundation

/// The ids a container's process runs with, from `--user` (`.Config.User`) and the container's `/etc/passwd` and
/// `/etc/group`, as runc's `user.GetExecUser` finds them (the engine's daemon calls it with the container's own
/// files, before the binds; runc calls it again inside, after them, for `HOME`). Observed: docs/engine-observations.md,
/// "--user".
struct ContainerUser: Equatable {
    var uid: UInt32
    var gid: UInt32
    /// runc's supplementary groups: the groups listing the user's name, when the spec names no group.
    var groups: [UInt32]
    /// The passwd entry's home, "/" without one.
    var home: String

    static let root = ContainerUser(uid: 0, gid: 0, groups: [], home: "/")
    /// The largest id runc takes.
    static let maximumID = 2_147_483_647

    /// `spec` is `USER[:GROUP]`, each a name or a number; `passwd` and `group` are the files' text, nil when absent.
    /// Returns the engine's message on failure.
    static func resolve(_ spec: String, passwd: String?, group: String?) -> Result<ContainerUser, UserError> {
        let userArg = String(spec.prefix { $0 != ":" })
        let groupArg = spec.contains(":") ? String(spec[spec.index(after: spec.firstIndex(of: ":")!)...]) : ""
        let uidArg = Int(userArg), gidArg = Int(groupArg)
        var user = root
        let users = entries(passwd, fields: 7).filter { e in
            guard let uid = Int(e[2]) else { return false }
            if userArg.isEmpty { return uid == 0 }
            if let uidArg { return uid == uidArg }
            return e[0] == userArg
        }
        var matchedName = ""
        if let e = users.first, let uid = UInt32(e[2]), let gid = UInt32(e[3]) {
            matchedName = e[0]
            user.uid = uid; user.gid = gid; user.home = e[5]
        } else if !userArg.isEmpty {
            guard let uidArg else { return .failure(UserError("unable to find user \(userArg): no matching entries in passwd file")) }
            guard (0...maximumID).contains(uidArg) else { return .failure(.range) }
            user.uid = UInt32(uidArg)
        }
        guard !groupArg.isEmpty || !matchedName.isEmpty else { return .success(user) }
        let groups = entries(group, fields: 4).filter { e in
            guard let gid = Int(e[2]) else { return false }
            if groupArg.isEmpty { return e[3].split(separator: ",").contains { $0 == matchedName } }
            if let gidArg { return gid == gidArg }
            return e[0] == groupArg
        }
        if !groupArg.isEmpty {
            if let e = groups.first, let gid = UInt32(e[2]) {
                user.gid = gid
            } else {
                guard let gidArg else { return .failure(UserError("unable to find group \(groupArg): no matching entries in group file")) }
                guard (0...maximumID).contains(gidArg) else { return .failure(.range) }
                user.gid = UInt32(gidArg)
            }
        } else {
            user.groups = groups.compactMap { UInt32($0[2]) }
        }
        return .success(user)
    }

    /// The supplementary groups the engine gives the process: the primary group, then runc's (Engine 20.10.18 and
    /// later always list the primary group; observed: `id` shows `groups=0` for `--user 1000`).
    var processGroups: [UInt32] { [gid] + groups.filter { $0 != gid } }

    /// The home runc sets as HOME (when the environment has none): the passwd entry of `uid`, else "/".
    static func home(uid: UInt32, passwd: String?) -> String {
        entries(passwd, fields: 7).first { UInt32($0[2]) == uid }?[5] ?? "/"
    }

    /// The name of the entry of `id` in a passwd or group file's text, "" without one. Also the host's users and groups
    /// for tar headers (TarWriter): fake-docker is a static executable (Package.swift), and glibc's NSS modules, loaded
    /// into a static binary at run time, crash it (libnss_systemd, asked for an id /etc/passwd lacks); so the host's
    /// files are read as these are, as the docker CLI (a static Go binary: os/user without cgo) reads them.
    static func accountName(of id: UInt32, in file: String?) -> String {
        entries(file, fields: 3).first { UInt32($0[2]) == id }?[0] ?? ""
    }

    /// The lines of a colon-separated file with at least `fields` fields (fewer are padded, as runc reads them);
    /// blank lines and comments skipped.
    private static func entries(_ text: String?, fields: Int) -> [[String]] {
        guard let text else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            var parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            while parts.count < fields { parts.append("") }
            return parts
        }
    }
}

/// The engine's refusal of a `--user`, as `.State.Error` keeps it.
struct UserError: Error, Equatable {
    let text: String
    init(_ text: String) { self.text = text }
    static let range = UserError("uids and gids must be in range 0-2147483647")
}
