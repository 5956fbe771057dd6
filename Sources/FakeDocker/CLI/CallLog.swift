/// Every invocation's argv, PID, times and exit code, for tests to assert what a client asked for and
/// in what order (`fake-docker calls`). A call that cannot be logged is reported on stderr and the
/// command still runs: the log is for the tests, the command is for the client.
enum CallLog {
    /// One logged invocation: its arguments, and its exit code once it has ended.
    struct Call {
        var argv: [String]
        var exitCode: Int32?
    }

    static func begin(store: StateStore, argv: [String]) -> Int64? {
        do {
            return try store.beginCall(argv: argv)
        } catch {
            Output.err("fake-docker: cannot log the call: \(error)")
            return nil
        }
    }

    static func end(store: StateStore, id: Int64, exitCode: Int32) {
        do {
            try store.endCall(id, exitCode: exitCode)
        } catch {
            Output.err("fake-docker: cannot log the call's exit code: \(error)")
        }
    }
}
