import Dockrun

dockrunMain(Array(CommandLine.arguments.dropFirst()))
