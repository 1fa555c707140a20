//! The English→French translation data: a grammar, and splits that hold out
//! word combinations (the tokens go through [`tokenizer`](super::tokenizer)).
//!
//! A model that only memorised sentences would fail on new ones; one that
//! learned the rules (adjectives after the noun in mirror order, agreement,
//! "was" → "a été") translates combinations it never saw. So the splits hold
//! out *combinations*, not just sentences: a few (noun, adjective) and
//! (subject, verb) pairings are kept for the test split (others for
//! validation), and every sentence using one goes there. The words themselves
//! all occur in training; only those pairings never do.
//!
//! The course's example, "the agreement on the european economic area was
//! signed in august 1992 .", is always in the test split: its pairings
//! (area + european, area + economic, agreement + signed) are held out, so no
//! training sentence contains them.

pub mod grammar;
pub mod lexicon;

use std::collections::{BTreeSet, HashSet};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use grammar::{compose, seed_choices, Choices, Combination, SentencePair};
use lexicon::{ADJECTIVES, NOUNS, VERBS};

/// How much data, from which seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataConfig {
    pub seed: u64,
    /// Distinct sentences drawn in all (before splitting).
    pub sentences: usize,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            seed: 1,
            sentences: 12_000,
        }
    }
}

/// Sentence pairs in three disjoint splits.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub train: Vec<SentencePair>,
    pub valid: Vec<SentencePair>,
    /// Starts with the course's example.
    pub test: Vec<SentencePair>,
    /// The pairings only the test split uses.
    pub test_combinations: BTreeSet<Combination>,
    /// The pairings only the validation split uses.
    pub valid_combinations: BTreeSet<Combination>,
}

/// Of all possible pairings, one in this many is held out for test, and as many for validation.
const HELD_OUT_ONE_IN: usize = 16;

/// The course's example as a sentence pair.
pub fn seed_pair() -> SentencePair {
    compose(&seed_choices())
}

/// Draw `cfg.sentences` distinct sentences and split them.
pub fn generate(cfg: DataConfig) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let seed = seed_pair();

    // Choose the held-out pairings: a seeded shuffle of all of them, plus the example's.
    let mut all: Vec<Combination> = NOUNS
        .iter()
        .flat_map(|n| {
            let adjectives = ADJECTIVES.iter().map(move |a| Combination(n.english[0], a.english));
            let verbs = VERBS.iter().map(move |v| Combination(n.english[0], v.english));
            adjectives.chain(verbs)
        })
        .collect();
    all.shuffle(&mut rng);
    let share = all.len() / HELD_OUT_ONE_IN;
    let mut test_combinations: BTreeSet<Combination> = all[..share].iter().copied().collect();
    test_combinations.extend(seed.combinations.iter().copied());
    let valid_combinations: BTreeSet<Combination> = all[share..2 * share]
        .iter()
        .filter(|c| !test_combinations.contains(c))
        .copied()
        .collect();

    let mut dataset = Dataset {
        train: Vec::new(),
        valid: Vec::new(),
        test: vec![seed.clone()],
        test_combinations,
        valid_combinations,
    };
    let mut seen: HashSet<Vec<String>> = HashSet::from([seed.english.clone()]);
    // Each draw is almost always new; the cap only guards a config asking for more sentences than the grammar has.
    for _ in 0..cfg.sentences.saturating_mul(20) {
        if seen.len() > cfg.sentences {
            break;
        }
        let pair = compose(&Choices::sample(&mut rng));
        if !seen.insert(pair.english.clone()) {
            continue;
        }
        let uses = |held: &BTreeSet<Combination>| pair.combinations.iter().any(|c| held.contains(c));
        if uses(&dataset.test_combinations) {
            dataset.test.push(pair);
        } else if uses(&dataset.valid_combinations) {
            dataset.valid.push(pair);
        } else {
            dataset.train.push(pair);
        }
    }
    dataset
}
