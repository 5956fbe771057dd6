import DockrunGenerator

#if canImport(Glibc)
import Glibc
#endif

exit(dockrunGeneratorMain(Array(CommandLine.arguments.dropFirst()), program: CommandLine.arguments[0]))
