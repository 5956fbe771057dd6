// swift-tools-version:6.0
import PackageDescription

// No third-party packages: the hot paths (spawning, signals, polling) are thin Glibc/C calls, and
// staying off Foundation in dockrun keeps its resident size and start-up small.
let package = Package(
    name: "dockrun",
    products: [
        .executable(name: "dockrun", targets: ["dockrun"]),
        .executable(name: "fake-docker", targets: ["fake-docker"]),
        .executable(name: "dockrun-generator", targets: ["dockrun-generator"]),
        .library(name: "Dockrun", targets: ["Dockrun"]),
        .library(name: "FakeDocker", targets: ["FakeDocker"]),
    ],
    targets: [
        // System libsqlite3 (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The syscall seam: fork/exec with process groups, pty, pidfd, signalfd, inotify.
        .target(name: "CProcess"),
        // The Swift side of that seam both programs (and the tests) share: spawn options as a value and
        // one spawn function, how a child ended (128+N in one place), shell quoting for traces and logs.
        .target(name: "ProcessSpawn", dependencies: ["CProcess"]),
        // What dockrun and fake-docker both know about the docker CLI: the `docker run` option table,
        // image-reference grammar, signal names.
        .target(name: "DockerSyntax"),
        .target(name: "Dockrun", dependencies: ["CProcess", "ProcessSpawn", "DockerSyntax"]),
        .executableTarget(name: "dockrun", dependencies: ["Dockrun"]),
        .target(name: "FakeDocker", dependencies: ["CSQLite", "CProcess", "ProcessSpawn", "DockerSyntax"]),
        // A static executable in release: fake-docker starts three times per `run` (client, create request, shim),
        // and without the dynamic loader (libstdc++'s, libsqlite3's and libc's symbols looked up at each start) a
        // start takes about 1 ms of CPU instead of 2.4–3.2 (docs/benchmarks.md, issue 17). Debug builds, which the
        // tests use, stay dynamic; the static one is checked by pointing the tests at it (DOCKRUN_TEST_PRODUCTS).
        .executableTarget(name: "fake-docker", dependencies: ["FakeDocker"],
                          linkerSettings: [.unsafeFlags(["-static-executable"], .when(configuration: .release))]),
        // The systemd generator: Quadlet-style .container files become dockrun units (docs/quadlet.md).
        .target(name: "DockrunGenerator"),
        .executableTarget(name: "dockrun-generator", dependencies: ["DockrunGenerator"]),
        .testTarget(name: "DockrunGeneratorTests", dependencies: ["DockrunGenerator", "DockerSyntax"]),
        .testTarget(name: "ProcessSpawnTests", dependencies: ["ProcessSpawn"]),
        .testTarget(name: "DockrunTests", dependencies: ["Dockrun", "ProcessSpawn", "DockerSyntax"]),
        // What the test targets share: the process harness, the test image, fake-docker's call log.
        .target(name: "TestSupport", dependencies: ["CProcess", "ProcessSpawn"], path: "Tests/TestSupport"),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
        // The fixtures are state files the tests copy by path (#filePath), not bundle resources.
        .testTarget(name: "FakeDockerTests", dependencies: ["FakeDocker", "DockerSyntax", "fake-docker", "TestSupport"],
                    exclude: ["Fixtures"]),
        // Black-box: drives the built executables only; depending on them makes `swift test` build them.
        // Its fixtures are scenario files that `fake-docker scenario replay` reads by path.
        .testTarget(name: "Conformance", dependencies: ["dockrun", "fake-docker", "TestSupport", "ProcessSpawn"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
