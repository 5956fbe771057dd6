import Testing
@testable import Dockrun

private func receive(_ relay: inout NotifyRelay, _ text: String, at now: Int64 = 1_000_000) -> [NotifyRelay.Action] {
    let bytes = Array(text.utf8)
    return relay.received(bytes, length: bytes.count, atMicroseconds: now)
}

@Suite("--sdnotify=container: the container's notifications")
struct NotifyRelayTests {
    @Test("READY=1, STATUS=, WATCHDOG=, STOPPING=1, ERRNO= and EXTEND_TIMEOUT_USEC= are passed on as sent")
    func relayed() {
        var relay = NotifyRelay(mainPID: nil)
        #expect(receive(&relay, "READY=1\nSTATUS=Serving on :80") == [.send("READY=1\nSTATUS=Serving on :80")])
        #expect(receive(&relay, "WATCHDOG=1") == [.send("WATCHDOG=1")])
        #expect(receive(&relay, "WATCHDOG=trigger") == [.send("WATCHDOG=trigger")])
        #expect(receive(&relay, "STOPPING=1\nERRNO=5\n") == [.send("STOPPING=1\nERRNO=5")])
        #expect(receive(&relay, "EXTEND_TIMEOUT_USEC=20000000") == [.send("EXTEND_TIMEOUT_USEC=20000000")])
        #expect(receive(&relay, "STATUS=") == [.send("STATUS=")])
    }

    @Test("RELOADING=1 keeps the container's MONOTONIC_USEC=, or gets the moment dockrun read it")
    func reloading() {
        var relay = NotifyRelay(mainPID: nil)
        #expect(receive(&relay, "RELOADING=1\nMONOTONIC_USEC=123") == [.send("RELOADING=1\nMONOTONIC_USEC=123")])
        #expect(receive(&relay, "RELOADING=1", at: 5_000_000) == [.send("RELOADING=1\nMONOTONIC_USEC=5000000")])
    }

    @Test("the container's MAINPID=, FDSTORE=, BARRIER= and unknown fields are left out, said once; READY=1 carries dockrun's MAINPID")
    func leftOut() {
        var relay = NotifyRelay(mainPID: nil)
        let said = receive(&relay, "READY=1\nMAINPID=1")
        #expect(said.first == .send("READY=1"))
        #expect(said.count == 2)
        if case .say(let text)? = said.last {
            #expect(text.hasPrefix("the container's notification MAINPID= is not passed on to systemd"))
            #expect(text.hasSuffix("(said once)"))
        } else {
            Issue.record("no message: \(said)")
        }
        #expect(receive(&relay, "FDSTORE=1\nFDNAME=x") == [])
        #expect(receive(&relay, "BARRIER=1") == [])
        #expect(receive(&relay, "WATCHDOG_USEC=1000\nNOTIFYACCESS=all\nREADY=0\nERRNO=x\nplain text") == [])
        var ownPID = NotifyRelay(mainPID: 4242)
        #expect(receive(&ownPID, "MAINPID=1\nREADY=1").first == .send("READY=1\nMAINPID=4242"))
        #expect(receive(&ownPID, "STATUS=x") == [.send("STATUS=x")])
    }

    @Test("a datagram over 4096 bytes is dropped whole, said once")
    func tooLong() {
        var relay = NotifyRelay(mainPID: nil)
        let longest = "STATUS=" + String(repeating: "a", count: 4096 - 7)
        #expect(receive(&relay, longest) == [.send(longest)])
        let bytes = Array(("STATUS=" + String(repeating: "a", count: 4096)).utf8)
        let first = relay.received(Array(bytes.prefix(4097)), length: bytes.count, atMicroseconds: 2_000_000)
        #expect(first == [.say("a notification from the container longer than 4096 bytes was dropped (said once)")])
        #expect(relay.received(Array(bytes.prefix(4097)), length: bytes.count, atMicroseconds: 3_000_000) == [])
    }

    @Test("a datagram that is not UTF-8 text, or holds a NUL, is dropped whole, said once")
    func notText() {
        var relay = NotifyRelay(mainPID: nil)
        let invalid: [UInt8] = Array("READY=1\nSTATUS=".utf8) + [0xff, 0xfe]
        #expect(relay.received(invalid, length: invalid.count, atMicroseconds: 1)
            == [.say("a notification from the container that is not UTF-8 text was dropped (said once)")])
        let nul: [UInt8] = Array("READY=1".utf8) + [0] + Array("STATUS=x".utf8)
        #expect(relay.received(nul, length: nul.count, atMicroseconds: 2) == [])
        #expect(receive(&relay, "STATUS=Ünïcode ✓") == [.send("STATUS=Ünïcode ✓")])
    }

    @Test("a flood: a burst of 100 passes, then 100 a second; the excess is dropped, said once")
    func flood() {
        var relay = NotifyRelay(mainPID: nil)
        let start: Int64 = 10_000_000
        for _ in 0..<100 { #expect(receive(&relay, "STATUS=x", at: start) == [.send("STATUS=x")]) }
        let dropped = receive(&relay, "STATUS=x", at: start)
        #expect(dropped.count == 1)
        if case .say(let text)? = dropped.first { #expect(text.contains("more than 100 notifications")) }
        #expect(receive(&relay, "READY=1", at: start + 5_000) == [])
        // 10 ms later: one more is allowed, then none until the next 10 ms.
        #expect(receive(&relay, "STATUS=y", at: start + 10_000) == [.send("STATUS=y")])
        #expect(receive(&relay, "STATUS=z", at: start + 10_000) == [])
        // A quiet second fills the burst again: 100 pass at once, not more.
        let later = start + 2_000_000
        let passed = (0..<150).filter { _ in receive(&relay, "STATUS=w", at: later) == [.send("STATUS=w")] }.count
        #expect(passed == 100)
    }

    @Test("the container gets the relay's directory bound at /run/dockrun-notify, NOTIFY_SOCKET, and WATCHDOG_USEC when set")
    func dockerOptions() {
        #expect(NotifyRelay.dockerOptions(hostDirectory: "/tmp/dockrun-0123/notify", watchdogMicroseconds: nil)
            == ["-v", "/tmp/dockrun-0123/notify:/run/dockrun-notify", "-e", "NOTIFY_SOCKET=/run/dockrun-notify/notify.sock"])
        #expect(NotifyRelay.dockerOptions(hostDirectory: "/d", watchdogMicroseconds: 3_000_000).suffix(2)
            == ["-e", "WATCHDOG_USEC=3000000"])
        #expect(NotifyRelay.hostSocket(inPrivateDirectory: "/tmp/dockrun-0123") == "/tmp/dockrun-0123/notify/notify.sock")
        let request = RunRequest()
        #expect(DockerCommand.run(request, cidfile: "/c", ownOptions: ["-e", "A=1"]).arguments
            == ["run", "--cidfile", "/c", "-e", "A=1", "--sig-proxy=false"])
    }

    @Test("--sdnotify=container is read")
    func parsed() throws {
        guard case .run(let request) = try Invocation.parse(["--sdnotify", "container", "img"]) else {
            Issue.record("not a run"); return
        }
        #expect(request.notify == .container)
    }
}
