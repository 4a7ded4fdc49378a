import Foundation
import ParityCatalog
import ParityCore
import Testing

/// A seeded mutator over real scenarios: every mutated input ends in an answer or a clean error,
/// never a trap (which would end the test process), and within a bounded time.
struct FuzzTests {
    let catalog = Fixtures.catalog

    /// A small, fixed pseudo-random generator, so that a failure replays.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The seed corpus: the repository's examples and a spread of validation scenarios.
    static var corpus: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var paths = (try? ScenarioPaths.expand([root.appendingPathComponent("examples").path])) ?? []
        let validation = (try? ScenarioPaths.expand([root.appendingPathComponent("validation").path])) ?? []
        paths += stride(from: 0, to: validation.count, by: max(1, validation.count / 24)).map { validation[$0] }
        return paths
    }

    /// Values a careless or hostile file may hold.
    static let replacements = [
        "0", "-1", "1", "3", "1.0e+12", "9223372036854775807", "-9223372036854775808", "1e308", ".nan", ".inf",
        "null", "true", "\"x\"", "[]", "{}", "0.5", "65536", "1048577", "2.5",
    ]

    /// One mutation of a scenario's text: a number replaced, a line dropped or a line duplicated.
    static func mutate(_ text: String, _ rng: inout SplitMix) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        let index = Int(rng.next() % UInt64(lines.count))
        switch rng.next() % 4 {
        case 0, 1:
            // Replace the value after the first ": " on the line, when there is one.
            let line = lines[index]
            if let colon = line.range(of: ": ") {
                let value = replacements[Int(rng.next() % UInt64(replacements.count))]
                let rest = line[colon.upperBound...]
                let comment = rest.range(of: " #").map { String(rest[$0.lowerBound...]) } ?? ""
                lines[index] = String(line[..<colon.upperBound]) + value + comment
            }
        case 2: lines.remove(at: index)
        default: lines.insert(lines[index], at: index)
        }
        return lines.joined(separator: "\n")
    }

    @Test func mutatedScenariosEndInAnAnswerOrACleanError() throws {
        let corpus = Self.corpus
        #expect(corpus.count >= 10)
        // PARITY_FUZZ_SEED starts another stream, so that a long campaign can run as several processes.
        let seed = UInt64(ProcessInfo.processInfo.environment["PARITY_FUZZ_SEED"] ?? "") ?? 20_261_205
        var rng = SplitMix(state: seed)
        var answered = 0
        var refused = 0
        // CI runs 160 rounds; PARITY_FUZZ_ROUNDS runs a longer campaign (docs/input-limits.md records one).
        let rounds = Int(ProcessInfo.processInfo.environment["PARITY_FUZZ_ROUNDS"] ?? "") ?? 160
        for round in 0..<rounds {
            let source = corpus[round % corpus.count]
            var text = try String(contentsOfFile: source, encoding: .utf8)
            for _ in 0...(rng.next() % 3) { text = Self.mutate(text, &rng) }
            let path = try BadInputTests.write(text, name: "fuzz.yaml")
            defer {
                try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
            }
            let start = ContinuousClock.now
            do {
                let file = try ScenarioFile.load(path: path, catalog: catalog)
                _ = try file.predict(catalog: catalog, bands: false)
                answered += 1
            } catch {
                refused += 1
            }
            let elapsed = ContinuousClock.now - start
            // Generous for a debug build on two cores; a hang would take minutes.
            #expect(elapsed < .seconds(20), "round \(round) from \(source) took \(elapsed)")
        }
        // Mutations mostly leave a scenario predictable: the mutator is not only producing rubbish.
        #expect(answered > 20 && refused > 20, "answered \(answered), refused \(refused)")
    }
}
