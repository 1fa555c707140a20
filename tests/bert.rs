//! BERT: every gradient against finite differences (pre-training and
//! fine-tuning heads, with padding); masking statistics (15% chosen; 80% /
//! 10% / 10%; specials never); next-sentence pairs; the corpus keeps the
//! course's sentence out; the model overfits a batch; fine-tuned copies keep
//! the encoder.

mod common;
use common::{assert_close, numeric_grad, random_vec, ready};
use glassformer::device::tensor::Tensor;
use glassformer::models::bert::{Bert, BertBatch, BertConfig};
use glassformer::ops::cross_entropy::IGNORE_INDEX;
use glassformer::train::errands::{Corpus, SEED_SENTENCE};
use glassformer::train::masked_lm::{apply, mask_tokens, pretraining_batch, sample_pair, Fate};
use glassformer::train::wordpiece::WordPiece;
use glassformer::Device;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn tiny(mlm_head: bool, classes: usize) -> BertConfig {
    BertConfig {
        vocab: 11,
        layers: 1,
        c: 8,
        heads: 2,
        ffn_hidden: 16,
        max_len: 8,
        classes,
        mlm_head,
        untied_decoder: false,
    }
}

/// Two sequences, the second padded; three masked-LM rows (one ignored).
fn batch() -> BertBatch {
    BertBatch {
        b: 2,
        t: 6,
        tokens: vec![2, 5, 4, 3, 7, 3, 2, 8, 3, 0, 0, 0],
        segments: vec![0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0],
        lengths: vec![6, 3],
        mlm_rows: vec![2, 4, 7],
        mlm_targets: vec![6, 9, IGNORE_INDEX],
        labels: vec![1, 0],
    }
}

fn loss_of(model: &Bert, batch: &BertBatch) -> f64 {
    let mut acts = model.acts(batch);
    model.forward(&mut acts, batch).unwrap();
    let (mlm, cls) = ready(model.losses(&acts)).unwrap();
    mlm as f64 + cls as f64
}

fn corpus_vocab() -> (Corpus, WordPiece) {
    let corpus = Corpus::generate(5, 400);
    let vocab = WordPiece::train(corpus.train_sentences(), 400);
    (corpus, vocab)
}

gf_test! {
    fn every_gradient_matches_finite_differences() {
        for (mlm_head, classes) in [(true, 2), (false, 3)] {
            let mut model = Bert::new(tiny(mlm_head, classes), 3, &Device::Cpu).unwrap();
            let p = random_vec(model.params.len(), 0.5, 4);
            model.params.values = Tensor::Host(p.clone());
            let mut b = batch();
            if !mlm_head {
                (b.mlm_rows, b.mlm_targets, b.labels) = (vec![], vec![], vec![2, 0]);
            }
            let mut acts = model.acts(&b);
            model.forward(&mut acts, &b).unwrap();
            model.params.zero_grads(&Device::Cpu).unwrap();
            model.backward(&acts, &b).unwrap();
            let grads = model.params.grads.host().unwrap().to_vec();
            let numeric = numeric_grad(&p, 1e-3, |q| {
                model.params.values = Tensor::Host(q.to_vec());
                loss_of(&model, &b)
            });
            for info in &model.params.tensors {
                let r = info.range;
                assert_close(&format!("mlm={mlm_head} d{}", info.name), r.of(&grads), r.of(&numeric), 2e-3, 3e-2);
            }
        }
    }

    fn padding_changes_nothing_for_the_real_tokens() {
        // The same short sequence alone and padded next to a longer one: same losses.
        let model = Bert::new(tiny(true, 2), 7, &Device::Cpu).unwrap();
        let alone = BertBatch {
            b: 1, t: 3, tokens: vec![2, 8, 3], segments: vec![0; 3], lengths: vec![3],
            mlm_rows: vec![1], mlm_targets: vec![5], labels: vec![0],
        };
        let mut padded = batch();
        (padded.mlm_rows, padded.mlm_targets, padded.labels) = (vec![7], vec![5], vec![IGNORE_INDEX, 0]);
        assert!((loss_of(&model, &alone) - loss_of(&model, &padded)).abs() < 1e-5);
    }

    fn bad_batches_are_readable_errors() {
        let model = Bert::new(tiny(true, 2), 1, &Device::Cpu).unwrap();
        let mut acts = model.acts(&batch());
        let mut long = batch();
        (long.t, long.tokens, long.segments) = (9, vec![2; 18], vec![0; 18]);
        let err = model.forward(&mut model.acts(&long), &long).unwrap_err().to_string();
        assert!(err.contains("longer than the model's 8 positions"), "{err}");
        let mut unknown = batch();
        unknown.tokens[1] = 11;
        let err = model.forward(&mut acts, &unknown).unwrap_err().to_string();
        assert!(err.contains("token id 11"), "{err}");
        let mut label = batch();
        label.labels[0] = 2;
        let msg = model.forward(&mut acts, &label).unwrap_err().to_string();
        assert!(msg.starts_with("bert: labels must be between 0 and 1 (or ignored)."), "{msg}");
        let fine_tuned = model.fine_tune_copy(model.params.values.host().unwrap(), 3, 2, &Device::Cpu).unwrap();
        let err = fine_tuned.forward(&mut fine_tuned.acts(&batch()), &batch()).unwrap_err().to_string();
        assert!(err.contains("no masked-LM head"), "{err}");
    }

    fn it_overfits_one_batch() {
        let mut model = Bert::new(BertConfig { c: 16, ffn_hidden: 32, ..tiny(true, 2) }, 1, &Device::Cpu).unwrap();
        let b = batch();
        let cfg = glassformer::ops::adamw::AdamWConfig { lr: 1e-2, weight_decay: 0.0, ..Default::default() };
        let mut opt = glassformer::train::optimizer::AdamW::new(cfg, &model.params, &Device::Cpu);
        let first = loss_of(&model, &b);
        for _ in 0..150 {
            let mut acts = model.acts(&b);
            model.forward(&mut acts, &b).unwrap();
            model.params.zero_grads(&Device::Cpu).unwrap();
            model.backward(&acts, &b).unwrap();
            opt.update(&Device::Cpu, &mut model.params).unwrap();
        }
        let last = loss_of(&model, &b);
        assert!(first > 2.0 && last < 0.05, "loss {first} → {last}");
    }

    fn a_fine_tuned_classifier_reads_a_typed_mask_as_a_token() {
        use glassformer::train::fine_tuning::{classify, labelled, FineTuner};
        let (_, vocab) = corpus_vocab();
        let model = Bert::new(BertConfig { vocab: vocab.len(), max_len: 24, ..tiny(true, 2) }, 1, &Device::Cpu).unwrap();
        let values = model.params.values.host().unwrap().to_vec();
        let mut tuner = FineTuner::new(&model, &values, 2, false, 1e-3, 1, &Device::Cpu).unwrap();
        let examples = labelled(&vocab, &[("the [MASK] was fresh.".into(), 1), ("the milk was sour.".into(), 0)], 2, 24).unwrap();
        ready(tuner.train(&vocab, &examples, 2, 2)).unwrap();
        let probs = classify(&tuner.bert, &vocab, &[vocab.encode("a [MASK] of milk")]).unwrap();
        assert!((probs[0].iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }

    fn fine_tuned_copies_keep_the_encoder_and_drop_the_mlm_head() {
        let model = Bert::new(tiny(true, 2), 1, &Device::Cpu).unwrap();
        let values = model.params.values.host().unwrap();
        let copy = model.fine_tune_copy(values, 4, 9, &Device::Cpu).unwrap();
        assert!(copy.mlm.is_none() && copy.cfg.classes == 4);
        let copied = copy.params.values.host().unwrap();
        for info in &copy.params.tensors {
            let from = model.params.tensors.iter().find(|t| t.name == info.name);
            match (info.name.starts_with("classifier."), from) {
                (false, Some(from)) => assert_eq!(info.range.of(copied), from.range.of(values), "{}", info.name),
                (true, _) => {}
                (false, None) => panic!("{} is new in the copy", info.name),
            }
        }
        assert!(copy.params.tensors.iter().all(|t| !t.name.starts_with("mlm.")));
    }

    fn masking_follows_bert_over_100k_tokens() {
        let (corpus, vocab) = corpus_vocab();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (mut tokens, mut specials, mut chosen, mut masked, mut random, mut kept) = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
        'outer: loop {
            for doc in &corpus.train {
                for sentence in &doc.sentences {
                    let mut ids = vec![vocab.cls];
                    ids.extend(vocab.encode(sentence));
                    ids.push(vocab.sep);
                    let fates = mask_tokens(&ids, &vocab, &mut rng);
                    let shown = apply(&ids, &fates, &vocab);
                    for ((&id, &fate), &seen) in ids.iter().zip(&fates).zip(&shown) {
                        if vocab.is_special(id) {
                            specials += 1;
                            assert_eq!(fate, Fate::NotChosen, "a special token was chosen");
                            continue;
                        }
                        tokens += 1;
                        match fate {
                            Fate::NotChosen => assert_eq!(seen, id),
                            Fate::Masked => { chosen += 1; masked += 1; assert_eq!(seen, vocab.mask) }
                            Fate::Random(other) => { chosen += 1; random += 1; assert_eq!(seen, other); assert!(!vocab.is_special(other)) }
                            Fate::Kept => { chosen += 1; kept += 1; assert_eq!(seen, id) }
                        }
                    }
                    if tokens >= 100_000 {
                        break 'outer;
                    }
                }
            }
        }
        assert!(specials > 0);
        let share = |x: usize, of: usize| x as f64 / of as f64;
        assert!((share(chosen, tokens) - 0.15).abs() < 0.01, "chosen {}", share(chosen, tokens));
        assert!((share(masked, chosen) - 0.8).abs() < 0.01, "[MASK] {}", share(masked, chosen));
        assert!((share(random, chosen) - 0.1).abs() < 0.01, "random {}", share(random, chosen));
        assert!((share(kept, chosen) - 0.1).abs() < 0.01, "kept {}", share(kept, chosen));
    }

    fn next_sentence_pairs_are_half_true_and_negatives_come_from_elsewhere() {
        let (corpus, vocab) = corpus_vocab();
        let docs = &corpus.train;
        // Where each encoded sentence occurs: (story, index).
        let mut place = std::collections::HashMap::new();
        for (d, doc) in docs.iter().enumerate() {
            for (i, s) in doc.sentences.iter().enumerate() {
                place.entry(vocab.encode(s)).or_insert_with(Vec::new).push((d, i));
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 4000;
        let mut positives = 0;
        for _ in 0..n {
            let pair = sample_pair(docs, &vocab, 128, &mut rng);
            let sep = pair.ids.iter().position(|&id| id == vocab.sep).unwrap();
            let (a, b) = (&pair.ids[1..sep], &pair.ids[sep + 1..pair.ids.len() - 1]);
            assert!(pair.segments[..=sep].iter().all(|&s| s == 0) && pair.segments[sep + 1..].iter().all(|&s| s == 1));
            let (pa, pb) = (&place[a], &place[b]);
            if pair.is_next == 1 {
                positives += 1;
                assert!(pa.iter().any(|&(d, i)| pb.contains(&(d, i + 1))), "a positive pair that is not consecutive");
            } else {
                // Some story other than A's holds B.
                assert!(pb.iter().any(|&(d, _)| pa.iter().any(|&(da, _)| da != d)), "a negative from A's own story");
            }
        }
        assert!((positives as f64 / n as f64 - 0.5).abs() < 0.03, "{positives} of {n} positive");
    }

    fn the_course_sentence_is_answerable_but_never_in_the_corpus() {
        let corpus = Corpus::generate(1, 20_000);
        let all: Vec<&str> = corpus.train.iter().chain(&corpus.valid).flat_map(|d| d.sentences.iter().map(|s| s.as_str())).collect();
        assert!(!all.contains(&SEED_SENTENCE));
        let count = |needle: &str| all.iter().filter(|s| s.contains(needle)).count();
        for answer in ["to the store to", "a gallon of milk", "the man went to the"] {
            assert!(count(answer) > 20, "{answer:?} occurs {} times", count(answer));
        }
        // Generation is deterministic.
        assert_eq!(Corpus::generate(1, 50), Corpus::generate(1, 50));
    }

    fn the_same_seed_gives_the_same_pretraining_run() {
        use glassformer::train::pretraining::{PretrainingConfig, Pretrainer};
        let cfg = PretrainingConfig { layers: 1, d_model: 16, heads: 2, batch_size: 4, documents: 60, vocab_size: 200, ..PretrainingConfig::default() };
        let run = |seed: u64| {
            let mut trainer = Pretrainer::new(PretrainingConfig { seed, ..cfg }, &Device::Cpu).unwrap();
            (0..4)
                .map(|_| {
                    let (_, acts) = trainer.train_step().unwrap();
                    ready(trainer.bert.losses(&acts)).unwrap()
                })
                .collect::<Vec<_>>()
        };
        let first = run(3);
        assert_eq!(first, run(3));
        assert_ne!(first, run(4));
    }

    fn pretraining_batches_are_consistent() {
        let (corpus, vocab) = corpus_vocab();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let b = pretraining_batch(&corpus.train, &vocab, 8, 24, &mut rng);
        assert!(b.t <= 24 && b.tokens.len() == 8 * b.t && b.lengths.len() == 8);
        for (row, &len) in b.lengths.iter().enumerate() {
            assert_eq!(b.tokens[row * b.t], vocab.cls);
            assert_eq!(b.tokens[row * b.t + len - 1], vocab.sep);
            assert!(b.tokens[row * b.t + len..(row + 1) * b.t].iter().all(|&id| id == vocab.pad));
        }
        let model = Bert::new(BertConfig { vocab: vocab.len(), max_len: 24, ..tiny(true, 2) }, 1, &Device::Cpu).unwrap();
        // An untrained model guesses uniformly: ln V for the masked words, ln 2 for next-sentence.
        let (loss, uniform) = (loss_of(&model, &b), (vocab.len() as f64).ln() + 2f64.ln());
        assert!((loss - uniform).abs() < 0.3, "an untrained model's loss {loss}, expected about {uniform}");
    }
}
