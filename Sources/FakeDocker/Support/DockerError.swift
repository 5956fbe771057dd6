/// A failure as the docker CLI reports it: the exact stderr text and the exit code.
public struct DockerError: Error, Sendable {
    public var message: String
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) { self.message = message; self.exitCode = exitCode }

    static func daemon(_ message: String, exitCode: Int32 = 1) -> DockerError {
        DockerError("Error response from daemon: \(message)", exitCode: exitCode)
    }
    static func noSuchContainer(_ ref: String) -> DockerError { .daemon("No such container: \(ref)") }

    /// `docker run`/`create` wrap errors as cli's withHelp does, and classify the exit code as
    /// toStatusError does: 127 for a missing file, 126 for a permission problem, else 125.
    static func run(_ message: String, command: String = "run") -> DockerError {
        var code: Int32 = 125
        if message.contains("executable file not found") || message.contains("no such file or directory") {
            code = 127
        } else if message.contains("permission denied") || message.contains("is a directory") {
            code = 126
        }
        return DockerError("docker: \(message)\n\nRun 'docker \(command) --help' for more information", exitCode: code)
    }
}

/// The state file cannot be used (not a fake-docker database, corrupt, unreadable).
public struct StateFileError: Error, Sendable {
    public var message: String
}
