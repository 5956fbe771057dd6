import ProcessSpawn

/// How a process ended: the one exit-status type of the project (128+N after a signal, as a shell reports it,
/// which is how the contract states codes), under the name the tests have always read.
package typealias Termination = ExitStatus
