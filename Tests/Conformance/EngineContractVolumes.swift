import Foundation
import Testing

/// Volumes (`docker volume`, `-v NAME:/x`, `-v /x`, an image's `VOLUME`, `--volumes-from`, `--mount type=volume`),
/// tmpfs (`--tmpfs`, `--mount type=tmpfs`) and `--read-only`, as the real engine makes them (docs/engine-observations.md,
/// "volumes, tmpfs, --read-only"): what the container sees, what is kept, what `inspect` says. fake-docker makes the
/// mounts as root only (docs/fake-docker.md). Volume names start with the sandbox's stem (`sb.name`), so that its
/// clean-up finds them on a shared engine.
@Suite("Engine contract: volumes, tmpfs, --read-only")
struct EngineContractVolumes {
    static let runHelpTail = "\n\nRun 'docker run --help' for more information\n"
    /// `.Mounts` without the sources, which are each engine's own directories.
    static let mountsTemplate = "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.Driver}} {{.Mode}} {{.RW}} {{.Propagation}}|{{end}}"

    @Test("volume create, ls, inspect, rm: labels, filters, and the messages for an unknown or invalid volume")
    func volumeCommands() async throws {
        try await Sandbox.with { sb in
            let a = sb.name("va"), b = sb.name("vb")
            #expect(try await sb.docker(["volume", "create", a]).out == a + "\n")
            let labelled = try await sb.docker(["volume", "create", "--label", "k=v", "--label", "\(sb.id)=1", b])
            #expect(labelled.code == 0 && labelled.out == b + "\n", "\(labelled)")
            #expect(try await sb.docker(["volume", "create", a]).out == a + "\n")   // again: the one there is kept

            let listed = try await sb.docker(["volume", "ls", "-q", "--filter", "name=dkt-\(sb.id)-"])
            #expect(Set(listed.out.split(separator: "\n").map(String.init)) == [a, b])
            let byLabel = try await sb.docker(["volume", "ls", "--filter", "label=\(sb.id)=1"])
            #expect(byLabel.out == "DRIVER    VOLUME NAME\nlocal     \(b)\n")
            let formatted = try await sb.docker(["volume", "ls", "--filter", "label=\(sb.id)=1", "--format",
                                                 "{{.Name}}|{{.Driver}}|{{.Scope}}|{{.Labels}}|{{.Links}}|{{.Size}}|{{.Label \"k\"}}"])
            // The CLI joins the labels in Go's map order, which varies from call to call on the engine (fake-docker's
            // is sorted): either order is the engine's.
            let labels = "(\(sb.id)=1,k=v|k=v,\(sb.id)=1)"
            #expect(matches(formatted.out, #"\#(b)\|local\|local\|\#(labels)\|N/A\|N/A\|v\n"#), "\(formatted)")
            let lines = try await sb.docker(["volume", "ls", "--filter", "label=\(sb.id)=1", "--format", "json"])
            #expect(matches(lines.out, #"\{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"\#(labels)","Links":"N/A","Mountpoint":"[^"]+/volumes/\#(b)/_data","Name":"\#(b)","Scope":"local","Size":"N/A","Status":"N/A"\}\n"#), "\(lines)")
            let dangling = try await sb.docker(["volume", "ls", "-q", "--filter", "dangling=true", "--filter", "name=dkt-\(sb.id)-vb"])
            #expect(dangling.out == b + "\n")

            let inspected = try await sb.docker(["volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}} {{json .Labels}} {{json .Options}}", a, b])
            #expect(inspected.out == "\(a) local local null null\n\(b) local local {\"\(sb.id)\":\"1\",\"k\":\"v\"} null\n")
            let mountpoint = try await sb.docker(["volume", "inspect", "-f", "{{.Mountpoint}}", a])
            #expect(mountpoint.out.hasSuffix("/volumes/\(a)/_data\n"), "\(mountpoint)")
            let json = try await sb.docker(["volume", "inspect", a])
            #expect(matches(json.out, #"\[\n    \{\n        "CreatedAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",\n        "Driver": "local",\n        "Labels": null,\n        "Mountpoint": "[^"]+",\n        "Name": "\#(a)",\n        "Options": null,\n        "Scope": "local"\n    \}\n\]\n"#), "\(json)")

            let unknown = sb.name("nope")
            let missing = try await sb.docker(["volume", "inspect", a, unknown])
            #expect(missing.code == 1)
            #expect(missing.err == "Error response from daemon: get \(unknown): no such volume\n")
            let removedMissing = try await sb.docker(["volume", "rm", unknown])
            #expect(removedMissing.code == 1 && removedMissing.err == "Error response from daemon: get \(unknown): no such volume\n")
            let forced = try await sb.docker(["volume", "rm", "-f", unknown])
            #expect(forced.code == 0 && forced.out == unknown + "\n", "\(forced)")

            let invalid = try await sb.docker(["volume", "create", "dkt/\(sb.id)"])
            #expect(invalid.code == 1)
            #expect(invalid.err == "Error response from daemon: create dkt/\(sb.id): \"dkt/\(sb.id)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path\n")
            let plugin = try await sb.docker(["volume", "create", "-d", "nodriver", sb.name("vc")])
            #expect(plugin.code == 1)
            #expect(plugin.err == "Error response from daemon: create \(sb.name("vc")): error looking up volume plugin nodriver: plugin \"nodriver\" not found\n")
            let filter = try await sb.docker(["volume", "ls", "--filter", "bogus=1"])
            #expect(filter.code == 1 && filter.err == "Error response from daemon: Invalid filter 'bogus'\n")

            let removed = try await sb.docker(["volume", "rm", a, b])
            #expect(removed.code == 0 && removed.out == "\(a)\n\(b)\n", "\(removed)")
            #expect(try await sb.docker(["volume", "ls", "-q", "--filter", "name=dkt-\(sb.id)-"]).out == "")
        }
    }

    @Test("volume prune removes the unused volumes its label filter selects and says the space freed; inspect finds volumes")
    func prune() async throws {
        try await Sandbox.with { sb in
            // Always with this sandbox's label: the real engine is shared, and a bare prune would take others' volumes.
            let mine = "label=\(sb.id)=1"
            let used = sb.name("used"), unused = sb.name("unused")
            for v in [used, unused] { #expect(try await sb.docker(["volume", "create", "--label", String(mine.dropFirst(6)), v]).code == 0) }
            let filled = try await sb.docker(["run", "--rm", "-v", "\(unused):/x"] + sb.tag
                                             + [sb.image, "sh", "-c", "echo hi > /x/f; head -c 2000 /dev/zero > /x/g"])
            #expect(filled.code == 0, "\(filled)")
            #expect(try await sb.docker(["create", "--name", sb.name("c"), "-v", "\(used):/x"] + sb.tag + [sb.image, "true"]).code == 0)

            let asked = try await sb.docker(["volume", "prune", "--filter", mine], stdin: [])
            #expect(asked.code == 0)
            #expect(asked.out == "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ")
            let pruned = try await sb.docker(["volume", "prune", "-f", "--filter", mine])
            #expect(pruned.code == 0 && pruned.out == "Deleted Volumes:\n\(unused)\n\nTotal reclaimed space: 2.003kB\n", "\(pruned)")
            let again = try await sb.docker(["volume", "prune", "-f", "--filter", mine])
            #expect(again.out == "Total reclaimed space: 0B\n")
            let refused = try await sb.docker(["volume", "prune", "-f", "--filter", "name=\(used)"])
            #expect(refused.code == 1 && refused.err == "Error response from daemon: Invalid filter 'name'\n")

            let inspected = try await sb.docker(["inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}}", used])
            #expect(inspected.out == "\(used) local local\n", "\(inspected)")
            let typed = try await sb.docker(["inspect", "--type", "volume", "-f", "{{.Name}}", used])
            #expect(typed.out == used + "\n", "\(typed)")
        }
    }

    @Test("-v NAME:/x makes the volume at first use and keeps it after rm; volume rm refuses it while a container mounts it")
    func namedVolumeInUse() async throws {
        try await Sandbox.with { sb in
            let v = sb.name("v")
            let wrote = try await sb.docker(["run", "--name", sb.name("w"), "-v", "\(v):/data"] + sb.tag + [sb.image, "sh", "-c", "echo hi > /data/f"])
            #expect(wrote.code == 0, "\(wrote)")
            let mounts = try await sb.inspect(sb.name("w"), Self.mountsTemplate)
            #expect(mounts == "volume \(v) /data local z true |")
            let binds = try await sb.inspect(sb.name("w"), "{{json .HostConfig.Binds}} {{json .Config.Volumes}}")
            #expect(binds == "[\"\(v):/data\"] null")

            let inUse = try await sb.docker(["volume", "rm", v])
            let id = try #require(try await sb.inspect(sb.name("w"), "{{.Id}}"))
            #expect(inUse.code == 1)
            #expect(inUse.err == "Error response from daemon: remove \(v): volume is in use - [\(id)]\n")
            let forced = try await sb.docker(["volume", "rm", "-f", v])
            #expect(forced.code == 1 && forced.err == inUse.err)

            #expect(try await sb.docker(["rm", "-v", sb.name("w")]).code == 0)   // a named volume outlives `rm -v`
            let read = try await sb.docker(["run", "--rm", "-v", "\(v):/d:ro"] + sb.tag + [sb.image, "sh", "-c", "cat /d/f; touch /d/g"])
            #expect(read.code == 1)
            #expect(read.out == "hi\n")
            #expect(read.err == "touch: /d/g: Read-only file system\n")
            #expect(try await sb.docker(["volume", "rm", v]).out == v + "\n")
        }
    }

    @Test("-v /x and the image's VOLUME get an anonymous volume each, holding the image's files; rm keeps it, rm -v removes it")
    func anonymousVolumes() async throws {
        try await Sandbox.with { sb in
            let source = try await sb.docker(["run", "--name", sb.name("src")] + sb.tag + [sb.image, "sh", "-c", "mkdir /seed && echo seeded > /seed/f"])
            #expect(source.code == 0, "\(source)")
            let image = sb.repository("vol")
            #expect(try await sb.docker(["commit", "--change", "VOLUME /seed", sb.name("src"), image]).code == 0)

            let created = try await sb.docker(["create", "--name", sb.name("c"), "-v", "/anon"] + sb.tag + [image, "sh", "-c", "cat /seed/f; ls /anon"])
            #expect(created.code == 0, "\(created)")
            let template = "{{range .Mounts}}{{.Destination}} {{.Mode}} {{.RW}} {{.Name}}|{{end}}{{json .Config.Volumes}}"
            let mounts = try #require(try await sb.inspect(sb.name("c"), template))
            #expect(matches(mounts, "(/anon  true \(hex64)\\|/seed  true \(hex64)|/seed  true \(hex64)\\|/anon  true \(hex64))\\|"
                            + #"\{"/anon":\{\},"/seed":\{\}\}"#), "\(mounts)")
            let started = try await sb.docker(["start", "-a", sb.name("c")])
            #expect(started.code == 0 && started.out == "seeded\n", "\(started)")

            let names = try #require(try await sb.inspect(sb.name("c"), "{{range .Mounts}}{{.Name}} {{end}}"))
                .split(separator: " ").map(String.init)
            #expect(names.count == 2)
            #expect(try await sb.docker(["rm", sb.name("c")]).code == 0)
            let kept = try await sb.docker(["volume", "inspect", "-f", "{{.Name}}"] + names)
            #expect(kept.code == 0 && kept.out == names.joined(separator: "\n") + "\n", "\(kept)")
            #expect(try await sb.docker(["volume", "rm"] + names).code == 0)

            #expect(try await sb.docker(["create", "--name", sb.name("d"), "-v", "/anon"] + sb.tag + [sb.image, "true"]).code == 0)
            let anonymous = try #require(try await sb.inspect(sb.name("d"), "{{range .Mounts}}{{.Name}}{{end}}"))
            // Another container mounting it keeps it through `rm -v` (quietly); the last one's `rm -v` takes it.
            #expect(try await sb.docker(["create", "--name", sb.name("e"), "--volumes-from", sb.name("d")] + sb.tag + [sb.image, "true"]).code == 0)
            let first = try await sb.docker(["rm", "-v", sb.name("d")])
            #expect(first.code == 0 && first.err == "", "\(first)")
            #expect(try await sb.docker(["volume", "inspect", anonymous]).code == 0)
            #expect(try await sb.docker(["rm", "-v", sb.name("e")]).code == 0)
            #expect(try await sb.docker(["volume", "inspect", anonymous]).code == 1)
        }
    }

    @Test("run --rm removes the container's anonymous volumes with it, and keeps its named ones")
    func runRemoveTakesAnonymousVolumes() async throws {
        try await Sandbox.with { sb in
            let named = sb.name("kept")
            // The volume's directory is the mount's root in mountinfo (field 4), on both engines: …/volumes/NAME/_data.
            let run = try await sb.docker(["run", "--rm", "-v", "/x", "-v", "\(named):/n"] + sb.tag
                                          + [sb.image, "sh", "-c", "grep ' /x ' /proc/self/mountinfo | cut -d ' ' -f 4"])
            #expect(run.code == 0, "\(run)")
            let parts = run.out.trimmingCharacters(in: .newlines).split(separator: "/").map(String.init)
            let anonymous = try #require(parts.count >= 2 ? parts[parts.count - 2] : nil)
            #expect(matches(anonymous, hex64), "\(run.out)")
            #expect(try await sb.docker(["volume", "inspect", anonymous]).code == 1)
            #expect(try await sb.docker(["volume", "inspect", "-f", "{{.Name}}", named]).out == named + "\n")
        }
    }

    @Test("--volumes-from mounts another container's volumes, :ro read-only; an unknown container or mode is refused")
    func volumesFrom() async throws {
        try await Sandbox.with { sb in
            let v = sb.name("v")
            let first = try await sb.docker(["run", "--name", sb.name("a"), "-v", "\(v):/n", "-v", "/anon"] + sb.tag
                                            + [sb.image, "sh", "-c", "echo n > /n/f; echo a > /anon/f"])
            #expect(first.code == 0, "\(first)")
            let shared = try await sb.docker(["run", "--name", sb.name("b"), "--volumes-from", sb.name("a")] + sb.tag
                                             + [sb.image, "sh", "-c", "cat /n/f /anon/f; echo b > /n/g"])
            #expect(shared.code == 0 && shared.out == "n\na\n", "\(shared)")
            let template = "{{range .Mounts}}{{.Destination}} {{.Mode}} {{.RW}}|{{end}}{{json .HostConfig.VolumesFrom}}"
            let mounts = try #require(try await sb.inspect(sb.name("b"), template))
            #expect(mounts == "/anon  true|/n  true|[\"\(sb.name("a"))\"]" || mounts == "/n  true|/anon  true|[\"\(sb.name("a"))\"]",
                    "\(mounts)")

            let readOnly = try await sb.docker(["run", "--rm", "--volumes-from", sb.name("a") + ":ro"] + sb.tag
                                               + [sb.image, "sh", "-c", "cat /n/g; touch /n/h"])
            #expect(readOnly.code == 1 && readOnly.out == "b\n")
            #expect(readOnly.err == "touch: /n/h: Read-only file system\n")

            let unknown = try await sb.docker(["run", "--rm", "--volumes-from", sb.name("nope")] + sb.tag + [sb.image, "true"])
            #expect(unknown.code == 125)
            #expect(unknown.err == "docker: Error response from daemon: No such container: \(sb.name("nope"))" + Self.runHelpTail)
            let mode = try await sb.docker(["run", "--rm", "--volumes-from", sb.name("a") + ":xx"] + sb.tag + [sb.image, "true"])
            #expect(mode.code == 125)
            #expect(mode.err == "docker: Error response from daemon: invalid mode: xx" + Self.runHelpTail)
        }
    }

    @Test("--tmpfs and --mount type=tmpfs: mounted noexec, nosuid, nodev with the options given; only --mount is in .Mounts")
    func tmpfs() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--name", sb.name("t"), "--tmpfs", "/t", "--tmpfs", "/u:rw,size=1m,mode=700",
                                           "--tmpfs", "/a/b/c", "--mount", "type=tmpfs,target=/m,tmpfs-size=64k,tmpfs-mode=0750"]
                                          + sb.tag + [sb.image, "sh", "-c",
                                                      "grep -E ' /(t|u|a/b/c|m) ' /proc/mounts | sort; stat -c %a /t /u /m; echo x > /t/a && cat /t/a"])
            #expect(run.code == 0, "\(run)")
            #expect(run.out == """
                tmpfs /a/b/c tmpfs rw,nosuid,nodev,noexec,relatime 0 0
                tmpfs /m tmpfs rw,nosuid,nodev,noexec,relatime,size=64k,mode=750 0 0
                tmpfs /t tmpfs rw,nosuid,nodev,noexec,relatime 0 0
                tmpfs /u tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700 0 0
                1777
                700
                750
                x

                """)
            let inspected = try await sb.inspect(sb.name("t"), "{{json .Mounts}} {{json .HostConfig.Tmpfs}}")
            #expect(inspected == #"[{"Type":"tmpfs","Source":"","Destination":"/m","Mode":"","RW":true,"Propagation":""}] {"/a/b/c":"","/t":"","/u":"rw,size=1m,mode=700"}"#)
            let hostMounts = try await sb.inspect(sb.name("t"), "{{json .HostConfig.Mounts}}")
            #expect(hostMounts == #"[{"Type":"tmpfs","Target":"/m","TmpfsOptions":{"SizeBytes":65536,"Mode":488}}]"#)

            // A tmpfs takes the place of an anonymous volume at its path: none is made.
            let covered = try await sb.docker(["create", "--name", sb.name("tv"), "--tmpfs", "/t", "-v", "/t"] + sb.tag + [sb.image, "true"])
            #expect(covered.code == 0, "\(covered)")
            #expect(try await sb.inspect(sb.name("tv"), "{{json .Mounts}}") == "[]")

            let readOnly = try await sb.docker(["run", "--rm", "--tmpfs", "/t:ro"] + sb.tag + [sb.image, "touch", "/t/x"])
            #expect(readOnly.code == 1 && readOnly.err == "touch: /t/x: Read-only file system\n")
            let kernel = try await sb.docker(["run", "--rm", "--tmpfs", "/t:size=abc"] + sb.tag + [sb.image, "true"])
            #expect(kernel.code == 125)
            #expect(kernel.err == "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting \"tmpfs\" to rootfs at \"/t\": mount tmpfs:/t (via /proc/self/fd/6), flags: 0xe, data: size=abc: invalid argument: unknown" + Self.runHelpTail)
            for (spec, message) in [("/t:bogus", "invalid tmpfs option [\"bogus\"]"),
                                    ("t", "invalid mount path: 't' mount path must be absolute")] {
                let refused = try await sb.docker(["run", "--rm", "--tmpfs", spec] + sb.tag + [sb.image, "true"])
                #expect(refused.code == 125, "\(spec)")
                #expect(refused.err == "docker: Error response from daemon: " + message + Self.runHelpTail)
            }
        }
    }

    @Test("--read-only: writes to the root fail with EROFS; /dev, /dev/shm, tmpfs and volumes stay writable")
    func readOnly() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.docker(["run", "--rm", "--read-only", "--tmpfs", "/t", "-v", "\(sb.name("v")):/n"] + sb.tag
                                          + [sb.image, "sh", "-c", """
                                             touch /x; mkdir /tmp/d; echo 1 >> /etc/hosts
                                             echo a > /dev/shm/a && echo b > /t/b && touch /n/y /dev/z && echo writable
                                             grep ' / ' /proc/mounts | cut -d ' ' -f 4 | cut -d , -f 1
                                             """])
            #expect(run.code == 0, "\(run)")
            #expect(run.out == "writable\nro\n")
            #expect(run.err == """
                touch: /x: Read-only file system
                mkdir: can't create directory '/tmp/d': Read-only file system
                sh: can't create /etc/hosts: Read-only file system

                """)
            let created = try await sb.docker(["create", "--name", sb.name("c"), "--read-only"] + sb.tag + [sb.image, "true"])
            #expect(created.code == 0)
            #expect(try await sb.inspect(sb.name("c"), "{{.HostConfig.ReadonlyRootfs}}") == "true")
        }
    }

    @Test("--mount type=volume: named, anonymous, readonly, Mode z; the CLI's and the engine's refusals")
    func mountVolume() async throws {
        try await Sandbox.with { sb in
            let v = sb.name("mv")
            let run = try await sb.docker(["run", "--name", sb.name("m"), "--mount", "type=volume,source=\(v),target=/mv",
                                           "--mount", "type=volume,src=\(v),dst=/ro,readonly"] + sb.tag
                                          + [sb.image, "sh", "-c", "echo x > /mv/f; cat /ro/f; touch /ro/g"])
            #expect(run.code == 1 && run.out == "x\n", "\(run)")
            #expect(run.err == "touch: /ro/g: Read-only file system\n")
            let mounts = try #require(try await sb.inspect(sb.name("m"), Self.mountsTemplate))
            #expect(Set(mounts.split(separator: "|").map(String.init)) == ["volume \(v) /mv local z true ", "volume \(v) /ro local z false "])
            let hostMounts = try await sb.inspect(sb.name("m"), "{{json .HostConfig.Mounts}}")
            #expect(hostMounts == #"[{"Type":"volume","Source":"\#(v)","Target":"/mv"},{"Type":"volume","Source":"\#(v)","Target":"/ro","ReadOnly":true}]"#)

            #expect(try await sb.docker(["create", "--name", sb.name("a"), "--mount", "type=volume,target=/anon"] + sb.tag + [sb.image, "true"]).code == 0)
            let anonymous = try #require(try await sb.inspect(sb.name("a"), "{{range .Mounts}}{{.Name}} {{.Mode}}{{end}}"))
            #expect(matches(anonymous, hex64 + " z"), "\(anonymous)")
            #expect(try await sb.docker(["rm", "-v", sb.name("a")]).code == 0)
            #expect(try await sb.docker(["volume", "inspect", String(anonymous.prefix(64))]).code == 1)

            let usage = "\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"
            for (spec, reason) in [("type=volume,target=/v,tmpfs-size=1", "cannot mix 'tmpfs-*' options with mount type 'volume'"),
                                   ("type=tmpfs,target=/v,volume-nocopy", "cannot mix 'volume-*' options with mount type 'tmpfs'"),
                                   ("type=tmpfs,target=/t,tmpfs-size=abc", "invalid value for tmpfs-size: abc")] {
                let refused = try await sb.docker(["run", "--rm", "--mount", spec] + sb.tag + [sb.image, "true"])
                #expect(refused.code == 125, "\(spec)")
                #expect(refused.err == "invalid argument \"\(spec)\" for \"--mount\" flag: \(reason)" + usage)
            }
            for (options, message) in [
                (["--mount", "type=tmpfs,target=/t,source=x"], "invalid mount config for type \"tmpfs\": field Source must not be specified"),
                (["--mount", "type=tmpfs,target=t"], "invalid mount config for type \"tmpfs\": invalid mount path: 't' mount path must be absolute"),
                (["--mount", "type=bogus,target=/v"], "invalid mount config for type \"bogus\": mount type unknown"),
                (["--mount", "type=volume,source=a/b,target=/v"], "create a/b: \"a/b\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"),
                (["--mount", "type=volume,source=\(v),target=/v", "--mount", "type=tmpfs,target=/v"], "Duplicate mount point: /v"),
                (["-v", "\(v):/v", "--mount", "type=volume,source=\(v),target=/v"], "Duplicate mount point: /v"),
            ] {
                let refused = try await sb.docker(["run", "--rm"] + options + sb.tag + [sb.image, "true"])
                #expect(refused.code == 125, "\(options)")
                #expect(refused.err == "docker: Error response from daemon: " + message + Self.runHelpTail, "\(options)")
            }
        }
    }
}
