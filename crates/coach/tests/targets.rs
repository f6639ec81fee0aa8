//! The quality targets of issue 3, asserted on the project's own test split, and the
//! rewrite guarantees over the whole corpus.

use rekindle_coach::{Kind, analyze, eval};

const TEST: &str = include_str!("../corpus/test.jsonl");
const DEV: &str = include_str!("../corpus/dev.jsonl");

fn target(k: Kind) -> (f64, f64) {
    match k {
        Kind::Blame | Kind::Absolute => (0.95, 0.90),
        Kind::Contempt => (0.80, 0.50),
        _ => (0.85, 0.75),
    }
}

#[test]
fn test_split_meets_targets() {
    let r = eval::evaluate(TEST).expect("test split parses");
    assert!(r.messages >= 300, "test split too small: {}", r.messages);
    let mut failures = Vec::new();
    for k in Kind::ALL {
        let s = r.get(k);
        let (p, rc) = target(k);
        if s.precision < p || s.recall < rc {
            failures.push(format!(
                "{k}: precision {:.3} (≥ {p}), recall {:.3} (≥ {rc})",
                s.precision, s.recall
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "targets missed:\n{}\n{r}",
        failures.join("\n")
    );
}

#[test]
fn corpus_is_big_enough_and_labeled() {
    let n = TEST.lines().count() + DEV.lines().count();
    assert!(n >= 1000, "corpus has {n} messages");
    let r = eval::evaluate(DEV).expect("dev split parses");
    for k in Kind::ALL {
        assert!(r.get(k).support >= 15, "{k} has too little support in dev");
    }
}

fn texts() -> impl Iterator<Item = String> {
    TEST.lines()
        .chain(DEV.lines())
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("jsonl");
            v["text"].as_str().expect("text").to_string()
        })
}

#[test]
fn every_rewrite_reanalyses_clean() {
    let mut checked = 0;
    for t in texts() {
        let a = analyze(&t);
        if a.has_problem() {
            assert!(
                (1..=3).contains(&a.rewrites.len()),
                "{t:?} got {} rewrites",
                a.rewrites.len()
            );
        } else {
            assert!(a.rewrites.is_empty(), "{t:?} has rewrites but no problem");
        }
        for r in &a.rewrites {
            let again = analyze(&r.text);
            let bad: Vec<_> = again
                .findings
                .iter()
                .filter(|f| f.kind.is_problem())
                .collect();
            assert!(
                bad.is_empty(),
                "rewrite of {t:?} is not clean: {:?} → {bad:?}",
                r.text
            );
            assert!(!r.feeling_choices.is_empty() && !r.need_choices.is_empty());
            assert!(r.text.contains(r.feeling) && r.text.contains(r.need));
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} rewrites checked");
}

/// Content words of a message (lowercase, ≥ 4 letters, not function words or absolutes).
fn content(t: &str) -> Vec<String> {
    const SKIP: &[&str] = &[
        "always",
        "never",
        "ever",
        "every",
        "time",
        "single",
        "again",
        "anymore",
        "just",
        "even",
        "really",
        "what",
        "when",
        "your",
        "you're",
        "that",
        "this",
        "with",
        "about",
        "have",
        "there",
        "they",
        "then",
        "than",
        "from",
        "were",
        "will",
        "would",
        "could",
        "should",
        "don't",
        "didn't",
        "doesn't",
        "won't",
        "can't",
        "it's",
        "i'm",
        "like",
        "want",
        "make",
        "made",
        "need",
        "feel",
        "thing",
        "things",
        "anything",
        "nothing",
        "everything",
        "once",
        "whole",
        "said",
        "tell",
        "told",
        "because",
        "also",
        "still",
        "some",
        "know",
        "think",
    ];
    t.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| w.len() >= 4 && !SKIP.contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_topic_survives() {
    let a = analyze("You never help with the dishes!");
    assert!(
        a.rewrites.iter().any(|r| r.text.contains("dishes")),
        "{:?}",
        a.rewrites
    );
    let a = analyze("You're always on your phone at dinner.");
    assert!(
        a.rewrites.iter().any(|r| r.text.contains("phone")),
        "{:?}",
        a.rewrites
    );
    let a = analyze("You forgot my birthday.");
    assert!(
        a.rewrites.iter().any(|r| r.text.contains("birthday")),
        "{:?}",
        a.rewrites
    );

    // over the corpus: messages with a blame finding keep at least one content word
    let (mut with_blame, mut kept) = (0, 0);
    for t in texts() {
        let a = analyze(&t);
        // blame about behaviour: a character attack aimed at "you" also carries blame
        // (same span), but its trait words are stripped on purpose
        let behaviour = a.findings.iter().any(|f| {
            f.kind == Kind::Blame
                && !a.findings.iter().any(|c| {
                    matches!(c.kind, Kind::Criticism | Kind::Contempt)
                        && c.start == f.start
                        && c.end == f.end
                })
        });
        if !behaviour {
            continue;
        }
        with_blame += 1;
        let words = content(&t);
        if a.rewrites.iter().any(|r| {
            let rl = r.text.to_lowercase();
            words.iter().any(|w| rl.contains(w.as_str()))
        }) {
            kept += 1;
        } else if std::env::var_os("COACH_SHOW").is_some() {
            eprintln!(
                "lost topic: {t}\n    {:?}",
                a.rewrites.first().map(|r| &r.text)
            );
        }
    }
    let ratio = kept as f64 / with_blame as f64;
    // 0.8 before issue 16; the gerund topics ("about not asking how my day") are gone
    // because they read badly, and the builder carries the observation instead. 0.7 until
    // the rewrites took the builder's checks: fragments that kept a word of the message but
    // read badly ("about the one who forgot", "When you need to grow up", "When you didn't
    // at least texted") give way to the sentence without a topic (176 → 166 of 244), and
    // so do phrases cut in two ("When you made me look, I felt…", "When you keep doing")
    // and vague topics ("about my mother", "about us"): 166 → 160; and a remark on looks
    // ("about your weight", made of "pulling your weight") or a phrase that ran on past a
    // preposition ("went to bed without (even saying goodnight)"): 160 → 157; and praise
    // the detection still flags ("You never let me down.", counted here as blame) no longer
    // gets a request made of it: 157 → 156; and a verb of saying whose words were cut off
    // ("When you didn't call to say, I felt…", "Would you be willing to admit this week?"):
    // 156 → 154; and a likeness whose point is cut off ("When you treat me, I feel…" from
    // "You treat me like a child."): 154 → 153; and reported words taken for what happened
    // ("When you were sorry, I felt…" from "You never said you were sorry."): 153 → 151.
    assert!(
        ratio >= 0.615,
        "topic kept in only {kept}/{with_blame} blame messages"
    );
}

#[test]
fn absolutes_are_stripped_from_rewrites() {
    for t in [
        "You never help with the dishes!",
        "You always leave your clothes on the floor, you lazy slob.",
        "You're constantly on your stupid phone.",
    ] {
        for r in analyze(t).rewrites {
            let l = r.text.to_lowercase();
            for w in ["never", "always", "constantly", "lazy", "slob", "stupid"] {
                assert!(
                    !l.split(|c: char| !c.is_alphanumeric()).any(|x| x == w),
                    "{w:?} left in {:?}",
                    r.text
                );
            }
        }
    }
}

/// The own training set (issue 16) is training data only: big, labelled with known kinds,
/// grouped into pseudo-sources, and never a copy of a sentence of the yardstick (the real
/// corpus) or of the own dev/test splits.
#[test]
fn the_own_training_set_is_apart_from_the_yardstick() {
    let own = eval::parse_real(include_str!("../corpus/own_train.jsonl")).expect("parses");
    assert!(
        own.len() >= 2500,
        "own training set too small: {}",
        own.len()
    );
    let norm = |t: &str| t.to_lowercase();
    let mut taken = std::collections::HashSet::new();
    for f in [include_str!("../corpus/real/sentences.jsonl"), DEV, TEST] {
        for l in eval::parse_real(f).expect("parses") {
            taken.insert(norm(&l.text));
        }
    }
    let (mut problems, mut others) = (0, 0);
    for l in &own {
        assert!(
            !taken.contains(&norm(&l.text)),
            "{:?} is also in the real corpus or the own splits",
            l.text
        );
        assert!(
            l.source.starts_with("own:"),
            "{:?} has no pseudo-source",
            l.text
        );
        let kinds: Vec<Kind> = l
            .labels
            .iter()
            .map(|s| Kind::from_name(s).unwrap_or_else(|| panic!("unknown kind {s:?}")))
            .collect();
        if kinds.iter().any(|k| k.is_problem()) {
            problems += 1;
        } else {
            others += 1;
        }
    }
    // as many messages without a problem as with one (hard negatives included)
    assert!(
        others >= problems,
        "own set: {problems} with a problem, {others} without"
    );
}
