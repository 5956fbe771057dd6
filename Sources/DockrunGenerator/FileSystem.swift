#if canImport(Glibc)
import Glibc
#endif

/// The generator's environment, read without Foundation.
enum ProcessEnvironment {
    static func pairs() -> [(String, String)] {
        var pairs: [(String, String)] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
            pointer += 1
        }
        return pairs
    }
}

/// The files the generator reads and writes: the only I/O besides its messages.
enum FileSystem {
    /// The `.container` files of the search path with their drop-ins; a file of which something cannot be read
    /// is an error, and no source.
    static func sources(in directories: [String]) -> ([SourceFile], [GeneratorError]) {
        var sources: [SourceFile] = []
        var errors: [GeneratorError] = []
        files: for (directory, name) in SearchPath.select(directories.map { ($0, names(in: $0)) }) {
            let listings = DropIns.directories(for: name).flatMap { dropIn in
                directories.map { searched in (searched + "/" + dropIn, names(in: searched + "/" + dropIn)) }
            }
            var dropIns: [(path: String, text: String)] = []
            for path in [directory + "/" + name] + DropIns.select(listings) {
                guard let text = read(path) else {
                    errors.append(GeneratorError(file: path, message: "cannot be read"))
                    continue files
                }
                dropIns.append((path, text))
            }
            let file = dropIns.removeFirst()
            sources.append(SourceFile(directory: directory, name: name, text: file.text, dropIns: dropIns))
        }
        return (sources, errors)
    }

    static func names(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The installed dockrun beside this generator: PREFIX/bin/dockrun for PREFIX/lib/systemd/*-generators/,
    /// or the same directory (a build's products); /usr/local/bin/dockrun when neither is there.
    static func dockrunBesideSelf() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            let exe = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var parts = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            let beside = parts.joined(separator: "/") + "/dockrun"
            if access(beside, X_OK) == 0 { return beside }
            if parts.count > 3 {
                parts = parts.dropLast(3)
                let installed = parts.joined(separator: "/") + "/bin/dockrun"
                if access(installed, X_OK) == 0 { return installed }
            }
        }
        return "/usr/local/bin/dockrun"
    }

    /// Writes the unit (a new file renamed over the old) and its links; the failure's words, or nil.
    static func write(_ unit: ServiceUnit, into directory: String) -> String? {
        let path = directory + "/" + unit.name
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return "cannot be written: " + String(cString: strerror(errno)) }
        let written = unit.text.withCString { Glibc.write(descriptor, $0, strlen($0)) }
        close(descriptor)
        guard written == unit.text.utf8.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return "cannot be written: " + String(cString: strerror(errno))
        }
        for link in unit.links {
            let linkPath = directory + "/" + link.path
            if let slash = link.path.lastIndex(of: "/") {
                mkdir(directory + "/" + link.path[..<slash], 0o755)
            }
            unlink(linkPath)
            guard symlink(link.target, linkPath) == 0 else {
                return "link \(linkPath) cannot be made: " + String(cString: strerror(errno))
            }
        }
        return nil
    }
}
