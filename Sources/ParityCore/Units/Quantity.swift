/// A physical quantity stored in SI base units, as a `Double`.
///
/// Each unit is its own type, so a number of bytes can never be added to a number of seconds:
/// mixing units is a compile error. Prefixes appear only in the static constructors
/// (`Bytes.giga(80)`) and in formatting.
public protocol Quantity: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The value in the SI base unit of the quantity.
    var value: Double { get }
    /// Creates a quantity from a value in the SI base unit.
    init(_ value: Double)
    /// The symbol of the base unit, used in descriptions.
    static var symbol: String { get }
}

extension Quantity {
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.value + rhs.value) }
    public static func - (lhs: Self, rhs: Self) -> Self { Self(lhs.value - rhs.value) }
    public static func * (lhs: Self, rhs: Double) -> Self { Self(lhs.value * rhs) }
    public static func * (lhs: Double, rhs: Self) -> Self { Self(lhs * rhs.value) }
    public static func / (lhs: Self, rhs: Double) -> Self { Self(lhs.value / rhs) }
    /// The ratio of two quantities of the same unit.
    public static func / (lhs: Self, rhs: Self) -> Double { lhs.value / rhs.value }
    public static var zero: Self { Self(0) }

    public static func kilo(_ v: Double) -> Self { Self(v * 1e3) }
    public static func mega(_ v: Double) -> Self { Self(v * 1e6) }
    public static func giga(_ v: Double) -> Self { Self(v * 1e9) }
    public static func tera(_ v: Double) -> Self { Self(v * 1e12) }
    public static func peta(_ v: Double) -> Self { Self(v * 1e15) }

    public var description: String { "\(value) \(Self.symbol)" }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(Double.self))
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// An amount of memory or data, in bytes.
public struct Bytes: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "B"
    public static func kibi(_ v: Double) -> Self { Self(v * 1_024) }
    public static func mebi(_ v: Double) -> Self { Self(v * 1_048_576) }
    public static func gibi(_ v: Double) -> Self { Self(v * 1_073_741_824) }
    public static func tebi(_ v: Double) -> Self { Self(v * 1_099_511_627_776) }
}

/// An amount of arithmetic work, in floating-point (or integer) operations.
public struct FLOPs: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "FLOP"
}

/// A duration, in seconds.
public struct Seconds: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "s"
    public static func milli(_ v: Double) -> Self { Self(v * 1e-3) }
    public static func micro(_ v: Double) -> Self { Self(v * 1e-6) }
    public static func nano(_ v: Double) -> Self { Self(v * 1e-9) }
}

/// A data rate, in bytes per second.
public struct BytesPerSecond: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "B/s"
}

/// A compute rate, in operations per second.
public struct FLOPsPerSecond: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "FLOP/s"
}

/// A power, in watts.
public struct Watts: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "W"
}

/// An area of silicon, in square millimetres (the unit export rules use).
public struct SquareMillimetres: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "mm2"
}

/// An amount of money, in US dollars.
public struct Dollars: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "USD"
}

/// A price per chip-hour, in US dollars per hour.
public struct DollarsPerHour: Quantity {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public static let symbol = "USD/h"
}

/// Time to do `work` at `rate`.
public func / (work: FLOPs, rate: FLOPsPerSecond) -> Seconds { Seconds(work.value / rate.value) }
/// Time to move `data` at `rate`.
public func / (data: Bytes, rate: BytesPerSecond) -> Seconds { Seconds(data.value / rate.value) }
