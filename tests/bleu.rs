//! Corpus BLEU on examples worked by hand; each figure was also checked
//! against sacreBLEU 2.6.0 (`sacrebleu.corpus_bleu(hyps, [refs], tokenize="none")`).

mod common;
use glassformer::train::bleu::corpus_bleu;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn words(lines: &[&str]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn bleu(hypotheses: &[&str], references: &[&str]) -> glassformer::train::bleu::Bleu {
    corpus_bleu(&words(hypotheses), &words(references)).unwrap()
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-8, "{what}: got {got}, want {want}");
}

gf_test! {
    fn identical_sentences_score_100() {
        let b = bleu(&["the cat sat on the mat"], &["the cat sat on the mat"]);
        close(b.score, 100.0, "score");
        assert_eq!(b.matches, [6, 5, 4, 3]);
        assert_eq!(b.totals, [6, 5, 4, 3]);
    }

    fn a_short_hypothesis_pays_the_brevity_penalty() {
        // Every n-gram matches, but 4 words against 6: BP = e^(1 − 6/4) = e^−0.5.
        let b = bleu(&["the cat sat on"], &["the cat sat on the mat"]);
        close(b.brevity_penalty, (-0.5f64).exp(), "brevity penalty");
        close(b.score, 100.0 * (-0.5f64).exp(), "score");
        assert!((b.score - 60.6530659713).abs() < 1e-9, "sacreBLEU says 60.6530659713");
    }

    fn a_missing_order_is_smoothed_as_sacrebleu_does() {
        // p = 6/6, 3/5, 1/4, and no 4-gram matches: p₄ = 1/(2·3).
        // BLEU = 100 · (1 · 0.6 · 0.25 · 1/6)^(1/4) = 100 · 0.025^0.25.
        let b = bleu(&["the cat on the mat sat"], &["the cat sat on the mat"]);
        assert_eq!(b.matches, [6, 3, 1, 0]);
        close(b.precisions[3], 100.0 / 6.0, "p4");
        close(b.score, 100.0 * 0.025f64.powf(0.25), "score");
        assert!((b.score - 39.7635364384).abs() < 1e-9, "sacreBLEU says 39.7635364384");
    }

    fn clipping_counts_a_word_no_more_often_than_the_reference_has_it() {
        // Seven "the" against a reference with two: 2 unigram matches of 7;
        // the empty higher orders are smoothed by 1/2, 1/4, 1/8.
        let b = bleu(&["the the the the the the the"], &["the cat is on the mat"]);
        assert_eq!(b.matches, [2, 0, 0, 0]);
        let want = 100.0 * ((2.0 / 7.0) * (1.0 / 12.0) * (1.0 / 20.0) * (1.0 / 32.0f64)).powf(0.25);
        close(b.score, want, "score");
        assert!((b.score - 7.8098498423).abs() < 1e-9, "sacreBLEU says 7.8098498423");
    }

    fn no_match_at_all_scores_0() {
        let b = bleu(&["a b c d"], &["w x y z"]);
        assert_eq!(b.score, 0.0);
        assert_eq!(b.precisions, [0.0; 4]);
    }

    fn hypotheses_too_short_for_4_grams_score_0() {
        let b = bleu(&["the cat"], &["the cat sat"]);
        assert_eq!(b.totals, [2, 1, 0, 0]);
        assert_eq!(b.score, 0.0);
    }

    fn counts_are_summed_over_the_corpus_before_dividing() {
        let b = bleu(
            &["l' accord a été signé en août 1992 .", "la zone économique européenne", "les accords ont été signés"],
            &["l' accord a été signé en août 1992 .", "la zone européenne économique", "les deux accords ont été signés ."],
        );
        assert_eq!(b.matches, [18, 12, 9, 7]);
        assert_eq!(b.totals, [18, 15, 12, 9]);
        assert_eq!((b.hypothesis_length, b.reference_length), (18, 20));
        let precisions = 1.0 * (12.0 / 15.0) * (9.0 / 12.0) * (7.0 / 9.0f64);
        close(b.score, 100.0 * (1.0 - 20.0 / 18.0f64).exp() * precisions.powf(0.25), "score");
        assert!((b.score - 73.9599745094).abs() < 1e-9, "sacreBLEU says 73.9599745094");
    }

    fn mismatched_lists_are_an_error() {
        let err = corpus_bleu(&words(&["a b"]), &words(&[])).unwrap_err().to_string();
        assert!(err.starts_with("bleu: got 1 hypotheses and 0 references"), "{err}");
    }
}
