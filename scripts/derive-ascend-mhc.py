#!/usr/bin/env python3
"""Derives the time of DeepSeek-V4's hyper-connection (mHC) kernels on Ascend A3 (910C).

Evidence: hicann/cann-recipes-infer @ fbc225d (2026-08), docs/models/deepseek_v4/deepseek_v4_mHC_guide.md,
the measured times (us) of CANN's fused HcPre and HcPost operators on A3 for hc = 4 streams of
d = 4,096 (DeepSeek-V4-Flash), in the decode template (a few to 128 tokens) and the prefill template
(4K to 64K tokens):

    HcPre  decode:  b*s = 16, 32, 64, 128      -> 32.8, 37, 44, 60
    HcPre  prefill: b*s = 4K, 16K, 64K         -> 1254.916, 4784.204, 18545.39
    HcPost:         b*s = 8, 16, 32, 64, 128   -> 5.09, 5.37, 6.99, 9.16, 13.85
    HcPost:         b*s = 4K, 16K, 64K         -> 319.86, 1264.68, 5044.53

Each operator is taken as a fixed part plus a time per token. The fixed parts come from the decode
rows (the intercept of a least-squares line); the per-token times from the prefill rows, where the
fixed part is negligible, so that they hold at any batch. A decoder layer runs HcPre and HcPost once
around attention and once around the MoE block, so its cost is twice each:

    layer = 2 (fixed_pre + fixed_post) + tokens x 2 (per_token_pre + per_token_post)

The per-token time scales with the residual width hc x d; Parity scales it to the model's.

Run: python3 scripts/derive-ascend-mhc.py
"""


def fit(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - slope * mx, slope


K = 1024
pre_decode = [(16, 32.8), (32, 37.0), (64, 44.0), (128, 60.0)]
pre_prefill = [(4 * K, 1254.916), (16 * K, 4784.204), (64 * K, 18545.39)]
post_decode = [(8, 5.09), (16, 5.37), (32, 6.99), (64, 9.16), (128, 13.85)]
post_prefill = [(4 * K, 319.86), (16 * K, 1264.68), (64 * K, 5044.53)]

pre_fixed, pre_decode_slope = fit(pre_decode)
post_fixed, post_decode_slope = fit(post_decode)
_, pre_slope = fit(pre_prefill)
_, post_slope = fit(post_prefill)
print(f"HcPre : fixed {pre_fixed:.1f} us; per token {pre_decode_slope:.3f} us (decode rows), {pre_slope:.3f} us (prefill rows)")
print(f"HcPost: fixed {post_fixed:.1f} us; per token {post_decode_slope:.3f} us (decode rows), {post_slope:.3f} us (prefill rows)")
layer_fixed = 2 * (pre_fixed + post_fixed)
layer_per_token = 2 * (pre_slope + post_slope)
print(f"per layer: {layer_fixed:.0f} us fixed + {layer_per_token:.2f} us per token (hc 4 x d 4096)")
for tokens in (16, 128, 4 * K):
    model = layer_fixed + layer_per_token * tokens
    measured = 2 * (dict(pre_decode + pre_prefill).get(tokens, float("nan")) + dict(post_decode + post_prefill).get(tokens, float("nan")))
    print(f"  {tokens:6d} tokens: model {model:9.1f} us, measured {measured:9.1f} us")
