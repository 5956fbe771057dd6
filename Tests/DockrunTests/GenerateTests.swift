import Foundation
import ProcessSpawn
import Testing
@testable import Dockrun

/// The checkout these tests were built from: #filePath is Tests/DockrunTests/GenerateTests.swift in it.
private let examples: String = {
    var path = #filePath as NSString
    for _ in 0..<3 { path = path.deletingLastPathComponent as NSString }
    return (path as String) + "/examples"
}()

/// The run of every example: examples/ is what `dockrun generate` prints for it from /usr/local/bin/dockrun.
private let exampleArguments = [
    "--rm", "--replace", "--name", "dockrun-example", "--stop-timeout", "10", "busybox:latest", "sh", "-c",
    #"trap "echo stopping; exit 0" TERM; echo started; while :; do sleep 1 & wait $!; done"#,
]
private let installed = "/usr/local/bin/dockrun"

/// Where each monitor's example is in examples/: a file, or a service directory.
private let exampleFiles: [Generate.Monitor: String] = [
    .supervisord: "dockrun-example.supervisord.conf", .god: "dockrun-example.god", .runit: "runit", .s6: "s6",
]

private func parse(_ arguments: [String]) throws -> (Generate.Monitor, Generate.ServiceRun) {
    try Generate.parse(arguments)
}

private func failure(_ arguments: [String]) -> Generate.Failure? {
    do {
        _ = try Generate.parse(arguments)
        return nil
    } catch {
        return error
    }
}

private func files(_ monitor: Generate.Monitor, _ run: [String], dockrun: String = installed)
    throws -> [Generate.File] {
    let (_, parsed) = try parse([monitor.rawValue] + run)
    return Generate.files(monitor, parsed, dockrun: dockrun)
}

/// The file of `files` at `path`'s text.
private func text(_ files: [Generate.File], _ path: String) -> String {
    files.first { $0.path == path }?.text ?? ""
}

/// The one line of `text` that starts with `prefix`, without it.
private func line(_ text: String, _ prefix: String) -> String? {
    let found = text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
    return found.count == 1 ? String(found[0].dropFirst(prefix.count)) : nil
}

/// The regular files under `directory`, by path relative to it, with their text and whether they are executable.
private func directoryFiles(_ directory: String) throws -> [String: (text: String, executable: Bool)] {
    var found: [String: (text: String, executable: Bool)] = [:]
    let enumerator = FileManager.default.enumerator(atPath: directory)
    while let path = enumerator?.nextObject() as? String {
        let full = directory + "/" + path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
            continue
        }
        found[path] = (try String(contentsOfFile: full, encoding: .utf8),
                       FileManager.default.isExecutableFile(atPath: full))
    }
    return found
}

/// `script` run by sh with `arguments` (`sh -s ARGUMENTS`, the script on stdin); its exit status.
private func runScript(_ script: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-s"] + arguments
    let input = Pipe()
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(Data(script.utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("dockrun generate: the tested examples, for a run")
struct GenerateTests {
    @Test("rendered for the example's own run, every monitor's files are exactly those of examples/",
          arguments: Generate.Monitor.allCases)
    func examplesAreRenderings(monitor: Generate.Monitor) throws {
        let generated = try files(monitor, exampleArguments)
        let path = examples + "/" + exampleFiles[monitor]!
        switch monitor {
        case .supervisord, .god:
            #expect(generated.count == 1)
            #expect(generated[0].text == (try String(contentsOfFile: path, encoding: .utf8)))
        case .runit, .s6:
            let onDisk = try directoryFiles(path)
            #expect(Set(onDisk.keys) == Set(generated.map(\.path)))
            for file in generated {
                #expect(onDisk[file.path]?.text == file.text, "examples/\(monitor.rawValue)/\(file.path) differs")
                #expect(onDisk[file.path]?.executable == file.executable, "\(file.path): executable bit")
            }
        }
    }

    @Test("the run's arguments are written as each file's language reads them back, and only there")
    func quoting() throws {
        let run = ["--rm", "--replace", "--name", "web", "-e", "GREETING=it's 100% #1 \"ok\" \\o/", "nginx:1",
                   "sh", "-c", "echo $HOME; echo '{{name}}'"]
        for monitor in [Generate.Monitor.runit, .s6] {
            let exec = try #require(line(text(try files(monitor, run), "run"), "exec \(installed) "))
            #expect(ShellWords.split(exec) == run)
        }
        let command = try #require(line(text(try files(.supervisord, run), "web.conf"), "command="))
        // supervisord expands %(...)s before it splits the line as a shell would: a `%` is written `%%`.
        #expect(ShellWords.split(command.replacing("%%", with: "%")) == [installed] + run)
        let god = text(try files(.god, run), "web.god")
        #expect(god.contains(#"""
              command = ["/usr/local/bin/dockrun", "--rm", "--replace", "--name", "web", "-e", 'GREETING=it\'s 100% #1 "ok" \\o/',
                         "nginx:1", "sh", "-c", "echo $HOME; echo '{{name}}'"]
            """#))
        // A value is never read again for keys: the `{{name}}` of the command stays as written.
        #expect(!god.contains("echo 'web'"))
    }

    @Test("the name, the cleanup and the stop waits follow the run: --stop-timeout plus 20 s, 10 s when not given")
    func settings() throws {
        let run = ["--name", "web", "--stop-timeout=60", "nginx:1"]
        let supervisord = text(try files(.supervisord, run), "web.conf")
        #expect(line(supervisord, "[program:") == "web]")
        #expect(line(supervisord, "stopwaitsecs=") == "80")
        #expect(line(supervisord, "stdout_logfile=") == "/var/log/supervisor/web.log")
        #expect(line(text(try files(.god, run), "web.god"), "  w.stop_timeout = ") == "80.seconds")
        let s6 = try files(.s6, run)
        #expect(text(s6, "timeout-kill") == "80000\n" && text(s6, "timeout-finish") == "80000\n")
        // Without --rm the container is kept, by the run and by the cleanup.
        #expect(line(text(s6, "finish"), "exec ") == "\(installed) --cleanup --name web")
        #expect(line(text(try files(.runit, ["--rm", "--name", "web", "nginx"]), "finish"), "exec ")
                    == "\(installed) --cleanup --rm --name web")
        #expect(line(text(try files(.runit, ["--name", "web", "nginx"]), "log/run"), "dir=") == "/var/log/web")
        #expect(line(text(try files(.supervisord, ["--name", "web", "nginx"]), "web.conf"), "stopwaitsecs=") == "30")
    }

    @Test("runit and s6: the output is a script writing the service directory, byte for byte, where it is told",
          arguments: [Generate.Monitor.runit, .s6])
    func serviceDirectoryScript(monitor: Generate.Monitor) throws {
        // A line of the command equal to the here-documents' delimiter: the script chooses another.
        let run = ["--name", "web", "busybox", "sh", "-c", "cat <<END_OF_FILE\nhello\nEND_OF_FILE"]
        let (_, parsed) = try parse([monitor.rawValue] + run)
        let script = Generate.output(monitor, parsed, dockrun: installed)
        let directory = NSTemporaryDirectory() + "dockrun-generate-test-\(getpid())-\(monitor.rawValue)"
        defer { try? FileManager.default.removeItem(atPath: directory) }

        #expect(try runScript(script, [directory + "/web"]) == 0)

        let written = try directoryFiles(directory + "/web")
        let generated = Generate.files(monitor, parsed, dockrun: installed)
        #expect(Set(written.keys) == Set(generated.map(\.path)))
        for file in generated {
            #expect(written[file.path]?.text == file.text, "\(file.path) as written differs")
            #expect(written[file.path]?.executable == file.executable, "\(file.path): executable bit")
        }
        #expect(script.contains("dir=${1:-\(monitor == .runit ? "/etc/sv/web" : "/etc/s6/sv/web")}"))
    }

    @Test("supervisord and god: the output is the config file itself")
    func oneFile() throws {
        for monitor in [Generate.Monitor.supervisord, .god] {
            let (_, parsed) = try parse([monitor.rawValue, "--name", "web", "nginx"])
            #expect(Generate.output(monitor, parsed, dockrun: installed)
                        == Generate.files(monitor, parsed, dockrun: installed)[0].text)
        }
    }

    @Test("bad input is one message, and nothing is generated")
    func errors() {
        #expect(failure([]) == .noMonitor)
        #expect(failure(["systemd", "--name", "web", "nginx"]) == .unknownMonitor("systemd"))
        #expect(failure(["runit", "--name", "web"]) == .run(.noImage))
        #expect(failure(["runit", "nginx"]) == .noName)
        #expect(failure(["runit", "--name", "/web", "nginx"]) == .invalidName("/web"))
        #expect(failure(["runit", "--name", "web", "--stop-timeout", "-1", "nginx"]) == .invalidStopTimeout("-1"))
        #expect(failure(["s6", "--cleanup", "--name", "web"]) == .notARun)
        #expect(failure(["god", "--help"]) == .notARun)
        #expect(failure(["supervisord", "--name", "web", "busybox", "sh", "-c", "a\nb"]) == .lineBreak(.supervisord))
        #expect(failure(["god", "--name", "web", "busybox", "sh", "-c", "a\nb"]) == nil)
        #expect(Generate.Failure.unknownMonitor("systemd").message
                    == #"generate: unknown monitor "systemd": expected one of runit, s6, supervisord, god"#)
        #expect(Generate.Failure.noName.exitCode == 125)
    }

    @Test("Ruby strings: double-quoted when plain, else single-quoted with \\ and ' escaped")
    func rubyStrings() {
        #expect(Generate.rubyString("busybox:latest") == #""busybox:latest""#)
        #expect(Generate.rubyString(#"say "hi""#) == #"'say "hi"'"#)
        #expect(Generate.rubyString("#{x}") == "'#{x}'")
        #expect(Generate.rubyString(#"it's \n"#) == #"'it\'s \\n'"#)
    }
}
