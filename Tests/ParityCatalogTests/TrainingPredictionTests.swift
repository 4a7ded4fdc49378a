import Foundation
import ParityCatalog
import ParityCore
import Testing

/// Training predictions that fill a stated plan's gaps.
struct TrainingPredictionTests {
    let catalog = Fixtures.catalog

    @Test func anInterleavedScheduleWithoutVirtualStagesTakesTheSearchsCount() throws {
        let text = """
            id: interleaved
            model: llama-3.1-8b
            system: { chip: h100-sxm, chips: 32, node: hgx-h100 }
            workload: { kind: training, sequence_length: 4096, global_batch: 256, precision: bf16 }
            plan:
              training: { tp: 1, pp: 4, dp: 8, schedule: interleaved, recompute: full }
            """
        let prediction = try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog)
            .predict(catalog: catalog)
        let plan = try #require(prediction.training?.plan)
        #expect(plan.schedule == .interleaved)
        #expect(plan.vpp >= 2)
        #expect(prediction.notes.contains { $0.contains("vpp not stated") })
    }
}
