public import ArgumentParser
import Foundation
import ParityCatalog

/// The `parity` command: its subcommands, and the entry point that turns every error in user
/// input into one line on standard error and exit status 2.
public struct ParityCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Predict how large language models train and serve on AI accelerator systems.",
        discussion: """
            Parity answers from public specs and first principles: exact model accounting, a sourced \
            catalog of chips and systems, and scenarios that describe a workload.
            """,
        version: "0.1.0",
        subcommands: [
            Inspect.self, CatalogCommand.self, Run.self, Validate.self, Compare.self, Search.self, Merge.self,
            Serve.self,
        ]
    )

    public init() {}
}

/// Runs `parity` with `arguments` and returns the process exit status.
///
/// Output goes to `standardOutput`; errors go to `standardError` as one line. Exit status: 0 on
/// success, 2 on bad input (files, keys, values, names or command-line arguments), 1 when a
/// prediction cannot be made.
public enum ParityMain {
    public static func run(_ arguments: [String]) -> Int32 {
        run(arguments, standardOutput: { print($0, terminator: "") }, standardError: { writeToStandardError($0) })
    }

    static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    public static func run(
        _ arguments: [String],
        standardOutput: (String) -> Void,
        standardError: (String) -> Void
    ) -> Int32 {
        do {
            var command = try ParityCommand.parseAsRoot(arguments)
            if var renderable = command as? any RenderingCommand {
                standardOutput(try renderable.render())
                command = renderable
            } else {
                try command.run()
            }
            return 0
        } catch let error as CatalogError {
            standardError("error: \(error.description)\n")
            return 2
        } catch let error as UsageError {
            standardError("error: \(error.message)\n")
            return 2
        } catch let error as PredictionError {
            standardError("error: \(error.message)\n")
            return 1
        } catch {
            let code = ParityCommand.exitCode(for: error)
            let message = ParityCommand.fullMessage(for: error)
            if code == .success {
                standardOutput(message + "\n")
                return 0
            }
            standardError(
                message.split(separator: "\n").first.map {
                    "error: " + $0.replacingOccurrences(of: "Error: ", with: "") + "\n"
                } ?? "error\n"
            )
            return 2
        }
    }
}

/// A subcommand whose whole output is a string, so tests can run it without a process.
protocol RenderingCommand: ParsableCommand {
    mutating func render() throws -> String
}

extension RenderingCommand {
    public mutating func run() throws { print(try render(), terminator: "") }
}

/// Bad command-line input that ArgumentParser cannot see (a conflicting combination, a bad value).
struct UsageError: Error {
    var message: String
}

/// A prediction that cannot honestly be made, with the reason.
public struct PredictionError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
