public import ParityCore

/// What a chip-hour costs: the catalog's hourly rental prices where it has them; otherwise its
/// purchase price turned into the hourly rate that pays the chip back, a stated prior of low
/// confidence (docs/defaults.md).
public enum PriceAmortisation {
    /// The H100 rental rate below which an owner does not recoup an all-in build of about 50,000
    /// dollars per GPU (chip, server and network share) over its life, power and operations
    /// included: 1.65 dollars per GPU-hour (latent_space_gpu_bubble).
    public static let breakEvenRental = 1.65
    /// The H100 street price that break-even rate pays back: 25,000-31,000 dollars per GPU
    /// (yic_press_prices, hf_hardware_pages).
    public static let referencePrice = (low: 25_000.0, high: 31_000.0)
    public static let source = "latent_space_gpu_bubble"

    /// Dollars per chip-hour for a chip bought at `low`-`high` dollars, at the H100's ratio of
    /// break-even rental to price: the lowest price at the highest ratio's reciprocal and back.
    public static func hourly(purchaseLow low: Double, high: Double) -> (low: Double, high: Double) {
        (low * breakEvenRental / referencePrice.high, high * breakEvenRental / referencePrice.low)
    }
}

extension Chip {
    /// The range of dollars per chip-hour, and whether it was amortised from a purchase price;
    /// nil when the catalog has neither an hourly nor a purchase price.
    public var hourlyPriceRange: (low: Double, high: Double, amortised: Bool)? {
        let hourly = prices.filter { $0.kind == .hourly }
        if let low = hourly.map(\.low).min(), let high = hourly.map(\.high).max() {
            return (low, high, false)
        }
        let purchase = prices.filter { $0.kind == .purchase }
        guard let low = purchase.map(\.low).min(), let high = purchase.map(\.high).max() else { return nil }
        let range = PriceAmortisation.hourly(purchaseLow: low, high: high)
        return (range.low, range.high, true)
    }

    /// Mid-point of the chip's hourly rental prices, averaged over its price entries (or of the
    /// amortised purchase price when it has no rental price), in dollars per chip-hour.
    public var hourlyPriceMidpoint: Double? {
        let hourly = prices.filter { $0.kind == .hourly }
        guard !hourly.isEmpty else { return hourlyPriceRange.map { ($0.low + $0.high) / 2 } }
        return hourly.map { ($0.low + $0.high) / 2 }.reduce(0, +) / Double(hourly.count)
    }

    /// A sentence saying where the hourly cost comes from, for the notes.
    public var hourlyPriceBasis: String? {
        guard let range = hourlyPriceRange else { return nil }
        guard range.amortised else { return "\(name)'s hourly rental price range" }
        let dollars = { (x: Double) in formatNumber(x, decimals: 2) }
        return
            "\(name)'s purchase price amortised to \(dollars(range.low))-\(dollars(range.high)) dollars per chip-hour at the H100's ratio of break-even rental (1.65 dollars per hour, power and operations included) to street price (25,000-31,000 dollars; \(PriceAmortisation.source)), a stated prior of low confidence, since no rental price is in the catalog"
    }
}
