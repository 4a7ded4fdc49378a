import Foundation
import ParityCatalog
import ParityCore
import ParityTestSupport
import Testing

/// Every class of bad input gets a `CatalogError` that names the file and key path.
struct BadInputTests {
    let catalog = Fixtures.catalog

    /// Writes `text` to a temporary file and returns its path.
    static func write(_ text: String, name: String = "scenario.yaml") throws -> String {
        let path = try Scratch.folder().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let valid = """
        id: ok
        model: deepseek-v3
        system: { chip: h800, chips: 16, node: hgx-h800 }
        workload: { kind: serving, input_tokens: 4000, output_tokens: 1000, tpot_slo_ms: 50 }
        plan:
          decode: { chips: 16, ep: 16, attention_dp: 16, batch_per_chip: 64 }
        """

    func error(loading text: String) throws -> CatalogError {
        let path = try Self.write(text)
        do {
            _ = try ScenarioFile.load(path: path, catalog: catalog)
        } catch {
            #expect(error.file == path)
            return error
        }
        Issue.record("no error for: \(text)")
        return CatalogError(file: nil, keyPath: "", message: "")
    }

    @Test func aValidScenarioLoads() throws {
        let file = try ScenarioFile.load(path: try Self.write(Self.valid), catalog: catalog)
        #expect(file.architecture.name == "deepseek-v3")
        #expect(file.chip.name == "h800")
        #expect(file.scenario.plan.decode?.ep == 16)
    }

    @Test(arguments: [
        (
            "workload: { kind: serving, input_tokens: 4000, output_tokens: 1000, tpot_slo_ms: 50 }",
            "workload: { kind: serving, input_tokens: 4000, output_tokens: 1000, tpot_slo_msec: 50 }",
            "workload.tpot_slo_msec"
        ),
        ("id: ok", "id: ok\ncolour: blue", "colour"),
        ("batch_per_chip: 64", "batch_per_chip: 64, batch: 3", "plan.decode.batch"),
    ])
    func unknownKeysAreErrors(original: String, replacement: String, keyPath: String) throws {
        let e = try error(loading: Self.valid.replacingOccurrences(of: original, with: replacement))
        #expect(e.keyPath == keyPath)
        #expect(e.message.contains("Unknown key"))
    }

    @Test func aTypoGetsASuggestion() throws {
        let e = try error(loading: Self.valid.replacingOccurrences(of: "tpot_slo_ms", with: "tpot_slo_msx"))
        #expect(e.fix?.contains("tpot_slo_ms") == true)
    }

    @Test(arguments: [
        ("chips: 16, node", "chips: sixteen, node", "system.chips"),
        ("tpot_slo_ms: 50", "tpot_slo_ms: [50]", "workload.tpot_slo_ms"),
        ("ep: 16", "ep: 1.5", "plan.decode.ep"),
        ("kind: serving", "kind: 3", "workload.kind"),
    ])
    func wrongTypesAreErrors(original: String, replacement: String, keyPath: String) throws {
        let e = try error(loading: Self.valid.replacingOccurrences(of: original, with: replacement))
        #expect(e.keyPath == keyPath)
    }

    @Test(arguments: [
        ("tpot_slo_ms: 50", "tpot_slo_ms: -50", "workload.tpot_slo_ms"),
        ("tpot_slo_ms: 50", "tpot_slo_ms: .inf", "workload.tpot_slo_ms"),
        ("tpot_slo_ms: 50", "tpot_slo_ms: .nan", "workload.tpot_slo_ms"),
        ("chips: 16, node", "chips: 0, node", "system.chips"),
        ("batch_per_chip: 64", "batch_per_chip: -1", "plan.decode.batch_per_chip"),
        ("output_tokens: 1000", "output_tokens: 1000, cached_input_fraction: 1.5", "workload.cached_input_fraction"),
    ])
    func negativeNonFiniteAndAbsurdNumbersAreErrors(original: String, replacement: String, keyPath: String) throws {
        let e = try error(loading: Self.valid.replacingOccurrences(of: original, with: replacement))
        #expect(e.keyPath == keyPath)
    }

    @Test func unknownModelsChipsAndSystemsAreErrors() throws {
        #expect(
            try error(loading: Self.valid.replacingOccurrences(of: "deepseek-v3", with: "deepseek-v9")).keyPath
                == "model"
        )
        #expect(
            try error(loading: Self.valid.replacingOccurrences(of: "chip: h800", with: "chip: h900")).keyPath
                == "system.chip"
        )
        #expect(
            try error(loading: Self.valid.replacingOccurrences(of: "node: hgx-h800", with: "node: hgx-h900")).keyPath
                == "system.node"
        )
    }

    @Test func missingFieldsAreErrors() throws {
        #expect(try error(loading: Self.valid.replacingOccurrences(of: "id: ok\n", with: "")).keyPath == "id")
        #expect(
            try error(loading: Self.valid.replacingOccurrences(of: "kind: serving, ", with: "")).keyPath
                == "workload.kind"
        )
        #expect(
            try error(loading: Self.valid.replacingOccurrences(of: "chip: h800, ", with: "")).keyPath == "system.chip"
        )
    }

    @Test func malformedYAMLIsAnErrorWithALine() throws {
        let e = try error(loading: "id: [unclosed\nmodel: x\n")
        #expect(e.message.contains("Malformed YAML"))
    }

    @Test func malformedJSONIsAnError() throws {
        let path = try Self.write("{\"model_type\": \"llama\", \"hidden_size\": 4096,,}", name: "config.json")
        #expect(throws: CatalogError.self) { try catalog.model(named: path) }
    }

    @Test func aConfigMissingAWidthNamesTheKey() throws {
        let path = try Self.write(
            "{\"model_type\": \"llama\", \"hidden_size\": 4096, \"num_hidden_layers\": 2, \"num_attention_heads\": 32, \"vocab_size\": 1000}",
            name: "config.json"
        )
        do {
            _ = try catalog.model(named: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.keyPath == "intermediate_size")
        }
    }

    @Test func anUnsupportedFamilySaysWhatIsMissing() throws {
        do {
            _ = try catalog.model(named: "kimi-k3")
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "model_type")
            #expect(error.message.contains("linear attention"))
        }
    }

    @Test func aChipFileWithoutUnitsIsAnError() throws {
        let text = """
            name: my-chip
            vendor: Example
            compute: { dense: { bf16: 100 } }
            memory: { capacity: 80 GB, bandwidth: 2 TB/s }
            """
        let path = try Self.write(text, name: "chip.yaml")
        do {
            _ = try catalog.chip(named: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "compute.dense.bf16")
        }
    }

    @Test func aChipFileWithAWrongUnitNamesTheAcceptedOnes() throws {
        let text = """
            name: my-chip
            vendor: Example
            compute: { dense: { bf16: 100 TFLOPS } }
            memory: { capacity: 80 GB, bandwidth: 2 TB/s }
            """
        let path = try Self.write(text, name: "chip.yaml")
        do {
            _ = try catalog.chip(named: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "compute.dense.bf16")
            #expect(error.fix?.contains("TFLOP/s") == true)
        }
    }

    @Test func aUserChipLoadsFromAFile() throws {
        let text = """
            name: my-chip
            vendor: Example
            confidence: low
            compute: { dense: { bf16: 100 TFLOP/s, fp8: 200 TFLOP/s } }
            memory: { capacity: 80 GiB, bandwidth: 2 TB/s }
            """
        let chip = try catalog.chip(named: try Self.write(text, name: "chip.yaml"))
        #expect(chip.memory.capacity == Bytes.gibi(80))
        #expect(chip.exportControl?.tpp == 1_600)
    }

    @Test func errorsPrintOnOneLine() {
        let e = CatalogError(file: "a.yaml", keyPath: "b.c", line: 3, message: "Bad\nthing.", fix: "Do this.")
        #expect(e.description == "a.yaml:3: b.c: Bad thing. Fix: Do this.")
    }

    /// Numbers past what any model or system has are located errors, not arithmetic traps or
    /// allocations of a trillion layers.
    @Test func valuesBeyondTheirRangeAreLocatedErrors() throws {
        let overflow = BadInputTests.valid.replacingOccurrences(
            of: "output_tokens: 1000",
            with: "output_tokens: 9223372036854775807"
        )
        let e = try error(loading: overflow)
        #expect(e.keyPath == "workload.output_tokens")
        #expect(e.message.contains("at most \(InputLimits.tokens)"))
        let chips = BadInputTests.valid.replacingOccurrences(of: "chips: 16, node", with: "chips: 1000000000, node")
        #expect(try error(loading: chips).keyPath == "system.chips")
        // A config with a trillion layers is refused at the key before anything is built.
        let config = try BadInputTests.write(
            #"{"model_type": "llama", "num_hidden_layers": 1e12, "hidden_size": 4096, "num_attention_heads": 32, "intermediate_size": 14336, "vocab_size": 128256}"#,
            name: "config.json"
        )
        #expect {
            _ = try catalog.model(named: config)
        } throws: { error in
            "\(error)".contains("num_hidden_layers") && "\(error)".contains("at most 10000")
        }
    }

    /// The largest system the limits allow still searches in bounded time: splits coarsen.
    @Test func aMillionChipSearchIsBounded() throws {
        let text = """
            id: huge
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 1048576, node: hgx-h100 }
            workload: { kind: serving, input_tokens: 1000, output_tokens: 1000 }
            """
        let file = try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog)
        let search = try file.servingSearch(catalog: catalog)
        let splits = Set(search.points.compactMap(\.decodeChips))
        #expect(splits.count <= ServingPlanSearch.maximumSplits)
        #expect(search.best != nil)
    }

    /// A few hundred bytes of YAML aliases that expand to a billion values are refused at the first
    /// bound, and a folder named as a file says so.
    @Test func anAliasBombAndAFolderAreRefusedPlainly() throws {
        var lines = [#"a: &a ["x","x","x","x","x","x","x","x","x","x"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]"
            )
            previous = name
        }
        let bomb = try BadInputTests.write(lines.joined(separator: "\n") + "\nid: bomb\n")
        #expect {
            _ = try ScenarioFile.load(path: bomb, catalog: catalog)
        } throws: { error in
            "\(error)".contains("more than \(Node.maximumValues) values")
        }
        let folder = URL(fileURLWithPath: try BadInputTests.write("x: 1")).deletingLastPathComponent().path
        #expect {
            _ = try ScenarioFile.load(path: folder, catalog: catalog)
        } throws: { error in
            "\(error)".contains("folder, not a file")
        }
    }
}
