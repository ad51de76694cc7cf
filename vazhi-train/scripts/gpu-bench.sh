#!/usr/bin/env bash
# The GPU figures in the README: a release `vazhi-train` built with `--features cuda`, run on one
# GPU. Checks parity on the CUDA backend, runs the tiny recipe end to end, then times training
# steps of a random Qwen3-0.6B-shaped model (batch 8 x 1024, every position and half of them
# labelled) while sampling GPU memory, and greedy generation with the KV cache. PARTS picks what
# runs (all of it by default), so the pieces fit a device session that allows ten minutes a call:
#
#     vazhi-train/scripts/gpu-bench.sh path/to/vazhi-train [LOG_DIR] [PARTS: parity,recipe,tiny,0.6b,generate]
set -uo pipefail
bin=$(realpath "${1:?the vazhi-train binary}")
logs=$(realpath -m "${2:-target/gpu-bench}")
parts=",${3:-parity,recipe,tiny,0.6b,generate},"
mkdir -p "$logs"
cd "$(dirname "$0")/../.."
# cubecl tunes each kernel per shape on first use; the default effort spent minutes of the 0.6B
# run compiling candidates. Minimal effort is what a short benchmark can afford.
export CUBECL_AUTOTUNE_LEVEL=${CUBECL_AUTOTUNE_LEVEL:-minimal}

# cubecl compiles kernels with NVRTC at run time: make the toolkit's or a wheel's copy findable.
nvrtc=$(ls /usr/local/cuda/lib64/libnvrtc.so* 2>/dev/null | head -1)
[ -n "$nvrtc" ] || nvrtc=$(find / -name 'libnvrtc.so*' -not -path '/proc/*' 2>/dev/null | head -1)
[ -n "$nvrtc" ] && export LD_LIBRARY_PATH="$(dirname "$nvrtc"):${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$logs/gpu.txt"

fixture=vazhi-train/tests/fixtures/tiny-qwen3
if [[ $parts == *,parity,* ]]; then
    for pair in ".:logits" "bf16:logits_bf16" "untied:logits_untied"; do
        dir=${pair%%:*}; name=${pair#*:}
        "$bin" --backend cuda parity --model "$fixture/$dir" --reference "$fixture/reference.safetensors" --name "$name" 2>&1 | tee -a "$logs/parity.txt"
    done
fi
if [[ $parts == *,recipe,* ]]; then
    timeout 180 "$bin" --backend cuda train vazhi-train/recipes/tiny-kural-qa.toml \
        --eval vazhi-train/recipes/kural-prompts.jsonl --max-new-tokens 32 2>&1 | tee "$logs/tiny-train.txt"
fi
if [[ $parts == *,tiny,* ]]; then
    "$bin" --backend cuda bench --shape tiny --batch 8 --seq 256 --steps 5 2>&1 | tee "$logs/bench-tiny.txt"
fi
if [[ $parts == *,0.6b,* ]]; then
    for labelled in 1.0 0.5; do
        nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$logs/memory-mib-$labelled.txt" &
        sampler=$!
        timeout 240 "$bin" --backend cuda bench --shape qwen3-0.6b --batch 8 --seq 1024 --steps 3 --labelled "$labelled" 2>&1 \
            | tee "$logs/bench-0.6b-$labelled.txt"
        kill $sampler
        echo "peak GPU memory: $(sort -n "$logs/memory-mib-$labelled.txt" | tail -1) MiB" | tee -a "$logs/bench-0.6b-$labelled.txt"
    done
fi
if [[ $parts == *,generate,* ]]; then
    timeout 120 "$bin" --backend cuda bench --shape tiny --seq 128 --generate 128 --steps 3 2>&1 | tee "$logs/generate-tiny.txt"
    timeout 240 "$bin" --backend cuda bench --shape qwen3-0.6b --seq 512 --generate 128 --steps 2 2>&1 | tee "$logs/generate-0.6b.txt"
fi
