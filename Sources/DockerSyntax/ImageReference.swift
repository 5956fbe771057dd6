/// An image reference as `docker commit`/`docker tag` accept it, validated with the grammar of
/// github.com/distribution/reference (ParseNormalizedNamed) and with docker's exact messages.
public struct ImageReference: Equatable, Sendable, CustomStringConvertible {
    /// Repository as docker shows it ("busybox", "localhost:5000/a/b").
    public var repository: String
    /// Tag; "latest" when none was given.
    public var tag: String

    public var description: String { "\(repository):\(tag)" }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case invalidFormat
        case mustBeLowercase(String)
        case hexadecimalName(String)
        case nameTooLong
        case digestReference
        case empty
        /// The engine's older parser takes an upper-case first component for a path, not a host.
        case daemonMustBeLowercase

        /// docker's message, word for word.
        public var description: String {
            switch self {
            case .invalidFormat: return "invalid reference format"
            case .mustBeLowercase(let remote): return "invalid reference format: repository name (\(remote)) must be lowercase"
            case .hexadecimalName(let s): return "invalid repository name (\(s)), cannot specify 64-byte hexadecimal strings"
            case .nameTooLong: return "repository name must not be more than 255 characters"
            case .digestReference: return "refusing to create a tag with a digest reference"
            case .empty: return "repository name must have at least one component"
            case .daemonMustBeLowercase: return "invalid reference format: repository name must be lowercase"
            }
        }
    }

    public init(repository: String, tag: String) { self.repository = repository; self.tag = tag }

    /// Parses `REPO[:TAG]` for a commit or tag target.
    public static func parse(_ s: String) throws(ParseError) -> ImageReference {
        if s.count == 64 && s.allSatisfy(\.isLowercaseHex) { throw .hexadecimalName(s) }
        // splitDockerDomain: the first component is a registry host when it has '.' or ':', is
        // "localhost", or has an upper-case letter.
        var domain = "docker.io"
        var remainder = s
        if let slash = s.firstIndex(of: "/") {
            let first = s[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                domain = String(first); remainder = String(s[s.index(after: slash)...])
            }
        }
        if domain == "docker.io" && !remainder.contains("/") { remainder = "library/" + remainder }
        let remote = remainder.firstIndex(of: ":").map { String(remainder[..<$0]) } ?? remainder
        if remote.lowercased() != remote { throw .mustBeLowercase(remote) }

        let full = domain + "/" + remainder
        guard let parsed = parseReference(full) else {
            if full.isEmpty { throw .empty }
            throw .invalidFormat
        }
        // The CLI counts the path without its registry host ("library/NAME" for Docker Hub).
        if remote.count > 255 { throw .nameTooLong }
        if parsed.digest != nil { throw .digestReference }
        // FamiliarName: drop docker.io/ and library/.
        var familiar = parsed.name
        if familiar.hasPrefix("docker.io/") {
            familiar.removeFirst("docker.io/".count)
            if familiar.hasPrefix("library/") && familiar.dropFirst("library/".count).firstIndex(of: "/") == nil {
                familiar.removeFirst("library/".count)
            }
        }
        return ImageReference(repository: familiar, tag: parsed.tag ?? "latest")
    }

    /// `parse`, then the checks the engine (20.10) makes again when it receives the reference: the full
    /// name, host included, is at most 255 characters, and only a first component with '.' or ':' or
    /// "localhost" is a registry host (so `UPPER/x` passes the CLI and is refused by the engine).
    public static func parseForEngine(_ s: String) throws(ParseError) -> ImageReference {
        let reference = try parse(s)
        let first = reference.repository.split(separator: "/").first.map(String.init) ?? ""
        let hasHost = reference.repository.contains("/") && (first.contains(".") || first.contains(":") || first == "localhost")
        if !hasHost && reference.repository.lowercased() != reference.repository { throw .daemonMustBeLowercase }
        let full = hasHost || first.lowercased() != first ? reference.repository
            : "docker.io/" + (reference.repository.contains("/") ? "" : "library/") + reference.repository
        if full.count > 255 { throw .nameTooLong }
        return reference
    }

    /// ReferenceRegexp: name (":" tag)? ("@" digest)?, where name is [domain "/"] path.
    /// Returns nil when it does not match.
    static func parseReference(_ s: String) -> (name: String, tag: String?, digest: String?)? {
        var rest = Substring(s)
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let d = rest[rest.index(after: at)...]
            guard isDigest(d) else { return nil }
            digest = String(d); rest = rest[..<at]
        }
        var tag: String?
        // The tag follows the last ':' after the last '/' (so "localhost:5000/img" has none).
        let lastSlash = rest.lastIndex(of: "/")
        let searchFrom = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[searchFrom...].lastIndex(of: ":") {
            let t = rest[rest.index(after: colon)...]
            guard isTag(t) else { return nil }
            tag = String(t); rest = rest[..<colon]
        }
        guard isName(rest) else { return nil }
        return (String(rest), tag, digest)
    }

    static func isTag(_ t: Substring) -> Bool {
        guard let first = t.first, t.count <= 128, first.isWordChar else { return false }
        return t.dropFirst().allSatisfy { $0.isWordChar || $0 == "." || $0 == "-" }
    }

    static func isDigest(_ d: Substring) -> Bool {
        guard let colon = d.firstIndex(of: ":") else { return false }
        let algorithm = d[..<colon], hex = d[d.index(after: colon)...]
        guard let a0 = algorithm.first, a0.isASCIILetter else { return false }
        var previousSeparator = false
        for c in algorithm.dropFirst() {
            if "-_+.".contains(c) {
                if previousSeparator { return false }
                previousSeparator = true
            } else if c.isASCIILetter || (c.isASCIIDigit && !previousSeparator) {
                previousSeparator = false
            } else { return false }
        }
        return !previousSeparator && hex.count >= 32 && hex.allSatisfy(\.isHexDigit)
    }

    /// name := [domain '/'] path-component ('/' path-component)*, where the domain is recognised
    /// only when a '/' follows it and it cannot be a path component itself, as the regexp would.
    static func isName(_ s: Substring) -> Bool {
        var components = s.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty else { return false }
        if components.count > 1, !isPathComponent(components[0]) {
            guard isDomainAndPort(components[0]) else { return false }
            components.removeFirst()
        }
        return components.allSatisfy(isPathComponent)
    }

    /// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | "__" | "-"+
    static func isPathComponent(_ c: Substring) -> Bool {
        let chars = Array(c)
        guard let f = chars.first, f.isLowerAlnum, let l = chars.last, l.isLowerAlnum else { return false }
        var i = 0
        while i < chars.count {
            if chars[i].isLowerAlnum { i += 1; continue }
            var j = i
            while j < chars.count && !chars[j].isLowerAlnum { j += 1 }
            let sep = String(chars[i..<j])
            guard sep == "." || sep == "_" || sep == "__" || sep.allSatisfy({ $0 == "-" }) else { return false }
            i = j
        }
        return true
    }

    /// host[:port], host := domain-component ('.' domain-component)* | '[' IPv6 ']'
    static func isDomainAndPort(_ d: Substring) -> Bool {
        var host = d
        if d.hasPrefix("["), let close = d.firstIndex(of: "]") {
            let inner = d[d.index(after: d.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
            host = ""
            let after = d[d.index(after: close)...]
            if after.isEmpty { return true }
            guard after.hasPrefix(":") else { return false }
            let port = after.dropFirst()
            return !port.isEmpty && port.allSatisfy(\.isASCIIDigit)
        }
        if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isASCIIDigit) else { return false }
            host = host[..<colon]
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { p in
            guard let f = p.first, let l = p.last, f.isASCIIAlnum, l.isASCIIAlnum else { return false }
            return p.allSatisfy { $0.isASCIIAlnum || $0 == "-" }
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIAlnum: Bool { isASCIIDigit || isASCIILetter }
    var isLowerAlnum: Bool { isASCIIDigit || ("a"..."z").contains(self) }
    var isWordChar: Bool { isASCIIAlnum || self == "_" }
    var isLowercaseHex: Bool { isASCIIDigit || ("a"..."f").contains(self) }
}
