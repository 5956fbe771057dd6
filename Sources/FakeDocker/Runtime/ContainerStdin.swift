import CProcess
import Foundation

/// A `-i` container's stdin when its shim is handed no client's (`run -di`, `start` without `-i`): as the FIFO the
/// engine's containerd holds open for it, a FIFO in the container's directory (`stdin`) that the shim holds open for
/// reading and writing, so it never ends, and that a later `docker attach` writes to (docs/engine-observations.md,
/// "attach: stdin and detach keys").
enum ContainerStdin {
    static func path(_ id: String, store: StateStore) -> String { store.containerDirectory(id) + "/stdin" }

    /// In the shim, before the start: the FIFO becomes the shim's stdin (which the container's process gets, or, with
    /// a terminal, the shim copies to it) when the container keeps a stdin open and the shim was given /dev/null.
    static func openForLaterClients(_ c: Container, store: StateStore) {
        guard c.config.openStdin, isDevNull(0) else { return }
        let path = path(c.id, store: store)
        unlink(path)
        guard mkfifo(path, 0o600) == 0 else { return }
        let fd = open(path, O_RDWR)
        guard fd > 0 else { return }
        dup2(fd, 0)
        close(fd)
    }

    /// For an attached client: the FIFO to write to, nil when the container has none (its stdin was a client's).
    static func openForWriting(_ id: String, store: StateStore) -> Int32? {
        let fd = open(path(id, store: store), O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    private static func isDevNull(_ fd: Int32) -> Bool {
        var s = stat(), null = stat()
        guard fstat(fd, &s) == 0, stat("/dev/null", &null) == 0 else { return false }
        return (s.st_mode & S_IFMT) == S_IFCHR && s.st_rdev == null.st_rdev
    }
}

/// The detach keys (`--detach-keys`, ctrl-p,ctrl-q by default) as the engine reads them from an attached client of a
/// `-t` container (moby/term's ToBytes and escapeProxy): the bytes of a sequence begun are held back until it is
/// complete (the client detaches) or broken (they are passed on with the byte that broke it). Taken a byte at a time,
/// as keys typed on a terminal arrive (the engine detached on both keys written at once, observed).
struct DetachKeys: Equatable {
    let keys: [UInt8]
    private(set) var matched = 0

    static let defaultKeys = "ctrl-p,ctrl-q"

    /// moby/term's ToBytes: comma-separated keys, each a single character, `ctrl-@`, `ctrl-a`…`ctrl-z`, `ctrl-[`,
    /// `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`, or `DEL`; nil for anything else (the daemon then refuses the attach).
    init?(_ text: String) {
        var codes: [UInt8] = []
        for key in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bytes = Array(key.utf8)
            if bytes.count == 1 {
                codes.append(bytes[0])
            } else if key == "DEL" {
                codes.append(127)
            } else if key.hasPrefix("ctrl-"), bytes.count == 6, let c = Self.control(bytes[5]) {
                codes.append(c)
            } else {
                return nil
            }
        }
        keys = codes
    }

    /// `ctrl-X`'s code: `@` 0, `a`…`z` 1…26, `[` 27, `\` 28, `]` 29, `^` 30, `_` 31.
    private static func control(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "@"): return 0
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 1
        case UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "_"):
            return c - UInt8(ascii: "[") + 27
        default: return nil
        }
    }

    /// What of `input` goes on to the container, and whether the sequence was completed (the client detaches; what
    /// followed it is dropped).
    mutating func feed(_ input: [UInt8]) -> (forward: [UInt8], detached: Bool) {
        var forward: [UInt8] = []
        for byte in input {
            if !keys.isEmpty && byte == keys[matched] {
                matched += 1
                if matched == keys.count { matched = 0; return (forward, true) }
            } else {
                forward += keys[0..<matched]
                forward.append(byte)
                matched = 0
            }
        }
        return (forward, false)
    }
}
