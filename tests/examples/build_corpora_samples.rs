//! Builds corpora-samples/ from the real reference texts in ../shared/data: clean corpora in every
//! layout vazhi reads, and corpora with the defects its rules catch. Deterministic: running it again
//! rewrites the same bytes.
//!
//! cargo run -p vazhi-tests --example build_corpora_samples

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use vazhi_tests::{Kural, Turn, kurals, poems, transliterate, workspace, write_messages_parquet, write_text_parquet};

fn question(kural: &Kural) -> String {
    format!("திருக்குறள் {} என்ன? அதன் பொருளை விளக்குக.", kural.number)
}

/// A Tamil answer: the kural quoted, then a Tamil commentary.
fn tamil_answer(kural: &Kural) -> String {
    format!("“{}”\n\nபொருள்: {}", kural.tamil, kural.meaning)
}

fn write_jsonl(path: &Path, records: &[Value]) {
    let mut out = String::new();
    for record in records {
        out.push_str(&serde_json::to_string(record).expect("serialise"));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

fn messages(turns: &[Turn]) -> Value {
    Value::Array(
        turns
            .iter()
            .map(|(role, content)| json!({"role": role, "content": content}))
            .collect(),
    )
}

fn main() {
    let root = workspace().join("corpora-samples");
    let clean = root.join("clean");
    let defective = root.join("defective");
    for dir in [&clean, &defective] {
        std::fs::create_dir_all(dir).expect("create sample folders");
    }
    let kurals = kurals();
    let poems = poems();

    // clean/kural-qa.messages.{jsonl,parquet}: the same 60 conversations in both containers.
    let qa: Vec<&Kural> = kurals.iter().step_by(22).take(60).collect();
    let conversations: Vec<Vec<Turn>> = qa
        .iter()
        .map(|kural| vec![("user", question(kural)), ("assistant", tamil_answer(kural))])
        .collect();
    let records: Vec<Value> = conversations
        .iter()
        .zip(&qa)
        .map(|(turns, kural)| json!({"messages": messages(turns), "language": "pure_tamil", "category": kural.chapter}))
        .collect();
    write_jsonl(&clean.join("kural-qa.messages.jsonl"), &records);
    write_messages_parquet(
        &clean.join("kural-qa.messages.parquet"),
        &conversations,
        &[
            ("language", qa.iter().map(|_| Some("pure_tamil".to_owned())).collect()),
            ("category", qa.iter().map(|kural| Some(kural.chapter.clone())).collect()),
        ],
    );
    // The same set compressed, as dataset repositories ship large shards.
    let plain = std::fs::read(clean.join("kural-qa.messages.jsonl")).expect("read back");
    let zst = zstd::encode_all(plain.as_slice(), 19).expect("zstd");
    std::fs::write(clean.join("kural-qa.messages.jsonl.zst"), zst).expect("write zst");

    // clean/kural-qa.alpaca.json: one JSON array, pretty-printed, as Alpaca-style repositories ship.
    let alpaca: Vec<Value> = kurals
        .iter()
        .skip(7)
        .step_by(33)
        .take(40)
        .map(|kural| json!({"instruction": question(kural), "input": "", "output": tamil_answer(kural), "lang": "ta"}))
        .collect();
    let pretty = serde_json::to_string_pretty(&alpaca).expect("serialise");
    std::fs::write(clean.join("kural-qa.alpaca.json"), pretty + "\n").expect("write alpaca");

    // clean/kural-qa.sharegpt.jsonl.gz: ShareGPT layout, gzip-compressed.
    let sharegpt: Vec<Value> = kurals
        .iter()
        .skip(3)
        .step_by(44)
        .take(30)
        .map(|kural| {
            json!({"conversations": [
                {"from": "system", "value": "நீங்கள் திருக்குறள் அறிந்த ஒரு தமிழ் உதவியாளர்."},
                {"from": "human", "value": question(kural)},
                {"from": "gpt", "value": tamil_answer(kural)},
            ]})
        })
        .collect();
    let mut body = Vec::new();
    for record in &sharegpt {
        serde_json::to_writer(&mut body, record).expect("serialise");
        body.push(b'\n');
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&body).expect("gzip");
    std::fs::write(clean.join("kural-qa.sharegpt.jsonl.gz"), gz.finish().expect("gzip")).expect("write gz");

    // clean/kural-qa.chatml.jsonl: ChatML text, the layout VAZHI's later SFT sets used.
    let chatml: Vec<Value> = kurals
        .iter()
        .skip(11)
        .step_by(45)
        .take(30)
        .map(|kural| {
            json!({"text": format!(
                "<|im_start|>system\nநீங்கள் VAZHI, ஒரு தமிழ் உதவியாளர்.<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n{}<|im_end|>\n",
                question(kural), tamil_answer(kural)
            )})
        })
        .collect();
    write_jsonl(&clean.join("kural-qa.chatml.jsonl"), &chatml);

    // clean/poems.dapt.jsonl: raw text for continued pretraining (DAPT), one poem with its meaning.
    let dapt: Vec<Value> = poems
        .iter()
        .map(|poem| json!({"text": format!("{}\n\n{}", poem.poem, poem.meaning), "category": poem.category}))
        .collect();
    write_jsonl(&clean.join("poems.dapt.jsonl"), &dapt);

    // clean/kural-english.prompt-completion.parquet: English answers, honestly labelled.
    let english: Vec<&Kural> = kurals.iter().skip(5).step_by(66).take(20).collect();
    write_text_parquet(
        &clean.join("kural-english.prompt-completion.parquet"),
        &[
            (
                "prompt",
                english
                    .iter()
                    .map(|kural| Some(format!("Translate kural {} into English verse.", kural.number)))
                    .collect(),
            ),
            (
                "completion",
                english.iter().map(|kural| Some(kural.english.clone())).collect(),
            ),
            ("language", english.iter().map(|_| Some("english".to_owned())).collect()),
        ],
        8,
    );

    // defective/mislabeled.{jsonl,parquet}: VAZHI v0.2's failure. Every record claims `pure_tamil`;
    // a third answer in Pope's English, a third half in English, a third really are Tamil.
    let sample: Vec<&Kural> = kurals.iter().skip(1).step_by(45).take(30).collect();
    let conversations: Vec<Vec<Turn>> = sample
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let answer = match index % 3 {
                0 => format!("{}\n\n{}", kural.english, kural.explanation),
                1 => format!("“{}”\n\nIn English: {}", kural.tamil, kural.explanation),
                _ => tamil_answer(kural),
            };
            vec![("user", question(kural)), ("assistant", answer)]
        })
        .collect();
    let records: Vec<Value> = conversations
        .iter()
        .map(|turns| json!({"messages": messages(turns), "language": "pure_tamil"}))
        .collect();
    write_jsonl(&defective.join("mislabeled.jsonl"), &records);
    write_messages_parquet(
        &defective.join("mislabeled.parquet"),
        &conversations,
        &[(
            "language",
            sample.iter().map(|_| Some("pure_tamil".to_owned())).collect(),
        )],
    );

    // defective/english-answers.alpaca.jsonl: Tamil questions answered in English, no label at all.
    let records: Vec<Value> = kurals
        .iter()
        .skip(9)
        .step_by(90)
        .take(12)
        .map(|kural| json!({"instruction": question(kural), "input": "", "output": kural.explanation}))
        .collect();
    write_jsonl(&defective.join("english-answers.alpaca.jsonl"), &records);

    // defective/foreign-script.jsonl: Tamil answers with other scripts mixed in: the kural re-spelt
    // in Devanagari and Malayalam, and the Han characters of VAZHI v0.5's broken output.
    let mixed: Vec<&Kural> = kurals.iter().skip(13).step_by(120).take(9).collect();
    let records: Vec<Value> = mixed
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let answer = match index % 3 {
                0 => format!("{}\n\n({})", tamil_answer(kural), transliterate(&kural.tamil, 0x0900)),
                1 => format!("{}\n\n{}", transliterate(&kural.tamil, 0x0D00), kural.meaning),
                _ => format!("இட体系系统的ர {}", kural.meaning),
            };
            json!({"prompt": question(kural), "completion": answer})
        })
        .collect();
    write_jsonl(&defective.join("foreign-script.jsonl"), &records);

    // defective/invalid-records.jsonl: what breaks loaders, one of each, between good records; with
    // a BOM and CRLF line endings, which are fine.
    let good = |kural: &Kural| {
        serde_json::to_string(
            &json!({"messages": messages(&[("user", question(kural)), ("assistant", tamil_answer(kural))])}),
        )
        .expect("serialise")
    };
    let mut bytes: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    let mut line = |text: &[u8]| {
        bytes.extend_from_slice(text);
        bytes.extend_from_slice(b"\r\n");
    };
    line(good(&kurals[0]).as_bytes());
    let truncated = good(&kurals[1]);
    line(&truncated.as_bytes()[..truncated.len() / 2]);
    line(good(&kurals[2]).as_bytes());
    let mut latin1 = good(&kurals[3]).replace("\"}]}", " caf\u{e9}\"}]}").into_bytes();
    // A Latin-1 é (0xE9) where UTF-8 was expected, as a legacy export writes it.
    let at = latin1.iter().rposition(|byte| *byte == 0xC3).expect("é is there");
    latin1.splice(at..at + 2, [0xE9]);
    line(&latin1);
    line(br#"["user", "assistant"]"#);
    let trailing = good(&kurals[4]);
    line(format!("{},}}", &trailing[..trailing.len() - 1]).as_bytes());
    line(br#"{"question": "what layout is this?", "answer": "none vazhi knows"}"#);
    line(b"");
    line(good(&kurals[5]).as_bytes());
    std::fs::write(defective.join("invalid-records.jsonl"), &bytes).expect("write invalid-records");

    println!("wrote corpora-samples/ under {}", root.display());
}
