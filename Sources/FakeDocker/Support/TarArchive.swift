import Foundation

/// A tar stream as the engine writes one (Go's archive/tar, as moby's pkg/archive uses it for `docker cp` and
/// `docker export`): USTAR headers (`ustar\0` `00`, octal fields of 7 or 11 digits and a NUL, the checksum as 6 digits,
/// a NUL and a space), a PAX header only for a name the USTAR fields cannot hold, the type's bits in the mode
/// (`0100644`), the time in whole seconds, and two zero blocks at the end without padding to a record.
/// Observed byte for byte on Engine 20.10 (docs/engine-observations.md, "cp, export, attach").
enum TarArchive {
    static let block = 512

    enum Kind: UInt8 {
        case file = 0x30, hardLink = 0x31, symlink = 0x32, characterDevice = 0x33, blockDevice = 0x34
        case directory = 0x35, fifo = 0x36, paxHeader = 0x78

        /// The type's bits Go's FileInfoHeader adds to the mode (c_ISREG, c_ISDIR, …).
        var modeBits: Int {
            switch self {
            case .file, .hardLink: return 0o100000
            case .directory: return 0o40000
            case .symlink: return 0o120000
            case .characterDevice: return 0o20000
            case .blockDevice: return 0o60000
            case .fifo: return 0o10000
            case .paxHeader: return 0
            }
        }
    }

    /// One entry's header, as a value.
    struct Header: Equatable {
        var name: String
        var kind: Kind
        /// The permission bits, set-ID and sticky bits included (the type's are added when encoded).
        var permissions: Int
        var uid = 0, gid = 0
        var size = 0
        var modified = 0
        var linkName = ""
        var userName = "", groupName = ""
        var deviceMajor = 0, deviceMinor = 0

        /// The header's blocks: a PAX header and its records first when the name or link does not fit.
        func encoded() -> [UInt8] {
            let split = TarArchive.splitUSTAR(name)
            let fitsLink = linkName.utf8.count <= 100
            guard split == nil || !fitsLink else {
                return ustar(name: split?.name ?? name, prefix: split?.prefix ?? "")
            }
            var records: [(String, String)] = []
            if split == nil { records.append(("path", name)) }
            if !fitsLink { records.append(("linkpath", linkName)) }
            let data = TarArchive.paxRecords(records)
            // Go's name for the extended header: the entry's own, with `PaxHeaders.0/` before its last part.
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            let paxName = (parts.dropLast().map(String.init) + ["PaxHeaders.0", String(parts.last ?? "")])
                .filter { !$0.isEmpty }.joined(separator: "/")
            let pax = Header(name: paxName, kind: .paxHeader, permissions: 0, size: data.count)
            return pax.ustar(name: paxName, prefix: "") + TarArchive.padded(data) + ustar(name: name, prefix: "")
        }

        /// One USTAR block, the fields cut where they end.
        func ustar(name: String, prefix: String) -> [UInt8] {
            var b = [UInt8](repeating: 0, count: TarArchive.block)
            func text(_ s: String, _ at: Int, _ width: Int) {
                for (i, byte) in s.utf8.prefix(width).enumerated() { b[at + i] = byte }
            }
            func octal(_ value: Int, _ at: Int, _ width: Int) {
                let digits = String(value, radix: 8)
                text(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at, width - 1)
            }
            text(name, 0, 100)
            octal(permissions | kind.modeBits, 100, 8)
            octal(uid, 108, 8)
            octal(gid, 116, 8)
            octal(size, 124, 12)
            octal(modified, 136, 12)
            b[156] = kind.rawValue
            text(linkName, 157, 100)
            text("ustar\0" + "00", 257, 8)
            text(userName, 265, 32)
            text(groupName, 297, 32)
            // Go writes an extended header as a raw file (templateV7Plus): its device fields stay NUL (observed).
            if kind != .paxHeader {
                octal(deviceMajor, 329, 8)
                octal(deviceMinor, 337, 8)
            }
            text(prefix, 345, 155)
            // The checksum: the sum of the bytes with its own field as spaces, then 6 digits, a NUL and a space.
            for i in 148..<156 { b[i] = 0x20 }
            let sum = b.reduce(0) { $0 + Int($1) }
            let digits = String(sum, radix: 8)
            text(String(repeating: "0", count: max(0, 6 - digits.count)) + digits, 148, 6)
            b[154] = 0
            return b
        }
    }

    /// Go's splitUSTARPath: a name longer than 100 bytes cut at a slash into a prefix (at most 155) and a name
    /// (at most 100, not empty); nil when it cannot be, or need not be ((name, "") when it fits).
    static func splitUSTAR(_ name: String) -> (prefix: String, name: String)? {
        let bytes = Array(name.utf8)
        if bytes.count <= 100 { return ("", name) }
        guard bytes.count <= 256, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        var i = min(bytes.count - 1, 155)
        while i > 0 && bytes[i] != UInt8(ascii: "/") { i -= 1 }
        let rest = bytes.count - i - 1
        guard i > 0, rest > 0, rest <= 100 else { return nil }
        return (String(decoding: bytes[..<i], as: UTF8.self), String(decoding: bytes[(i + 1)...], as: UTF8.self))
    }

    /// PAX records, each `LENGTH KEY=VALUE\n` with the length counting itself.
    static func paxRecords(_ records: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in records {
            let body = " \(key)=\(value)\n".utf8.count
            var length = body + String(body).count
            if String(length).count != String(body).count { length = body + String(length).count }
            out += Array("\(length) \(key)=\(value)\n".utf8)
        }
        return out
    }

    /// `data` padded with zeros to a whole number of blocks.
    static func padded(_ data: [UInt8]) -> [UInt8] {
        data + [UInt8](repeating: 0, count: (block - data.count % block) % block)
    }

    /// The end of an archive: two zero blocks.
    static let trailer = [UInt8](repeating: 0, count: 2 * block)

    /// The names an archive of `root` gives to its entries: `root` itself, then each path under it joined to it,
    /// as moby's TarWithOptions rebases them (`.` gives `./f`, `/` gives `/bin`), directories ending with `/`.
    static func entryName(root: String, relative: String, directory: Bool) -> String {
        var name = relative.isEmpty ? root : (root.hasSuffix("/") ? root + relative : root + "/" + relative)
        if directory && !name.hasSuffix("/") { name += "/" }
        return name
    }

    /// Names sorted as Go sorts them (by their bytes), the order of filepath.Walk.
    static func walkOrder(_ names: [String]) -> [String] {
        names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
