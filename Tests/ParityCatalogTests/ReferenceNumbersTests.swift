import ParityCatalog
import ParityCore
import Testing

/// Published figures (`reference-numbers.yaml`): where the source's figure is reproduced, Parity's
/// count equals the exact value behind it, so the published figure matches within its rounding.
struct ReferenceNumbersTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var slug: String
        var quantity: String
        var published: Double
        var value: @Sendable (ModelArchitecture) -> Double
        var testDescription: String { "\(slug) \(quantity)" }
    }

    static let total: @Sendable (ModelArchitecture) -> Double = { Double($0.parameters.total) }
    static let active: @Sendable (ModelArchitecture) -> Double = { Double($0.activeParameters) }
    static let activeWithoutEmbedding: @Sendable (ModelArchitecture) -> Double = {
        Double($0.activeParameters - $0.parameters.embedding)
    }
    static let nonEmbedding: @Sendable (ModelArchitecture) -> Double = {
        Double($0.parameters.total - $0.parameters.embedding - $0.parameters.head)
    }

    /// (published figure, its last digit's step): the count must round or truncate to the figure.
    static let cases: [(Case, Double)] = [
        (Case(slug: "deepseek-v3", quantity: "total 671B", published: 671e9, value: total), 1e9),
        (Case(slug: "deepseek-v3", quantity: "active 37B", published: 37e9, value: active), 1e9),
        (Case(slug: "deepseek-r1", quantity: "total 671B", published: 671e9, value: total), 1e9),
        (Case(slug: "kimi-k2-instruct", quantity: "active 32B", published: 32e9, value: active), 1e9),
        (Case(slug: "qwen3-235b-a22b", quantity: "total 235B", published: 235e9, value: total), 1e9),
        (Case(slug: "qwen3-235b-a22b", quantity: "active 22B", published: 22e9, value: active), 1e9),
        (Case(slug: "qwen3-235b-a22b", quantity: "non-embedding 234B", published: 234e9, value: nonEmbedding), 1e9),
        (Case(slug: "qwen3-30b-a3b", quantity: "total 30.5B", published: 30.5e9, value: total), 0.1e9),
        (Case(slug: "qwen3-30b-a3b", quantity: "active 3.3B", published: 3.3e9, value: active), 0.1e9),
        (Case(slug: "qwen3-32b", quantity: "total 32.8B", published: 32.8e9, value: total), 0.1e9),
        (Case(slug: "qwen3-8b", quantity: "total 8.2B", published: 8.2e9, value: total), 0.1e9),
        (Case(slug: "qwen3-next-80b-a3b", quantity: "total 80B", published: 80e9, value: total), 1e9),
        (Case(slug: "llama-3.1-8b", quantity: "total 8B", published: 8e9, value: total), 1e9),
        (Case(slug: "llama-3.1-70b", quantity: "total 70B", published: 70e9, value: total), 1e9),
        (Case(slug: "llama-3.1-405b", quantity: "total 405B", published: 405e9, value: total), 1e9),
        (Case(slug: "gpt-oss-120b", quantity: "total 116.83B", published: 116.83e9, value: total), 0.01e9),
        (
            Case(
                slug: "gpt-oss-120b",
                quantity: "active 5.13B (no embedding)",
                published: 5.13e9,
                value: activeWithoutEmbedding
            ), 0.01e9
        ),
        (Case(slug: "gpt-oss-20b", quantity: "total 20.91B", published: 20.91e9, value: total), 0.01e9),
        (
            Case(
                slug: "gpt-oss-20b",
                quantity: "active 3.61B (no embedding)",
                published: 3.61e9,
                value: activeWithoutEmbedding
            ), 0.01e9
        ),
        (Case(slug: "mixtral-8x22b-v0.1", quantity: "total 141B", published: 141e9, value: total), 1e9),
        (Case(slug: "mixtral-8x22b-v0.1", quantity: "active 39B", published: 39e9, value: active), 1e9),
        (
            Case(
                slug: "deepseek-v4-pro",
                quantity: "active 49B (no embedding)",
                published: 49e9,
                value: activeWithoutEmbedding
            ), 1e9
        ),
        (Case(slug: "deepseek-v4-flash", quantity: "total 284B", published: 284e9, value: total), 1e9),
        (
            Case(
                slug: "deepseek-v4-flash",
                quantity: "active 13B (no embedding)",
                published: 13e9,
                value: activeWithoutEmbedding
            ), 1e9
        ),
    ]

    @Test(arguments: cases)
    func countsRoundToThePublishedFigure(c: Case, step: Double) throws {
        let a = try Fixtures.architecture(slug: c.slug)
        let value = c.value(a)
        // Publishers round (Qwen 30.5B) or truncate (DeepSeek 37.55B -> "37B", Llama 405.85B -> "405B").
        let rounds = abs(value - c.published) <= step / 2
        let truncates = value >= c.published && value < c.published + step
        #expect(rounds || truncates, "\(value) neither rounds nor truncates to \(c.published)")
    }

    /// ISCA'25 Table 1: KV cache per token in BF16, "KB" = 1000 bytes.
    @Test(arguments: [("deepseek-v3", 70_272.0), ("qwen2.5-72b", 327_680.0), ("llama-3.1-405b", 516_096.0)])
    func kvCacheMatchesTheISCATable(slug: String, bytes: Double) throws {
        #expect(try Fixtures.architecture(slug: slug).kvCacheBytesPerToken().value == bytes)
    }

    /// Llama 3: 6 N D with N = 405.85B and D = 15.6T gives the stated 3.8e25 FLOPs.
    @Test func llama3BudgetIsSixND() throws {
        let a = try Fixtures.architecture(slug: "llama-3.1-405b")
        let budget = 6 * Double(a.parameters.total) * 15.6e12
        #expect(abs(budget - 3.8e25) <= 0.05e25)
    }
}
