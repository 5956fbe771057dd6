import DockerSyntax

/// A `--commit` target: the text as the user wrote it (what `docker commit` receives) and its
/// parsed form, validated before anything starts.
public struct CommitTarget: Equatable, Sendable {
    public let text: String
    public let reference: ImageReference

    public init(_ text: String) throws(DockrunError) {
        do {
            reference = try ImageReference.parseForEngine(text)
        } catch {
            throw .invalidCommitReference(text, error)
        }
        self.text = text
    }
}

/// A run as the user asked for it: docker's options (as written, dockrun's own taken out), the
/// image and the container's command, and dockrun's own settings.
public struct RunRequest: Equatable, Sendable {
    /// The user's `docker run` options, each token exactly as written, in order.
    public var dockerOptions: [String] = []
    /// nil when an option dockrun does not know ended the parse (see `Invocation.parse`).
    public var image: String?
    /// After IMAGE: the container's command, untouched. Without an image: every argument from the
    /// unknown option on, untouched.
    public var command: [String] = []
    public var remove = false
    public var commit: CommitTarget?
    /// The user's own `--cidfile`, if any (the last one given wins, as in docker).
    public var cidfile: String?

    public init() {}
}

public enum Invocation: Equatable, Sendable {
    case help
    case version
    case run(RunRequest)

    /// Splits dockrun's command line the way `docker run` splits its own: options up to the first
    /// argument that is not an option or an option's value (IMAGE), then the container's command,
    /// never looked into. The option table of DockerSyntax decides which options take a value.
    ///
    /// An option the table does not know (a typo, or an option of a newer docker) ends the parse:
    /// it and everything after it go to `docker run` untouched, so docker itself either reports
    /// it (its own message, exit 125) or runs it. dockrun's own options must then come before it.
    public static func parse(_ arguments: [String]) throws(DockrunError) -> Invocation {
        var request = RunRequest()
        var index = 0

        /// The option's value: inline (`--x=v`, `-xv`) or the next argument.
        func value(of option: String, inline: String?) throws(DockrunError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw .missingValue(option: option) }
            return arguments[index]
        }
        func bool(of option: String, inline: String?) throws(DockrunError) -> Bool {
            guard let inline else { return true }
            guard let parsed = parseBool(inline) else { throw .invalidBool(option: option, value: inline) }
            return parsed
        }
        func passThroughFromHere() -> Invocation {
            request.command = Array(arguments[index...])
            return .run(request)
        }

        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { index += 1; break }
            guard argument.hasPrefix("-"), argument.count > 1 else { break }

            let name: String
            let inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            } else {
                name = argument
                inline = nil
            }

            switch name {
            case "--help": return .help
            case "--version": return .version
            // The single-dash spellings are the docker 0.5 era's, kept from the seed.
            case "--rm", "-rm":
                request.remove = try bool(of: name, inline: inline)
            case "--commit", "-commit":
                request.commit = try CommitTarget(try value(of: name, inline: inline))
            case "--cidfile", "-cidfile":
                request.cidfile = try value(of: name, inline: inline)
            default:
                if argument.hasPrefix("--") {
                    let long = String(name.dropFirst(2))
                    guard let takesValue = RunOptionTable.takesValue(long: long) else { return passThroughFromHere() }
                    if long == "attach" { throw .attachedOnly(spelling: name) }
                    if long == "detach", try bool(of: name, inline: inline) { throw .attachedOnly(spelling: name) }
                    request.dockerOptions.append(argument)
                    if takesValue && inline == nil {
                        request.dockerOptions.append(try value(of: name, inline: nil))
                    } else if !takesValue {
                        _ = try bool(of: name, inline: inline)
                    }
                } else {
                    guard let consumedNext = try shortCluster(argument, next: index + 1 < arguments.count)
                    else { return passThroughFromHere() }
                    request.dockerOptions.append(argument)
                    if consumedNext {
                        index += 1
                        request.dockerOptions.append(arguments[index])
                    }
                }
            }
            index += 1
        }
        guard index < arguments.count else { throw .noImage }
        request.image = arguments[index]
        request.command = Array(arguments[(index + 1)...])
        return .run(request)
    }

    /// Checks a single-dash cluster (`-it`, `-eV`, `-e=V`, `-e V`) as pflag reads it: booleans
    /// until the first letter that takes a value, which takes the rest or the next argument.
    /// Returns whether the next argument is this cluster's value, or nil for an unknown letter.
    private static func shortCluster(_ argument: String, next hasNext: Bool) throws(DockrunError) -> Bool? {
        var letters = Substring(argument.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            let spelling = "-\(letter)"
            guard let long = RunOptionTable.shortAliases[letter] else { return nil }
            if long == "attach" { throw .attachedOnly(spelling: spelling) }
            if RunOptionTable.valueLong.contains(long) {
                if !letters.isEmpty { return false }
                guard hasNext else { throw .missingValue(option: spelling) }
                return true
            }
            var enabled = true
            if letters.first == "=" {
                let text = String(letters.dropFirst())
                guard let parsed = parseBool(text) else { throw .invalidBool(option: spelling, value: text) }
                enabled = parsed
                letters = ""
            }
            if long == "detach" && enabled { throw .attachedOnly(spelling: spelling) }
        }
        return false
    }
}
