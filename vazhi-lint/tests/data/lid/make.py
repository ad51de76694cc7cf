"""Builds the tiny fastText language-ID models and golden predictions that
vazhi-lint/src/script/fasttext.rs is tested against.

Run from the repository root, with the real fastText (fasttext-wheel 0.9.2, the
C++ fastText 0.9.2 behind the `fasttext` Python module):

    python -m venv /tmp/ftvenv && /tmp/ftvenv/bin/pip install fasttext-wheel==0.9.2
    /tmp/ftvenv/bin/python vazhi-lint/tests/data/lid/make.py

Training uses one thread and a fixed seed, so a rerun writes the same models
(and golden.json) on the same platform. What it writes, next to this file:

    train.txt      the training text (written here from the repository's data)
    softmax.bin    loss softmax, wordNgrams 2, char n-grams 2..4
    hs.bin         loss hs (hierarchical softmax), char n-grams 2..4, trained harder
    ova.bin        loss one-vs-all, char n-grams 1..4
    nosub.bin      loss softmax, maxn 0: no char n-grams, word ids only
    quantized.ftz  softmax.bin quantized with model.quantize(): must be refused
    golden.json    model.predict(text, k) of the real library for each probe
"""

import json
import os
import sys
import tempfile

import fasttext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))

# Romanised Tamil as people type it in chat, written for these tests.
ROMANISED = """\
enna panra machan inniki
naan veetla irukken nee enga irukka
saapittiya illa innum saapdala
romba nalla irundhuchu antha padam
naalaiku office ku leave venum
amma samayal romba super ah irukku
enakku theriyala nee sollu
avanga ellarum kovil ku poyittanga
intha paatu kekkum pothu manasu nalla irukku
thambi school ku late ah poitaan
unga phone number kudunga
mazhai varum nu nenaikiren
naan unna romba miss panren
ethukku ippadi pesura
kadaikku poi paal vaangitu vaa
inniki vela romba jaasthi
avan sonnathu ellam poi
nee eppo varuva nu sollu
sari naan apram pesuren
enga ooru la thiruvizha nadakkuthu
padam paakka polama
ava romba azhaga paadura
appa kitta kelu avaru solluvaru
naan ippo bus la irukken
ungalukku enna venum sollunga
intha vaaram muzhukka mazhai
kavalai padatha ellam sari aagidum
nethu raathiri thookame varala
avanga veedu pakkathula thaan irukku
ennoda friend ku birthday inniki
konjam wait pannu naan vanthudren
thanni kudichiya illaya
intha kathai romba nalla irukku
paiyan nalla padikkiraan
enakku pasikuthu saapadu podu
nee sonna maathiri senjitten
avaru ippo ooru la illa
vandi la petrol illa
kaalaiyila seekiram ezhunthiru
un pechu enakku pidikkala
ellarum santhoshama irukkanga
naama ellam onna povom
ithu evlo rooba
vaanga ukkaarunga tea kudikkalam
naan solradha konjam kelu
"""

# Probe texts. "\n" inside a text is what a caller of the Rust API may pass (it
# treats newlines as spaces); fastText's Python predict refuses a newline, so
# the golden output is computed on the text with newlines replaced by spaces.
PROBES = [
    "",
    "   ",
    "அகர முதல எழுத்தெல்லாம் ஆதி பகவன் முதற்றே உலகு.",
    "தமிழ் மொழி மிகவும் அழகானது",
    "The Primal Deity is first through all the world's domains",
    "Please send me the report by tomorrow morning",
    "naan nalla irukken nee eppadi irukka",
    "machaan semma mass ah irundhuchu",
    "இன்னைக்கு meeting cancel aayiduchu",
    "The kural says அறம் is virtue",
    "xyzzy qwrtp zzzzk",
    "12345 !!! ???",
    "supercalifragilisticexpialidocious" * 8,
    "அறத்துப்பால்" * 20,
    "naan\tveetla\virukken\fsari\r",
    "hello there\nhow are you",
    "__label__eng_Latn naan veetla irukken",
    "__label__xyz_Latn the sea of births",
    "enakku pasikuthu </s> the sea of births",
    "a",
    "அ",
    "\U0001F600 こんにちは",
    "  none can swim the great sea of births  ",
    "THE GREAT SEA OF BIRTHS",
    "नमस्ते दुनिया",
    "naan\x00veetla irukken",
    "romba nalla irundhuchu and the film was great",
    # A training line, and part of it: hs.bin prunes a label for each.
    "The fearless hero bears the brunt amid the warrior throng; Amid his kindred so the burthen rests upon the strong.",
    "the fearless hero",
]

MODELS = {
    "softmax.bin": dict(loss="softmax", wordNgrams=2, minn=2, maxn=4),
    # Trained harder, so that it is sure enough of some probes for fastText's tree search to
    # prune labels below probability 1e-5: k=3 then returns fewer than three.
    "hs.bin": dict(loss="hs", wordNgrams=1, minn=2, maxn=4, epoch=50, lr=1.0),
    # minn 1: single-character n-grams, where fastText leaves out the lone "<" and ">".
    "ova.bin": dict(loss="ova", wordNgrams=1, minn=1, maxn=4),
    "nosub.bin": dict(loss="softmax", wordNgrams=2, minn=0, maxn=0),
}


def training_lines():
    tamil, english = [], []
    with open(os.path.join(ROOT, "rules", "data", "thirukkural.jsonl"), encoding="utf-8") as f:
        for line in f:
            kural = json.loads(line)
            if kural["number"] % 27 == 1:  # 50 kurals spread over the book
                tamil.append(kural["tamil"].replace("\n", " "))
                english.append(kural["english"].replace("\n", " "))
    romanised = ROMANISED.splitlines()
    lines = []
    # Interleaved so that every epoch sees the three languages throughout.
    for i in range(max(len(tamil), len(english), len(romanised))):
        for label, texts in (("tam_Taml", tamil), ("eng_Latn", english), ("tam_Latn", romanised)):
            if i < len(texts):
                lines.append(f"__label__{label} {texts[i]}")
    return lines


def predict(model, text, k):
    """model.predict(text, k) as (labels, probabilities).

    fasttext-wheel 0.9.2's predict ends with np.array(probs, copy=False), which
    numpy 2 refuses; then this makes the call predict makes, the same C++
    predictLine on the text with the "\\n" that predict appends.
    """
    try:
        labels, probs = model.predict(text, k=k)
        return list(labels), [float(p) for p in probs]
    except ValueError as e:
        if "copy" not in str(e):
            raise
    pairs = model.f.predict(text + "\n", k, 0.0, "strict")
    return [label for _, label in pairs], [float(p) for p, _ in pairs]


def goldens(model, probes):
    out = []
    for text, ks in probes:
        for k in ks:
            labels, probs = predict(model, text.replace("\n", " "), k)
            out.append(dict(text=text, k=k, labels=labels, probabilities=probs))
    return {"labels": list(model.labels), "predictions": out}


def tied(model, lines):
    """The lines for which the model's top three have equal probabilities.

    One-vs-all reads its sigmoid from a table, so labels tie often; which of
    them comes first (and which one k=2 keeps) is decided by fastText's heap.
    """
    out = []
    for line in lines:
        _, probs = predict(model, line, 3)
        if len(set(probs)) < len(probs):
            out.append(line)
    return out


def main():
    lines = training_lines()
    train = os.path.join(HERE, "train.txt")
    with open(train, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    models = {}
    for name, params in MODELS.items():
        args = dict(dim=8, epoch=20, lr=0.5, bucket=2000, minCount=1, thread=1, seed=1, verbose=0)
        args.update(params)
        models[name] = fasttext.train_supervised(input=train, **args)
        models[name].save_model(os.path.join(HERE, name))

    # A version-11 file: fastText reads it as an old supervised model without
    # char n-grams (maxn forced to 0). The test patches the version field of
    # softmax.bin the same way.
    with open(os.path.join(HERE, "softmax.bin"), "rb") as f:
        data = bytearray(f.read())
    data[4:8] = (11).to_bytes(4, "little")
    with tempfile.TemporaryDirectory() as tmp:
        old = os.path.join(tmp, "v11.bin")
        with open(old, "wb") as f:
            f.write(data)
        models["softmax.bin@v11"] = fasttext.load_model(old)

    texts = [line.split(" ", 1)[1] for line in lines]
    probes = [(text, (1, 3)) for text in PROBES]
    probes += [(text, (2, 3)) for text in tied(models["ova.bin"], texts)]
    golden = {"fasttext": "fasttext-wheel 0.9.2", "models": {}}
    for name, model in models.items():
        golden["models"][name] = goldens(model, probes)

    models["softmax.bin"].quantize()
    models["softmax.bin"].save_model(os.path.join(HERE, "quantized.ftz"))

    # One probe per line: small, and a rerun's diff shows which predictions moved.
    with open(os.path.join(HERE, "golden.json"), "w", encoding="utf-8") as f:
        f.write('{"fasttext": %s, "models": {\n' % json.dumps(golden["fasttext"]))
        for i, (name, model) in enumerate(golden["models"].items()):
            f.write('%s: {"labels": %s, "predictions": [\n' % (json.dumps(name), json.dumps(model["labels"])))
            f.write(",\n".join(json.dumps(e, ensure_ascii=False) for e in model["predictions"]))
            f.write("\n]}%s\n" % ("," if i + 1 < len(golden["models"]) else ""))
        f.write("}}\n")
    for name in list(MODELS) + ["quantized.ftz"]:
        print(name, os.path.getsize(os.path.join(HERE, name)), file=sys.stderr)


if __name__ == "__main__":
    main()
