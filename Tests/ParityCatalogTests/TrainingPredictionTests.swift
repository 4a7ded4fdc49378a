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

    @Test func aStatedLayoutKeepsItselfAndWeighsWhatItLeavesOpen() throws {
        func predict(_ plan: String) throws -> ScenarioPrediction {
            let text = """
                id: open
                model: deepseek-v3
                system: { chip: h800, chips: 256, node: hgx-h800 }
                workload: { kind: training, sequence_length: 4096, global_batch: 1024, precision: fp8 }
                plan:
                  training: \(plan)
                """
            return try ScenarioFile.load(path: try BadInputTests.write(text), catalog: catalog).predict(
                catalog: catalog
            )
        }
        let open = try predict("{ tp: 1, pp: 16, dp: 16, ep: 16, schedule: dualpipe, zero: 1 }")
        let plan = try #require(open.training?.plan)
        // The stated layout holds; recomputation and the micro-batch are weighed, and a plan that fits wins.
        #expect(plan.tp == 1 && plan.pp == 16 && plan.dp == 16 && plan.ep == 16 && plan.schedule == .dualpipe)
        #expect(open.training?.fits == true)
        #expect(open.notes.contains { $0.hasPrefix("plan.training leaves micro_batch, recompute open: ") })
        #expect(!open.notes.contains { $0.hasPrefix("recompute not stated") })
        // Stated, the same policy is kept even when it does not fit, and the answer says so.
        let stated = try predict(
            "{ tp: 1, pp: 16, dp: 16, ep: 16, schedule: dualpipe, zero: 1, recompute: none, micro_batch: 1 }"
        )
        #expect(stated.training?.plan.recompute == Plan.Recompute.none)
        #expect(stated.training?.fits == false)
        #expect(stated.notes.contains { $0.contains("more than the chip holds") })
    }
}
