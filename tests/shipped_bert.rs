//! The BERT the course page ships (`www/models/bert.safetensors`): it answers
//! the course's question ("the man went to the [MASK] to buy a [MASK] of
//! milk" → a shop, and a container of milk, among the top 5), its held-out
//! masked-LM accuracy is what the trainer reported, fine-tuning it beats the
//! same architecture trained from scratch on the same labels, and it saves
//! and loads unchanged. Natively only: fine-tuning two models and the
//! held-out evaluation take seconds of release-built arithmetic, too long for
//! the browser's unoptimised test build.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::ready;
use glassformer::checkpoint::{load_bert, save_bert};
use glassformer::train::errands::{opinions, SEED_QUESTION};
use glassformer::train::fine_tuning::{accuracy, labelled, FineTuner, Labelled};
use glassformer::train::pretraining::{fill_mask, Pretrainer, PretrainingConfig};
use glassformer::train::wordpiece::WordPiece;
use glassformer::Device;

const SHIPPED: &[u8] = include_bytes!("../www/models/bert.safetensors");

fn opinion_set(vocab: &WordPiece, seed: u64, count: usize, split: usize) -> Vec<Labelled> {
    let pairs: Vec<(String, u32)> = opinions(seed, count, split).into_iter().map(|e| (e.text, e.label)).collect();
    labelled(vocab, &pairs, 2, 48).unwrap()
}

gf_test! {
    fn the_shipped_bert_answers_the_course_question() {
        let ck = load_bert(SHIPPED, &Device::Cpu).unwrap();
        let filled = fill_mask(&ck.bert, &ck.vocab, SEED_QUESTION, 5).unwrap();
        println!("{SEED_QUESTION} → {filled:?}");
        assert_eq!(filled.len(), 2);
        let has = |guesses: &[(String, f32)], any: &[&str]| guesses.iter().any(|(token, _)| any.contains(&token.as_str()));
        assert!(has(&filled[0], &["store", "shop", "market"]), "first [MASK]: {:?}", filled[0]);
        assert!(has(&filled[1], &["gallon", "bottle", "carton"]), "second [MASK]: {:?}", filled[1]);
    }

    fn the_shipped_bert_is_as_good_held_out_as_reported() {
        let ck = load_bert(SHIPPED, &Device::Cpu).unwrap();
        let cfg = PretrainingConfig::default();
        let reported = ck.mlm_accuracy.expect("the trainer records its accuracy");
        let trainer = Pretrainer::resume(cfg, ck.vocab, ck.bert, ck.step, &Device::Cpu);
        let eval = trainer.evaluate(&trainer.bert, 20).unwrap();
        println!("held-out: {eval:?} (recorded masked-LM accuracy {reported})");
        // Half-precision weights move the figure a little, not more.
        assert!((eval.mlm_accuracy - reported).abs() < 0.01, "{} vs {reported}", eval.mlm_accuracy);
        assert!(eval.mlm_accuracy > 0.5 && eval.nsp_accuracy > 0.8, "{eval:?}");
    }

    fn fine_tuning_the_pretrained_bert_beats_training_from_scratch() {
        let ck = load_bert(SHIPPED, &Device::Cpu).unwrap();
        // 32 labelled sentences using half of the opinion words; tested on 200 using only the other half.
        let (train, test) = (opinion_set(&ck.vocab, 1, 32, 0), opinion_set(&ck.vocab, 2, 200, 1));
        let values = ck.bert.params.values.host().unwrap().to_vec();
        let score = |from_scratch: bool| {
            let mut tuner = FineTuner::new(&ck.bert, &values, 2, from_scratch, 3e-4, 1, &Device::Cpu).unwrap();
            ready(tuner.train(&ck.vocab, &train, 80, 16)).unwrap();
            (accuracy(&tuner.bert, &ck.vocab, &train).unwrap(), accuracy(&tuner.bert, &ck.vocab, &test).unwrap())
        };
        let (pretrained, scratch) = (score(false), score(true));
        println!("(train, test) accuracy: pre-trained {pretrained:?}, from scratch {scratch:?}");
        assert!(pretrained.1 >= scratch.1 + 0.15, "test accuracy: pre-trained {pretrained:?}, from scratch {scratch:?}");
        assert!(pretrained.1 >= 0.75, "pre-trained {pretrained:?}");
    }

    fn save_and_load_keep_every_value() {
        let ck = load_bert(SHIPPED, &Device::Cpu).unwrap();
        let values = ck.bert.params.values.host().unwrap().to_vec();
        let bytes = save_bert(&ck.bert, &values, &ck.vocab, ck.step, ck.mlm_accuracy).unwrap();
        let again = load_bert(&bytes, &Device::Cpu).unwrap();
        assert_eq!(again.bert.params.values.host().unwrap(), &values[..]);
        assert_eq!(again.vocab, ck.vocab);
        assert_eq!(again.step, ck.step);
        // Broken files are refused with a reason.
        let msg = load_bert(&bytes[..bytes.len() / 2], &Device::Cpu).err().expect("half a file").to_string();
        assert!(msg.starts_with("checkpoint: this is not a safetensors file"), "{msg}");
        let msg = load_bert(b"not a checkpoint", &Device::Cpu).err().expect("not a file").to_string();
        assert!(msg.starts_with("checkpoint: this is not a safetensors file"), "{msg}");
    }
}
