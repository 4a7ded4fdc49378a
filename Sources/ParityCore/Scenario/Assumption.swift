/// A value Parity filled in because the scenario did not state it: the value used, the range the
/// field's published figures span, and where they come from.
public struct Assumption: Sendable, Hashable {
    /// The scenario key it stands for, e.g. `workload.speculative.acceptance`.
    public var key: String
    public var value: Double
    public var low: Double?
    public var high: Double?
    public var source: String

    public init(key: String, value: Double, low: Double? = nil, high: Double? = nil, source: String) {
        self.key = key
        self.value = value
        self.low = low
        self.high = high
        self.source = source
    }
}
