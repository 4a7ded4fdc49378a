/// A number format in which a chip quotes a peak rate (the keys of a chip's `compute.dense`).
public enum ComputePrecision: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case fp64
    case fp64Tensor = "fp64_tensor"
    case fp32, tf32, bf16, fp16, fp8, fp6, int8, fp4, int4

    /// The operand bit length export rules multiply by (TF32 counts as 32).
    public var bitLength: Int {
        switch self {
        case .fp64, .fp64Tensor: 64
        case .fp32, .tf32: 32
        case .bf16, .fp16: 16
        case .fp8, .int8: 8
        case .fp6: 6
        case .fp4, .int4: 4
        }
    }

    /// Whether the format is an integer one (its rate is quoted in TOP/s).
    public var isInteger: Bool { self == .int8 || self == .int4 }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// A precision of weights or GEMMs in a workload (SCHEMA.md `precision`, `weights_precision`).
///
/// `w4a8` is 4-bit weights with INT8 activations; `mxfp4a8` (Parity's extension) is MXFP4 weights
/// with FP8 activations, as kernels that dequantise FP4 weights into FP8 GEMMs run them on chips
/// without FP4 tensor cores (Humming's MXFP4AFP8 on H20).
public enum Precision: String, Hashable, Sendable, Codable, CaseIterable {
    case fp32, tf32, bf16, fp16, fp8, mxfp8, hif8, int8, fp4, nvfp4, mxfp4, int4, w4a8, mxfp4a8

    /// The chip peak this precision's GEMMs run at.
    public var computePrecision: ComputePrecision {
        switch self {
        case .fp32: .fp32
        case .tf32: .tf32
        case .bf16: .bf16
        case .fp16: .fp16
        case .fp8, .mxfp8, .hif8, .mxfp4a8: .fp8
        case .int8, .w4a8: .int8
        case .fp4, .nvfp4, .mxfp4: .fp4
        case .int4: .int4
        }
    }

    /// Bytes per stored weight element, scales of block formats included (NVFP4: one FP8 scale
    /// per 16 values; MXFP4 and MXFP8: one 8-bit scale per 32).
    public var bytesPerElement: Double {
        switch self {
        case .fp32, .tf32: 4
        case .bf16, .fp16: 2
        case .fp8, .hif8, .int8: 1
        case .mxfp8: 1 + 1.0 / 32
        case .fp4, .int4, .w4a8: 0.5
        case .nvfp4: 0.5 + 1.0 / 16
        case .mxfp4, .mxfp4a8: 0.5 + 1.0 / 32
        }
    }
}
