//! WordPiece on hand-worked words: `##` continuations, the longest match
//! first, whole-word `[UNK]`, punctuation, accents, CJK, the specials typed
//! in text; reading `vocab.txt` (and refusing broken ones); training a
//! vocabulary.

mod common;
use glassformer::train::wordpiece::{basic_split, split_words, Normalization, WordPiece};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A small hand-made vocabulary, in `vocab.txt` form.
const VOCAB: &str =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nstore\nun\n##aff\n##able\naff\n##a\n##b\nb\n##buy\nbuy\n##ing\ncafe\n,\n.\n?\n的\na\n";

fn vocab() -> WordPiece {
    WordPiece::from_vocab_txt(VOCAB).unwrap()
}

gf_test! {
    fn longest_match_first_with_continuations() {
        let wp = vocab();
        assert_eq!(wp.pieces("unaffable"), ["un", "##aff", "##able"]);
        // "buying": "buy" then "##ing" (not "b" + "##buy"...).
        assert_eq!(wp.pieces("buying"), ["buy", "##ing"]);
        // "bbuy": "b" then the longest continuation "##buy".
        assert_eq!(wp.pieces("bbuy"), ["b", "##buy"]);
        assert_eq!(wp.pieces("affable"), ["aff", "##able"]);
    }

    fn a_word_that_cannot_be_spelt_is_one_unk() {
        let wp = vocab();
        assert_eq!(wp.pieces("unafx"), ["[UNK]"]);
        assert_eq!(wp.pieces("the zebra store"), ["the", "[UNK]", "store"]);
        assert_eq!(wp.pieces(&"a".repeat(101)), ["[UNK]"]);
    }

    fn case_accents_and_punctuation() {
        let wp = vocab();
        assert_eq!(wp.pieces("Café, THE Store?"), ["cafe", ",", "the", "store", "?"]);
        assert_eq!(basic_split("naïve façade—déjà vu!"), ["naive", "facade", "—", "deja", "vu", "!"]);
        assert_eq!(basic_split("don't"), ["don", "'", "t"]);
        // CJK ideographs are words of one character.
        assert_eq!(basic_split("我的store"), ["我", "的", "store"]);
        // A cased BERT keeps both; lower-casing alone keeps the accents.
        let cased = Normalization { lowercase: false, strip_accents: false };
        assert_eq!(split_words("Café Über, naïve", cased), ["Café", "Über", ",", "naïve"]);
        assert_eq!(split_words("Café Über", Normalization { lowercase: true, ..cased }), ["café", "über"]);
        assert_eq!(wp.pieces("我的"), ["[UNK]", "的"]);
    }

    fn specials_typed_in_text_stay_whole() {
        let wp = vocab();
        assert_eq!(wp.pieces("the [MASK] store"), ["the", "[MASK]", "store"]);
        assert_eq!(wp.pieces("the[mask]."), ["the", "[MASK]", "."]);
        assert_eq!(wp.encode("[CLS] the [SEP]"), [wp.cls, wp.id("the").unwrap(), wp.sep]);
        assert!(wp.is_special(wp.mask) && !wp.is_special(wp.id("the").unwrap()));
    }

    fn vocab_txt_round_trips_and_broken_files_are_refused() {
        let wp = vocab();
        assert_eq!(wp.to_vocab_txt(), VOCAB);
        assert_eq!(WordPiece::from_vocab_txt(&wp.to_vocab_txt()).unwrap(), wp);
        assert_eq!((wp.pad, wp.unk, wp.cls, wp.sep, wp.mask), (0, 1, 2, 3, 4));
        // Windows line ends are fine.
        assert_eq!(WordPiece::from_vocab_txt(&VOCAB.replace('\n', "\r\n")).unwrap(), wp);
        let no_mask = VOCAB.replace("[MASK]\n", "");
        let err = WordPiece::from_vocab_txt(&no_mask).unwrap_err().to_string();
        assert!(err.contains("[MASK]"), "{err}");
        let twice = format!("{VOCAB}the\n");
        let err = WordPiece::from_vocab_txt(&twice).unwrap_err().to_string();
        assert!(err.contains("twice"), "{err}");
    }

    fn a_trained_vocabulary_spells_its_corpus_and_keeps_frequent_words_whole() {
        let corpus = ["she went to the store to buy milk.", "he went to the market to buy bread.", "they went to the store."];
        let texts: Vec<&str> = corpus.iter().copied().cycle().take(30).collect();
        let wp = WordPiece::train(texts.iter().copied(), 60);
        assert!(wp.len() <= 60, "{} entries", wp.len());
        assert_eq!(&wp.to_vocab_txt().lines().take(5).collect::<Vec<_>>(), &["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
        for text in corpus {
            // Every word is spelt (no [UNK]), and the pieces join back into the words.
            let pieces = wp.pieces(text);
            assert!(!pieces.contains(&"[UNK]".to_string()), "{text}: {pieces:?}");
            let joined = pieces.iter().fold(String::new(), |mut s, p| {
                match p.strip_prefix("##") {
                    Some(rest) => s.push_str(rest),
                    None => {
                        if !s.is_empty() {
                            s.push(' ');
                        }
                        s.push_str(p);
                    }
                }
                s
            });
            assert_eq!(joined, basic_split(text).join(" "));
        }
        // The most frequent words became single pieces.
        for word in ["the", "went", "to"] {
            assert_eq!(wp.pieces(word), [word], "{word}");
        }
        // Training is deterministic.
        assert_eq!(WordPiece::train(texts.iter().copied(), 60), wp);
    }
}

/// bert-base-uncased's vocabulary, which `scripts/setup.sh test` fetches
/// (natively only: the browser tests cannot read files).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_standard_bert_vocab_txt_loads_and_tokenizes_as_bert_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.fixtures/bert-uncased-vocab.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}; run `bash scripts/setup.sh test` to fetch it"));
    let wp = WordPiece::from_vocab_txt(&text).unwrap();
    assert_eq!(wp.len(), 30_522);
    assert_eq!((wp.pad, wp.unk, wp.cls, wp.sep, wp.mask), (0, 100, 101, 102, 103));
    // BERT's own README example of a split word, and the course's sentence.
    assert_eq!(wp.pieces("unaffable"), ["una", "##ffa", "##ble"]);
    assert_eq!(wp.encode("The man went to the [MASK]."), [1996, 2158, 2253, 2000, 1996, 103, 1012]);
    assert_eq!(wp.pieces("Café"), ["cafe"]);
    assert_eq!(wp.pieces("a gallon of milk"), ["a", "gallon", "of", "milk"]);
    assert_eq!(wp.encode("store"), [3573]);
}
