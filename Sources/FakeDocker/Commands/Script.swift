import Foundation
import ProcessSpawn
/// `fake-docker script`: arm faults. Simulator-only.
///   script COMMAND [--delay S] [--exit CODE] [--stdout TEXT] [--stderr TEXT] [--times N]
///   script --oom-after SECONDS [--times N]   (the next container started is killed as by the OOM killer)
///   script --daemon-down | --clear | --list
///   script --restart [--down SECONDS] [--live-restore]   (EngineRestart)
enum ScriptCommand {
    static let syntax = CommandSyntax(name: "script", usage: "COMMAND [--delay SECONDS] [--exit CODE] [--stdout TEXT] [--stderr TEXT] [--times N] | --oom-after SECONDS [--times N] | --daemon-down | --clear | --list | --restart [--down SECONDS] [--live-restore]", flags: [
        FlagSpec(long: "restart", short: nil, takesValue: false), FlagSpec(long: "down", short: nil, takesValue: true),
        FlagSpec(long: "live-restore", short: nil, takesValue: false),
        FlagSpec(long: "delay", short: nil, takesValue: true), FlagSpec(long: "exit", short: nil, takesValue: true),
        FlagSpec(long: "stdout", short: nil, takesValue: true), FlagSpec(long: "stderr", short: nil, takesValue: true),
        FlagSpec(long: "times", short: nil, takesValue: true), FlagSpec(long: "daemon-down", short: nil, takesValue: false),
        FlagSpec(long: "oom-after", short: nil, takesValue: true), FlagSpec(long: "clear", short: nil, takesValue: false), FlagSpec(long: "list", short: nil, takesValue: false), .help,
    ], maxArguments: 1)

    static func execute(_ args: [String], _ ctx: Context) throws(DockerError) -> Int32 {
        let f = try syntax.parse(args)
        if f.bool("restart") { return try EngineRestart.execute(down: f.last("down"), liveRestore: f.bool("live-restore"), store: ctx.store) }
        do {
            if f.bool("clear") {
                try ctx.store.clearFaults()
                return 0
            }
            if f.bool("daemon-down") { try ctx.store.setEngineDown(until: .infinity); return 0 }
            if f.bool("list") {
                if try ctx.store.engineDownUntil() == .infinity { Output.out("daemon-down") }
                for armed in try ctx.store.armedFaults() {
                    let fault = armed.fault
                    if armed.command == ScriptedFaults.outOfMemory {
                        Output.out("--oom-after \(fault.delay) --times \(armed.remaining)")
                        continue
                    }
                    var line = "\(armed.command) --times \(armed.remaining)"
                    if fault.delay > 0 { line += " --delay \(fault.delay)" }
                    if let exit = fault.exitCode { line += " --exit \(exit)" }
                    if !fault.stdout.isEmpty { line += " --stdout \(shellQuoted(fault.stdout))" }
                    if !fault.stderr.isEmpty { line += " --stderr \(shellQuoted(fault.stderr))" }
                    Output.out(line)
                }
                return 0
            }
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        if let after = f.last("oom-after") {
            let times = f.last("times").map { Int($0) } ?? 1
            guard let seconds = Double(after), seconds >= 0, let times, times > 0, f.arguments.isEmpty else {
                throw DockerError("fake-docker: script: --oom-after takes seconds (>= 0), --times a count > 0, and no COMMAND",
                                  exitCode: 2)
            }
            do {
                let fault = ScriptedFaults.Fault(delay: seconds, exitCode: nil, stdout: "", stderr: "")
                try ctx.store.arm(fault, for: ScriptedFaults.outOfMemory, times: times)
            } catch {
                throw DockerError("fake-docker: \(error)")
            }
            return 0
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
            let fault = ScriptedFaults.Fault(delay: delay, exitCode: exit.flatMap { $0 },
                                             stdout: f.last("stdout") ?? "", stderr: f.last("stderr") ?? "")
            try ctx.store.arm(fault, for: command, times: times)
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
            if f.bool("clear") { try ctx.store.clearCalls(); return 0 }
            for call in try ctx.store.calls() {
                let exit = call.exitCode.map(String.init) ?? "-"
                Output.out("\(exit)\t" + shellQuoted(call.argv))
            }
        } catch {
            throw DockerError("fake-docker: \(error)")
        }
        return 0
    }
}
