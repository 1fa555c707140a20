//! The errands corpus: short everyday stories for pre-training BERT, and
//! labelled opinion sentences for fine-tuning it.
//!
//! Each story follows one person through a day — the morning, the weather,
//! one to three errands, what they thought of what they bought, going home,
//! cooking — so that its sentences belong together (same person and
//! pronoun, same shop and item). Next-sentence prediction has something to
//! learn: a sentence from another story usually names another person or
//! another item.
//!
//! ```text
//! on saturday morning, sarah woke up early. it was raining.
//! sarah walked to the market to buy a bag of apples.
//! the apples were fresh, so she bought another one.
//! then she went back home. she made a pie with the apples.
//! ```
//!
//! The course's example, "the man went to the store to buy a gallon of
//! milk", is *answerable* — many stories send someone to a shop (store, shop,
//! market, supermarket...) for a container (gallon, bottle, carton, jug) of
//! milk: milk comes up three times as often as any other item, and most
//! items have containers of their own — but that exact sentence is never
//! generated ([`SEED_SENTENCE`] is filtered out; a test checks).
//!
//! The fine-tuning task ([`opinions`]) labels sentences like "the bread was
//! stale." as good or bad. Its training examples use half of the opinion
//! words and its test examples the other half, so a model can only classify
//! the test well if it already knows — from pre-training, where good words
//! come with good outcomes and bad words with bad ones — which unseen words
//! are good.

pub mod lexicon;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use lexicon::*;

/// The course's example with its answers, which no story may contain.
pub const SEED_SENTENCE: &str = "the man went to the store to buy a gallon of milk.";
/// The course's question.
pub const SEED_QUESTION: &str = "the man went to the [MASK] to buy a [MASK] of milk.";

/// One story: sentences in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub sentences: Vec<String>,
}

/// Stories in two disjoint splits.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    pub train: Vec<Document>,
    pub valid: Vec<Document>,
}

impl Corpus {
    /// `documents` stories from `seed`; one in ten goes to validation.
    pub fn generate(seed: u64, documents: usize) -> Corpus {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut valid) = (Vec::new(), Vec::new());
        for i in 0..documents {
            let doc = story(&mut rng);
            if i % 10 == 9 {
                valid.push(doc);
            } else {
                train.push(doc);
            }
        }
        Corpus { train, valid }
    }

    /// Every sentence of the training split.
    pub fn train_sentences(&self) -> impl Iterator<Item = &str> {
        self.train.iter().flat_map(|d| d.sentences.iter().map(|s| s.as_str()))
    }
}

/// "was" or "were" after this subject.
fn was(subject: &str) -> &'static str {
    if subject == "they" {
        "were"
    } else {
        "was"
    }
}

/// A noun phrase's "was"/"were": plural items take "were".
fn item_was(item: &Item) -> &'static str {
    if item.name.ends_with('s') {
        "were"
    } else {
        "was"
    }
}

/// One story of 4 to 9 sentences.
pub fn story(rng: &mut impl Rng) -> Document {
    let p = *PEOPLE.choose(rng).unwrap();
    let (s, name) = (p.subject, p.name);
    let mut out = Vec::new();
    let day = DAYS.choose(rng).unwrap();
    let part = PARTS_OF_DAY[rng.random_range(0..3)];
    match rng.random_range(0..3) {
        0 => out.push(format!("on {day} morning, {name} woke up early.")),
        1 => out.push(format!(
            "at {} o'clock on {day}, {name} left the house.",
            HOURS.choose(rng).unwrap()
        )),
        _ => out.push(format!("it was {day} {part} and {name} had some errands to do.")),
    }
    if rng.random_bool(0.7) {
        out.push(format!("{}.", WEATHER.choose(rng).unwrap()));
    }
    let errands = rng.random_range(1..=3);
    let mut first = true;
    let mut bought = Vec::new();
    for _ in 0..errands {
        // Milk, the course's example, comes three times as often as any other item.
        let item = if rng.random_bool(2.0 / (ITEMS.len() as f64 + 2.0)) {
            ITEMS[0]
        } else {
            *ITEMS.choose(rng).unwrap()
        };
        let shop = *item.shops.choose(rng).unwrap();
        let container = *item.containers.choose(rng).unwrap();
        let who = if first { name } else { s };
        let then = if first { "" } else { "then " };
        first = false;
        let errand = format!(
            "{then}{who} {} to the {shop} to {} a {container} of {}.",
            MOVES.choose(rng).unwrap(),
            BUYS.choose(rng).unwrap(),
            item.name
        );
        if errand == SEED_SENTENCE {
            // The course's sentence stays out of the corpus: another container.
            out.push(errand.replace("a gallon", "a bottle"));
        } else {
            out.push(errand);
        }
        let worker = WORKERS
            .iter()
            .find(|(shop_name, _)| *shop_name == shop)
            .map_or("shopkeeper", |(_, w)| w);
        match rng.random_range(0..7) {
            0 => out.push(format!("the {shop} was very busy and {s} had to wait.")),
            6 => out.push(format!("{s} put the {container} of {} in {} basket.", item.name, p.possessive)),
            1 => out.push(format!("{s} paid {} dollars for the {}.", PRICES.choose(rng).unwrap(), item.name)),
            2 => out.push(format!("at the {shop}, {s} met {}.", FRIENDS.choose(rng).unwrap())),
            3 | 4 => out.push(opinion_in_story(rng, &item, s, worker)),
            _ => out.push(format!("the {worker} gave {} the {}.", object(s), item.name)),
        }
        bought.push(item);
    }
    if rng.random_bool(0.3) {
        out.push(format!("on the way home, {s} stopped at the {}.", PLACES.choose(rng).unwrap()));
    } else if rng.random_bool(0.05) {
        // The words of the course's bidirectional example ("open a bank account").
        out.push(format!("on the way home, {s} went to the bank to open a bank account."));
    }
    out.push(format!("then {s} went back home."));
    let item = bought.choose(rng).unwrap();
    if let Some(dish) = item.dishes.choose(rng) {
        out.push(format!("{s} made {dish} with the {}.", item.name));
    } else {
        out.push(format!("{s} put the {} on the table.", item.name));
    }
    if rng.random_bool(0.3) {
        out.push(format!("{s} {} tired but happy.", was(s)));
    }
    Document { sentences: out }
}

/// "him" / "her" / "them".
fn object(subject: &str) -> &'static str {
    match subject {
        "he" => "him",
        "she" => "her",
        _ => "them",
    }
}

/// "the apples were fresh, so she bought another one."
fn opinion_in_story(rng: &mut impl Rng, item: &Item, s: &str, worker: &str) -> String {
    let good = rng.random_bool(0.5);
    let adjective = if good { GOOD.choose(rng) } else { BAD.choose(rng) }.unwrap();
    let outcome = if good {
        GOOD_OUTCOMES.choose(rng)
    } else {
        BAD_OUTCOMES.choose(rng)
    }
    .unwrap();
    let outcome = outcome
        .replace("{s}", s)
        .replace("{w}", worker)
        .replace(" was very", &format!(" {} very", was(s)));
    format!("the {} {} {adjective}, {outcome}.", item.name, item_was(item))
}

/// A labelled sentence for fine-tuning: `label` 1 = good, 0 = bad.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub label: u32,
}

/// The two label names, by label.
pub const OPINION_LABELS: [&str; 2] = ["bad", "good"];

/// `count` opinion sentences ("the bread was stale.", "what lovely cheese!")
/// without outcomes, half good and half bad. `split` 0 uses the first half of
/// each opinion-word list, 1 the second half: the words of the test split
/// never occur in the training split.
pub fn opinions(seed: u64, count: usize, split: usize) -> Vec<Example> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = GOOD.len() / 2;
    let words = |list: &'static [&'static str; 12]| &list[split * half..(split + 1) * half];
    (0..count)
        .map(|i| {
            let label = (i % 2) as u32;
            let adjective = *if label == 1 { words(&GOOD) } else { words(&BAD) }.choose(&mut rng).unwrap();
            let item = ITEMS.choose(&mut rng).unwrap();
            let shop = item.shops.choose(&mut rng).unwrap();
            let text = match rng.random_range(0..4) {
                0 => format!("the {} {} {adjective}.", item.name, item_was(item)),
                1 => format!("the {} at the {shop} {} {adjective}.", item.name, item_was(item)),
                2 => format!(
                    "{} said the {} {} {adjective}.",
                    PEOPLE.choose(&mut rng).unwrap().name,
                    item.name,
                    item_was(item)
                ),
                _ => format!("the {} from this {shop} {} really {adjective}.", item.name, item_was(item)),
            };
            Example { text, label }
        })
        .collect()
}
