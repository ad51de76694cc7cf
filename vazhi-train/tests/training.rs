//! Training end to end on the tiny fixture model (CPU, ndarray): a short run on a clean shard
//! lowers the loss, an unclean shard is refused with its findings, masked positions carry no
//! loss, resume continues exactly, and a merged export computes what base + adapter computed.

use std::path::{Path, PathBuf};

use burn::backend::{Autodiff, NdArray};
use burn::module::{AutodiffModule, Module, Param};
use burn::tensor::{Distribution, Int, Tensor, TensorData};
use vazhi_lint::gate::GateError;
use vazhi_train::data::Batch;
use vazhi_train::host::to_host;
use vazhi_train::lora::{ADAPTER_WEIGHTS, Adapters, LoraConfig, Target, read_peft_config};
use vazhi_train::merge::{export, merge};
use vazhi_train::model::Qwen3;
use vazhi_train::recipe::Recipe;
use vazhi_train::run::{RunError, Trained, run_recipe};
use vazhi_train::train::{LOG, labelled_nll, labelled_to_device, masked_loss, summed_loss};
use vazhi_train::weights::Checkpoint;

type Cpu = NdArray<f32>;
type Train = Autodiff<Cpu>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn fixture() -> PathBuf {
    root().join("vazhi-train/tests/fixtures/tiny-qwen3")
}

fn recipe(dir: &Path, shard: &Path, train: &str) -> Recipe {
    let path = dir.join("run.toml");
    std::fs::write(
        &path,
        format!(
            "[model]\npath = {model:?}\n\
             [data]\nshards = [{shard:?}]\nmax-seq-len = 96\n\
             [lora]\nrank = 4\nalpha = 8\ndropout = 0.0\ntargets = [\"q\", \"k\", \"v\", \"o\", \"gate\", \"up\", \"down\"]\n\
             [train]\nout = \"run\"\nbatch-size = 4\nlr = 5e-3\nwarmup-steps = 2\nclip-grad-norm = 1.0\n{train}",
            model = fixture().display().to_string(),
            shard = shard.display().to_string(),
        ),
    )
    .unwrap();
    Recipe::load(&path).unwrap()
}

fn clean_shard() -> PathBuf {
    root().join("corpora-samples/clean/kural-qa.messages.jsonl")
}

fn quiet(_: &str) {}

#[test]
fn a_short_run_on_a_clean_shard_lowers_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let recipe = recipe(
        dir.path(),
        &clean_shard(),
        "steps = 24\ngrad-accum = 2\nlog-every = 4\n",
    );
    let Trained { outcome, summary, .. } = run_recipe::<Train>(&recipe, None, &Default::default(), &mut quiet).unwrap();
    assert_eq!(summary.records, 60);
    assert!(summary.target_tokens > 0 && summary.target_tokens < summary.tokens);
    let log: Vec<serde_json::Value> = std::fs::read_to_string(dir.path().join("run").join(LOG))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(log.len(), 6, "a line every 4 of 24 steps");
    let first = outcome.first_loss.unwrap();
    let last = outcome.last_loss.unwrap();
    assert!(last < first - 0.5, "loss {first} → {last}");
    assert!(dir.path().join("run/adapter").join(ADAPTER_WEIGHTS).is_file());
    let peft = read_peft_config(&dir.path().join("run/adapter")).unwrap();
    assert_eq!((peft.rank, peft.targets.len()), (4, 7));
}

#[test]
fn an_unclean_shard_is_refused_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let shard = root().join("corpora-samples/defective/english-answers.alpaca.jsonl");
    let recipe = recipe(dir.path(), &shard, "steps = 1\n");
    let Err(err) = run_recipe::<Train>(&recipe, None, &Default::default(), &mut quiet) else {
        panic!("the unclean shard was trained on");
    };
    let RunError::Gate(GateError::Rejected { findings, .. }) = err else {
        panic!("expected a refusal, got {err}");
    };
    assert!(findings.iter().any(|f| f.rule.code == "VZ101"), "{findings:?}");
    assert!(!dir.path().join("run").exists(), "nothing was trained");
}

#[test]
fn masked_positions_do_not_affect_the_loss() {
    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let inputs = Tensor::<Cpu, 2, Int>::from_data(
        TensorData::new((0..16i64).map(|i| i * 37 % 1000).collect(), [2, 8]),
        &device,
    );
    let logits = model.forward(inputs, None);
    let weights: Vec<f32> = (0..16).map(|i| if i % 8 >= 5 { 1.0 } else { 0.0 }).collect();
    let targets: Vec<i64> = (0..16).map(|i| (i * 11 + 3) % 1000).collect();
    let loss = |targets: Vec<i64>, weights: Vec<f32>| -> f32 {
        let targets = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(targets, [2, 8]), &device);
        let weights = Tensor::<Cpu, 2>::from_data(TensorData::new(weights, [2, 8]), &device);
        to_host(masked_loss(logits.clone(), targets, weights).into_data())[0]
    };
    let base = loss(targets.clone(), weights.clone());
    // Other targets where the weight is 0 (prompt, padding): the same loss, bit for bit.
    let mut masked_changed = targets.clone();
    for (i, t) in masked_changed.iter_mut().enumerate() {
        if weights[i] == 0.0 {
            *t = (*t + 500) % 1000;
        }
    }
    assert_eq!(loss(masked_changed, weights.clone()), base);
    // Another target where the weight is 1: a different loss.
    let mut labelled_changed = targets;
    labelled_changed[6] = (labelled_changed[6] + 500) % 1000;
    assert_ne!(loss(labelled_changed, weights), base);
}

#[test]
fn masked_positions_get_no_gradient() {
    let device = Default::default();
    let logits = Tensor::<Train, 3>::random([1, 4, 16], Distribution::Normal(0.0, 1.0), &device).require_grad();
    let targets = Tensor::<Train, 2, Int>::from_data(TensorData::new(vec![1i64, 2, 3, 4], [1, 4]), &device);
    let weights = Tensor::<Train, 2>::from_data(TensorData::new(vec![0.0f32, 0.0, 1.0, 1.0], [1, 4]), &device);
    let grads = masked_loss(logits.clone(), targets, weights).backward();
    let grad = to_host(logits.grad(&grads).unwrap().into_data());
    assert!(grad[..32].iter().all(|&g| g == 0.0), "masked positions got gradient");
    assert!(grad[32..].iter().any(|&g| g != 0.0));
}

#[test]
fn the_loss_on_labelled_rows_equals_the_masked_loss_on_all_logits() {
    // The training loop projects only the labelled rows onto the vocabulary; that must be the
    // masked loss over the full logits, in value and in gradient.
    let device = Default::default();
    let (_, model) = Qwen3::<Train>::load_dir(&fixture(), &device).unwrap();
    let weights: Vec<f32> = (0..16).map(|i| if i % 8 >= 5 || i == 2 { 1.0 } else { 0.0 }).collect();
    let batch = Batch {
        batch: 2,
        seq: 8,
        inputs: (0..16i64).map(|i| i * 37 % 1000).collect(),
        targets: (0..16i64).map(|i| (i * 11 + 3) % 1000).collect(),
        weights: weights.clone(),
        tokens: 16,
    };
    // Padded to 16 rows (7 labelled), as a JIT backend's batches are.
    let (inputs, rows) = labelled_to_device::<Train>(&batch, 16, &device).unwrap();
    assert_eq!(rows.positions.dims(), [16]);
    let hidden = model.hidden(inputs, None).detach().require_grad();

    let rows = labelled_nll(&model, hidden.clone(), rows);
    let rows_grads = rows.backward();
    let targets = Tensor::<Train, 2, Int>::from_data(TensorData::new(batch.targets.clone(), [2, 8]), &device);
    let weights = Tensor::<Train, 2>::from_data(TensorData::new(weights, [2, 8]), &device);
    let full = summed_loss(model.logits(hidden.clone()), targets, weights);
    let full_grads = full.backward();

    let (rows, full) = (to_host(rows.into_data())[0], to_host(full.into_data())[0]);
    assert!((rows - full).abs() <= 1e-5 * full.abs(), "{rows} vs {full}");
    let a = to_host(hidden.grad(&rows_grads).unwrap().into_data());
    let b = to_host(hidden.grad(&full_grads).unwrap().into_data());
    let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
    assert!(worst <= 1e-6, "gradients differ by {worst}");
    assert!(a.iter().any(|&g| g != 0.0));

    let nothing = Batch {
        weights: vec![0.0; 16],
        ..batch
    };
    assert!(labelled_to_device::<Train>(&nothing, 16, &device).is_none());
}

#[test]
fn resume_continues_where_the_run_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let whole = recipe(dir.path(), &clean_shard(), "steps = 6\ncheckpoint-every = 3\n");
    run_recipe::<Train>(&whole, None, &Default::default(), &mut quiet).unwrap();
    let checkpoint = dir.path().join("run/checkpoint-000003");
    assert!(checkpoint.join("trainer_state.json").is_file());

    let other = tempfile::tempdir().unwrap();
    let resumed = recipe(other.path(), &clean_shard(), "steps = 6\ncheckpoint-every = 3\n");
    let outcome = run_recipe::<Train>(&resumed, Some(&checkpoint), &Default::default(), &mut quiet)
        .unwrap()
        .outcome;
    assert_eq!(outcome.steps, 3);
    let a = Checkpoint::load(&dir.path().join("run/adapter").join(ADAPTER_WEIGHTS)).unwrap();
    let b = Checkpoint::load(&other.path().join("run/adapter").join(ADAPTER_WEIGHTS)).unwrap();
    assert_eq!(a.tensors.len(), b.tensors.len());
    for (name, tensor) in &a.tensors {
        let difference = tensor
            .values
            .iter()
            .zip(&b.tensors[name].values)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(difference < 1e-6, "{name} differs by {difference}");
    }
}

/// Adapters with non-zero `B`, so merging changes the weights.
fn trained_looking_adapters(model: &Qwen3<Cpu>, device: &burn::tensor::Device<Cpu>) -> (LoraConfig, Adapters<Cpu>) {
    let lora = LoraConfig {
        rank: 4,
        alpha: 8.0,
        dropout: 0.0,
        targets: Target::ALL.to_vec(),
    };
    let mut adapters = Adapters::<Cpu>::init(model, &lora, device);
    for layer in &mut adapters.layers {
        for slot in [
            &mut layer.q,
            &mut layer.k,
            &mut layer.v,
            &mut layer.o,
            &mut layer.gate,
            &mut layer.up,
            &mut layer.down,
        ] {
            let lora = slot.as_mut().unwrap();
            let dims = lora.b.dims();
            lora.b = Param::from_tensor(Tensor::random(dims, Distribution::Normal(0.0, 0.2), device));
        }
    }
    (lora, adapters)
}

#[test]
fn merged_export_computes_what_base_plus_adapter_computed() {
    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let (lora, adapters) = trained_looking_adapters(&model, &device);
    let ids = Tensor::<Cpu, 2, Int>::from_data(
        TensorData::new((0..24i64).map(|i| i * 41 % 1024).collect(), [2, 12]),
        &device,
    );
    let with_adapter = to_host(model.forward(ids.clone(), Some(&adapters)).into_data());
    let base_only = to_host(model.forward(ids.clone(), None).into_data());
    let moved = with_adapter
        .iter()
        .zip(&base_only)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(moved > 1e-2, "the adapter changes nothing ({moved})");

    let dir = tempfile::tempdir().unwrap();
    let adapter_dir = dir.path().join("adapter");
    adapters.save_peft(&adapter_dir, &lora, "tiny-qwen3").unwrap();
    let (config, merged) = merge::<Cpu>(&fixture(), &adapter_dir, &device).unwrap();
    let merged_logits = to_host(merged.forward(ids.clone(), None).into_data());
    let difference = with_adapter
        .iter()
        .zip(&merged_logits)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(difference <= 1e-4, "merged vs base + adapter: {difference:e}");

    // The exported folder loads back with the same logits.
    let out = dir.path().join("merged");
    export(&merged, &config, &out, Some(&fixture())).unwrap();
    assert!(out.join("tokenizer.json").is_file());
    let (_, reloaded) = Qwen3::<Cpu>::load_dir(&out, &device).unwrap();
    let reloaded_logits = to_host(reloaded.forward(ids.clone(), None).into_data());
    assert_eq!(reloaded_logits, merged_logits);

    // And in transformers, when a Python with torch + transformers is configured
    // (VAZHI_TORCH_PYTHON, e.g. /var/tmp/vazhi-torch-venv/bin/python).
    if let Some(python) = std::env::var_os("VAZHI_TORCH_PYTHON") {
        let mut expected = std::collections::BTreeMap::new();
        let [batch, seq] = ids.dims();
        let vocab = config.vocab_size;
        expected.insert(
            "logits".to_owned(),
            vazhi_train::weights::HostTensor::new(vec![batch, seq, vocab], merged_logits.clone()),
        );
        // Ids as f32 (exact below 2^24): the checkpoint writer stores f32 only.
        let ids: Vec<f32> = to_host_ids(ids).into_iter().map(|id| id as f32).collect();
        expected.insert(
            "input_ids".to_owned(),
            vazhi_train::weights::HostTensor::new(vec![batch, seq], ids),
        );
        vazhi_train::weights::save(&out.join("expected-logits.safetensors"), &expected, None).unwrap();
        let status = std::process::Command::new(python)
            .arg(root().join("vazhi-train/scripts/qwen3_reference.py"))
            .arg("check")
            .arg(&out)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "transformers disagrees with burn on the merged export"
        );
    }
}

fn to_host_ids(ids: Tensor<Cpu, 2, Int>) -> Vec<i64> {
    ids.into_data().convert::<i64>().to_vec::<i64>().unwrap()
}

#[test]
fn adapters_train_and_the_base_stays_frozen() {
    let device = Default::default();
    let (_, model) = Qwen3::<Train>::load_dir(&fixture(), &device).unwrap();
    let lora = LoraConfig {
        rank: 2,
        alpha: 4.0,
        dropout: 0.0,
        targets: vec![Target::Q, Target::Down],
    };
    let adapters = Adapters::<Train>::init(&model, &lora, &device);
    let ids = Tensor::<Train, 2, Int>::from_data(TensorData::new((0..8i64).collect(), [1, 8]), &device);
    let logits = model.forward(ids.clone(), Some(&adapters));
    let loss = masked_loss(logits, ids, Tensor::ones([1, 8], &device));
    let grads = loss.backward();
    assert!(
        model.layers[0].self_attn.q_proj.val().grad(&grads).is_none(),
        "the base got a gradient"
    );
    let b = &adapters.layers[0].q.as_ref().unwrap().b;
    assert!(b.val().grad(&grads).is_some(), "the adapter got no gradient");
    // Only adapter parameters exist to optimise: rank · (in + out) per adapted projection.
    let expected = 2 * 2 * ((64 + 64) + (128 + 64));
    assert_eq!(adapters.valid().layers.len(), 2);
    assert_eq!(adapters.num_params(), expected);
}

#[test]
fn evaluation_lints_the_answers() {
    use std::sync::Arc;
    use vazhi_lint::tokens::ChatTemplate;
    use vazhi_train::data::Encoder;
    use vazhi_train::eval::evaluate;

    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let encoder = Encoder::load(&fixture().join("tokenizer.json"), Arc::new(ChatTemplate::ChatMl), 512).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prompts = root().join("vazhi-train/recipes/kural-prompts.jsonl");
    let report = evaluate(&model, None, &encoder, &prompts, 12, dir.path(), &device).unwrap();
    assert_eq!(report.answers.len(), 4);
    let lines = std::fs::read_to_string(&report.generations).unwrap();
    assert_eq!(lines.lines().count(), 4);
    // Each answer is what the model produced: greedy decoding is deterministic.
    let again = evaluate(&model, None, &encoder, &prompts, 12, dir.path(), &device).unwrap();
    assert_eq!(report.answers[0].text, again.answers[0].text);
    // A random model's answers are not Tamil prose: the response rules say so, per answer.
    let table = report.table();
    assert!(table.contains("tamil-ratio") && table.contains("clean"), "{table}");
    let flagged: usize = report.per_rule.values().sum();
    assert!(flagged > 0, "{table}");
    assert!(report.answers.iter().any(|a| !a.findings.is_empty()));
}

#[test]
fn padding_the_generation_input_changes_no_answer() {
    use vazhi_train::eval::generate;

    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let prompt: Vec<u32> = (0..7).map(|i| i * 97 % 1000 + 3).collect();
    let exact = generate(&model, None, &prompt, &[], 10, 1, &device);
    let padded = generate(&model, None, &prompt, &[], 10, 16, &device);
    assert_eq!(exact.len(), 10);
    assert_eq!(exact, padded);
}

/// The largest absolute difference between two equally long slices.
fn max_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn cached_positions_compute_what_the_whole_sequence_computes() {
    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let (_, adapters) = trained_looking_adapters(&model, &device);
    let ids: Vec<i64> = (0..13i64).map(|i| i * 131 % 1000 + 5).collect();
    for adapters in [None, Some(&adapters)] {
        let whole = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(ids.clone(), [1, 13]), &device);
        let whole = to_host(model.forward(whole, adapters).into_data());
        let vocab = model.vocab_size();
        // A prompt of 6 padded to 8 (the padding's slots are later overwritten), then one token at a
        // time, in a cache with slots to spare.
        let mut cache = model.kv_cache(&[0], 16, &device);
        let mut prompt = ids[..6].to_vec();
        prompt.resize(8, 0);
        let prompt = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(prompt, [1, 8]), &device);
        let prefill = to_host(
            model
                .logits(model.hidden_cached(prompt, 0, &mut cache, adapters))
                .into_data(),
        );
        let difference = max_difference(&prefill[..6 * vocab], &whole[..6 * vocab]);
        assert!(difference < 1e-4, "prompt logits differ by {difference}");
        for (position, &id) in ids.iter().enumerate().skip(6) {
            let token = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(vec![id], [1, 1]), &device);
            let step = to_host(
                model
                    .logits(model.hidden_cached(token, position, &mut cache, adapters))
                    .into_data(),
            );
            let expected = &whole[position * vocab..(position + 1) * vocab];
            let difference = max_difference(&step, expected);
            assert!(difference < 1e-4, "position {position}: logits differ by {difference}");
        }
    }
}

#[test]
fn cached_generation_answers_as_rerunning_the_whole_sequence_does() {
    use vazhi_train::eval::generate;

    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let (_, adapters) = trained_looking_adapters(&model, &device);
    let prompt: Vec<u32> = (0..9).map(|i| i * 211 % 1000 + 11).collect();
    // The reference: every step reruns the whole sequence and takes the last row's arg-max.
    let mut ids: Vec<i64> = prompt.iter().map(|&id| i64::from(id)).collect();
    let mut expected = Vec::new();
    for _ in 0..12 {
        let input = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(ids.clone(), [1, ids.len()]), &device);
        let logits = model.forward(input, Some(&adapters)).narrow(1, ids.len() - 1, 1);
        let next = to_host_ids(logits.argmax(2).reshape([1, 1]))[0];
        expected.push(next as u32);
        ids.push(next);
    }
    for pad_to in [1, 8, 32] {
        let answer = generate(&model, Some(&adapters), &prompt, &[], 12, pad_to, &device);
        assert_eq!(answer, expected, "pad_to {pad_to}");
    }
    // A stop token ends the answer before it.
    let stopped = generate(&model, Some(&adapters), &prompt, &[expected[4]], 12, 8, &device);
    let first_stop = expected.iter().position(|&t| t == expected[4]).unwrap();
    assert_eq!(stopped, expected[..first_stop]);
    assert!(generate(&model, None, &prompt, &[], 0, 8, &device).is_empty());
}

#[test]
fn decoding_logits_equal_the_training_projection() {
    let device = Default::default();
    for dir in [fixture(), fixture().join("untied")] {
        let (_, model) = Qwen3::<Cpu>::load_dir(&dir, &device).unwrap();
        let rows = Tensor::<Cpu, 2>::random([3, 64], Distribution::Normal(0.0, 1.0), &device);
        let decoding = to_host(model.next_token_logits(rows.clone()).into_data());
        let training = to_host(model.project(rows).into_data());
        let difference = max_difference(&decoding, &training);
        assert!(difference < 1e-5, "{}: logits differ by {difference}", dir.display());
    }
}

#[test]
fn a_left_padded_row_computes_what_it_computes_alone() {
    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let (_, adapters) = trained_looking_adapters(&model, &device);
    let ids: Vec<i64> = (0..7i64).map(|i| i * 37 % 1000 + 9).collect();
    let whole = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(ids.clone(), [1, 7]), &device);
    let whole = to_host(model.forward(whole, Some(&adapters)).into_data());
    let vocab = model.vocab_size();
    // Row 0: three slots of padding (holding arbitrary tokens), then the 5-token prompt; row 1
    // fills all eight slots with another sequence.
    let mut cache = model.kv_cache(&[3, 0], 16, &device);
    let mut input = vec![7, 8, 9];
    input.extend_from_slice(&ids[..5]);
    input.extend((0..8i64).map(|i| i * 53 % 1000 + 1));
    let input = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(input, [2, 8]), &device);
    let prefill = to_host(
        model
            .logits(model.hidden_cached(input, 0, &mut cache, Some(&adapters)))
            .into_data(),
    );
    let difference = max_difference(&prefill[3 * vocab..8 * vocab], &whole[..5 * vocab]);
    assert!(difference < 1e-4, "prompt logits differ by {difference}");
    for (slot, position) in [(8, 5), (9, 6)] {
        let token = Tensor::<Cpu, 2, Int>::from_data(TensorData::new(vec![ids[position], 3], [2, 1]), &device);
        let step = to_host(
            model
                .logits(model.hidden_cached(token, slot, &mut cache, Some(&adapters)))
                .into_data(),
        );
        let expected = &whole[position * vocab..(position + 1) * vocab];
        let difference = max_difference(&step[..vocab], expected);
        assert!(difference < 1e-4, "position {position}: logits differ by {difference}");
    }
}

#[test]
fn prompts_answered_together_get_the_answers_they_get_alone() {
    use vazhi_train::eval::{generate, generate_batch};

    let device = Default::default();
    let (_, model) = Qwen3::<Cpu>::load_dir(&fixture(), &device).unwrap();
    let (_, adapters) = trained_looking_adapters(&model, &device);
    let prompts: Vec<Vec<u32>> = [3usize, 14, 9, 0]
        .iter()
        .map(|&len| (0..len as u32).map(|i| (i * 89 + len as u32 * 7) % 1000 + 2).collect())
        .collect();
    let alone: Vec<Vec<u32>> = prompts
        .iter()
        .map(|p| generate(&model, Some(&adapters), p, &[], 10, 8, &device))
        .collect();
    assert!(alone[3].is_empty(), "an empty prompt answers nothing");
    let batch: Vec<&[u32]> = prompts.iter().map(Vec::as_slice).collect();
    let together = generate_batch(&model, Some(&adapters), &batch, &[], 10, 8, &device);
    assert_eq!(together, alone);
    // A stop token ends one row's answer and not the others'.
    let stop = alone[1][2];
    let stopped = generate_batch(&model, Some(&adapters), &batch, &[stop], 10, 8, &device);
    for (row, answer) in stopped.iter().enumerate() {
        let end = alone[row].iter().position(|&t| t == stop).unwrap_or(alone[row].len());
        assert_eq!(answer[..], alone[row][..end], "row {row}");
    }
}
