@testable import FakeDocker
import Testing

@Suite("attach's detach keys and the log drivers' option values, as values")
struct AttachInputAndLogValuesTests {
    @Test("detach keys read as moby/term's ToBytes: characters, ctrl-X, DEL; anything else refused")
    func detachKeysParse() {
        #expect(DetachKeys("ctrl-p,ctrl-q")?.keys == [0x10, 0x11])
        #expect(DetachKeys("ctrl-a,x")?.keys == [0x01, 0x78])
        #expect(DetachKeys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,DEL")?.keys == [0, 27, 28, 29, 30, 31, 127])
        #expect(DetachKeys("ctrl-1") == nil)
        #expect(DetachKeys("ab") == nil)
        #expect(DetachKeys("") == nil)
    }

    @Test("a completed sequence detaches and drops what follows; a broken one passes its bytes on with the breaker")
    func detachKeysFeed() {
        var keys = DetachKeys("ctrl-p,ctrl-q")!
        #expect(keys.feed(Array("ls\r".utf8)) == (Array("ls\r".utf8), false))
        #expect(keys.feed([0x10]) == ([], false))
        #expect(keys.feed([0x41]) == ([0x10, 0x41], false))
        #expect(keys.feed([0x10, 0x10, 0x11]) == ([0x10, 0x10, 0x11], false))
        #expect(keys.feed([0x61, 0x10, 0x11, 0x62]) == ([0x61], true))
        #expect(keys.feed([0x10]) == ([], false))
        #expect(keys.feed([0x11]) == ([], true))
    }

    @Test("json-file's option values as its New reads them: size, count, compress, in that order, in its words")
    func jsonFileValues() {
        func refusal(_ options: [String]) -> String? { LogConfig(driver: nil, options: options).startRefusal }
        #expect(refusal(["max-size=foo", "max-file=0"]) == "invalid size: 'foo'")
        #expect(refusal(["max-size=-1"]) == "invalid size: '-1'")
        #expect(refusal(["max-size=0"]) == "max-size must be a positive number")
        #expect(refusal(["max-size=1.2.3"]) == "strconv.ParseFloat: parsing \"1.2.3\": invalid syntax")
        #expect(refusal(["max-file=0", "compress=yes"]) == "max-file cannot be less than 1")
        #expect(refusal(["max-file=x"]) == "strconv.Atoi: parsing \"x\": invalid syntax")
        #expect(refusal(["max-file=99999999999999999999"])
                == "strconv.Atoi: parsing \"99999999999999999999\": value out of range")
        #expect(refusal(["compress=yes"]) == "strconv.ParseBool: parsing \"yes\": invalid syntax")
        #expect(refusal(["compress=true"]) == "compress cannot be true when max-file is less than 2 or max-size is not set")
        #expect(refusal(["max-size=10", "max-file=2", "compress=true"]) == nil)
        #expect(refusal(["max-file=2"]) == nil)
        #expect(refusal(["max-size=1.5k"]) == nil)
        #expect(refusal(["max-size=1KiB"]) == nil)
        #expect(refusal(["max-size=1 kb"]) == nil)
        #expect(LogConfig.humanSize("1.5k") == .success(1500))
        #expect(LogConfig.humanSize("2MiB") == .success(2_000_000))
    }

    @Test("local's option values as its New reads them, its defaults (5 files, compressed) counted")
    func localValues() {
        func refusal(_ options: [String]) -> String? { LogConfig(driver: "local", options: options).startRefusal }
        #expect(refusal(["max-size=foo"]) == "invalid value for max-size: foo: invalid size: 'foo'")
        #expect(refusal(["max-size=0"]) == nil)
        #expect(refusal(["max-file=x"]) == "invalid value for max-file: x: strconv.Atoi: parsing \"x\": invalid syntax")
        #expect(refusal(["max-file=0"]) == "compression cannot be enabled when max file count is 1")
        #expect(refusal(["max-file=-1"]) == "max file count cannot be less than 0")
        #expect(refusal(["max-file=1", "compress=false"]) == nil)
        #expect(refusal(["compress=yes"]) == "error reading compress log option: strconv.ParseBool: parsing \"yes\": invalid syntax")
        #expect(refusal(["compress=true", "max-file=2"]) == nil)
        #expect(LogConfig(driver: "none", options: []).startRefusal == nil)
    }
}
