"""The cost of `--lid-model`: writes a fastText model of GlotLID's shape (256 dimensions, 2,102
labels, char n-grams 2 to 5; random weights, which do not change the cost of a call) and a corpus
of 40,000 Latin-letter records labelled `tanglish`, then times fastText's own library on the same
texts when it is installed. Time the linter on them with:

    python3 bench/romanised/lid_speed.py /tmp/lidbench
    B=target/release/cargo-vazhi
    time $B vazhi lint --format jsonl --select mislabeled-language /tmp/lidbench/latin.jsonl
    time $B vazhi lint --format jsonl --select mislabeled-language --lid-model /tmp/lidbench/glotlike.bin /tmp/lidbench/latin.jsonl

Needs numpy; fasttext-wheel for the comparison.
"""

import json
import os
import random
import struct
import sys
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TRAIN = os.path.join(ROOT, "vazhi-lint", "tests", "data", "lid", "train.txt")
DIM, BUCKET, MINN, MAXN = 256, 50_000, 2, 5
LABELS = ["__label__tam_Latn", "__label__eng_Latn"] + [f"__label__x{i:04d}_Latn" for i in range(2_100)]


def write_model(path, words):
    rng = np.random.default_rng(1)
    out = bytearray(struct.pack("<ii", 793_712_314, 12))
    # dim ws epoch minCount neg wordNgrams loss(softmax) model(supervised) bucket minn maxn lrUpdateRate, t
    out += struct.pack("<12i", DIM, 5, 1, 1, 5, 1, 3, 3, BUCKET, MINN, MAXN, 100) + struct.pack("<d", 1e-4)
    out += struct.pack("<iiiqq", len(words) + len(LABELS), len(words), len(LABELS), 1_000_000, -1)
    for word in words:
        out += word.encode() + b"\0" + struct.pack("<qb", 10, 0)
    for index, label in enumerate(LABELS):
        out += label.encode() + b"\0" + struct.pack("<qb", 1_000 - index // 3, 1)
    for rows in (len(words) + BUCKET, len(LABELS)):
        out += b"\0" + struct.pack("<qq", rows, DIM)
        out += (rng.standard_normal(rows * DIM).astype("<f4") * 0.1).tobytes()
    with open(path, "wb") as file:
        file.write(out)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lidbench"
    os.makedirs(folder, exist_ok=True)
    lines = [line.split(" ", 1) for line in open(TRAIN, encoding="utf-8")]
    words = sorted({word for _, text in lines for word in text.split()})
    latin = [text.strip() for label, text in lines if label.endswith("Latn")]
    model = os.path.join(folder, "glotlike.bin")
    write_model(model, words)
    random.seed(1)
    texts = [f"{random.choice(latin)} {random.choice(latin)}" for _ in range(40_000)]
    with open(os.path.join(folder, "latin.jsonl"), "w", encoding="utf-8") as corpus:
        for text in texts:
            corpus.write(json.dumps({"instruction": "eppadi?", "output": text, "language": "tanglish"}) + "\n")
    print(f"wrote {model} and {folder}/latin.jsonl")
    try:
        import fasttext
    except ImportError:
        return
    loaded = fasttext.load_model(model)
    start = time.perf_counter()
    for text in texts[:10_000]:
        # What `predict` calls (its numpy conversion fails under numpy 2).
        loaded.f.predict(text + "\n", 1, 0.0, "strict")
    print(f"fastText: {(time.perf_counter() - start) / 10_000 * 1e6:.0f} µs per call, one thread")


if __name__ == "__main__":
    main()
