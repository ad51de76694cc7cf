#!/usr/bin/env bash
# The GPU figures in the README: a release `vazhi-train` built with `--features cuda`, run on one
# GPU. Checks parity on the CUDA backend, runs the tiny recipe end to end, then times training
# steps of a random Qwen3-0.6B-shaped model (batch 8 x 1024) while sampling GPU memory.
#
#     vazhi-train/scripts/gpu-bench.sh path/to/vazhi-train [LOG_DIR]
set -uo pipefail
bin=$(realpath "${1:?the vazhi-train binary}")
logs=$(realpath -m "${2:-target/gpu-bench}")
mkdir -p "$logs"
cd "$(dirname "$0")/../.."

# cubecl compiles kernels with NVRTC at run time: make the toolkit's or a wheel's copy findable.
nvrtc=$(ls /usr/local/cuda/lib64/libnvrtc.so* 2>/dev/null | head -1)
[ -n "$nvrtc" ] || nvrtc=$(find / -name 'libnvrtc.so*' -not -path '/proc/*' 2>/dev/null | head -1)
[ -n "$nvrtc" ] && export LD_LIBRARY_PATH="$(dirname "$nvrtc"):${LD_LIBRARY_PATH:-}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$logs/gpu.txt"

fixture=vazhi-train/tests/fixtures/tiny-qwen3
for pair in ".:logits" "bf16:logits_bf16" "untied:logits_untied"; do
    dir=${pair%%:*}; name=${pair#*:}
    "$bin" --backend cuda parity --model "$fixture/$dir" --reference "$fixture/reference.safetensors" --name "$name" 2>&1 | tee -a "$logs/parity.txt"
done

timeout 180 "$bin" --backend cuda train vazhi-train/recipes/tiny-kural-qa.toml \
    --eval vazhi-train/recipes/kural-prompts.jsonl --max-new-tokens 32 2>&1 | tee "$logs/tiny-train.txt"
"$bin" --backend cuda bench --shape tiny --batch 8 --seq 256 --steps 5 2>&1 | tee "$logs/bench-tiny.txt"

nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$logs/memory-mib.txt" &
sampler=$!
timeout 300 "$bin" --backend cuda bench --shape qwen3-0.6b --batch 8 --seq 1024 --steps 4 2>&1 | tee "$logs/bench-0.6b.txt"
kill $sampler
echo "peak GPU memory: $(sort -n "$logs/memory-mib.txt" | tail -1) MiB" | tee -a "$logs/bench-0.6b.txt"
