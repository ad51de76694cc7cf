"""The speed issue's reference pipeline in datatrove: each record's answers kept when most of their
letters are Tamil, then judged by Gopher's repetition filter with datatrove's Tamil word tokenizer.
What a team without vazhi runs to catch the first two of VAZHI's data failures. Run by
`bench/lint-throughput.py --datatrove PYTHON` with an interpreter that has it:

    python3 -m venv /var/tmp/datatrove-venv
    /var/tmp/datatrove-venv/bin/pip install 'datatrove==0.10.1' indic-nlp-library regex orjson

    DATATROVE_PYTHON bench/datatrove_baseline.py SHARDS_DIR WORKERS LOGGING_DIR

runs it on the `.jsonl` shards of SHARDS_DIR, one task per shard, and leaves datatrove's own
statistics (documents read, kept by each filter) in LOGGING_DIR, which must not hold an earlier
run's (datatrove skips the tasks it finds done there).
"""

import re
import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.filters import GopherRepetitionFilter, LambdaFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.utils.typeshelper import Languages

TAMIL = re.compile("[\u0b80-\u0bff]")
OTHER_LETTER = re.compile(r"[^\W\d_\u0b80-\u0bff]")


def answers(self, data: dict, path: str, id_in_file: int | str) -> dict:
    """The training targets vazhi's rules read: a `messages` record's assistant turns, an
    instruction record's `output`."""
    if "messages" in data:
        text = "\n\n".join(turn.get("content", "") for turn in data["messages"] if turn.get("role") == "assistant")
    else:
        text = data.get("output", "")
    return {"text": text, "id": f"{path}/{id_in_file}", "metadata": {}}


def mostly_tamil(doc) -> bool:
    """Tamil characters (letters and signs) at least half of all letters."""
    tamil = len(TAMIL.findall(doc.text))
    return tamil > 0 and tamil >= len(OTHER_LETTER.findall(doc.text))


def main() -> None:
    shards, workers, logging_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(shards, adapter=answers, glob_pattern="*.jsonl"),
            LambdaFilter(mostly_tamil),
            GopherRepetitionFilter(language=Languages.tamil__taml),
        ],
        tasks=workers,
        workers=workers,
        logging_dir=logging_dir,
    )
    executor.run()


if __name__ == "__main__":
    main()
