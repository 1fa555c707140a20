//! Translator checkpoints: save → load gives the same translations; broken,
//! foreign or tampered files are errors that say what is wrong.

mod common;
use common::{assert_close, ready};
use glassformer::checkpoint::{load_gpt, load_translator, save_gpt, save_translator};
use glassformer::models::gpt::{Gpt, GptConfig};
use glassformer::train::chars::CharVocab;
use glassformer::train::data::DataConfig;
use glassformer::train::translation::{Translator, TranslatorConfig};
use glassformer::Device;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn trained() -> Translator {
    let cfg = TranslatorConfig {
        data: DataConfig { seed: 4, sentences: 600 },
        d_model: 16,
        d_ff: 32,
        batch_size: 8,
        ..TranslatorConfig::default()
    };
    let mut translator = Translator::new(cfg, &Device::Cpu).unwrap();
    for _ in 0..5 {
        translator.train_step().unwrap();
    }
    translator
}

/// The translator as checkpoint bytes, its parameters read back from its device.
async fn save(t: &Translator) -> glassformer::Result<Vec<u8>> {
    let values = t.model.params.values.to_host(&t.model.device).await?;
    save_translator(&t.cfg, t.step(), &t.source_vocab, &t.target_vocab, &t.model.params, &values)
}

/// A translator again from checkpoint bytes, as the page loads one.
fn load(bytes: &[u8], device: &Device) -> glassformer::Result<Translator> {
    let c = load_translator(bytes)?;
    Translator::resume(c.cfg, c.step, c.source_vocab, c.target_vocab, c.model, device)
}

fn error(bytes: &[u8]) -> String {
    load(bytes, &Device::Cpu)
        .err()
        .expect("the checkpoint should be refused")
        .to_string()
}

gf_test! {
    fn save_then_load_translates_identically() {
        let translator = trained();
        let bytes = ready(save(&translator)).unwrap();
        let loaded = load(&bytes, &Device::Cpu).unwrap();
        assert_eq!(loaded.step(), 5);
        assert_eq!(loaded.model.params.values.host().unwrap(), translator.model.params.values.host().unwrap());
        for pair in &translator.data.test[..4] {
            assert_eq!(loaded.translate(&pair.english).unwrap(), translator.translate(&pair.english).unwrap());
        }
    }

    fn broken_foreign_and_tampered_files_are_refused() {
        let bytes = ready(save(&trained())).unwrap();
        assert!(error(b"not a checkpoint").starts_with("checkpoint: this is not a safetensors file"));
        assert!(error(&bytes[..bytes.len() / 2]).starts_with("checkpoint: this is not a safetensors file"));
        // A valid safetensors file without our metadata.
        let foreign = safetensors_without_metadata();
        assert!(error(&foreign).contains("this is not a glassformer checkpoint"), "{}", error(&foreign));
        // A weight turned into NaN (the first F32 after the header).
        let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let mut tampered = bytes.clone();
        tampered[8 + header..8 + header + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(error(&tampered).contains("holds a non-finite value"), "{}", error(&tampered));
    }

    fn a_checkpoint_whose_vocabulary_its_data_does_not_give_is_refused() {
        let t = trained();
        let values = t.model.params.values.host().unwrap().to_vec();
        // Two words swapped: same sizes, so the file itself loads, but ids would mean other words.
        let mut words = t.target_vocab.words().to_vec();
        words.swap(5, 6);
        let swapped = glassformer::train::tokenizer::Vocab::from_words(words);
        let bytes = save_translator(&t.cfg, t.step(), &t.source_vocab, &swapped, &t.model.params, &values).unwrap();
        let c = load_translator(&bytes).unwrap();
        assert_eq!(c.target_vocab, swapped);
        let msg = error(&bytes);
        assert!(msg.starts_with("checkpoint: its target_vocab differs from the one its data configuration gives"), "{msg}");
        // Too few values for the model is refused when saving.
        let msg = save_translator(&t.cfg, t.step(), &t.source_vocab, &t.target_vocab, &t.model.params, &values[1..]).unwrap_err();
        assert!(msg.to_string().contains(&format!("got {} values for a model of {}", values.len() - 1, values.len())), "{msg}");
    }

    fn a_gpt_round_trips_and_is_not_taken_for_a_translator() {
        let cfg = GptConfig { vocab: 9, context: 8, layers: 2, d_model: 16, heads: 2 };
        let gpt = Gpt::new(cfg, 4, &Device::Cpu).unwrap();
        let vocab = CharVocab::from_chars("\n abcdeil");
        let values = gpt.lm.params.values.host().unwrap().to_vec();
        let bytes = save_gpt(&gpt, &values, &vocab, 321, Some(1.5)).unwrap();
        let loaded = load_gpt(&bytes, &Device::Cpu).unwrap();
        assert_eq!((loaded.step, loaded.valid_loss, loaded.vocab.chars()), (321, Some(1.5), vocab.chars()));
        let tokens = [1, 4, 2, 8, 0];
        // Stored in half precision: the same logits to about three decimal places.
        assert_close("logits after F16", &loaded.gpt.logits(&tokens).unwrap(), &gpt.logits(&tokens).unwrap(), 2e-3, 2e-3);
        let header = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(bytes.len() - 8 - header, values.len() * 2, "two bytes per weight");
        // Each kind of checkpoint is refused by the other's loader, saying so.
        assert!(error(&bytes).contains("this is a \"glassformer-gpt\" checkpoint, not a \"glassformer-seq2seq\" one"), "{}", error(&bytes));
        let translator = ready(save(&trained())).unwrap();
        let msg = load_gpt(&translator, &Device::Cpu).unwrap_err().to_string();
        assert!(msg.contains("not a \"glassformer-gpt\" one"), "{msg}");
        let msg = load_gpt(&bytes[..bytes.len() - 9], &Device::Cpu).unwrap_err().to_string();
        assert!(msg.starts_with("checkpoint: this is not a safetensors file"), "{msg}");
    }
}

fn safetensors_without_metadata() -> Vec<u8> {
    // Header: one 1-element F32 tensor "x"; then its 4 bytes.
    let header = br#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(&1.0f32.to_le_bytes());
    bytes
}
