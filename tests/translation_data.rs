//! The English→French data: the grammar's French, the splits, the tokenizer.

mod common;
use std::collections::HashSet;

use glassformer::train::data::grammar::{compose, seed_choices, Choices, Date, Determiner, NounPhrase};
use glassformer::train::data::lexicon::{Number, Tense, ADJECTIVES, NOUNS, VERBS};
use glassformer::train::data::{generate, seed_pair, DataConfig};
use glassformer::train::tokenizer::{tokenize, Vocab, BOS, EOS, PAD, UNK};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn joined(tokens: &[String]) -> String {
    tokens.join(" ")
}

fn index(words: &[&str], word: &str) -> usize {
    words.iter().position(|w| *w == word).unwrap()
}

fn noun(word: &str) -> usize {
    index(&NOUNS.iter().map(|n| n.english[0]).collect::<Vec<_>>(), word)
}

fn adjective(word: &str) -> usize {
    index(&ADJECTIVES.iter().map(|a| a.english).collect::<Vec<_>>(), word)
}

fn verb(word: &str) -> usize {
    index(&VERBS.iter().map(|v| v.english).collect::<Vec<_>>(), word)
}

gf_test! {
    fn the_grammar_composes_the_course_example() {
        let pair = seed_pair();
        assert_eq!(joined(&pair.english), "the agreement on the european economic area was signed in august 1992 .");
        assert_eq!(joined(&pair.french), "l' accord sur la zone économique européenne a été signé en août 1992 .");
        // The same tokens the tokenizer makes of the course's own sentences.
        assert_eq!(tokenize("The agreement on the European Economic Area was signed in August 1992."), pair.english);
        assert_eq!(tokenize("L’accord sur la zone économique européenne a été signé en août 1992."), pair.french);
    }

    fn french_agrees_in_gender_and_number_and_moves_the_day() {
        // "this" before a vowel, the day before the month; then a feminine plural in the future; then agreement inside a prepositional phrase.
        let mut choices = seed_choices();
        choices.subject = NounPhrase { determiner: Determiner::This, adjectives: vec![], noun: noun("agreement"), number: Number::Singular };
        choices.prepositional = None;
        choices.date = Some(Date::Day(4, 3, None));
        let pair = compose(&choices);
        assert_eq!(joined(&pair.english), "this agreement was signed on may 3 .");
        assert_eq!(joined(&pair.french), "cet accord a été signé le 3 mai .");

        let choices = Choices {
            subject: NounPhrase { determiner: Determiner::Count(1), adjectives: vec![adjective("social"), adjective("important")], noun: noun("law"), number: Number::Plural },
            prepositional: None,
            verb: verb("adopted"),
            tense: Tense::Future,
            date: Some(Date::Year(2001)),
        };
        let pair = compose(&choices);
        assert_eq!(joined(&pair.english), "three social important laws will be adopted in 2001 .");
        assert_eq!(joined(&pair.french), "trois lois importantes sociales seront adoptées en 2001 .");

        let choices = Choices {
            subject: NounPhrase { determiner: Determiner::A, adjectives: vec![adjective("national")], noun: noun("bank"), number: Number::Singular },
            prepositional: Some((2, NounPhrase { determiner: Determiner::The, adjectives: vec![adjective("national")], noun: noun("council"), number: Number::Plural })),
            verb: verb("presented"),
            tense: Tense::Present,
            date: None,
        };
        let pair = compose(&choices);
        assert_eq!(joined(&pair.english), "a national bank with the national councils is presented .");
        assert_eq!(joined(&pair.french), "une banque nationale avec les conseils nationaux est présentée .");
    }

    fn splits_are_disjoint_and_hold_out_combinations() {
        let data = generate(DataConfig { seed: 7, sentences: 3000 });
        let (train, valid, test) = (&data.train, &data.valid, &data.test);
        assert!(train.len() > valid.len() && train.len() > test.len() / 2, "train {} valid {} test {}", train.len(), valid.len(), test.len());
        assert!(!valid.is_empty() && test.len() > 1);
        // No sentence in two splits.
        let sentences = |split: &[glassformer::train::data::grammar::SentencePair]| split.iter().map(|p| joined(&p.english)).collect::<HashSet<_>>();
        let (a, b, c) = (sentences(train), sentences(valid), sentences(test));
        assert_eq!(a.len() + b.len() + c.len(), train.len() + valid.len() + test.len(), "a sentence is repeated");
        assert!(a.is_disjoint(&b) && a.is_disjoint(&c) && b.is_disjoint(&c));
        // Training never uses a held-out pairing; every test sentence uses one.
        for pair in train {
            for combination in &pair.combinations {
                assert!(!data.test_combinations.contains(combination) && !data.valid_combinations.contains(combination), "{combination:?} in training");
            }
        }
        assert!(test.iter().all(|p| p.combinations.iter().any(|c| data.test_combinations.contains(c))));
        assert!(data.test_combinations.is_disjoint(&data.valid_combinations));
        // The course's example is in test, first, and never in training.
        let seed = joined(&seed_pair().english);
        assert_eq!(joined(&test[0].english), seed);
        assert!(!a.contains(&seed) && !b.contains(&seed));
    }

    fn every_held_out_word_was_seen_in_training() {
        let data = generate(DataConfig { seed: 7, sentences: 3000 });
        let source = Vocab::build(data.train.iter().map(|p| p.english.as_slice()));
        let target = Vocab::build(data.train.iter().map(|p| p.french.as_slice()));
        for pair in data.valid.iter().chain(&data.test) {
            assert!(!source.encode(&pair.english).contains(&UNK), "unknown English word in {}", joined(&pair.english));
            assert!(!target.encode(&pair.french).contains(&UNK), "unknown French word in {}", joined(&pair.french));
        }
    }

    fn the_same_seed_gives_the_same_data() {
        let config = DataConfig { seed: 3, sentences: 500 };
        assert_eq!(generate(config), generate(config));
        assert_ne!(generate(config).train, generate(DataConfig { seed: 4, ..config }).train);
    }

    fn tokenizer_and_vocabulary_round_trip() {
        assert_eq!(tokenize("  Hello,   world!  (Yes.) "), ["hello", ",", "world", "!", "(", "yes", ".", ")"]);
        assert_eq!(tokenize("qu'il l'union"), ["qu'", "il", "l'", "union"]);
        assert!(tokenize("   ").is_empty());
        let sentences = [tokenize("the cat sat ."), tokenize("the dog ran .")];
        let vocab = Vocab::build(sentences.iter().map(|s| s.as_slice()));
        assert_eq!(&vocab.words()[..4], ["<pad>", "<bos>", "<eos>", "<unk>"]);
        assert_eq!(vocab.len(), 4 + 6);
        let ids = vocab.encode(&tokenize("the zebra sat ."));
        assert_eq!(ids[1], UNK);
        assert_eq!(vocab.decode(&[BOS, ids[0], ids[2], EOS, ids[3], PAD]), ["the", "sat"]);
    }
}
