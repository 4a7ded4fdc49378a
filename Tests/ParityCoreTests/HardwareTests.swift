import ParityCore
import Testing

struct HardwareTests {
    static func chip(bf16: Double, fp8: Double? = nil, area: Double? = nil, link: Double? = nil, memory: Double = 1e12)
        -> Chip
    {
        var dense: [ComputePrecision: FLOPsPerSecond] = [.bf16: .tera(bf16)]
        if let fp8 { dense[.fp8] = .tera(fp8) }
        let provenance = Provenance(sources: [], confidence: .low)
        return Chip(
            name: "x",
            vendor: "x",
            fullName: "x",
            confidence: .low,
            dieArea: area.map(SquareMillimetres.init),
            compute: .init(dense: dense, provenance: provenance),
            memory: .init(type: nil, capacity: .giga(80), bandwidth: BytesPerSecond(memory), provenance: provenance),
            scaleUp: link.map {
                .init(name: nil, bidirectionalBandwidth: .giga($0), maxDomain: 8, provenance: provenance)
            }
        )
    }

    @Test func tppIsTheLargestRateTimesBitLength() throws {
        let standing = try #require(Self.chip(bf16: 100, fp8: 250).exportControl)
        #expect(standing.tpp == 2_000)
        #expect(standing.tppPrecision == .fp8)
    }

    @Test(arguments: [(299.0, "not 3A090"), (300.0, "3A090.a.1")])
    func theOctober2023LineIsAt4800(bf16: Double, verdict: String) throws {
        let standing = try #require(Self.chip(bf16: bf16, area: 10_000).exportControl)
        #expect(standing.rules.first { $0.id == "oct2023_3a090" }?.verdict == verdict)
    }

    @Test func densityDecidesBelowTheTPPLine() throws {
        // TPP 3,200: a.2 when PD >= 5.92, b when 1.6 <= PD < 5.92.
        let dense = try #require(Self.chip(bf16: 200, area: 500).exportControl)
        #expect(dense.rules.first { $0.id == "oct2023_3a090" }?.verdict == "3A090.a.2")
        let sparse = try #require(Self.chip(bf16: 200, area: 1_000).exportControl)
        #expect(sparse.rules.first { $0.id == "oct2023_3a090" }?.verdict == "3A090.b (if datacenter)")
        let unknown = try #require(Self.chip(bf16: 200).exportControl)
        #expect(unknown.rules.first { $0.id == "oct2023_3a090" }?.applies == nil)
    }

    @Test func quantitiesKeepTheirUnits() {
        let time: Seconds = FLOPs(1e15) / FLOPsPerSecond.tera(500)
        #expect(time == Seconds(2))
        #expect(Bytes.gibi(1).value == 1_073_741_824)
        #expect(Bytes.giga(80) / Bytes.giga(40) == 2)
    }

    @Test(arguments: [(1_234_567.891, 2, "1,234,567.89"), (0.5, 0, "1"), (-2_500, 0, "-2,500"), (999, 1, "999.0")])
    func numbersFormatWithSeparators(value: Double, decimals: Int, text: String) {
        #expect(formatNumber(value, decimals: decimals) == text)
    }
}
