import ProcessSpawn

/// One invocation in fake-docker's call log, read back into the argv fake-docker was given, so that a test
/// matches a call by its docker command and not by a word anywhere in it (a container named `stop` does
/// not make a call a stop). `fake-docker calls` prints a call as `EXIT<TAB>ARGV`: EXIT is `-` while the
/// call runs, ARGV is shell-quoted and may hold newlines inside its quotes.
package struct LoggedCall: Equatable, Sendable, CustomStringConvertible {
    /// Nil while the call is still running.
    package let exitCode: Int32?
    /// The arguments after the program, without docker's global options (fake-docker drops them before
    /// logging), so the first is the docker command.
    package let arguments: [String]

    package init(exitCode: Int32?, arguments: [String]) {
        (self.exitCode, self.arguments) = (exitCode, arguments)
    }

    /// The docker command: `run`, `stop`. A management form (`container stop`) is `container`; dockrun
    /// does not use them.
    package var command: String? { arguments.first }

    package var description: String { "\(exitCode.map(String.init) ?? "-") \(arguments)" }

    /// Every call in the output of `fake-docker calls`, oldest first.
    package static func parse(_ log: String) throws(Unreadable) -> [LoggedCall] {
        var rest = log[...]
        var calls: [LoggedCall] = []
        while !rest.isEmpty {
            guard let tab = rest.firstIndex(of: "\t") else { throw Unreadable(text: rest) }
            let exit = rest[..<tab]
            let exitCode = Int32(exit)
            guard exitCode != nil || exit == "-" else { throw Unreadable(text: rest) }
            var argv = rest[rest.index(after: tab)...]
            guard let arguments = ShellWords.splitLine(&argv) else { throw Unreadable(text: rest) }
            calls.append(LoggedCall(exitCode: exitCode, arguments: arguments))
            rest = argv
        }
        return calls
    }

    package struct Unreadable: Error, CustomStringConvertible {
        package let text: Substring
        package var description: String { "not a call log from here on: \(text.prefix(200).debugDescription)" }
    }
}
