import DockerSyntax
import Testing
@testable import DockrunGenerator

private let settings = GeneratorSettings(dockrun: "/usr/local/bin/dockrun", isUser: false)

private func generate(_ text: String, name: String = "web.container") -> Generation {
    Generation.make([SourceFile(directory: "/etc/dockrun/containers", name: name, text: text)], settings: settings)
}

private func unit(_ text: String, name: String = "web.container") throws -> ServiceUnit {
    let generation = generate(text, name: name)
    #expect(generation.errors == [])
    return try #require(generation.units.first)
}

private func lines(_ unit: ServiceUnit, _ key: String) -> [String] {
    unit.text.split(separator: "\n").filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
}

private func error(_ text: String) -> String? {
    generate(text).errors.first?.description
}

@Suite("a .container file becomes dockrun's unit")
struct GenerationTests {
    @Test("five lines give the tested example's shape")
    func fiveLines() throws {
        let made = try unit("""
            [Unit]
            Description=web
            [Container]
            Image=nginx:alpine
            PublishPort=8080:80
            [Install]
            WantedBy=multi-user.target
            """)
        #expect(made.name == "web.service")
        #expect(lines(made, "ExecStart") == [
            "/usr/local/bin/dockrun --rm --replace --name systemd-%N --publish 8080:80 nginx:alpine"])
        #expect(lines(made, "ExecStopPost") == ["/usr/local/bin/dockrun --cleanup --rm --name systemd-%N"])
        #expect(lines(made, "Type") == ["notify"])
        #expect(lines(made, "NotifyAccess") == ["main"])
        #expect(lines(made, "KillMode") == ["mixed"])
        #expect(lines(made, "TimeoutStopSec") == ["30"])
        #expect(lines(made, "RuntimeDirectory") == ["dockrun-%N"])
        #expect(lines(made, "Environment") == ["TMPDIR=%t/dockrun-%N"])
        #expect(lines(made, "Description") == ["web"])
        #expect(lines(made, "SourcePath") == ["/etc/dockrun/containers/web.container"])
        #expect(made.text.contains("\n[X-Container]\nImage=nginx:alpine\nPublishPort=8080:80\n"))
        #expect(made.text.contains("\n[Install]\nWantedBy=multi-user.target\n"))
        #expect(made.links == [.init(path: "multi-user.target.wants/web.service", target: "../web.service")])
    }

    @Test("the [Container] keys map to docker run's options, in the file's order, Exec after the image")
    func mapsKeys() throws {
        let made = try unit("""
            [Container]
            Image=busybox
            Exec=sh -c "echo %N; sleep 1"
            ContainerName=web-%i
            Environment=A=1 "B=two words"
            EnvironmentFile=web.env
            Volume=./data:/data:ro
            Volume=named:/n
            Tmpfs=/scratch
            User=100
            Group=200
            WorkingDir=/srv
            Entrypoint=/bin/sh
            Label=a=b
            Network=host
            HealthCmd=true
            HealthInterval=5s
            HealthRetries=2
            HealthStartPeriod=1s
            HealthTimeout=3s
            HealthOnFailure=kill
            Notify=healthy
            StopTimeout=15
            DockerArgs=--cpus 2 --init
            """)
        #expect(try SystemdWords.split(lines(made, "ExecStart")[0]) == [
            "/usr/local/bin/dockrun", "--rm", "--replace", "--name", "web-%i",
            "--health-on-failure=kill", "--sdnotify=healthy",
            "--env", "A=1", "--env", "B=two words", "--env-file", "/etc/dockrun/containers/web.env",
            "--volume", "/etc/dockrun/containers/data:/data:ro", "--volume", "named:/n", "--tmpfs", "/scratch",
            "--workdir", "/srv", "--entrypoint=/bin/sh", "--label", "a=b", "--network", "host",
            "--health-cmd", "true", "--health-interval", "5s", "--health-retries", "2",
            "--health-start-period", "1s", "--health-timeout", "3s",
            "--user", "100:200", "--stop-timeout", "15", "--cpus", "2", "--init",
            "busybox", "sh", "-c", "echo %N; sleep 1"])
        #expect(lines(made, "TimeoutStopSec") == ["35"])
        #expect(lines(made, "ExecStopPost") == ["/usr/local/bin/dockrun --cleanup --rm --name web-%i"])
    }

    @Test("Notify=true lets the application say when it is ready; false leaves dockrun's readiness")
    func notify() throws {
        let base = "[Container]\nImage=busybox\n"
        #expect(lines(try unit(base + "Notify=true\n"), "ExecStart")[0].contains(" --sdnotify=container "))
        #expect(!lines(try unit(base + "Notify=false\n"), "ExecStart")[0].contains("--sdnotify"))
    }

    @Test("[Service] lines pass through; a setting the file gives replaces the generator's default")
    func serviceSettings() throws {
        let made = try unit("""
            [Container]
            Image=busybox
            StopTimeout=5
            [Service]
            TimeoutStopSec=90
            Restart=on-failure
            Environment=TMPDIR=/srv/tmp
            """)
        #expect(lines(made, "TimeoutStopSec") == ["90"])
        #expect(lines(made, "Restart") == ["on-failure"])
        // systemd's last assignment wins: the file's TMPDIR comes after the generator's.
        #expect(lines(made, "Environment") == ["TMPDIR=%t/dockrun-%N", "TMPDIR=/srv/tmp"])
    }

    @Test("Type=oneshot (a container that exits) keeps systemd's untimed start")
    func oneshot() throws {
        let made = try unit("[Container]\nImage=busybox\n[Service]\nType=oneshot\n")
        #expect(lines(made, "Type") == ["oneshot"])
        #expect(lines(made, "TimeoutStartSec") == [])
    }

    @Test("ReadOnly=true gives writable tmpfs where programs write, as podman's default --read-only-tmpfs")
    func readOnly() throws {
        let base = "[Container]\nImage=busybox\nReadOnly=true\n"
        #expect(lines(try unit(base), "ExecStart")[0].hasSuffix(
            "--read-only --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run busybox"))
        #expect(lines(try unit(base + "ReadOnlyTmpfs=false\n"), "ExecStart")[0].hasSuffix("--read-only busybox"))
    }

    @Test("HealthCmd=none removes the image's check (docker's --no-healthcheck)")
    func healthNone() throws {
        #expect(lines(try unit("[Container]\nImage=busybox\nHealthCmd=none\n"), "ExecStart")[0]
            .hasSuffix("--no-healthcheck busybox"))
    }

    @Test("an empty value empties a list key, as systemd's lists, and unsets a single one")
    func emptyResets() throws {
        let made = try unit("[Container]\nImage=busybox\nPublishPort=1:1\nPublishPort=\nPublishPort=2:2\n")
        #expect(lines(made, "ExecStart")[0].hasSuffix("--publish 2:2 busybox"))
        let unset = try unit("[Container]\nImage=busybox\nExec=sleep 1\nUser=1\nNotify=true\nDockerArgs=--init\n"
                             + "ContainerName=x\nExec=\nUser=\nNotify=\nDockerArgs=\nContainerName=\n")
        #expect(lines(unset, "ExecStart") == ["/usr/local/bin/dockrun --rm --replace --name systemd-%N busybox"])
    }

    @Test("a template's container is named systemd-%p_%i; the template is enabled only with DefaultInstance=")
    func template() throws {
        let text = "[Container]\nImage=busybox\nExec=sleep %i\n[Install]\nWantedBy=multi-user.target\n"
        let plain = try unit(text, name: "sleep@.container")
        #expect(plain.name == "sleep@.service")
        #expect(lines(plain, "ExecStart")[0].contains("--name systemd-%p_%i "))
        #expect(plain.links == [])
        let instance = try unit(text + "DefaultInstance=100\n", name: "sleep@.container")
        #expect(instance.links == [.init(path: "multi-user.target.wants/sleep@100.service", target: "../sleep@.service")])
        // An instance's own file (Quadlet's symlink `sleep@10.container`): its unit, enabled as it is.
        let linked = try unit(text, name: "sleep@10.container")
        #expect(linked.name == "sleep@10.service")
        #expect(lines(linked, "ExecStart")[0].contains("--name systemd-%p_%i "))
        #expect(linked.links == [.init(path: "multi-user.target.wants/sleep@10.service", target: "../sleep@10.service")])
    }

    @Test("RequiredBy=, UpheldBy= and Alias= are links too; ServiceName= names the unit")
    func installLinks() throws {
        let made = try unit("""
            [Container]
            Image=busybox
            ServiceName=front
            [Install]
            RequiredBy=a.target b.target
            UpheldBy=c.service
            Alias=web-alias.service
            """)
        #expect(made.name == "front.service")
        #expect(made.links == [.init(path: "a.target.requires/front.service", target: "../front.service"),
                               .init(path: "b.target.requires/front.service", target: "../front.service"),
                               .init(path: "c.service.upholds/front.service", target: "../front.service"),
                               .init(path: "web-alias.service", target: "front.service")])
    }

    @Test("ReloadSignal= gives ExecReload= sending it to dockrun, which relays it to the container")
    func reload() throws {
        #expect(lines(try unit("[Container]\nImage=busybox\nReloadSignal=SIGHUP\n"), "ExecReload")
                == ["/bin/kill -s SIGHUP $MAINPID"])
    }

    @Test("a user unit has no ordering against the system's docker.service or network")
    func userUnit() throws {
        let made = try #require(Generation.make(
            [SourceFile(directory: "/home/u/.config/dockrun/containers", name: "web.container",
                        text: "[Container]\nImage=busybox\n")],
            settings: GeneratorSettings(dockrun: "/usr/local/bin/dockrun", isUser: true)).units.first)
        #expect(lines(made, "After") == [])
        #expect(lines(try unit("[Container]\nImage=busybox\n"), "After")
                == ["docker.service", "network-online.target"])
        #expect(lines(try unit("[Container]\nImage=busybox\n[Quadlet]\nDefaultDependencies=false\n"), "After")
                == ["docker.service"])
    }
}

@Suite("a file the generator cannot map gives one message and no unit; the others are generated")
struct GenerationErrorTests {
    @Test("PodmanArgs= is refused with a pointer to DockerArgs=, naming the file, the line and the key")
    func podmanArgs() {
        #expect(error("[Container]\nImage=busybox\nPodmanArgs=--foo\n")
                == "/etc/dockrun/containers/web.container:3: PodmanArgs=: not supported: it holds podman's options; "
                   + "give docker run's in DockerArgs= (words added to docker run)")
    }

    @Test("an unknown key, a bad value, a missing image, a syntax error: each one message")
    func errors() {
        let file = "/etc/dockrun/containers/web.container"
        #expect(error("[Container]\nImage=busybox\nColour=red\n") == "\(file):3: Colour=: unknown key in [Container]")
        #expect(error("[Container]\nImage=busybox\nReadOnly=maybe\n")
                == "\(file):3: ReadOnly=: \"maybe\" is not a boolean (true or false)")
        #expect(error("[Container]\nImage=busybox\nStopTimeout=10s\n")
                == "\(file):3: StopTimeout=: \"10s\" is not a number of seconds")
        #expect(error("[Container]\nImage=busybox\nGroup=1\n")
                == "\(file):3: Group=: Group= needs User= (docker's --user USER:GROUP)")
        #expect(error("[Container]\nImage=busybox\nEnvironment=A=1 B\n")
                == "\(file):3: Environment=: \"B\" is not KEY=VALUE")
        #expect(error("[Container]\nImage=busybox\nLabel==x\n") == "\(file):3: Label=: \"=x\" is not KEY=VALUE")
        #expect(error("[Container]\nExec=true\n") == "\(file): no Image= in [Container]")
        #expect(error("[Container]\nImage busybox\n") == "\(file):2: missing '=' in Image busybox")
        #expect(error("[Container]\nImage=busybox\n[Service]\nKillMode=process\n")?.hasPrefix(
            "\(file):4: KillMode=: dockrun's units need KillMode=mixed") == true)
        #expect(error("[Container]\nImage=busybox\n[Service]\nExecStart=/bin/true\n")
                == "\(file):4: ExecStart=: the generator writes ExecStart= from [Container]")
        #expect(error("[Container]\nImage=busybox\nVolume=data.volume:/d\n")?.hasPrefix(
            "\(file):3: Volume=: Quadlet's .volume") == true)
        #expect(error("[Container]\nImage=busybox\nNetwork=x.network\n")?.hasPrefix(
            "\(file):3: Network=: Quadlet's .network") == true)
    }

    @Test("a bad file leaves the others generated")
    func othersStillGenerated() {
        let generation = Generation.make([
            SourceFile(directory: "/d", name: "bad.container", text: "[Container]\nImage=busybox\nPodmanArgs=-x\n"),
            SourceFile(directory: "/d", name: "good.container", text: "[Container]\nImage=busybox\n"),
        ], settings: settings)
        #expect(generation.units.map(\.name) == ["good.service"])
        #expect(generation.errors.map(\.file) == ["/d/bad.container"])
    }

    @Test("every refused key says why")
    func refusedKeysSayWhy() {
        for (key, kind) in ContainerKey.table {
            if case .refused(let reason) = kind {
                #expect(error("[Container]\nImage=busybox\n\(key)=x\n")
                        == "/etc/dockrun/containers/web.container:3: \(key)=: not supported: \(reason)")
            }
        }
    }

    @Test("every docker option the table gives is one docker run knows")
    func optionsAreDockers() {
        for (key, kind) in ContainerKey.table {
            let option: String?
            switch kind {
            case .option(let name), .words(let name), .assignments(let name), .prefixed(let name, _): option = name
            case .flag(let words): option = words.first
            case .special, .refused: option = nil
            }
            guard let option else { continue }
            let name = String(option.dropFirst(2))
            #expect(RunOptionTable.valueLong.contains(name) || RunOptionTable.booleanLong.contains(name),
                    "\(key): \(option)")
        }
    }
}

@Suite("where the files are, and how the generator is run")
struct SearchPathTests {
    @Test("DOCKRUN_UNIT_PATH replaces the search path; system and user defaults")
    func directories() {
        #expect(SearchPath.directories(environment: ["DOCKRUN_UNIT_PATH": "/a:/b"], isUser: false) == ["/a", "/b"])
        #expect(SearchPath.directories(environment: [:], isUser: false) == ["/etc/dockrun/containers"])
        #expect(SearchPath.directories(environment: ["HOME": "/home/u"], isUser: true)
                == ["/home/u/.config/dockrun/containers"])
        #expect(SearchPath.directories(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg"], isUser: true)
                == ["/cfg/dockrun/containers"])
    }

    @Test("only *.container files, by name; an earlier directory's file hides a later one of the same name")
    func select() {
        let chosen = SearchPath.select([("/a", ["z.container", "web.container", "notes.txt", ".container"]),
                                        ("/b", ["web.container", "db.container"])])
        #expect(chosen.map { $0.directory + "/" + $0.name } == ["/a/web.container", "/a/z.container", "/b/db.container"])
    }

    @Test("the user generator is known by its name or --user; systemd gives three directories; kmsg unless asked")
    func invocation() throws {
        let system = try GeneratorInvocation.parse(["/run/n", "/run/e", "/run/l"], program: "/lib/x/dockrun-generator")
        #expect(system == GeneratorInvocation(dryRun: false, isUser: false, kernelLog: true, outputDirectory: "/run/n"))
        #expect(try !GeneratorInvocation.parse(["--no-kmsg-log", "/n"], program: "dockrun-generator").kernelLog)
        #expect(try !GeneratorInvocation.parse(["--dryrun"], program: "dockrun-generator").kernelLog)
        #expect(try GeneratorInvocation.parse(["--dryrun"], program: "dockrun-user-generator").isUser)
        #expect(try GeneratorInvocation.parse(["--user", "--dryrun"], program: "dockrun-generator").isUser)
        #expect(throws: UsageError.self) { try GeneratorInvocation.parse([], program: "dockrun-generator") }
        #expect(throws: UsageError.self) { try GeneratorInvocation.parse(["--bogus", "/x"], program: "g") }
    }
}

@Suite("Quadlet's drop-ins: NAME.container.d/*.conf and the wider ones")
struct DropInTests {
    @Test("the directories of a file, the most specific first: its own, its template's, dash prefixes, all files'")
    func directories() {
        #expect(DropIns.directories(for: "foo-bar@x.container")
                == ["foo-bar@x.container.d", "foo-bar@.container.d", "foo-.container.d", "container.d"])
        #expect(DropIns.directories(for: "a-b-c.container")
                == ["a-b-c.container.d", "a-b-.container.d", "a-.container.d", "container.d"])
        #expect(DropIns.directories(for: "web.container") == ["web.container.d", "container.d"])
    }

    @Test("of one name the most specific wins; they apply in the order of their names; only *.conf")
    func select() {
        let chosen = DropIns.select([("/a/web.container.d", ["20-port.conf", "notes.txt"]),
                                     ("/b/web.container.d", ["20-port.conf", "30-env.conf"]),
                                     ("/a/container.d", ["10-all.conf", "30-env.conf"])])
        #expect(chosen == ["/a/container.d/10-all.conf", "/a/web.container.d/20-port.conf",
                           "/b/web.container.d/30-env.conf"])
    }

    @Test("a drop-in's single values win and its lists add; its error names the drop-in and its line")
    func merged() throws {
        let source = SourceFile(directory: "/d", name: "web.container",
                                text: "[Container]\nImage=a\nPublishPort=1:1\n",
                                dropIns: [("/d/web.container.d/image.conf", "[Container]\nImage=b\nPublishPort=2:2\n")])
        let made = try #require(Generation.make([source], settings: settings).units.first)
        #expect(lines(made, "ExecStart")[0].hasSuffix("--publish 1:1 --publish 2:2 b"))

        let bad = SourceFile(directory: "/d", name: "web.container", text: "[Container]\nImage=a\n",
                             dropIns: [("/d/container.d/x.conf", "\n[Container]\nPodmanArgs=-x\n")])
        #expect(Generation.make([bad], settings: settings).errors.map(\.description)
                == ["/d/container.d/x.conf:3: PodmanArgs=: not supported: it holds podman's options; give docker "
                    + "run's in DockerArgs= (words added to docker run)"])
    }
}
