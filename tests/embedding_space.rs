//! The embedding-space tools on tables whose answers are known by hand, and
//! on the shipped BERT's real table.

use glassformer::models::embedding_space::EmbeddingSpace;
use glassformer::Device;

fn space(rows: &[[f32; 3]]) -> EmbeddingSpace {
    let tokens = (0..rows.len()).map(|i| format!("t{i}")).collect();
    EmbeddingSpace::new(tokens, rows.iter().flatten().copied().collect(), 3).unwrap()
}

#[test]
fn dots_and_cosines_match_hand_worked_values() {
    let s = space(&[[1.0, 0.0, 0.0], [2.0, 2.0, 0.0], [0.0, 0.0, -3.0]]);
    let (dots, cos) = s.similarities(&Device::Cpu, &[0, 1, 2]).unwrap();
    assert_eq!(dots, vec![1.0, 2.0, 0.0, 2.0, 8.0, 0.0, 0.0, 0.0, 9.0]);
    let half_sqrt2 = std::f32::consts::FRAC_1_SQRT_2;
    for (got, want) in cos.iter().zip([1.0, half_sqrt2, 0.0, half_sqrt2, 1.0, 0.0, 0.0, 0.0, 1.0]) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
}

#[test]
fn nearest_neighbours_are_ordered_by_cosine_and_skip_excluded_rows() {
    let s = space(&[[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]]);
    let near = s.nearest(&Device::Cpu, &[1.0, 0.0, 0.0], 4, &[]).unwrap();
    let order: Vec<&str> = near.iter().map(|n| n.token.as_str()).collect();
    assert_eq!(order, ["t0", "t1", "t2", "t3"]);
    assert!((near[0].cosine - 1.0).abs() < 1e-6 && (near[3].cosine + 1.0).abs() < 1e-6);
    let without_self = s.nearest(&Device::Cpu, s.vector(0), 1, &[0]).unwrap();
    assert_eq!(without_self[0].token, "t1");
}

#[test]
fn analogy_finds_the_fourth_corner_of_a_parallelogram() {
    // man (0) → woman (1) is the same step as king (2) → queen (3).
    let s = EmbeddingSpace::new(
        ["man", "woman", "king", "queen", "apple"].map(String::from).to_vec(),
        vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 3.0, 1.0, 1.0, 3.0, -2.0, 0.5, 0.0],
        3,
    )
    .unwrap();
    let answer = s.analogy(&Device::Cpu, 0, 1, 2, 1).unwrap();
    assert_eq!(answer[0].token, "queen");
    assert!(s.index("throne").unwrap_err().to_string().contains("\"throne\" is not a token"));
}

#[test]
fn principal_components_find_the_direction_of_most_spread() {
    // Points spread 10× more along (1, 1, 0)/√2 than along (0, 0, 1), none along (1, −1, 0).
    let rows: Vec<[f32; 3]> = (-5..=5)
        .flat_map(|i| [-1.0f32, 1.0].map(move |z| [i as f32, i as f32, 0.5 * z]))
        .collect();
    let p = space(&rows).principal_components(&[]);
    let s = std::f32::consts::FRAC_1_SQRT_2;
    for (got, want) in p.axes[0].iter().zip([s, s, 0.0]) {
        assert!((got - want).abs() < 1e-4, "first axis {:?}", p.axes[0]);
    }
    assert!((p.axes[1][2].abs() - 1.0).abs() < 1e-4, "second axis {:?}", p.axes[1]);
    // variance along the first: 2·mean(i²) = 20; along the second: 0.25; total 20.25
    assert!(
        (p.explained[0] - 20.0 / 20.25).abs() < 1e-4 && (p.explained[1] - 0.25 / 20.25).abs() < 1e-4,
        "{:?}",
        p.explained
    );
    let [x, y] = p.project(&[2.0, 2.0, 0.5]);
    assert!((x - 2.0 * 2f32.sqrt()).abs() < 1e-4 && (y.abs() - 0.5).abs() < 1e-4);
}

#[test]
fn refuses_a_table_of_the_wrong_size() {
    let e = EmbeddingSpace::new(vec!["a".into(), "b".into()], vec![0.0; 5], 3).unwrap_err();
    assert!(e.to_string().contains("holds 5 values, expected 2 tokens × C = 3"), "{e}");
}

#[test]
fn exploring_words_gathers_what_the_widget_shows() {
    let s = EmbeddingSpace::new(
        ["[PAD]", "man", "woman", "king", "queen", "apple"].map(String::from).to_vec(),
        vec![
            0.0, 0.0, 9.0, // [PAD]: far off, and left out of the map
            1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 3.0, 1.0, 1.0, 3.0, -2.0, 0.5, 0.0,
        ],
        3,
    )
    .unwrap();
    let words = [" Man", "king", "throne", "man", ""].map(String::from);
    let analogy = ["man", "woman", "king"].map(String::from);
    let look = s.explore(&Device::Cpu, &words, 2, Some(&analogy), |i| i != 0).unwrap();
    // Trimmed and lower-cased, each once; the vocabulary lacks "throne"; blanks are skipped.
    assert_eq!(
        (look.words.clone(), look.missing.clone()),
        (vec!["man".to_string(), "king".into()], vec!["throne".to_string()])
    );
    let (dots, cosines) = s.similarities(&Device::Cpu, &[1, 3]).unwrap();
    assert_eq!((look.dots.clone(), look.cosines.clone()), (dots, cosines));
    assert_eq!(look.neighbours.len(), 2);
    assert_eq!(look.neighbours[0], s.nearest(&Device::Cpu, s.vector(1), 2, &[1]).unwrap());
    // The map: the five ordinary tokens, the two words, on the ordinary tokens' own components.
    assert_eq!(look.map.tokens, ["man", "woman", "king", "queen", "apple"]);
    let pca = s.principal_components(&[1, 2, 3, 4, 5]);
    assert_eq!(look.map.vocabulary[3], pca.project(s.vector(4)));
    assert_eq!(look.map.words, vec![pca.project(s.vector(1)), pca.project(s.vector(3))]);
    assert_eq!(look.map.explained, pca.explained);
    assert_eq!(look.analogy.unwrap()[0].token, "queen");
    // Refusals: no known word; a word of the analogy unknown; too many neighbours.
    let msg = s
        .explore(&Device::Cpu, &["zzzz".into()], 2, None, |_| true)
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("embedding_space: none of the words (zzzz) is a whole token"),
        "{msg}"
    );
    let bad = ["man", "throne", "king"].map(String::from);
    let msg = s.explore(&Device::Cpu, &words, 2, Some(&bad), |_| true).unwrap_err().to_string();
    assert!(msg.contains("\"throne\" is not a token"), "{msg}");
    let msg = s.explore(&Device::Cpu, &words, 51, None, |_| true).unwrap_err().to_string();
    assert_eq!(msg, "embedding_space: neighbours must be between 1 and 50.");
}
