import CProcess
import Glibc

/// Forks and execs `file` (looked up in PATH when it has no slash) with `argv` (its first word is
/// the program's name as it sees it). Returns the child's PID, or throws the errno of the failed
/// fork or exec, in which case the child has already been reaped.
public func spawnProcess(_ file: String, argv: [String], _ options: SpawnOptions) throws(SystemCallError) -> pid_t {
    var pid: pid_t = 0
    var step: Int32 = 0
    var raw = options.scalars
    // The binds' paths are duplicated for the call and freed after it.
    let binds = (options.bindMounts ?? []).map {
        cp_bind_mount(source: strdup($0.source), target: strdup($0.target), read_only: $0.readOnly ? 1 : 0)
    }
    defer { binds.forEach { free(UnsafeMutablePointer(mutating: $0.source)); free(UnsafeMutablePointer(mutating: $0.target)) } }
    // The steps' strings likewise; "" stays NULL (a mount without a source, type or data).
    let steps = options.filesystemSteps.map {
        cp_fs_step(kind: $0.kind.rawValue, source: duplicate($0.source), target: strdup($0.target), fstype: duplicate($0.type),
                   flags: $0.flags, data: duplicate($0.data), mode: $0.mode, major: $0.major, minor: $0.minor,
                   optional: $0.optional ? 1 : 0, after_binds: $0.afterBinds ? 1 : 0)
    }
    defer {
        steps.forEach { step in
            [step.source, step.target, step.fstype, step.data].forEach { free(UnsafeMutablePointer(mutating: $0)) }
        }
    }
    raw.new_mount_namespace = options.bindMounts == nil ? 0 : 1
    if let user = options.user {
        raw.set_user = 1
        raw.uid = user.uid
        raw.gid = user.gid
    }
    let groups = options.user?.groups ?? []
    let limits = options.resourceLimits.map { cp_rlimit(resource: $0.resource, soft: $0.soft, hard: $0.hard) }
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
                                    return binds.withUnsafeBufferPointer { cBinds in
                                      steps.withUnsafeBufferPointer { cSteps in
                                        groups.withUnsafeBufferPointer { cGroups in
                                          options.joinedNamespaces.withUnsafeBufferPointer { joined in
                                           limits.withUnsafeBufferPointer { cLimits in
                                            raw.rlimits = cLimits.baseAddress
                                            raw.rlimit_count = Int32(cLimits.count)
                                            raw.fs_steps = cSteps.baseAddress
                                            raw.fs_step_count = Int32(cSteps.count)
                                            raw.joined_namespaces = joined.baseAddress
                                            raw.joined_count = Int32(joined.count)
                                            raw.binds = cBinds.baseAddress
                                            raw.bind_count = Int32(cBinds.count)
                                            raw.groups = cGroups.baseAddress
                                            raw.group_count = Int32(cGroups.count)
                                            return cp_spawn_at(&raw, &pid, &step)
                                           }
                                          }
                                        }
                                      }
                                    }
                                }
                            }
                        }
                    }
                }
              }
            }
        }
    }
    guard status == 0 else { throw SystemCallError(errno: status, step: SpawnStep(step)) }
    return pid
}

/// A copy of `text` for C, NULL for "".
private func duplicate(_ text: String) -> UnsafePointer<CChar>? { text.isEmpty ? nil : UnsafePointer(strdup(text)) }

/// Receives one descriptor sent over a unix socket with SCM_RIGHTS (a console socket's pty master).
public func receiveDescriptor(_ socket: Int32) throws(SystemCallError) -> Int32 {
    let fd = cp_receive_descriptor(socket)
    guard fd >= 0 else { throw SystemCallError(errno: errno) }
    return fd
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
