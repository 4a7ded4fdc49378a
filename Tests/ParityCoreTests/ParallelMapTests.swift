import Synchronization
import Testing

@testable import ParityCore

struct ParallelMapTests {
    @Test func keepsTheInputOrderAndReportsEveryElement() {
        let input = Array(0..<1_000)
        let calls = Atomic<Int>(0)
        let highest = Atomic<Int>(0)
        let output = input.parallelMap(
            progress: { done in
                calls.add(1, ordering: .relaxed)
                highest.max(done, ordering: .relaxed)
            },
            { x in
                // Uneven work, so that workers finish out of order.
                var y = x
                for _ in 0..<(x % 7) * 1_000 { y = (y &* 31) &+ 7 }
                return (x, y)
            }
        )
        #expect(output.map(\.0) == input)
        #expect(
            output.map(\.1)
                == input.map { x in
                    var y = x
                    for _ in 0..<(x % 7) * 1_000 { y = (y &* 31) &+ 7 }
                    return y
                }
        )
        #expect(calls.load(ordering: .relaxed) == input.count)
        #expect(highest.load(ordering: .relaxed) == input.count)
    }

    @Test func smallInputsWork() {
        #expect([Int]().parallelMap { $0 * 2 }.isEmpty)
        #expect([3].parallelMap { $0 * 2 } == [6])
    }
}
