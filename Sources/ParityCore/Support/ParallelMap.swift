import Dispatch
import Synchronization

extension Array where Element: Sendable {
    /// `map` spread over the machine's cores. The result is in the input's order, whatever order the
    /// work finishes in, so searches built on it stay deterministic. `progress`, when given, is
    /// called with the number of elements done so far (from worker threads, at most once per element).
    func parallelMap<T: Sendable>(
        progress: (@Sendable (Int) -> Void)? = nil,
        _ transform: @Sendable (Element) -> T
    ) -> [T] {
        guard count > 1 else { return map(transform) }
        let workers = Swift.min(count, 64)
        let slots = Mutex<[T?]>([T?](repeating: nil, count: count))
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var local: [(index: Int, value: T)] = []
            var index = worker
            while index < count {
                local.append((index, transform(self[index])))
                let finished = done.add(1, ordering: .relaxed).newValue
                progress?(finished)
                index += workers
            }
            slots.withLock { slots in
                for item in local { slots[item.index] = item.value }
            }
        }
        return slots.withLock { $0.compactMap { $0 } }
    }
}
