import Foundation

/// `docker inspect [-f FORMAT] NAME...` and `docker container inspect`: the engine's JSON (an array,
/// 4-space indent) or a template over it. A template runs over the typed document, and if that fails,
/// over the JSON decoded into maps, so an unknown key is docker's `map has no entry for key`
/// (missingkey=error; `GoTemplate.executeInspect`).
enum InspectCommand {
    static let syntax = CommandSyntax(name: "inspect", usage: "[OPTIONS] NAME|ID [NAME|ID...]", flags: [
        FlagSpec(long: "format", short: "f", takesValue: true), FlagSpec(long: "size", short: "s", takesValue: false),
        FlagSpec(long: "type", short: nil, takesValue: true), .help,
    ], minArguments: 1)

    static func execute(_ args: [String], _ ctx: Context, containerOnly: Bool) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        var objects: [TemplateValue] = []
        var errors: [String] = []
        let type = containerOnly ? "container" : f.last("type")
        for reference in f.arguments {
            if type != "image" && type != "volume", let found = try? ctx.store.findContainer(reference) {
                do throws(DockerError) {
                    objects.append(InspectView.container(try ctx.daemon.reconciled(found), store: ctx.store))
                } catch {
                    errors.append(error.message)
                }
            } else if type != "container" && type != "volume", let image = try? ctx.store.findImage(reference) {
                objects.append(InspectView.image(image))
            } else if type == nil || type == "volume", let volume = try? ctx.store.volume(named: reference) {
                objects.append(VolumeCommand.document(volume, mountpoint: ctx.store.volumeData(volume.name)))
            } else {
                errors.append(containerOnly ? "Error response from daemon: No such container: \(reference)" : "Error: No such object: \(reference)")
            }
        }
        try printObjects(objects, format: f.last("format"))
        if !errors.isEmpty { throw DockerError(errors.joined(separator: "\n")) }
        return 0
    }

    /// Prints inspect's documents: the JSON array (`[]` when none), or the template's line for each.
    static func printObjects(_ objects: [TemplateValue], format: String?) throws(DockerError) {
        if let format {
            let template = try parseTemplate(format)
            if objects.isEmpty { Output.out("") }
            for object in objects {
                do throws(DockerError) {
                    Output.out(try runTemplate(template, object, inspect: true))
                } catch {
                    // The engine's CLI has started the line (empty) when the execution fails.
                    Output.out("")
                    throw error
                }
            }
        } else {
            Output.out(objects.isEmpty ? "[]" : TemplateValue.array(objects).json(indent: "    ", escapeHTML: false))
        }
    }
}

/// The engine's inspect documents (API 1.41), fields in the engine's order.
enum InspectView {
    static func container(_ c: Container, store: StateStore) -> TemplateValue {
        let cfg = c.config
        let state: [(String, TemplateValue)] = [
            ("Status", .string(c.status.rawValue)), ("Running", .bool(c.isRunning)), ("Paused", .bool(c.status == .paused)),
            ("Restarting", .bool(c.status == .restarting)), ("OOMKilled", .bool(c.oomKilled)), ("Dead", .bool(c.status == .dead)),
            ("Pid", .int(Int64(c.isRunning ? c.pid : 0))), ("ExitCode", .int(Int64(c.exitCode))), ("Error", .string(c.error)),
            ("StartedAt", .string(rfc3339(c.startedAt))), ("FinishedAt", .string(rfc3339(c.finishedAt))),
            ("Health", health(c)),
        ]
        let dir = store.containerDirectory(c.id)
        let etc = NetworkContainer.filesOwner(mode: cfg.networkMode, ownID: c.id, started: c.startedAt != nil)
            .map { ($0 == c.id ? dir : store.containerDirectory((try? store.findContainer($0).id) ?? $0)) + "/rootfs/etc/" }
        func etcFile(_ name: String) -> TemplateValue { .string(etc.map { $0 + name } ?? "") }
        let ports = PublishedPorts.config(c, store: store)
        var config: [(String, TemplateValue)] = [
            ("Hostname", .string(cfg.hostname)), ("Domainname", .string(cfg.domainname ?? "")), ("User", .string(cfg.user)),
            ("AttachStdin", .bool(cfg.attachStdin)), ("AttachStdout", .bool(cfg.attachStdout)),
            ("AttachStderr", .bool(cfg.attachStderr)), ("ExposedPorts", pathSet(ports.exposed.map(\.key))),
            ("Tty", .bool(cfg.tty)), ("OpenStdin", .bool(cfg.openStdin)),
            ("StdinOnce", .bool(cfg.openStdin && cfg.attachStdin)), ("Env", strings(cfg.env)), ("Cmd", optionalStrings(cfg.cmd)),
        ]
        if let h = cfg.healthcheck {
            // The engine's typed HealthConfig has every field (a template reads 0 for one unset); the JSON omits
            // the zero ones (omitempty).
            let fields: [(String, TemplateValue)] = [
                ("Test", strings(h.test)), ("Interval", .int(Int64(h.interval * 1e9))), ("Timeout", .int(Int64(h.timeout * 1e9))),
                ("StartPeriod", .int(Int64(h.startPeriod * 1e9))), ("Retries", .int(Int64(h.retries))),
            ]
            let zeroOmitted: [String: TemplateObject.OmitEmpty] = ["Interval": .value, "Timeout": .value, "StartPeriod": .value,
                                                                   "Retries": .value]
            config.append(("Healthcheck", .structure("container.HealthConfig", fields, omitEmpty: zeroOmitted)))
        }
        config += [
            ("Image", .string(c.imageRef)), ("Volumes", pathSet(cfg.volumes ?? [])), ("WorkingDir", .string(cfg.workingDir)),
            ("Entrypoint", optionalStrings(cfg.entrypoint)), ("OnBuild", .null), ("Labels", labels(cfg.labels)),
        ]
        // Both are omitempty in the engine's Config: unset, a template prints "" and <nil> (from the
        // typed struct) while the JSON has neither key.
        config.append(("StopSignal", .string(cfg.stopSignal ?? "")))
        config.append(("StopTimeout", cfg.stopTimeout.map { .int(Int64($0)) } ?? .null))
        let log = LogConfig(cfg.otherOptions)
        var host: [(String, TemplateValue)] = [
            ("Binds", optionalStrings(cfg.binds)), ("ContainerIDFile", .string(cfg.otherOptions["cidfile"]?.last ?? "")),
            ("LogConfig", .structure("container.LogConfig", [("Type", .string(log.type)),
                                                              ("Config", .stringMap(log.config.map { ($0.key, $0.value) }))])),
            ("Links", optionalStrings(cfg.otherOptions["link"].map { Link.list($0).map { $0.inspected(container: c.name) } })),
            ("NetworkMode", .string(cfg.networkMode)), ("PortBindings", portBindings(ports)),
            ("RestartPolicy", restartPolicy(cfg.restartPolicy)),
            ("AutoRemove", .bool(cfg.autoRemove)), ("VolumeDriver", .string("")),
            ("VolumesFrom", optionalStrings(cfg.otherOptions["volumes-from"])),
            ("CapAdd", optionalStrings(cfg.otherOptions["cap-add"].map(Capabilities.requested))),
            ("CapDrop", optionalStrings(cfg.otherOptions["cap-drop"].map(Capabilities.requested))),
            ("Dns", strings(cfg.otherOptions["dns"] ?? [])),
            ("ExtraHosts", optionalStrings(cfg.otherOptions["add-host"].map { ExtraHost.list($0).map(\.stored) })),
            ("Ulimits", .array(Ulimit.list(cfg.otherOptions["ulimit"] ?? []).map { u in
                .structure("units.Ulimit", [("Name", .string(u.name)), ("Hard", .int(u.hard)), ("Soft", .int(u.soft))]) })),
            ("Privileged", .bool(cfg.otherOptions["privileged"]?.last == "true")),
            ("PublishAllPorts", .bool(cfg.otherOptions["publish-all"]?.last == "true")),
            ("ReadonlyRootfs", .bool(cfg.readOnlyRootfs)),
            ("Tmpfs", cfg.otherOptions["tmpfs"].map { .stringMap(TmpfsSyntax.hostConfig($0).map { ($0.path, $0.options) }) } ?? .null),
            ("Memory", .int(Int64(cfg.otherOptions["memory"]?.last.flatMap(parseMemory) ?? 0))),
        ]
        host.append(("Mounts", cfg.mountOptions.map { .array($0.map(mountOption)) } ?? .null))
        if cfg.initProcess { host.append(("Init", .bool(true))) }
        return .structure("types.ContainerJSON", [
            ("Id", .string(c.id)), ("Created", .string(rfc3339(c.createdAt))), ("Path", .string(cfg.path)),
            ("Args", strings(cfg.args)), ("State", .structure("types.ContainerState", state, omitEmpty: ["Health": .pointer])),
            ("Image", .string("sha256:" + c.imageID)), ("ResolvConfPath", etcFile("resolv.conf")),
            ("HostnamePath", etcFile("hostname")), ("HostsPath", etcFile("hosts")),
            ("LogPath", .string(store.logPath(ofContainer: c.id))), ("Name", .string("/" + c.name)), ("RestartCount", .int(Int64((try? store.restartCount(ofContainer: c.id)) ?? 0))),
            ("Driver", .string("vfs")), ("Platform", .string("linux")), ("MountLabel", .string("")),
            ("ProcessLabel", .string("")), ("AppArmorProfile", .string("")), ("ExecIDs", .null),
            ("HostConfig", .structure("container.HostConfig", host, omitEmpty: ["Mounts": .value, "Tmpfs": .value])),
            ("Mounts", .array((cfg.bindMounts ?? []).map(mountPoint) + cfg.tmpfsMounts.filter(\.listed).map(mountPoint))),
            ("Config", .structure("container.Config", config, omitEmpty: ["ExposedPorts": .value, "StopSignal": .value,
                                                                       "StopTimeout": .pointer])),
            ("NetworkSettings", .structure("types.NetworkSettings", [
                ("Bridge", .string("")), ("SandboxID", .string("")), ("Ports", publishedPorts(c, store)),
                ("IPAddress", .string("")), ("Networks", .map([])),
            ])),
        ])
    }

    /// `HostConfig.PortBindings`: each `-p` as given, keys in Go's map order.
    static func portBindings(_ ports: PortConfig) -> TemplateValue {
        .map(ports.bindings.keys.sorted().map { port in
            (port.key, .array(ports.bindings[port, default: []].map { portBinding($0.hostIP, $0.hostPort) }))
        })
    }

    /// `NetworkSettings.Ports`: while it runs, every exposed port with where it is published (null: nowhere).
    static func publishedPorts(_ c: Container, _ store: StateStore) -> TemplateValue {
        let entries = PublishedPorts.records(c.id, running: c.isRunning, store: store)
        return .map(PublishedPort.networkSettings(entries).map { key, published in
            (key, published.map { .array($0.map { portBinding($0.hostIP, $0.hostPort) }) } ?? .null)
        })
    }

    static func portBinding(_ ip: String, _ port: String) -> TemplateValue {
        .structure("nat.PortBinding", [("HostIp", .string(ip)), ("HostPort", .string(port))])
    }

    /// One of `.Mounts` (a `types.MountPoint`; a bind has no Name or Driver; a volume's Driver is `local`).
    static func mountPoint(_ m: BindMount) -> TemplateValue {
        mountPoint(type: m.isVolume ? "volume" : "bind", name: m.volumeName ?? "", source: m.source, destination: m.destination,
                   driver: m.isVolume ? "local" : "", mode: m.mode, readWrite: m.readWrite, propagation: m.propagation)
    }

    /// A `--mount type=tmpfs` in `.Mounts` (no source, mode or propagation).
    static func mountPoint(_ t: TmpfsMount) -> TemplateValue {
        mountPoint(type: "tmpfs", name: "", source: "", destination: t.destination, driver: "", mode: "", readWrite: t.readWrite,
                   propagation: "")
    }

    private static func mountPoint(type: String, name: String, source: String, destination: String, driver: String,
                                   mode: String, readWrite: Bool, propagation: String) -> TemplateValue {
        .structure("types.MountPoint", [
            ("Type", .string(type)), ("Name", .string(name)), ("Source", .string(source)), ("Destination", .string(destination)),
            ("Driver", .string(driver)), ("Mode", .string(mode)), ("RW", .bool(readWrite)), ("Propagation", .string(propagation)),
        ], omitEmpty: ["Name": .value, "Driver": .value])
    }

    /// One of `.HostConfig.Mounts` (a `mount.Mount`, every field but Type omitempty).
    static func mountOption(_ m: MountOption) -> TemplateValue {
        var fields: [(String, TemplateValue)] = [
            ("Type", .string(m.type)), ("Source", .string(m.source)), ("Target", .string(m.target)), ("ReadOnly", .bool(m.readOnly)),
        ]
        var omit: [String: TemplateObject.OmitEmpty] = ["Source": .value, "Target": .value, "ReadOnly": .value]
        if let p = m.propagation {
            fields.append(("BindOptions", .structure("mount.BindOptions", [("Propagation", .string(p))], omitEmpty: ["Propagation": .value])))
        } else {
            fields.append(("BindOptions", .null))
        }
        fields.append(("VolumeOptions", m.volumeOptions.map { v in
            .structure("mount.VolumeOptions", [
                ("NoCopy", .bool(v.noCopy)), ("Labels", v.labels.isEmpty ? .null : labels(v.labels)),
                ("DriverConfig", v.driver.map { .structure("mount.Driver", [("Name", .string($0))], omitEmpty: ["Name": .value]) } ?? .null),
            ], omitEmpty: ["NoCopy": .value, "Labels": .value, "DriverConfig": .pointer])
        } ?? .null))
        fields.append(("TmpfsOptions", m.hasTmpfsOptions ? .structure("mount.TmpfsOptions", [
            ("SizeBytes", .int(m.tmpfsSize ?? 0)), ("Mode", .int(Int64(m.tmpfsMode ?? 0))),
        ], omitEmpty: ["SizeBytes": .value, "Mode": .value]) : .null))
        for name in ["BindOptions", "VolumeOptions", "TmpfsOptions"] { omit[name] = .pointer }
        return .structure("mount.Mount", fields, omitEmpty: omit)
    }

    /// `State.Health`, a `*types.Health` that is nil (`{{.State.Health}}` prints `<nil>`, and
    /// omitempty keeps it out of the JSON) unless the container has a health check.
    static func health(_ c: Container) -> TemplateValue {
        guard let h = c.config.healthcheck, h.test.first != "NONE" else { return .null }
        let log = (try? JSONCoding.decode([HealthLogEntry].self, c.healthLog)) ?? []
        return .structure("types.Health", [
            ("Status", .string(c.health.isEmpty ? "starting" : c.health)),
            ("FailingStreak", .int(Int64(c.healthStreak))),
            ("Log", .array(log.map { e in .structure("types.HealthcheckResult", [
                ("Start", .string(rfc3339(e.start))), ("End", .string(rfc3339(e.end))),
                ("ExitCode", .int(Int64(e.exitCode))), ("Output", .string(e.output))]) })),
        ])
    }

    static func image(_ image: Image) -> TemplateValue {
        .structure("types.ImageInspect", [
            ("Id", .string("sha256:" + image.id)), ("RepoTags", strings(image.repoTags)), ("RepoDigests", .array([])),
            ("Parent", .string(image.parent.isEmpty ? "" : "sha256:" + image.parent)), ("Comment", .string(image.comment)),
            ("Created", .string(rfc3339(image.createdAt))), ("Container", .string("")), ("DockerVersion", .string("20.10.24")),
            ("Author", .string("")),
            ("Config", .structure("container.Config", [
                ("Hostname", .string("")), ("Domainname", .string("")), ("User", .string(image.config.user)),
                ("ExposedPorts", pathSet(image.config.exposedPorts)),
                ("Env", optionalStrings(image.config.env.isEmpty ? nil : image.config.env)),
                // No HEALTHCHECK in fake-docker's images: a nil *HealthConfig (`null`, `<nil>`), omitted from the JSON.
                ("Cmd", optionalStrings(image.config.cmd)), ("Healthcheck", .null), ("Image", .string("")),
                ("Volumes", pathSet(image.config.volumes ?? [])),
                ("WorkingDir", .string(image.config.workingDir)), ("Entrypoint", optionalStrings(image.config.entrypoint)),
                ("OnBuild", optionalStrings(image.config.onBuild)),
                ("Labels", image.config.labels.isEmpty ? .null : labels(image.config.labels)),
            ], omitEmpty: ["Healthcheck": .pointer, "ExposedPorts": .value])),
            ("Architecture", .string("amd64")), ("Os", .string("linux")), ("Size", .int(image.size)),
            ("VirtualSize", .int(image.size)),
        ])
    }

    /// A Go `map[string]struct{}` such as `ExposedPorts` or `Volumes`, nil when empty.
    static func pathSet(_ keys: [String]) -> TemplateValue {
        keys.isEmpty ? .null : .map(keys.sorted().map { ($0, .structure("struct {}", [])) })
    }
    /// `--restart` as the engine keeps it: the name as given, the count of `on-failure:N`.
    static func restartPolicy(_ value: String) -> TemplateValue {
        let policy = RestartPolicy.stored(value)
        return .structure("container.RestartPolicy", [("Name", .string(policy.name)),
                                                      ("MaximumRetryCount", .int(Int64(policy.maximumRetryCount)))])
    }
    static func strings(_ list: [String]) -> TemplateValue { .array(list.map { .string($0) }) }
    static func optionalStrings(_ list: [String]?) -> TemplateValue { list.map(strings) ?? .null }
    static func labels(_ l: [String: String]) -> TemplateValue { .stringMap(l.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }

    static func parseMemory(_ text: String) -> Int? {
        let lower = text.lowercased()
        let units: [(String, Int)] = [("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            return Int(lower.dropLast()).map { $0 * factor }
        }
        return Int(lower)
    }
}
