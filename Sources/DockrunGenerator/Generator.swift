/// How the generator runs: the dockrun its units start, and whether it is the user generator.
public struct GeneratorSettings: Equatable, Sendable {
    public var dockrun: String
    public var isUser: Bool

    public init(dockrun: String, isUser: Bool) {
        self.dockrun = dockrun; self.isUser = isUser
    }
}

/// A `.container` file found on the search path, and its drop-ins (path and text), in the order they apply.
public struct SourceFile: Equatable, Sendable {
    public var directory: String
    public var name: String
    public var text: String
    public var dropIns: [(path: String, text: String)]

    public init(directory: String, name: String, text: String, dropIns: [(path: String, text: String)] = []) {
        self.directory = directory; self.name = name; self.text = text; self.dropIns = dropIns
    }

    public static func == (a: SourceFile, b: SourceFile) -> Bool {
        a.directory == b.directory && a.name == b.name && a.text == b.text
            && a.dropIns.map(\.path) == b.dropIns.map(\.path) && a.dropIns.map(\.text) == b.dropIns.map(\.text)
    }

    public var path: String { directory + "/" + name }
}

/// What one run of the generator makes of its source files: the units, and one error for each file that gave
/// none (the others are generated all the same).
public struct Generation: Equatable, Sendable {
    public var units: [ServiceUnit]
    public var errors: [GeneratorError]

    public static func make(_ sources: [SourceFile], settings: GeneratorSettings) -> Generation {
        var generation = Generation(units: [], errors: [])
        for source in sources {
            do {
                generation.units.append(try unit(source, settings: settings))
            } catch {
                generation.errors.append(error)
            }
        }
        return generation
    }

    static func unit(_ source: SourceFile, settings: GeneratorSettings) throws(GeneratorError) -> ServiceUnit {
        do throws(EntryError) {
            var file = try parse(source.text, dropIn: nil)
            for dropIn in source.dropIns {
                file = file.merging(try parse(dropIn.text, dropIn: dropIn.path), from: dropIn.path)
            }
            let base = String(source.name.dropLast(".container".count))
            let command = try ContainerCommand.make(file, directory: source.directory, isInstance: base.contains("@"))
            let name = (command.serviceName ?? base) + ".service"
            return try ServiceUnit.make(file, source: source.path, command: command, name: name, settings: settings)
        } catch {
            throw error.inFile(source.path)
        }
    }
}

private func parse(_ text: String, dropIn: String?) throws(EntryError) -> UnitFile {
    do { return try UnitFile.parse(text) } catch {
        throw EntryError(line: error.line, message: error.message, dropIn: dropIn)
    }
}

extension Generation {
    /// `--dryrun`'s output (as Quadlet's `-dryrun`): each unit headed by its name, its [Install] links after it.
    public var dryRunText: String {
        units.map { unit in
            "---\(unit.name)---\n" + unit.text + unit.links.map { "# link: \($0.path) -> \($0.target)\n" }.joined()
        }.joined(separator: "\n")
    }
}
