import Dockrun
import Glibc

exit(dockrun(Array(CommandLine.arguments.dropFirst())))
