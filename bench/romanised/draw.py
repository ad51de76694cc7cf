#!/usr/bin/env python3
"""Draws the rows of a blind evaluation part for the romanised-Tamil detector (see README.md).

    python3 bench/romanised/draw.py REALDATA_DIR fresh2 > to_label.tsv

Rows are taken in the order of a SHA-256 of a salt and the text (no detector is run),
among rows of the named public files that are not in an earlier part of labels.tsv, whose
letters are at least 90% ASCII and which have two words or more. The person labelling sees the
text only; their labels are appended to labels.tsv with the part's name as its split.
"""
import hashlib
import random
import sys
from pathlib import Path

LABELS = Path(__file__).with_name("labels.tsv")
CODE_MIX = "vijay-happey+Tanglish_Sentiment_Analysis/IBM_Project/Dataset/Tamil_Code_Mix_{}.csv"
OLI = "adeepH+Dravidian-OLI/Datasets/{}.csv"
KANNADA = "bharathichezhiyan+DravidianCodeMix-Dataset/programs/kannada_offensive.csv"
TANGLISH_SENTI = "Gpriyadharshini8148+tanglish_senti_and_emotion/data/corrected_tanglish_dataset.csv"
TAMIL_SENTIMENT = "bharathichezhiyan+DravidianCodeMix-Dataset/programs/tamil_sentiment_full_dev.csv"
MALAYALAM_OFFENSIVE = "bharathichezhiyan+DravidianCodeMix-Dataset/programs/mal_full_offensive.tsv"
TAMIL_SENTIMENT_FIRST = "bharathichezhiyan+DravidianCodeMix-Dataset/programs/Tamil_first_ready_for_sentiment.csv"
MALAYALAM_SENTIMENT = "bharathichezhiyan+DravidianCodeMix-Dataset/programs/mal_full_sentiment_train.tsv"

# Part → (the salt of its order, earlier parts, whether a text already labelled there is left out
# too, draws). A draw is
# (file, rows, keep the line?). The `not-*` rows of the offensive-language sets are where English
# comments are (with other languages); the others are mostly Tanglish.
PARTS = {
    "fresh1": ("fresh", ["tune", "held"], False, [
        (CODE_MIX.format("val"), 110, lambda line: True),
        (OLI.format("tamil_offensive_full_dev"), 60, lambda line: "not-Tamil" not in line),
        (OLI.format("tamil_offensive_full_dev"), 110, lambda line: "not-Tamil" in line),
        (KANNADA, 70, lambda line: line.startswith("not-Kannada")),
    ]),
    "fresh2": ("fresh2", ["tune", "held", "fresh1"], True, [
        (CODE_MIX.format("train"), 120, lambda line: True),
        (OLI.format("tamil_offensive_full_test_with_labels"), 40, lambda line: "not-Tamil" not in line),
        (OLI.format("tamil_offensive_full_test_with_labels"), 60, lambda line: "not-Tamil" in line),
        (OLI.format("tamil_offensive_full_dev"), 50, lambda line: "not-Tamil" in line),
        (OLI.format("mal_full_offensive_test_with_labels"), 40, lambda line: "not-malayalam" in line),
        (KANNADA, 40, lambda line: line.startswith("not-Kannada")),
    ]),
    "fresh3": ("fresh3", ["tune", "held", "fresh1", "fresh2"], True, [
        (CODE_MIX.format("train"), 100, lambda line: True),
        (TANGLISH_SENTI, 40, lambda line: True),
        (OLI.format("tamil_offensive_full_test_with_labels"), 60, lambda line: "not-Tamil" in line),
        (OLI.format("mal_full_offensive_test_with_labels"), 60, lambda line: "not-malayalam" in line),
        (KANNADA, 90, lambda line: line.startswith("not-Kannada")),
    ]),
    "fresh4": ("fresh4", ["tune", "held", "fresh1", "fresh2", "fresh3"], True, [
        (CODE_MIX.format("train"), 120, lambda line: True),
        (TANGLISH_SENTI, 60, lambda line: True),
        (OLI.format("tamil_offensive_full_test_with_labels"), 80, lambda line: "not-Tamil" in line),
        (TAMIL_SENTIMENT, 100, lambda line: "not-Tamil" in line),
        (OLI.format("mal_full_offensive_test_with_labels"), 60, lambda line: "not-malayalam" in line),
        (MALAYALAM_OFFENSIVE, 50, lambda line: line.startswith("not-malayalam")),
        (KANNADA, 70, lambda line: line.startswith("not-Kannada")),
    ]),
    # English comments on Tamil film trailers (which name Tamil actors and films) from one more
    # file, since `tamil_sentiment_full_dev.csv` had fewer than a hundred left.
    "fresh5": ("fresh5", ["tune", "held", "fresh1", "fresh2", "fresh3", "fresh4"], True, [
        (CODE_MIX.format("train"), 110, lambda line: True),
        (TANGLISH_SENTI, 60, lambda line: True),
        (OLI.format("tamil_offensive_full_dev"), 40, lambda line: "not-Tamil" not in line),
        (TAMIL_SENTIMENT_FIRST, 120, lambda line: "not-Tamil" in line),
        (TAMIL_SENTIMENT, 50, lambda line: "not-Tamil" in line),
        (OLI.format("mal_full_offensive_train"), 50, lambda line: "not-malayalam" in line),
        (MALAYALAM_SENTIMENT, 40, lambda line: "not-malayalam" in line),
        (KANNADA, 40, lambda line: line.startswith("not-Kannada")),
    ]),
    "fresh6": ("fresh6", ["tune", "held", "fresh1", "fresh2", "fresh3", "fresh4", "fresh5"], True, [
        (CODE_MIX.format("train"), 80, lambda line: True),
        (TANGLISH_SENTI, 50, lambda line: True),
        (TAMIL_SENTIMENT_FIRST, 60, lambda line: "not-Tamil" not in line),
        (TAMIL_SENTIMENT_FIRST, 150, lambda line: "not-Tamil" in line),
        (OLI.format("mal_full_offensive_train"), 50, lambda line: "not-malayalam" in line),
        (MALAYALAM_SENTIMENT, 50, lambda line: "not-malayalam" in line),
        (KANNADA, 40, lambda line: line.startswith("not-Kannada")),
    ]),
}


def text_of(source, line):
    """The text column, as vazhi-lint/examples/romanised_eval.rs reads it."""
    if "Tamil_Code_Mix" in source:
        separator, column = "\t", 1
    elif "corrected_tanglish_dataset" in source:
        separator, column = ",", 0
    elif "kannada_offensive" in source:
        separator, column = ",", 1
    elif "Tamil_first_ready_for_sentiment" in source:
        separator, column = "\t", 1
    elif "tamil_sentiment_full" in source or "mal_full_sentiment" in source:
        separator, column = ";", 0
    elif "mal_full_offensive.tsv" in source:
        separator, column = "\t", 1
    else:
        separator, column = "\t", 0
    fields = line.split(separator)
    return fields[column].strip().strip('"').strip() if len(fields) > column else None


def is_latin(text):
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) >= 0.9


def main():
    root, part = Path(sys.argv[1]), sys.argv[2]
    salt, earlier, skip_known_texts, draws = PARTS[part]
    known_rows, known_texts = set(), set()
    for row in LABELS.read_text().splitlines():
        fields = row.split("\t")
        if row.startswith("#") or fields[4] not in earlier:
            continue
        known_rows.add((fields[1], int(fields[2])))
        known_texts.add(fields[3])
    rows = []
    for source, wanted, keep in draws:
        lines = (root / source).read_text(encoding="utf-8", errors="replace").split("\n")
        candidates = []
        for number, line in enumerate(lines, 1):
            if (source, number) in known_rows or not keep(line):
                continue
            text = text_of(source, line)
            if not text or not is_latin(text) or len(text.split()) < 2:
                continue
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            order = hashlib.sha256((salt + text).encode()).hexdigest()
            candidates.append((order, number, digest, text))
        taken = set()
        drawn = []
        for _, number, digest, text in sorted(candidates):
            if digest in taken or (skip_known_texts and digest in known_texts):
                continue
            taken.add(digest)
            drawn.append((source, number, digest, text))
            if len(drawn) == wanted:
                break
        rows += drawn
    random.Random(7).shuffle(rows)
    print("# id\tsource\tline\tsha256-12\ttext")
    for index, (source, number, digest, text) in enumerate(rows):
        print(f"{index}\t{source}\t{number}\t{digest}\t{text}")


if __name__ == "__main__":
    main()
