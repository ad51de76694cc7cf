#!/usr/bin/env python3
"""The reference side of vazhi-train's parity tests: Hugging Face `transformers` on CPU `torch`.

    python3 vazhi-train/scripts/qwen3_reference.py fixture vazhi-train/tests/fixtures/tiny-qwen3
    python3 vazhi-train/scripts/qwen3_reference.py check DIR

`fixture` writes a tiny random Qwen3 checkpoint the way `save_pretrained` does (config.json,
model.safetensors with the Hugging Face tensor names), the same weights rounded to bf16 and f16
(bf16/, f16/), an untied-embedding variant (untied/), a small byte-level BPE tokenizer.json
trained on the Thirukkural (the tiny model cannot carry Qwen's 151,936-token vocabulary), and
reference.safetensors: fixed input ids and the logits transformers computes for each checkpoint,
in float32 with eager attention.

`check DIR` loads a checkpoint vazhi-train exported (a merged model) with
`AutoModelForCausalLM.from_pretrained`, runs it on DIR/expected-logits.safetensors' input ids and
compares with the logits burn computed; exit status 1 when they differ by more than 1e-4.

Weights are drawn wider than transformers' initialiser (std 0.02 would give logits near zero, and
a parity test at 1e-4 on near-zero logits would pass a broken model), and the RMSNorm weights are
perturbed away from 1 so a norm applied without its weight is caught.
"""

import argparse
import json
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

ROOT = Path(__file__).resolve().parents[2]
KURALS = ROOT / "rules" / "data" / "thirukkural.jsonl"
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
VOCAB = 1024
SEED = 1330


def tiny_config(tie: bool):
    from transformers import Qwen3Config

    return Qwen3Config(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=512,
        rms_norm_eps=1e-6,
        rope_theta=1_000_000.0,
        tie_word_embeddings=tie,
        bos_token_id=None,
        eos_token_id=2,
        pad_token_id=0,
        attn_implementation="eager",
        torch_dtype="float32",
    )


def randomise(model, seed: int):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.copy_(1.0 + 0.1 * torch.randn(param.shape, generator=generator))
            else:
                param.copy_(0.15 * torch.randn(param.shape, generator=generator))


def logits_of(model, input_ids):
    model.eval()
    with torch.no_grad():
        return model(input_ids=input_ids).logits.float().contiguous()


def train_tokenizer(out: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    texts = []
    for line in KURALS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            kural = json.loads(line)
            texts += [kural["tamil"], kural.get("meaning_varadarasanar", ""), kural.get("english", "")]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    assert tokenizer.get_vocab_size() == VOCAB, tokenizer.get_vocab_size()
    tokenizer.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(
        json.dumps({"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}, indent=2) + "\n"
    )


def fixture(out: Path):
    from transformers import Qwen3ForCausalLM

    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    model = Qwen3ForCausalLM(tiny_config(tie=True))
    randomise(model, SEED)
    model.save_pretrained(out, safe_serialization=True)

    generator = torch.Generator().manual_seed(SEED + 1)
    input_ids = torch.randint(0, VOCAB, (2, 24), generator=generator)
    tensors = {"input_ids": input_ids.to(torch.int64), "logits": logits_of(model, input_ids)}

    # The same weights stored in half precision: the reference is the f32 model holding the rounded values.
    for dtype, name in [(torch.bfloat16, "bf16"), (torch.float16, "f16")]:
        rounded = Qwen3ForCausalLM(tiny_config(tie=True))
        rounded.load_state_dict({k: v.to(dtype).float() for k, v in model.state_dict().items()})
        # Logits before the cast: `.to(dtype)` would also round the rotary `inv_freq` buffer.
        tensors[f"logits_{name}"] = logits_of(rounded, input_ids)
        rounded.to(dtype).save_pretrained(out / name, safe_serialization=True)

    untied = Qwen3ForCausalLM(tiny_config(tie=False))
    randomise(untied, SEED + 2)
    untied.save_pretrained(out / "untied", safe_serialization=True)
    tensors["logits_untied"] = logits_of(untied, input_ids)

    save_file(tensors, str(out / "reference.safetensors"))
    train_tokenizer(out)
    for path in sorted(out.rglob("generation_config.json")):
        path.unlink()
    spread = tensors["logits"].std().item()
    print(f"wrote {out}: logits std {spread:.3f}, shape {tuple(tensors['logits'].shape)}")


def check(directory: Path) -> int:
    from transformers import AutoModelForCausalLM

    expected = load_file(str(directory / "expected-logits.safetensors"))
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager")
    logits = logits_of(model, expected["input_ids"].to(torch.int64))
    diff = (logits - expected["logits"]).abs().max().item()
    print(f"max |transformers - burn| = {diff:.3e}")
    return 0 if diff <= 1e-4 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fixture").add_argument("out", type=Path)
    sub.add_parser("check").add_argument("dir", type=Path)
    args = parser.parse_args()
    if args.command == "fixture":
        fixture(args.out)
        return 0
    return check(args.dir)


if __name__ == "__main__":
    sys.exit(main())
