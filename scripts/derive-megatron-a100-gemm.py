#!/usr/bin/env python3
"""Derives the GEMM efficiency of pre-Megatron-Core Megatron-LM on A100 from one measured layer.

Evidence: Korthikanti et al. 2022 (arXiv:2205.05198), Table 4 - one transformer layer of the 22B
GPT (hidden 6,144, 64 heads, sequence 2,048, micro-batch 4, tensor parallelism 8) on A100, baseline
without recomputation: forward 7.7 ms, backward 11.9 ms.

The layer's time is split into what Parity models for the nvidia-ampere-megatron-lm stack, each term
from the catalog's sourced figures, and the GEMMs get what is left:

  forward  = GEMMs / (peak x e) + score traffic + element-wise traffic + 2 TP all-reduces
  backward = 2 x GEMMs / (peak x e) + score traffic + element-wise traffic
             (the paper notes the backward all-reduces overlap the weight-gradient GEMMs)

Attention in this Megatron-LM computes the whole score matrix and moves it through HBM: forward 13
bytes per score element (write scores; scale-mask-softmax reads and writes; dropout reads, writes
and stores a 1-byte mask; the second GEMM reads), backward 19 (the score gradient written; dropout
backward reads it and the mask, writes; softmax backward reads it and the output, writes; the two
GEMMs for dQ and dK read it; the dV GEMM reads the dropped probabilities). Without sequence
parallelism every tensor-parallel rank runs the norms, dropouts and residual adds on the whole hidden
state: 10 s b h bytes stored per layer, which the element-wise term reads and writes once forward
and twice backward, plus the split part (24 s b h / t).

Run: python3 scripts/derive-megatron-a100-gemm.py
"""

PEAK = 312e12  # A100 dense FP16/BF16, FLOP/s (catalog: a100-80gb)
HBM = 2.039e12  # A100 80GB, bytes/s (catalog)
ETA_MEM = 0.80  # nvidia-ampere memory_bandwidth_efficiency
LINK = 600e9 / 2 * 0.70  # NVLink 3, per direction, x nvidia-ampere scale_up_efficiency

h, a, s, b, t = 6144, 64, 2048, 4, 8
tokens = s * b

gemm_forward = 24 * h * h * tokens / t  # QKV, output, two MLP matrices
attention_forward = 4 * s * h * tokens / t  # QK^T and AV over the full square (masked, not skipped)
scores = b * (a / t) * s * s  # score elements per rank
score_forward = 13 * scores / (HBM * ETA_MEM)
score_backward = 19 * scores / (HBM * ETA_MEM)
stored = (10 + 24 / t) * s * b * h  # bytes of activations per layer per rank (Korthikanti eq. 2 part)
elementwise_forward = 2 * stored / (HBM * ETA_MEM)  # written and read
elementwise_backward = 2 * elementwise_forward
message = tokens * h * 2
all_reduce = 2 * (t - 1) / t * message / LINK

forward_ms, backward_ms = 7.7e-3, 11.9e-3
flops = gemm_forward + attention_forward
left_forward = forward_ms - score_forward - elementwise_forward - 2 * all_reduce
left_backward = backward_ms - score_backward - elementwise_backward
e_forward = flops / left_forward / PEAK
e_backward = 2 * flops / left_backward / PEAK

print(f"GEMM FLOPs per rank, forward: {flops / 1e12:.3f} TFLOP")
print(f"score traffic: forward {score_forward * 1e3:.2f} ms, backward {score_backward * 1e3:.2f} ms")
print(f"element-wise: forward {elementwise_forward * 1e3:.2f} ms, backward {elementwise_backward * 1e3:.2f} ms")
print(f"TP all-reduce: {all_reduce * 1e3:.2f} ms each, two exposed forward")
print(f"GEMM efficiency: forward {e_forward:.3f}, backward {e_backward:.3f}, "
      f"forward+backward {3 * flops / (left_forward + left_backward) / PEAK:.3f}")
