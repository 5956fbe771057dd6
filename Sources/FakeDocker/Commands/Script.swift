import Foundation
import ProcessSpawn
/// `fake-docker script`: arm faults. Simulator-only.
///   script COMMAND [--delay S] [--exit CODE] [--stdout TEXT] [--stderr TEXT] [--times N]
///   script --daemon-down | --clear | --list
///   script --restart [--down SECONDS] [--live-restore]   (EngineRestart)
enum ScriptCommand {
    static let syntax = CommandSyntax(name: "script", usage: "COMMAND [--delay SECONDS] [--exit CODE] [--stdout TEXT] [--stderr TEXT] [--times N] | --daemon-down | --clear | --list | --restart [--down SECONDS] [--live-restore]", flags: [
        FlagSpec(long: "restart", short: nil, takesValue: false), FlagSpec(long: "down", short: nil, takesValue: true),
        FlagSpec(long: "live-restore", short: nil, takesValue: false),
        FlagSpec(long: "delay", short: nil, takesValue: true), FlagSpec(long: "exit", short: nil, takesValue: true),
        FlagSpec(long: "stdout", short: nil, takesValue: true), FlagSpec(long: "stderr", short: nil, takesValue: true),
        FlagSpec(long: "times", short: nil, takesValue: true), FlagSpec(long: "daemon-down", short: nil, takesValue: false),
        FlagSpec(long: "clear", short: nil, takesValue: false), FlagSpec(long: "list", short: nil, takesValue: false), .help,
    ], maxArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        if f.bool("restart") { return try EngineRestart.execute(down: f.last("down"), liveRestore: f.bool("live-restore"), store: ctx.store) }
        let db = ctx.store.db
        do {
            if f.bool("clear") {
                try db.transaction {
                    try db.query("DELETE FROM scripts")
                    try ctx.store.setSetting("daemon_down", nil)
                    try ctx.store.setSetting(EngineRestart.downUntilSetting, nil)
                }
                return 0
            }
            if f.bool("daemon-down") { try ctx.store.setSetting("daemon_down", "1"); return 0 }
            if f.bool("list") {
                if try ctx.store.setting("daemon_down") == "1" { Output.out("daemon-down") }
                for row in try db.query("SELECT command, delay, exit_code, stdout, stderr, remaining FROM scripts WHERE remaining > 0 ORDER BY seq") {
                    var line = "\(row[0].text) --times \(row[5].int)"
                    if row[1].double > 0 { line += " --delay \(row[1].double)" }
                    if row[2] != .null { line += " --exit \(row[2].int)" }
                    if !row[3].text.isEmpty { line += " --stdout \(shellQuoted(row[3].text))" }
                    if !row[4].text.isEmpty { line += " --stderr \(shellQuoted(row[4].text))" }
                    Output.out(line)
                }
                return 0
            }
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        guard let command = f.arguments.first else {
            throw DockerError("fake-docker: script needs a COMMAND, or --daemon-down, --clear or --list", exitCode: 2)
        }
        let delay = f.last("delay").map { Double($0) } ?? 0
        let exit = f.last("exit").map { Int32($0) }
        let times = f.last("times").map { Int($0) } ?? 1
        guard let delay, delay >= 0, exit.map({ $0 != nil }) ?? true, let times, times > 0 else {
            throw DockerError("fake-docker: script: --delay takes seconds (>= 0), --exit an integer, --times a count > 0", exitCode: 2)
        }
        do {
            try db.query("INSERT INTO scripts (command, delay, exit_code, stdout, stderr, remaining) VALUES (?, ?, ?, ?, ?, ?)",
                         [.text(command), .double(delay), exit.flatMap { $0 }.map { .int(Int64($0)) } ?? .null,
                          .text(f.last("stdout") ?? ""), .text(f.last("stderr") ?? ""), .int(Int64(times))])
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        return 0
    }
}

/// `fake-docker calls`: the call log, one invocation per line, oldest first:
/// `EXIT<TAB>ARGV` with EXIT `-` while running and ARGV shell-quoted.
enum CallsCommand {
    static let syntax = CommandSyntax(name: "calls", usage: "[--clear]", flags: [FlagSpec(long: "clear", short: nil, takesValue: false), .help], maxArguments: 0)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        do {
            if f.bool("clear") { try ctx.store.db.query("DELETE FROM calls"); return 0 }
            for row in try ctx.store.db.query("SELECT exit_code, argv FROM calls ORDER BY seq") {
                let argv = (try? JSONCoding.decode([String].self, row[1].text)) ?? []
                let exit = row[0] == .null ? "-" : String(row[0].int)
                Output.out("\(exit)\t" + shellQuoted(argv))
            }
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        return 0
    }
}
