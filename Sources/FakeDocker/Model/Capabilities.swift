import Foundation

/// The Linux capabilities of a container's process, as the engine gives them: its default set, changed by
/// `--cap-drop` and `--cap-add` as moby's caps.TweakCapabilities changes it. `/proc/self/status` shows the set as
/// CapBnd (and CapPrm/CapEff for root; a non-root user has none but the bounding set).
enum Capabilities {
    /// The kernel's capabilities by number, with the CAP_ prefix the engine keeps.
    static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// The engine's default set (0xa80425fb, observed).
    static let defaults = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]

    /// A name as the engine keeps it: upper case, with the CAP_ prefix; ALL as ALL.
    static func normalized(_ name: String) -> String {
        let upper = name.trimmingCharacters(in: .whitespaces).uppercased()
        if upper == "ALL" || upper.hasPrefix("CAP_") { return upper }
        return "CAP_" + upper
    }

    /// `--cap-add` or `--cap-drop` as the CLI sends them (`.HostConfig.CapAdd`/`CapDrop`): normalised, each once,
    /// sorted (observed: `ALL` before the CAP_ names).
    static func requested(_ names: [String]) -> [String] { Set(names.map(normalized)).sorted() }

    /// The daemon's refusal of a name it does not know, `--cap-add` first; nil when all are known.
    static func refusal(adds: [String], drops: [String]) -> String? {
        for (field, list) in [("CapAdd", adds), ("CapDrop", drops)] {
            for name in requested(list) where name != "ALL" && !names.contains(name) {
                return "invalid \(field): unknown capability: \"\(name)\""
            }
        }
        return nil
    }

    /// The set the container's process gets, bit N for capability N: the defaults without the drops, plus the adds;
    /// ALL in the adds is every capability up to the kernel's `lastCapability` but the drops; ALL in the drops only
    /// the adds.
    static func set(adds: [String], drops: [String], lastCapability: Int) -> UInt64 {
        let add = adds.map(normalized), drop = drops.map(normalized)
        let all = names.prefix(lastCapability + 1)
        let chosen: [String]
        if add.contains("ALL") {
            chosen = all.filter { !drop.contains($0) }
        } else if drop.contains("ALL") {
            chosen = add
        } else {
            chosen = defaults.filter { !drop.contains($0) } + add
        }
        return chosen.reduce(0) { mask, name in names.firstIndex(of: name).map { mask | 1 << UInt64($0) } ?? mask }
    }

    /// The kernel's last capability (/proc/sys/kernel/cap_last_cap), else the last this table names.
    static var lastCapability: Int {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/cap_last_cap", encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? names.count - 1
    }
}
