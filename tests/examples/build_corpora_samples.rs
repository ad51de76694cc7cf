//! Builds corpora-samples/ from the real reference texts in rules/data and tests/data: clean corpora in every
//! layout vazhi reads, and corpora with the defects its rules catch. Deterministic: running it again
//! rewrites the same bytes.
//!
//! cargo run -p vazhi-tests --example build_corpora_samples

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use vazhi_lint::script::transliterate::romanise_word;
use vazhi_tests::{
    Kural, Poem, Turn, kurals, messages_batch, poems, text_batch, transliterate, workspace, write_arrow_file,
    write_arrow_stream, write_csv, write_messages_parquet, write_text_parquet,
};

fn question(kural: &Kural) -> String {
    format!("திருக்குறள் {} என்ன? அதன் பொருளை விளக்குக.", kural.number)
}

/// A Tamil answer: the kural quoted, then a Tamil commentary.
fn tamil_answer(kural: &Kural) -> String {
    format!("“{}”\n\nபொருள்: {}", kural.tamil, kural.meaning)
}

/// Tamil text as Tanglish: each Tamil word romanised, spaces and punctuation kept.
fn romanised(tamil: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for ch in tamil.chars().chain(std::iter::once(' ')) {
        if ('\u{0B80}'..='\u{0BFF}').contains(&ch) {
            word.push(ch);
            continue;
        }
        if !word.is_empty() {
            out.push_str(&romanise_word(&word));
            word.clear();
        }
        out.push(ch);
    }
    out.pop();
    out
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

    // clean/poems.dapt.jsonl: raw text for continued pretraining (DAPT): each poem, then its explanation.
    let dapt: Vec<Value> = poems
        .iter()
        .flat_map(|poem| {
            // Some explanations in the source are the poem again; a copy is not an explanation.
            let explained = poem.meaning.split_whitespace().ne(poem.poem.split_whitespace());
            let mut records = vec![json!({"text": poem.poem, "category": poem.category})];
            if explained {
                records.push(json!({"text": poem.meaning, "category": poem.category}));
            }
            records
        })
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

    // defective/tanglish.jsonl: the three scripts of one language against the labels that claim
    // them. The Tamil commentary romanised the way people type it (`romanise_word`: zh for ழ,
    // doubled vowels, th/dh) stands for Tanglish, Pope's explanations for English.
    let sample: Vec<&Kural> = kurals.iter().skip(5).step_by(111).take(12).collect();
    let records: Vec<Value> = sample
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let (label, answer) = match index % 6 {
                // Tanglish where Tamil script is promised: romanised-tamil, mislabeled-language, tamil-ratio.
                0 | 1 => ("pure_tamil", romanised(&kural.meaning)),
                // English labelled as Tanglish: mislabeled-language.
                2 | 3 => ("tanglish", kural.explanation.clone()),
                // Tanglish labelled as English: mislabeled-language.
                4 => ("english", romanised(&kural.meaning)),
                // Tanglish labelled as such: nothing to report.
                _ => ("tanglish", romanised(&kural.meaning)),
            };
            json!({"instruction": question(kural), "input": "", "output": answer, "language": label})
        })
        .collect();
    write_jsonl(&defective.join("tanglish.jsonl"), &records);

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
    line(br#"{"query_text": "what layout is this?", "reply_text": "none vazhi knows"}"#);
    line(b"");
    line(good(&kurals[5]).as_bytes());
    std::fs::write(defective.join("invalid-records.jsonl"), &bytes).expect("write invalid-records");

    // defective/mixed-format.jsonl: VAZHI v3.1. Raw poems beside ChatML conversations in one SFT file.
    let mut mixed: Vec<Value> = chatml.iter().take(12).cloned().collect();
    for (index, poem) in poems.iter().take(6).enumerate() {
        mixed.insert(index * 2 + 1, json!({"text": poem.poem}));
    }
    write_jsonl(&defective.join("mixed-format.jsonl"), &mixed);

    // defective/missing-assistant.messages.jsonl: records that train nothing (VAZHI v3.5's post-mortem).
    let ask = |kural: &Kural| ("user", question(kural));
    let records: Vec<Value> = vec![
        json!({"messages": messages(&[("system", "நீங்கள் VAZHI, ஒரு தமிழ் உதவியாளர்.".to_owned()), ask(&kurals[20])])}),
        json!({"messages": messages(&[ask(&kurals[21]), ("assistant", tamil_answer(&kurals[21]))])}),
        json!({"messages": messages(&[ask(&kurals[22]), ("assistant", "  ".to_owned())])}),
        json!({"messages": messages(&[ask(&kurals[23]), ("assistant", tamil_answer(&kurals[23])), ("user", "நன்றி!".to_owned())])}),
        json!({"messages": messages(&[ask(&kurals[24]), ("assistant", tamil_answer(&kurals[24]))])}),
    ];
    write_jsonl(&defective.join("missing-assistant.messages.jsonl"), &records);

    // defective/unterminated.chatml.jsonl: an answer with no <|im_end|>, and a prompt with no answer.
    let records = vec![
        json!({"text": format!("<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n{}", question(&kurals[30]), tamil_answer(&kurals[30]))}),
        json!({"text": format!("<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n{}<|im_end|>\n", question(&kurals[31]), tamil_answer(&kurals[31]))}),
        json!({"text": format!("<|im_start|>system\nநீங்கள் VAZHI.<|im_end|>\n<|im_start|>user\n{}<|im_end|>\n", question(&kurals[32]))}),
    ];
    write_jsonl(&defective.join("unterminated.chatml.jsonl"), &records);

    // defective/duplicates.jsonl: the first kural's answer 21 times under different questions, as in
    // VAZHI's culture pack, and two records copied outright.
    let first = &kurals[0];
    let asked = [
        "திருக்குறளின் முதல் குறள் என்ன?",
        "முதல் குறளைச் சொல்லுங்கள்.",
        "அகர முதல என்று தொடங்கும் குறள் எது?",
        "கடவுள் வாழ்த்து அதிகாரத்தின் முதல் குறள்?",
        "Thirukkural-இன் முதல் குறள் எது?",
        "வள்ளுவர் எழுதிய முதல் குறள் என்ன?",
        "குறள் 1 என்ன?",
    ];
    let mut records: Vec<Value> = (0..21)
        .map(|index| {
            let ask = format!("{} ({})", asked[index % asked.len()], index / asked.len() + 1);
            json!({"messages": messages(&[("user", ask), ("assistant", tamil_answer(first))])})
        })
        .collect();
    records.push(
        json!({"messages": messages(&[("user", question(&kurals[40])), ("assistant", tamil_answer(&kurals[40]))])}),
    );
    records.push(
        json!({"messages": messages(&[("user", question(&kurals[40])), ("assistant", tamil_answer(&kurals[40]))])}),
    );
    records.push(json!({"messages": messages(&[("user", format!("{}  ", question(&kurals[40]))), ("assistant", tamil_answer(&kurals[40]))])}));
    write_jsonl(&defective.join("duplicates.jsonl"), &records);

    // defective/category-skew.jsonl: Thirukkural at 71% of the set, as in VAZHI before v3.2.
    let records: Vec<Value> = kurals
        .iter()
        .take(200)
        .enumerate()
        .map(|(index, kural)| {
            let pack = if index < 142 { "thirukkural" } else { ["health", "government", "security"][index % 3] };
            json!({"messages": messages(&[("user", question(kural)), ("assistant", tamil_answer(kural))]), "pack": pack})
        })
        .collect();
    write_jsonl(&defective.join("category-skew.jsonl"), &records);

    // defective/empty-fields.jsonl: turns a chat template renders as "None" or drops.
    let records = vec![
        json!({"messages": [{"role": "user", "content": null}, {"role": "assistant", "content": tamil_answer(&kurals[50])}]}),
        json!({"messages": [{"role": "narrator", "content": question(&kurals[51])}, {"role": "user", "content": question(&kurals[51])}, {"role": "assistant", "content": tamil_answer(&kurals[51])}]}),
        json!({"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": tamil_answer(&kurals[52])}]}),
        json!({"messages": [{"role": "user", "content": question(&kurals[53])}, {"role": "assistant", "content": tamil_answer(&kurals[53])}]}),
    ];
    write_jsonl(&defective.join("empty-fields.jsonl"), &records);

    // defective/think-leak.jsonl: targets rendered through Qwen3's template keep its empty
    // <think></think> preamble; one kept the reasoning too (VAZHI v3.3).
    let records: Vec<Value> = kurals
        .iter()
        .skip(60)
        .take(6)
        .enumerate()
        .map(|(index, kural)| {
            let answer = match index % 3 {
                0 => format!("<think>\n\n</think>\n\n{}", tamil_answer(kural)),
                1 => format!(
                    "<think>பயனர் குறள் {} கேட்கிறார்; அதன் பொருளைச் சொல்ல வேண்டும்.</think>\n{}",
                    kural.number,
                    tamil_answer(kural)
                ),
                _ => tamil_answer(kural),
            };
            json!({"prompt": question(kural), "completion": answer})
        })
        .collect();
    write_jsonl(&defective.join("think-leak.jsonl"), &records);

    // defective/template-leak.alpaca.jsonl: markers of three templates inside contents (VAZHI v0.1).
    let records: Vec<Value> = kurals
        .iter()
        .skip(70)
        .take(6)
        .enumerate()
        .map(|(index, kural)| {
            let (instruction, output) = match index % 3 {
                0 => (
                    question(kural),
                    format!("{}<|im_end|>\n<|im_start|>user", tamil_answer(kural)),
                ),
                1 => (format!("[INST] {} [/INST]", question(kural)), tamil_answer(kural)),
                _ => (question(kural), format!("### Response:\n{}", tamil_answer(kural))),
            };
            json!({"instruction": instruction, "input": "", "output": output})
        })
        .collect();
    write_jsonl(&defective.join("template-leak.alpaca.jsonl"), &records);

    // defective/repetition.jsonl: the degenerate outputs VAZHI's broken models produced, as targets.
    let records = vec![
        json!({"prompt": "வணக்கம்", "completion": "'systemsystemsystemsystemsystemsystemsystemsystem"}),
        json!({"prompt": "2+2 என்ன?", "completion": "4systemsystemsystemsystemsystemsystem"}),
        json!({"prompt": "வணக்கம், நீங்கள் யார்?", "completion": "H celebrated celebrated celebrated celebrated celebrated once"}),
        json!({"prompt": "தமிழ்நாட்டின் தலைநகரம் என்ன?", "completion": "ooks = 1)0]:,. is:.. = *=\"-1., of,..... to:..... =;.1.2],..:,): +_t ==\"):"}),
        json!({"prompt": question(&kurals[80]), "completion": tamil_answer(&kurals[80])}),
    ];
    write_jsonl(&defective.join("repetition.jsonl"), &records);

    // defective/kural-misquotes.jsonl: the Thirukkural quoted wrongly. VAZHI v0.1 "cited" a wrong first
    // kural; the damaged readings are real ones from a widely copied public package.
    let damaged: Vec<Value> =
        std::fs::read_to_string(vazhi_tests::rules_data().join("thirukkural-libkural-corrupt.jsonl"))
            .expect("damaged readings")
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
    let reading = |number: u64| {
        damaged
            .iter()
            .find(|entry| entry["number"].as_u64() == Some(number))
            .and_then(|entry| entry["reading"].as_str())
            .expect("a damaged reading for this kural")
            .to_owned()
    };
    let first_question = "திருக்குறளின் முதல் குறள் என்ன?".to_owned();
    let swapped = |kural: &Kural| {
        let mut lines: Vec<&str> = kural.tamil.lines().collect();
        lines.reverse();
        lines.join("\n")
    };
    let records = vec![
        json!({"prompt": first_question, "completion": kurals[0].tamil.replace("உலகு", "உலகம்")}),
        json!({"prompt": first_question, "completion": format!("{}\n\nபொருள்: {}", kurals[1].tamil, kurals[1].meaning)}),
        json!({"prompt": first_question, "completion": format!("{}\n\nபொருள்: {}", kurals[0].tamil, kurals[0].meaning)}),
        json!({"prompt": question(&kurals[23]), "completion": format!("“{}”", reading(24))}),
        json!({"prompt": question(&kurals[45]), "completion": format!("“{}”", reading(46))}),
        json!({"prompt": question(&kurals[99]), "completion": format!("“{}”", swapped(&kurals[99]))}),
        json!({"prompt": question(&kurals[390]), "completion": kurals[390].tamil.replace(kurals[390].tamil.split_whitespace().nth(1).expect("words"), "")}),
    ];
    write_jsonl(&defective.join("kural-misquotes.jsonl"), &records);

    // defective/tamil-unicode.jsonl: real damage. Kurals from the public package with the unassigned
    // code point U+0BA7, and commentaries with joiners inside words and a pulli typed after a vowel sign.
    let unassigned: Vec<&Value> = damaged
        .iter()
        .filter(|entry| entry["reading"].as_str().is_some_and(|text| text.contains('\u{0BA7}')))
        .take(3)
        .collect();
    let mut records: Vec<Value> = unassigned
        .iter()
        .map(|entry| json!({"prompt": format!("திருக்குறள் {} என்ன?", entry["number"]), "completion": entry["reading"]}))
        .collect();
    let joiner = kurals
        .iter()
        .find(|kural| kural.meaning_raw.contains('\u{200C}'))
        .expect("a commentary with a joiner");
    records.push(json!({"prompt": question(joiner), "completion": format!("பொருள்: {}", joiner.meaning_raw)}));
    let pulli = kurals
        .iter()
        .find(|kural| {
            kural
                .meaning_raw
                .chars()
                .zip(kural.meaning_raw.chars().skip(1))
                .any(|(a, b)| matches!(a, '\u{0BBE}'..='\u{0BCC}') && b == '\u{0BCD}')
        })
        .expect("a commentary with a pulli after a vowel sign");
    records.push(json!({"prompt": question(pulli), "completion": format!("பொருள்: {}", pulli.meaning_raw)}));
    write_jsonl(&defective.join("tamil-unicode.jsonl"), &records);

    // defective/not-nfc.jsonl: commentaries that write ொ/ோ as two signs, as the source has them.
    let records: Vec<Value> = kurals
        .iter()
        .filter(|kural| kural.meaning_raw != kural.meaning && !kural.meaning_raw.contains('\u{200C}'))
        .take(5)
        .map(|kural| json!({"instruction": question(kural), "input": "", "output": format!("பொருள்: {}", kural.meaning_raw)}))
        .collect();
    write_jsonl(&defective.join("not-nfc.alpaca.jsonl"), &records);

    // defective/mojibake.jsonl: kural answers whose UTF-8 was read with a single-byte code page and
    // saved again, made by that very transformation; and two lines of the VAZHI team's own log.
    use vazhi_lint::tamil::mojibake::MisdecodedAs;
    let mut records: Vec<Value> = [MisdecodedAs::Latin1, MisdecodedAs::Windows1252, MisdecodedAs::MacRoman]
        .into_iter()
        .zip(kurals.iter().skip(110))
        .map(|(page, kural)| json!({"prompt": question(kural), "completion": page.decode(tamil_answer(kural).as_bytes())}))
        .collect();
    let lossy: String = MisdecodedAs::Windows1252
        .decode(kurals[120].tamil.as_bytes())
        .chars()
        .map(|ch| {
            if ('\u{80}'..='\u{9F}').contains(&ch) {
                '\u{FFFD}'
            } else {
                ch
            }
        })
        .collect();
    records.push(json!({"prompt": question(&kurals[120]), "completion": lossy}));
    let log = std::fs::read_to_string(vazhi_tests::test_data().join("reference/team-log-excerpt.txt"))
        .expect("the team log excerpt");
    for line in log
        .lines()
        .filter(|line| line.starts_with("Q: ") && line.contains("‡Æ"))
        .take(1)
    {
        records.push(json!({"prompt": "இந்தக் கேள்வி என்ன?", "completion": line.trim_start_matches("Q: ")}));
    }
    write_jsonl(&defective.join("mojibake.jsonl"), &records);

    // defective/legacy-encoding.jsonl: kurals in pre-Unicode font encodings: TSCII 1.7 bytes read as
    // Latin-1, and the Bamini glyph font.
    use vazhi_lint::tamil::legacy::{unicode_to_bamini, unicode_to_tscii};
    let mut records = Vec::new();
    for kural in kurals.iter().skip(130).take(2) {
        if let Ok(bytes) = unicode_to_tscii(&kural.tamil) {
            records.push(json!({"prompt": question(kural), "completion": MisdecodedAs::Latin1.decode(&bytes)}));
        }
    }
    for kural in kurals.iter().skip(140).take(2) {
        if let Ok(text) = unicode_to_bamini(&kural.tamil) {
            records.push(json!({"prompt": question(kural), "completion": text}));
        }
    }
    write_jsonl(&defective.join("legacy-encoding.jsonl"), &records);

    // defective/token-window.jsonl: for `--tokenizer tests/data/qwen-tokenizer.json --max-seq-len 512`.
    // A prompt that fills the window (a chapter's commentaries to summarise), an answer cut short
    // by it, and one that fits (VAZHI v3.5: 20–30% of samples lost their response).
    let chapter = |from: usize| {
        kurals[from..from + 10]
            .iter()
            .map(|kural| kural.meaning.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let records = vec![
        json!({"messages": messages(&[
            ("system", "நீங்கள் VAZHI, ஒரு தமிழ் உதவியாளர். பயனர் தரும் உரையைச் சுருக்கமாகத் தொகுத்துச் சொல்லுங்கள்.".to_owned()),
            ("user", format!("இந்த உரைகளைச் சுருக்குக:\n{}\n{}", chapter(200), chapter(210))),
            ("assistant", "இவை அறிவுடைமையின் சிறப்பைச் சொல்கின்றன.".to_owned()),
        ])}),
        json!({"messages": messages(&[
            ("user", "கல்வி அதிகாரத்தின் குறள்களை விளக்குக.".to_owned()),
            ("assistant", kurals[390..400].iter().map(tamil_answer).collect::<Vec<_>>().join("\n\n")),
        ])}),
        json!({"messages": messages(&[("user", question(&kurals[400])), ("assistant", tamil_answer(&kurals[400]))])}),
    ];
    write_jsonl(&defective.join("token-window.jsonl"), &records);

    build_repository(&root.join("repository"), &kurals, &poems);

    println!("wrote corpora-samples/ under {}", root.display());
}

fn write_pretty(path: &Path, value: &Value) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    let text = serde_json::to_string_pretty(value).expect("serialise");
    std::fs::write(path, text + "\n").unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// corpora-samples/repository/: a dataset repository as teams really keep one. Records wrapped in
/// batch objects with batch labels, metadata beside them, pretty-printed arrays, records written
/// one after another, question/answer, OpenAI content parts, TRL preference and conversational
/// layouts, a `datasets` folder saved to disk (Arrow), CSV/TSV and Feather. A few deliberate
/// defects, each in one place; everything else is clean.
fn build_repository(root: &Path, kurals: &[Kural], poems: &[Poem]) {
    if root.exists() {
        std::fs::remove_dir_all(root).expect("clear repository sample");
    }
    let sft = root.join("sft");
    let preference = root.join("preference");
    let tables = root.join("tables");
    let saved = root.join("saved").join("train");
    for dir in [&sft, &preference, &tables, &saved] {
        std::fs::create_dir_all(dir).expect("create sample folders");
    }
    let pick =
        |from: usize, count: usize| -> Vec<&Kural> { kurals.iter().skip(from).step_by(17).take(count).collect() };

    // Metadata next to the data: objects with no list of records, so not corpora.
    write_pretty(
        &root.join("metadata.json"),
        &json!({"name": "vazhi-kural-demo", "version": 3, "packs": ["vazhi_kural", "vazhi_kavithai"], "created_by": "generate.py"}),
    );
    write_pretty(
        &root.join("manifest.json"),
        &json!({"files": {"sft/kural_batch_1.json": 8, "sft/kural_batch_2.json": 6}, "total": 14}),
    );

    // sft/kural_batch_1.json: a generation script's batch. The batch's `language` labels every
    // record; sample 5's answer is Pope's English, so it is mislabeled.
    let samples: Vec<Value> = pick(100, 8)
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let output = if index == 4 {
                kural.english.clone()
            } else {
                tamil_answer(kural)
            };
            json!({"instruction": question(kural), "output": output})
        })
        .collect();
    write_pretty(
        &sft.join("kural_batch_1.json"),
        &json!({"pack": "vazhi_kural", "batch_num": 1, "language": "pure_tamil", "samples": samples}),
    );

    // sft/kural_batch_2.json: records under `translated_samples`, in the messages layout.
    let translated: Vec<Value> = pick(400, 6)
        .iter()
        .map(|kural| json!({"messages": messages(&[("user", question(kural)), ("assistant", tamil_answer(kural))])}))
        .collect();
    write_pretty(
        &sft.join("kural_batch_2.json"),
        &json!({"batch_num": 2, "translated_samples": translated, "language": "pure_tamil", "pack": "vazhi_kural"}),
    );

    // sft/kural_qa.json: a pretty-printed array of question/answer records.
    let qa: Vec<Value> = pick(700, 10)
        .iter()
        .map(|kural| json!({"question": question(kural), "answer": tamil_answer(kural), "lang": "ta"}))
        .collect();
    write_pretty(&sft.join("kural_qa.json"), &Value::Array(qa));

    // sft/dialogues.json: the records are the one list of objects, under a name vazhi does not
    // know; query/response is read like instruction/output.
    let dialogues: Vec<Value> = pick(900, 5)
        .iter()
        .map(|kural| json!({"query": question(kural), "response": tamil_answer(kural)}))
        .collect();
    write_pretty(
        &sft.join("dialogues.json"),
        &json!({"source": "kural-dialogues v1", "dialogues": dialogues}),
    );

    // sft/poems.json: records whose keys vazhi does not know: one finding for the file, proposing
    // the key that holds the Tamil text.
    let poem_records: Vec<Value> = poems
        .iter()
        .take(6)
        .map(|poem| json!({"title": poem.title, "full_text": poem.poem, "explanation": poem.meaning}))
        .collect();
    write_pretty(&sft.join("poems.json"), &json!({"count": 6, "poems": poem_records}));

    // sft/stream.json: pretty-printed records one after another, as `json.dump(record, f,
    // indent=2)` in a loop writes them.
    let mut stream = String::new();
    for kural in pick(1000, 3) {
        let record = json!({"instruction": question(kural), "output": tamil_answer(kural)});
        stream.push_str(&serde_json::to_string_pretty(&record).expect("serialise"));
        stream.push('\n');
    }
    std::fs::write(sft.join("stream.json"), stream).expect("write stream");

    // sft/multimodal.jsonl: OpenAI-style content parts; image parts are not text and not errors.
    let parts: Vec<Value> = pick(1100, 3)
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let mut user = vec![json!({"type": "text", "text": question(kural)})];
            if index == 1 {
                user.push(json!({"type": "image_url", "image_url": {"url": "https://example.org/kural.png"}}));
            }
            json!({"messages": [
                {"role": "user", "content": user},
                {"role": "assistant", "content": [{"type": "text", "text": tamil_answer(kural)}]},
            ]})
        })
        .collect();
    write_jsonl(&sft.join("multimodal.jsonl"), &parts);

    // preference/dpo.jsonl: TRL's preference pairs. The chosen answer is trained on and judged by
    // every rule (pair 3's is English); the rejected one only by the format rules (pair 4's leaks
    // a think tag; pair 2's English rejected answer is what a rejected answer may be).
    let pairs: Vec<Value> = pick(50, 5)
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let chosen = if index == 2 {
                kural.english.clone()
            } else {
                tamil_answer(kural)
            };
            let rejected = match index {
                1 => kural.english.clone(),
                3 => format!("<think>\n</think>\n{}", kural.meaning),
                _ => kural.meaning.clone(),
            };
            json!({"prompt": question(kural), "chosen": chosen, "rejected": rejected})
        })
        .collect();
    write_jsonl(&preference.join("dpo.jsonl"), &pairs);

    // preference/dpo.conversational.jsonl: the same layout with message lists.
    let conversational: Vec<Value> = pick(300, 3)
        .iter()
        .map(|kural| {
            json!({
                "prompt": [{"role": "user", "content": question(kural)}],
                "chosen": [{"role": "assistant", "content": tamil_answer(kural)}],
                "rejected": [{"role": "assistant", "content": kural.meaning}],
            })
        })
        .collect();
    write_jsonl(&preference.join("dpo.conversational.jsonl"), &conversational);

    // preference/sft.conversational.jsonl: TRL's conversational prompt/completion.
    let completions: Vec<Value> = pick(600, 3)
        .iter()
        .map(|kural| {
            json!({
                "prompt": [{"role": "system", "content": "நீங்கள் ஒரு தமிழ் உதவியாளர்."}, {"role": "user", "content": question(kural)}],
                "completion": [{"role": "assistant", "content": tamil_answer(kural)}],
            })
        })
        .collect();
    write_jsonl(&preference.join("sft.conversational.jsonl"), &completions);

    // saved/: `DatasetDict.save_to_disk` — an Arrow stream per split and the library's metadata.
    // Row 7's answer is English.
    let saved_kurals = pick(200, 12);
    let conversations: Vec<Vec<Turn>> = saved_kurals
        .iter()
        .enumerate()
        .map(|(index, kural)| {
            let answer = if index == 7 {
                kural.english.clone()
            } else {
                tamil_answer(kural)
            };
            vec![("user", question(kural)), ("assistant", answer)]
        })
        .collect();
    let batch = messages_batch(&conversations, &[]);
    write_arrow_stream(&saved.join("data-00000-of-00001.arrow"), &batch, 5);
    write_pretty(
        &saved.join("dataset_info.json"),
        &json!({"citation": "", "description": "", "features": {"messages": [{"role": {"dtype": "string", "_type": "Value"}, "content": {"dtype": "string", "_type": "Value"}}]}, "homepage": "", "license": ""}),
    );
    write_pretty(
        &saved.join("state.json"),
        &json!({"_data_files": [{"filename": "data-00000-of-00001.arrow"}], "_fingerprint": "5d2c1e0f", "_format_columns": null, "_format_kwargs": {}, "_format_type": null, "_output_all_columns": false, "_split": "train"}),
    );
    write_pretty(
        &root.join("saved").join("dataset_dict.json"),
        &json!({"splits": ["train"]}),
    );

    // tables/: spreadsheets' formats, columns as fields. The TSV's row 2 has an empty answer.
    let table_kurals = pick(800, 6);
    let questions: Vec<Option<String>> = table_kurals.iter().map(|kural| Some(question(kural))).collect();
    let answers: Vec<Option<String>> = table_kurals.iter().map(|kural| Some(tamil_answer(kural))).collect();
    write_csv(
        &tables.join("kural_qa.csv"),
        ',',
        &[
            ("question", questions.clone()),
            ("answer", answers.clone()),
            ("lang", vec![Some("ta".into()); 6]),
        ],
    );
    let mut tsv_answers = answers.clone();
    tsv_answers[2] = Some(String::new());
    write_csv(
        &tables.join("kural_qa.tsv"),
        '\t',
        &[("question", questions.clone()), ("answer", tsv_answers)],
    );
    write_arrow_file(
        &tables.join("kural_qa.feather"),
        &text_batch(&[("prompt", questions), ("completion", answers)]),
    );
}
