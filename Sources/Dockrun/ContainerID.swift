/// A container's full ID as docker writes it to a `--cidfile`.
public struct ContainerID: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public var description: String { value }

    /// Accepts exactly 64 lowercase hex characters (a trailing newline is tolerated). docker creates
    /// the cidfile empty before the image pull and fills it after create, so an empty or partial
    /// file is "not yet", never an ID.
    public init?(cidfileContents text: String) {
        var id = Substring(text)
        if id.hasSuffix("\n") { id = id.dropLast() }
        guard id.utf8.count == 64, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        value = String(id)
    }
}
