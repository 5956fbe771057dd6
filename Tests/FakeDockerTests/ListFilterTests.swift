import Testing
@testable import FakeDocker

private func summary(_ id: String, _ name: String, image: String = "img0", labels: String = "{}",
                     status: ContainerStatus = .running) -> ContainerSummary {
    ContainerSummary(id: id, name: name, imageID: image, imageRef: "busybox", command: "true", createdAt: 0, status: status,
                     exitCode: 0, startedAt: nil, finishedAt: nil, health: "", labelsJSON: labels, networkMode: "default",
                     shimPID: 0, shimStart: 0)
}

private func image(_ id: String, parent: String = "", tags: [String] = [], created: Double = 0,
                   labels: [String: String] = [:]) -> Image {
    var config = ImageConfig.empty
    config.labels = labels
    return Image(id: id, config: config, createdAt: created, parent: parent, comment: "", size: 0, repoTags: tags)
}

/// The rules `ps --filter` and `images --filter` apply (Commands/ListFilter.swift), each as observed on Engine 20.10.
@Suite("List filters")
struct ListFilterTests {
    /// Newest first, as the store lists them.
    let listing = [summary("c0", "c", labels: #"{"a":"1"}"#), summary("b0", "b", labels: #"{"a":"1","b":"2"}"#, status: .exited),
                   summary("a0", "a", image: "img1", labels: #"{"b":"2"}"#)]

    @Test("every label filter must hold; values of another key are alternatives")
    func labelsAnded() throws {
        let both = try ContainerFilter(["label=a", "label=b=2"], of: PsCommand.syntax)
        #expect(try both.select(listing, all: true).map(\.name) == ["b"])
        let either = try ContainerFilter(["name=^a$", "name=^c$"], of: PsCommand.syntax)
        #expect(try either.select(listing, all: true).map(\.name) == ["c", "a"])
    }

    @Test("since and before cut the newest-first listing at a name or full ID; a short ID is no such container")
    func sinceBefore() throws {
        #expect(try ContainerFilter(["since=a"], of: PsCommand.syntax).select(listing, all: true).map(\.name) == ["c", "b"])
        #expect(try ContainerFilter(["before=/c"], of: PsCommand.syntax).select(listing, all: false).map(\.name) == ["a"])
        #expect(throws: DockerError.self) { try ContainerFilter(["since=c"], of: PsCommand.syntax).select([], all: true) }
        #expect(throws: DockerError.self) { try ContainerFilter(["since=c"], of: PsCommand.syntax).select(listing.map {
            var prefixed = $0
            prefixed.id = "c" + prefixed.id
            prefixed.name = "x" + prefixed.name
            return prefixed
        }, all: true) }
    }

    @Test("ancestor matches what the caller resolved: an image and everything committed from it")
    func lineage() throws {
        let images = [image("img0"), image("img1", parent: "img0"), image("img2", parent: "img1"), image("other")]
        #expect(FilterTerms.lineage(of: ["img1"], in: images) == ["img1", "img2"])
        var filter = try ContainerFilter(["ancestor=busybox"], of: PsCommand.syntax)
        filter.ancestorIDs = FilterTerms.lineage(of: ["img0"], in: images)
        #expect(try filter.select(listing, all: true).map(\.name) == ["c", "b", "a"])
        filter.ancestorIDs = []
        #expect(try filter.select(listing, all: true).isEmpty)
    }

    @Test("an unknown key, a bad status or dangling value: Invalid filter; no '=': the usage error, 125")
    func refusals() {
        func refusal(_ raw: [String], images: Bool = false) -> (String, Int32)? {
            do {
                if images { _ = try ImageFilter(raw, of: ImagesCommand.syntax) } else { _ = try ContainerFilter(raw, of: PsCommand.syntax) }
            } catch {
                return (error.message.split(separator: "\n").first.map(String.init) ?? "", error.exitCode)
            }
            return nil
        }
        #expect(refusal(["NOSUCH=1"])! == ("Error response from daemon: Invalid filter 'nosuch'", 1))
        #expect(refusal(["status=up"])! == ("Error response from daemon: Invalid filter 'status=up'", 1))
        #expect(refusal(["dangling=1"], images: true)! == ("Error response from daemon: Invalid filter 'dangling=[1]'", 1))
        #expect(refusal(["dangling"], images: true)!.1 == 125)
    }

    @Test("images: dangling picks untagged or tagged, since/before compare creation, reference globs the repository")
    func images() throws {
        let untagged = image("u", created: 3), tagged = image("t", tags: ["dkt/x:1"], created: 2, labels: ["k": "v"])
        #expect(try ImageFilter(["dangling=true"], of: ImagesCommand.syntax).matches(untagged))
        #expect(try !ImageFilter(["dangling=false"], of: ImagesCommand.syntax).matches(untagged))
        #expect(try ImageFilter(["label=k=v"], of: ImagesCommand.syntax).matches(tagged))
        var since = try ImageFilter([], of: ImagesCommand.syntax)
        since.since = 2
        #expect(since.matches(untagged) && !since.matches(tagged))
        let reference = try ImageFilter(["reference=dkt/*"], of: ImagesCommand.syntax)
        #expect(reference.shows(tag: "dkt/x:1") && !reference.shows(tag: "<none>:<none>") && !reference.shows(tag: "dkt:1"))
    }
}

/// `--change` as moby's builder reads it (Commands/ImageCommands.swift, `DockerfileChange`).
@Suite("Dockerfile changes")
struct DockerfileChangeTests {
    @Test("LABEL and ENV: the old 'KEY name value' form takes the rest of the line, the new one name=value words")
    func nameValues() throws {
        #expect(try DockerfileChange.nameValues("k v w", keyword: "LABEL").map { [$0.0, $0.1] } == [["k", "v w"]])
        #expect(try DockerfileChange.nameValues(#""q r"="s t" u=v\ w"#, keyword: "LABEL").map { [$0.0, $0.1] }
                == [["q r", "s t"], ["u", "v w"]])
        #expect(throws: DockerError.self) { try DockerfileChange.nameValues("k", keyword: "LABEL") }
        #expect(throws: DockerError.self) { try DockerfileChange.nameValues("k=v w", keyword: "LABEL") }
    }

    @Test("EXPOSE: tcp by default, a range as each port, anything else Invalid containerPort")
    func ports() throws {
        #expect(try DockerfileChange.ports("80 90-91/udp") == ["80/tcp", "90/udp", "91/udp"])
        #expect(throws: DockerError.self) { try DockerfileChange.ports("abc") }
        #expect(throws: DockerError.self) { try DockerfileChange.ports("9-8") }
    }

    @Test("VOLUME and ONBUILD are kept in the configuration, ONBUILD as written")
    func kept() throws {
        var config = ImageConfig.empty
        try DockerfileChange.apply("VOLUME /b /a", to: &config)
        try DockerfileChange.apply(#"VOLUME ["/c"]"#, to: &config)
        try DockerfileChange.apply("onbuild run echo hi", to: &config)
        #expect(config.volumes == ["/a", "/b", "/c"])
        #expect(config.onBuild == ["run echo hi"])
        #expect(throws: DockerError.self) { try DockerfileChange.apply("ONBUILD onbuild x", to: &config) }
    }
}
