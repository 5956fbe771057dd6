import CProcess
import Glibc

/// Forks and execs `file` (looked up in PATH when it has no slash) with `argv` (its first word is
/// the program's name as it sees it). Returns the child's PID, or throws the errno of the failed
/// fork or exec, in which case the child has already been reaped.
public func spawnProcess(_ file: String, argv: [String], _ options: SpawnOptions) throws(SystemCallError) -> pid_t {
    var pid: pid_t = 0
    var raw = options.scalars
    let status = withCStrings(argv) { cArgv in
        withCStrings(options.environment) { cEnvironment in
            options.ignoredSignals.withUnsafeBufferPointer { ignored in
              options.blockedSignals.withUnsafeBufferPointer { blocked in
                withCString(file) { cFile in
                    withCString(options.root) { cRoot in
                        withCString(options.workingDirectory) { cWorkingDirectory in
                            withCString(options.hostName) { cHostName in
                                withCString(options.domainName) { cDomainName in
                                    raw.file = cFile
                                    raw.argv = cArgv
                                    raw.envp = cEnvironment
                                    raw.root = cRoot
                                    raw.cwd = cWorkingDirectory
                                    raw.host_name = cHostName
                                    raw.domain_name = cDomainName
                                    raw.ignored_signals = ignored.baseAddress
                                    raw.ignored_count = Int32(ignored.count)
                                    raw.blocked_signals = blocked.baseAddress
                                    raw.blocked_count = Int32(blocked.count)
                                    return cp_spawn(&raw, &pid)
                                }
                            }
                        }
                    }
                }
              }
            }
        }
    }
    guard status == 0 else { throw SystemCallError(errno: status) }
    return pid
}

/// A NULL-terminated C array of the strings, valid only inside `body`; nil stays NULL.
private func withCStrings<R>(_ strings: [String]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>?) -> R) -> R {
    guard let strings else { return body(nil) }
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

private func withCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
