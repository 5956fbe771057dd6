/// Why one source file gave no unit: the file, the line and the key, as the one message systemd's journal
/// gets for it (`dockrun-generator: web.container:7: PodmanArgs: …`).
public struct GeneratorError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file; self.line = line; self.key = key; self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)=" }
        return text + ": " + message
    }
}

/// An error of one entry, before the file's name is known to it.
struct EntryError: Error, Equatable, Sendable {
    var line: Int?
    var key: String?
    var message: String
    /// The drop-in the line is in, when it is not the file itself.
    var dropIn: String?

    init(_ entry: UnitFile.Entry?, _ message: String) {
        line = entry?.line; key = entry?.key; self.message = message; dropIn = entry?.dropIn
    }

    init(line: Int, message: String, dropIn: String?) {
        self.line = line; key = nil; self.message = message; self.dropIn = dropIn
    }

    func inFile(_ file: String) -> GeneratorError {
        GeneratorError(file: dropIn ?? file, line: line, key: key, message: message)
    }
}

/// systemd's booleans (`1 yes true on`, `0 no false off`, any case).
func systemdBoolean(_ entry: UnitFile.Entry) throws(EntryError) -> Bool {
    switch entry.value.lowercased() {
    case "1", "yes", "y", "true", "t", "on": return true
    case "0", "no", "n", "false", "f", "off": return false
    default: throw EntryError(entry, "\"\(entry.value)\" is not a boolean (true or false)")
    }
}
