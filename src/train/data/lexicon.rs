//! The words of the English→French grammar, with what French needs to know
//! about each: a noun's gender, whether it starts with a vowel (for `l'` and
//! `cet`), and every form of an adjective or participle.

/// Grammatical gender of a French noun; adjectives and participles agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Masculine,
    Feminine,
}

/// Singular or plural; determiners, adjectives, verbs and participles agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    Singular,
    Plural,
}

#[derive(Debug, Clone, Copy)]
pub struct Noun {
    pub english: [&'static str; 2], // singular, plural
    pub french: [&'static str; 2],
    pub gender: Gender,
    /// Starts with a vowel sound: `le`/`la` become `l'`, `ce` becomes `cet`.
    pub vowel: bool,
}

const fn noun(en: &'static str, en_pl: &'static str, fr: &'static str, fr_pl: &'static str, gender: Gender, vowel: bool) -> Noun {
    Noun {
        english: [en, en_pl],
        french: [fr, fr_pl],
        gender,
        vowel,
    }
}

use Gender::{Feminine as F, Masculine as M};

pub const NOUNS: [Noun; 16] = [
    noun("agreement", "agreements", "accord", "accords", M, true),
    noun("area", "areas", "zone", "zones", F, false),
    noun("treaty", "treaties", "traité", "traités", M, false),
    noun("report", "reports", "rapport", "rapports", M, false),
    noun("market", "markets", "marché", "marchés", M, false),
    noun("bank", "banks", "banque", "banques", F, false),
    noun("council", "councils", "conseil", "conseils", M, false),
    noun("commission", "commissions", "commission", "commissions", F, false),
    noun("union", "unions", "union", "unions", F, true),
    noun("policy", "policies", "politique", "politiques", F, false),
    noun("committee", "committees", "comité", "comités", M, false),
    noun("budget", "budgets", "budget", "budgets", M, false),
    noun("law", "laws", "loi", "lois", F, false),
    noun("plan", "plans", "plan", "plans", M, false),
    noun("programme", "programmes", "programme", "programmes", M, false),
    noun("company", "companies", "entreprise", "entreprises", F, true),
];

/// An adjective: English has one form; French four, indexed by [`Adjective::french`].
#[derive(Debug, Clone, Copy)]
pub struct Adjective {
    pub english: &'static str,
    /// Masculine singular, feminine singular, masculine plural, feminine plural.
    pub forms: [&'static str; 4],
}

impl Adjective {
    /// The French form agreeing with a noun of `gender` and `number`.
    pub fn french(&self, gender: Gender, number: Number) -> &'static str {
        self.forms[agreement_index(gender, number)]
    }
}

/// Index into the four agreeing forms: masculine singular, feminine singular, masculine plural, feminine plural.
pub fn agreement_index(gender: Gender, number: Number) -> usize {
    (gender == F) as usize + 2 * (number == Number::Plural) as usize
}

const fn adjective(english: &'static str, forms: [&'static str; 4]) -> Adjective {
    Adjective { english, forms }
}

/// In French these all follow the noun; two of them follow in the mirror
/// order of English: "the european economic area" → "la zone économique européenne".
pub const ADJECTIVES: [Adjective; 12] = [
    adjective("european", ["européen", "européenne", "européens", "européennes"]),
    adjective("economic", ["économique", "économique", "économiques", "économiques"]),
    adjective("social", ["social", "sociale", "sociaux", "sociales"]),
    adjective("national", ["national", "nationale", "nationaux", "nationales"]),
    adjective("financial", ["financier", "financière", "financiers", "financières"]),
    adjective("political", ["politique", "politique", "politiques", "politiques"]),
    adjective("public", ["public", "publique", "publics", "publiques"]),
    adjective("monetary", ["monétaire", "monétaire", "monétaires", "monétaires"]),
    adjective("common", ["commun", "commune", "communs", "communes"]),
    adjective("official", ["officiel", "officielle", "officiels", "officielles"]),
    adjective("important", ["important", "importante", "importants", "importantes"]),
    adjective("final", ["final", "finale", "finaux", "finales"]),
];

/// A verb used in the passive: English participle, French participle (masculine singular; agreement adds -e, -s).
#[derive(Debug, Clone, Copy)]
pub struct Verb {
    pub english: &'static str,
    pub french: &'static str,
}

pub const VERBS: [Verb; 8] = [
    Verb {
        english: "signed",
        french: "signé",
    },
    Verb {
        english: "approved",
        french: "approuvé",
    },
    Verb {
        english: "adopted",
        french: "adopté",
    },
    Verb {
        english: "published",
        french: "publié",
    },
    Verb {
        english: "rejected",
        french: "rejeté",
    },
    Verb {
        english: "presented",
        french: "présenté",
    },
    Verb {
        english: "prepared",
        french: "préparé",
    },
    Verb {
        english: "discussed",
        french: "discuté",
    },
];

/// Past, present or future passive: "was signed" / "is signed" / "will be signed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    Past,
    Present,
    Future,
}

impl Tense {
    pub const ALL: [Tense; 3] = [Tense::Past, Tense::Present, Tense::Future];

    /// The auxiliary before the participle, (English, French), by number.
    pub fn auxiliary(self, number: Number) -> (&'static [&'static str], &'static [&'static str]) {
        match (self, number) {
            (Tense::Past, Number::Singular) => (&["was"], &["a", "été"]),
            (Tense::Past, Number::Plural) => (&["were"], &["ont", "été"]),
            (Tense::Present, Number::Singular) => (&["is"], &["est"]),
            (Tense::Present, Number::Plural) => (&["are"], &["sont"]),
            (Tense::Future, Number::Singular) => (&["will", "be"], &["sera"]),
            (Tense::Future, Number::Plural) => (&["will", "be"], &["seront"]),
        }
    }
}

/// Prepositions that never contract with the article in French.
pub const PREPOSITIONS: [(&str, &str); 4] = [("on", "sur"), ("for", "pour"), ("with", "avec"), ("against", "contre")];

/// Counts for plural subjects, in words: "three agreements" → "trois accords".
pub const NUMBERS: [(&str, &str); 11] = [
    ("two", "deux"),
    ("three", "trois"),
    ("four", "quatre"),
    ("five", "cinq"),
    ("six", "six"),
    ("seven", "sept"),
    ("eight", "huit"),
    ("nine", "neuf"),
    ("ten", "dix"),
    ("twelve", "douze"),
    ("twenty", "vingt"),
];

pub const MONTHS: [(&str, &str); 12] = [
    ("january", "janvier"),
    ("february", "février"),
    ("march", "mars"),
    ("april", "avril"),
    ("may", "mai"),
    ("june", "juin"),
    ("july", "juillet"),
    ("august", "août"),
    ("september", "septembre"),
    ("october", "octobre"),
    ("november", "novembre"),
    ("december", "décembre"),
];

/// Years written as digits, the same token in both languages.
pub const YEARS: std::ops::RangeInclusive<u32> = 1985..=2004;

/// Days of the month written as digits; "on may 3" → "le 3 mai".
pub const DAYS: std::ops::RangeInclusive<u32> = 1..=28;
