import FakeDocker
import Foundation

exit(FakeDockerCLI.main(CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
