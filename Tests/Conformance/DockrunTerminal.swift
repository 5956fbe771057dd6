import Foundation
import Glibc
import Testing

/// dockrun used by a person at a terminal: the docker client stays in the foreground and, with `-it`,
/// puts the terminal in raw mode, so what is typed (Ctrl+C included) reaches the container's own terminal.
@Suite("dockrun 1: on a terminal")
struct DockrunTerminal {
    @Test("1: with -it on a terminal, typed lines reach the container and Ctrl+C interrupts its command, not dockrun")
    func interactive() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm", "-it"] + sb.tag + [sb.image, "sh"], terminal: true)
            try await ChildProcess.eventually("the shell's prompt") { run.stdout.text.contains("# ") }
            run.write(toStdin: "echo $((6 * 7))\r")
            try await ChildProcess.eventually("the answer") { run.stdout.text.contains("42") }
            run.write(toStdin: "sleep 60\r")
            // The key press waits until sleep is the terminal's foreground process group (its stat's pgrp is the
            // tty's): a Ctrl+C that reached the shell at its prompt would not show the interrupted command's status.
            var id = ""
            try await ChildProcess.eventually("the container") {
                id = try await sb.containers().first ?? ""
                return !id.isEmpty
            }
            let foreground = #"awk '$2 == "(sleep)" && $5 == $8 { print "fg" }' /proc/[0-9]*/stat"#
            try await ChildProcess.eventually("sleep in the terminal's foreground") {
                try await sb.docker(["exec", id, "sh", "-c", foreground]).out == "fg\n"
            }
            run.write(toStdin: [0x03])
            run.write(toStdin: "echo rc=$?\r")
            try await ChildProcess.eventually("sleep's status after Ctrl+C") { run.stdout.text.contains("rc=130") }
            run.write(toStdin: "exit 5\r")
            let outcome = try await run.finish()
            #expect(outcome.code == 5)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("3: Ctrl-\\ on a terminal with -i and no -t: the container gets its QUIT and runs on, though docker's client dies of it")
    func quitFromTheTerminal() async throws {
        try await Sandbox.with { sb in
            // The whole foreground group gets the terminal's QUIT: dockrun and, reading the terminal (-i), its client.
            let script = "trap 'echo got QUIT' QUIT; trap 'echo stopping; exit 9' TERM; echo ready; while :; do sleep 0.1; done"
            let run = try sb.startDockrun(["--rm", "-i"] + sb.tag + [sb.image, "sh", "-c", script], newProcessGroup: true,
                                          terminal: true)
            try await run.waitForStdout("ready")
            run.signalGroup(SIGQUIT)
            try await run.waitForStdout("got QUIT")
            try await ChildProcess.eventually("dockrun to follow the container's output") {
                run.stdout.text.contains("following its output again")
            }
            run.signal(SIGTERM)
            let outcome = try await run.finish(timeout: 60)
            #expect(outcome.code == 9, "\(outcome)")
            #expect(outcome.out.contains("stopping"), "\(outcome)")
            #expect(try await sb.containers().isEmpty)
        }
    }
}
