//! Sentence pairs from a small grammar, English and French built side by side.
//!
//! Every sentence has the shape
//!
//! ```text
//! subject  [preposition noun-phrase]  passive verb  [date]  .
//! the agreement  on the european economic area  was signed  in august 1992 .
//! l' accord  sur la zone économique européenne  a été signé  en août 1992 .
//! ```
//!
//! and French differs from English in ways a translator has to learn, so the
//! alignment between the two is not a diagonal:
//! - adjectives follow the noun, in mirror order ("european economic area" →
//!   "zone économique européenne");
//! - determiners, adjectives and participles agree with the noun's gender and
//!   number ("signé", "signée", "signés", "signées"); `le`/`la` become `l'`
//!   before a vowel, `ce` becomes `cet`;
//! - one English word can be two French ones and back ("was" → "a été",
//!   "will be" → "sera");
//! - the day moves before the month ("on may 3" → "le 3 mai").
//!
//! A sentence is first a set of [`Choices`] (which noun, which adjectives,
//! which tense...), drawn at random by [`Choices::sample`]; [`compose`] turns
//! choices into both sentences. The course's example is one such set of
//! choices ([`seed_choices`]).

use rand::Rng;

use super::lexicon::{Gender, Noun, Number, Tense, ADJECTIVES, DAYS, MONTHS, NOUNS, NUMBERS, PREPOSITIONS, VERBS, YEARS};

/// A pairing of two words that a split can hold out: a noun with one of its
/// adjectives, or a subject noun with its verb (English words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Combination(pub &'static str, pub &'static str);

/// One sentence in both languages, as tokens, with the combinations it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct SentencePair {
    pub english: Vec<String>,
    pub french: Vec<String>,
    pub combinations: Vec<Combination>,
}

/// The word before a noun.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Determiner {
    The,
    /// "a" (singular only).
    A,
    /// "this" / "these".
    This,
    /// A count in words, plural only: index into [`NUMBERS`].
    Count(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NounPhrase {
    pub determiner: Determiner,
    /// Indices into [`ADJECTIVES`], in English order.
    pub adjectives: Vec<usize>,
    /// Index into [`NOUNS`].
    pub noun: usize,
    pub number: Number,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Date {
    /// "in august 1992": month index, year.
    MonthYear(usize, u32),
    /// "in 1992".
    Year(u32),
    /// "on may 3 [1992]": month index, day, optional year.
    Day(usize, u32, Option<u32>),
}

/// Everything that decides a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Choices {
    pub subject: NounPhrase,
    /// Index into [`PREPOSITIONS`] and its noun phrase (always with "the").
    pub prepositional: Option<(usize, NounPhrase)>,
    /// Index into [`VERBS`].
    pub verb: usize,
    pub tense: Tense,
    pub date: Option<Date>,
}

/// The course's example: "the agreement on the european economic area was
/// signed in august 1992 ." (see the test that composes it).
pub fn seed_choices() -> Choices {
    let index_of = |words: &[&str], word: &str| words.iter().position(|w| *w == word).expect("the seed's words are in the lexicon");
    let nouns: Vec<&str> = NOUNS.iter().map(|n| n.english[0]).collect();
    let adjectives: Vec<&str> = ADJECTIVES.iter().map(|a| a.english).collect();
    Choices {
        subject: NounPhrase {
            determiner: Determiner::The,
            adjectives: vec![],
            noun: index_of(&nouns, "agreement"),
            number: Number::Singular,
        },
        prepositional: Some((
            0, // on
            NounPhrase {
                determiner: Determiner::The,
                adjectives: vec![index_of(&adjectives, "european"), index_of(&adjectives, "economic")],
                noun: index_of(&nouns, "area"),
                number: Number::Singular,
            },
        )),
        verb: 0, // signed
        tense: Tense::Past,
        date: Some(Date::MonthYear(7, 1992)), // august
    }
}

impl Choices {
    /// Draw a sentence's choices at random.
    pub fn sample(rng: &mut impl Rng) -> Choices {
        let subject = sample_noun_phrase(rng, true);
        let prepositional = rng
            .random_bool(0.5)
            .then(|| (rng.random_range(0..PREPOSITIONS.len()), sample_noun_phrase(rng, false)));
        let year = |rng: &mut dyn rand::RngCore| rng.random_range(YEARS);
        let date = match rng.random_range(0..10) {
            0..=2 => None,
            3..=5 => Some(Date::MonthYear(rng.random_range(0..MONTHS.len()), year(rng))),
            6..=7 => Some(Date::Year(year(rng))),
            _ => {
                let (month, day) = (rng.random_range(0..MONTHS.len()), rng.random_range(DAYS));
                Some(Date::Day(month, day, rng.random_bool(0.5).then(|| year(rng))))
            }
        };
        Choices {
            subject,
            prepositional,
            verb: rng.random_range(0..VERBS.len()),
            tense: Tense::ALL[rng.random_range(0..Tense::ALL.len())],
            date,
        }
    }
}

/// A noun phrase with 0–2 distinct adjectives. Subjects may take any
/// determiner; the object of a preposition always takes "the".
fn sample_noun_phrase(rng: &mut impl Rng, subject: bool) -> NounPhrase {
    let number = if rng.random_bool(0.35) { Number::Plural } else { Number::Singular };
    let determiner = match (subject, number, rng.random_range(0..10)) {
        (false, _, _) | (true, _, 0..=4) => Determiner::The,
        (true, Number::Singular, 5..=7) => Determiner::A,
        (true, Number::Plural, 5..=7) => Determiner::Count(rng.random_range(0..NUMBERS.len())),
        _ => Determiner::This,
    };
    let count = match rng.random_range(0..10) {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let mut adjectives: Vec<usize> = Vec::with_capacity(count);
    while adjectives.len() < count {
        let a = rng.random_range(0..ADJECTIVES.len());
        if !adjectives.contains(&a) {
            adjectives.push(a);
        }
    }
    NounPhrase {
        determiner,
        adjectives,
        noun: rng.random_range(0..NOUNS.len()),
        number,
    }
}

/// Both sentences for a set of choices.
pub fn compose(choices: &Choices) -> SentencePair {
    let mut pair = SentencePair {
        english: Vec::new(),
        french: Vec::new(),
        combinations: Vec::new(),
    };
    noun_phrase(&mut pair, &choices.subject);
    if let Some((preposition, phrase)) = &choices.prepositional {
        let (english, french) = PREPOSITIONS[*preposition];
        pair.english.push(english.to_string());
        pair.french.push(french.to_string());
        noun_phrase(&mut pair, phrase);
    }
    // The passive verb agrees with the subject: "a été signée", "ont été signés".
    let subject = &NOUNS[choices.subject.noun];
    let number = choices.subject.number;
    let verb = VERBS[choices.verb];
    let (english_aux, french_aux) = choices.tense.auxiliary(number);
    pair.english.extend(english_aux.iter().map(|w| w.to_string()));
    pair.english.push(verb.english.to_string());
    pair.french.extend(french_aux.iter().map(|w| w.to_string()));
    pair.french.push(participle(verb.french, subject.gender, number));
    pair.combinations.push(Combination(subject.english[0], verb.english));
    if let Some(date) = &choices.date {
        date_words(&mut pair, date);
    }
    pair.english.push(".".to_string());
    pair.french.push(".".to_string());
    pair
}

fn noun_phrase(pair: &mut SentencePair, phrase: &NounPhrase) {
    let noun = &NOUNS[phrase.noun];
    let plural = (phrase.number == Number::Plural) as usize;
    let (english_det, french_det) = determiner(phrase.determiner, noun, phrase.number);
    pair.english.push(english_det.to_string());
    pair.french.push(french_det.to_string());
    for &a in &phrase.adjectives {
        pair.english.push(ADJECTIVES[a].english.to_string());
        pair.combinations.push(Combination(noun.english[0], ADJECTIVES[a].english));
    }
    pair.english.push(noun.english[plural].to_string());
    pair.french.push(noun.french[plural].to_string());
    // French: the noun first, then its adjectives in mirror order, agreeing.
    for &a in phrase.adjectives.iter().rev() {
        pair.french.push(ADJECTIVES[a].french(noun.gender, phrase.number).to_string());
    }
}

/// (English, French) determiner for `noun` in `number`.
fn determiner(determiner: Determiner, noun: &Noun, number: Number) -> (&'static str, &'static str) {
    let feminine = noun.gender == Gender::Feminine;
    match (determiner, number) {
        (Determiner::The, Number::Plural) => ("the", "les"),
        (Determiner::The, Number::Singular) if noun.vowel => ("the", "l'"),
        (Determiner::The, Number::Singular) => ("the", if feminine { "la" } else { "le" }),
        (Determiner::A, _) => ("a", if feminine { "une" } else { "un" }),
        (Determiner::This, Number::Plural) => ("these", "ces"),
        (Determiner::This, Number::Singular) if feminine => ("this", "cette"),
        (Determiner::This, Number::Singular) => ("this", if noun.vowel { "cet" } else { "ce" }),
        (Determiner::Count(i), _) => NUMBERS[i],
    }
}

/// The French participle agreeing with the subject: signé, signée, signés, signées.
fn participle(masculine_singular: &str, gender: Gender, number: Number) -> String {
    let ending = match (gender, number) {
        (Gender::Masculine, Number::Singular) => "",
        (Gender::Feminine, Number::Singular) => "e",
        (Gender::Masculine, Number::Plural) => "s",
        (Gender::Feminine, Number::Plural) => "es",
    };
    format!("{masculine_singular}{ending}")
}

fn date_words(pair: &mut SentencePair, date: &Date) {
    // Days and years are digits, the same token in both languages.
    let (english, french): (Vec<String>, Vec<String>) = match *date {
        Date::MonthYear(month, year) => (
            vec!["in".into(), MONTHS[month].0.into(), year.to_string()],
            vec!["en".into(), MONTHS[month].1.into(), year.to_string()],
        ),
        Date::Year(year) => (vec!["in".into(), year.to_string()], vec!["en".into(), year.to_string()]),
        Date::Day(month, day, year) => {
            let mut english = vec!["on".into(), MONTHS[month].0.into(), day.to_string()];
            let mut french = vec!["le".into(), day.to_string(), MONTHS[month].1.into()];
            if let Some(year) = year {
                english.push(year.to_string());
                french.push(year.to_string());
            }
            (english, french)
        }
    };
    pair.english.extend(english);
    pair.french.extend(french);
}
