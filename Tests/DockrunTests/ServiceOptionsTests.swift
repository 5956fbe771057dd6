import DockerSyntax
import Testing
@testable import Dockrun

@Suite("dockrun's own options for services")
struct ServiceOptionsTests {
    @Test("none of dockrun's own options is a docker run option, so none shadows one")
    func noShadowing() {
        for name in Invocation.ownOptions.keys {
            #expect(RunOptionTable.grammar.kinds[name] == nil, "--\(name) is a docker run option")
        }
    }

    @Test("--replace, --sdnotify and --name are read; --name stays docker's too")
    func parsed() throws {
        guard case .run(let request) = try Invocation.parse(["--replace", "--sdnotify=healthy", "--name", "web", "img", "x"])
        else { Issue.record("not a run"); return }
        #expect(request.replace)
        #expect(request.notify == .healthy)
        #expect(request.name == "web")
        #expect(request.dockerOptions == ["--name", "web"])
        guard case .run(let plain) = try Invocation.parse(["img"]) else { Issue.record("not a run"); return }
        #expect(!plain.replace && plain.notify == .running && plain.name == nil)
    }

    @Test("--replace without --name is a usage error")
    func replaceNeedsName() {
        #expect(throws: DockrunError.replaceNeedsName) { try Invocation.parse(["--replace", "img"]) }
        #expect(DockrunError.replaceNeedsName.exitCode == 125)
    }

    @Test("--sdnotify takes running, healthy, container or ignore")
    func sdnotifyChoices() {
        #expect(throws: DockrunError.invalidChoice(option: "--sdnotify", value: "conmon", choices: ["running", "healthy", "container", "ignore"])) {
            try Invocation.parse(["--sdnotify", "conmon", "img"])
        }
        #expect(DockrunError.invalidChoice(option: "--sdnotify", value: "x", choices: ["running", "healthy", "container", "ignore"]).message
            == #"invalid argument "x" for "--sdnotify" flag: expected one of running, healthy, container, ignore"#)
    }

    @Test("--cleanup needs no image, takes a run's whole command line, and needs --name or --cidfile")
    func cleanup() throws {
        guard case .cleanup(let byName) = try Invocation.parse(["--cleanup", "--rm", "--name", "web"]) else {
            Issue.record("not a clean-up"); return
        }
        #expect(byName.remove && byName.name == "web")
        guard case .cleanup(let whole) = try Invocation.parse(["--rm", "--cidfile", "/run/web.cid", "-e", "A=1", "--cleanup", "img", "sleep", "9"])
        else { Issue.record("not a clean-up"); return }
        #expect(whole.cidfile == "/run/web.cid" && whole.image == "img")
        #expect(throws: DockrunError.cleanupNeedsTarget) { try Invocation.parse(["--cleanup", "--rm", "img"]) }
    }

    @Test("NOTIFY_SOCKET: a path or an abstract name; WATCHDOG_USEC only for dockrun's own PID; MAINPID when systemd's main process is another")
    func configuration() {
        func configure(_ environment: [String: String], mode: NotifyPolicy.Mode = .running) -> (String, NotifyPolicy)? {
            NotifyPolicy.configuration(mode: mode, environment: { environment[$0] }, pid: 100).map { ($0.socket, $0.policy) }
        }
        #expect(configure([:]) == nil)
        #expect(configure(["NOTIFY_SOCKET": "vsock:2:9"]) == nil)
        #expect(configure(["NOTIFY_SOCKET": "@"]) == nil)
        #expect(configure(["NOTIFY_SOCKET": "/run/n"], mode: .ignore) == nil)
        #expect(configure(["NOTIFY_SOCKET": "@sd"])?.0 == "@sd")
        let plain = configure(["NOTIFY_SOCKET": "/run/n"])?.1
        #expect(plain?.watchdogMilliseconds == nil && plain?.mainPID == nil)
        #expect(configure(["NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "4000000"])?.1.watchdogMilliseconds == 2000)
        #expect(configure(["NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "100"])?.1.watchdogMilliseconds == 2000)
        #expect(configure(["NOTIFY_SOCKET": "/run/n", "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "99"])?.1.watchdogMilliseconds == nil)
        #expect(configure(["NOTIFY_SOCKET": "/run/n", "SYSTEMD_EXEC_PID": "100"])?.1.mainPID == nil)
        #expect(configure(["NOTIFY_SOCKET": "/run/n", "SYSTEMD_EXEC_PID": "42"])?.1.mainPID == 100)
    }
}
