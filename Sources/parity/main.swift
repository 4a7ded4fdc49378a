import Foundation
import ParityCLI

exit(ParityMain.run(Array(CommandLine.arguments.dropFirst())))
