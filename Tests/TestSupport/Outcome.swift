/// What a finished process left behind.
package struct Outcome: Sendable, CustomStringConvertible {
    package let termination: Termination
    package let stdout: [UInt8]
    package let stderr: [UInt8]
    /// Every byte of stdout counted, also when `stdout` is not kept.
    package let stdoutCount: Int

    package var code: Int32 { termination.code }
    package var out: String { String(decoding: stdout, as: UTF8.self) }
    package var err: String { String(decoding: stderr, as: UTF8.self) }

    package var description: String { "\(termination); stdout: \(out.debugDescription); stderr: \(err.debugDescription)" }
}
