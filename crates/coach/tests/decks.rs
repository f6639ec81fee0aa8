//! The question decks stay free of problem findings (rules and learned layer alike): a
//! question the app asks must never be marked as blame or contempt.

const DECKS: &str = include_str!("../../domain/content/decks.toml");

#[test]
fn deck_questions_have_no_problem_finding() {
    let questions: Vec<String> = DECKS
        .lines()
        .filter_map(|l| l.trim().strip_prefix("text = "))
        .map(|q| serde_json::from_str::<String>(q).expect("a TOML basic string is a JSON string"))
        .collect();
    assert!(
        questions.len() >= 100,
        "only {} questions read",
        questions.len()
    );
    let flagged: Vec<String> = questions
        .iter()
        .filter_map(|q| {
            let k: Vec<_> = rekindle_coach::findings(q)
                .into_iter()
                .filter(|f| f.kind.is_problem())
                .map(|f| f.kind.as_str())
                .collect();
            (!k.is_empty()).then(|| format!("{k:?}: {q}"))
        })
        .collect();
    assert!(flagged.is_empty(), "{}", flagged.join("\n"));
}
