/// The options one command knows, as pflag declares them: each long name takes a value or is a
/// boolean, and some have a one-letter shorthand. An `OptionTokenizer` reads a command line
/// against it.
public struct OptionGrammar: Sendable {
    public enum Kind: Equatable, Sendable {
        /// `--x` alone means true; a value only comes inline (`--x=false`, `-x=false`), never from
        /// the next argument: pflag's `NoOptDefVal` of a bool flag.
        case boolean
        /// `--x v`, `--x=v`, `-xv`, `-x=v`, `-x v`.
        case value
    }

    public var kinds: [String: Kind]
    /// The one-letter shorthand and the long name it stands for.
    public var shorthands: [Character: String]
    /// Long names that may also be written after one dash (`-rm`), as Go's `flag` package reads
    /// them. pflag has no such spelling: a word that is one of these is read as that option
    /// instead of as a cluster of shorthands.
    public var singleDashNames: Set<String>

    public init(kinds: [String: Kind], shorthands: [Character: String] = [:], singleDashNames: Set<String> = []) {
        self.kinds = kinds
        self.shorthands = shorthands
        self.singleDashNames = singleDashNames
    }

    public init(booleans: Set<String>, values: Set<String>, shorthands: [Character: String] = [:]) {
        var kinds: [String: Kind] = [:]
        for name in booleans { kinds[name] = .boolean }
        for name in values { kinds[name] = .value }
        self.init(kinds: kinds, shorthands: shorthands)
    }
}
