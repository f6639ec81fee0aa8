//! Quality gates for the question decks: every question and follow-up is
//! checked here, and the counts per deck and depth are printed
//! (`cargo test -p rekindle-domain --test deck_quality -- --nocapture`).

use std::collections::{BTreeMap, HashMap, HashSet};

use rekindle_domain::questions::{DEPTHS, Question, decks};

fn all() -> Vec<&'static Question> {
    decks().iter().flat_map(|d| d.questions.iter()).collect()
}

/// Lower case, letters, digits and apostrophes only (curly ones made straight), single spaces.
fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['’', '‘'], "'")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> Vec<String> {
    normalise(text).split(' ').map(str::to_owned).collect()
}

fn trigrams(text: &str) -> HashSet<String> {
    words(text).windows(3).map(|t| t.join(" ")).collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / union as f64
    }
}

/// Near-duplicates: at or above this share of shared word trigrams.
const NEAR_SAME: f64 = 0.5;
const MAX_WORDS: usize = 30;
const MAX_FOLLOW_UP_WORDS: usize = 15;
const BANNED: [&str; 8] = [
    "you should",
    "you have to",
    "you must",
    "your fault",
    "why do you always",
    "why don't you",
    "you never",
    "you always",
];

#[test]
fn there_are_at_least_a_thousand_questions_and_the_counts_are_printed() {
    let mut total = 0;
    println!(
        "{:<22} {:>6} {:>6} {:>6} {:>6}",
        "deck", "light", "deeper", "deep", "all"
    );
    for d in decks() {
        let per: Vec<usize> = DEPTHS
            .iter()
            .map(|depth| d.questions.iter().filter(|q| q.depth == *depth).count())
            .collect();
        println!(
            "{:<22} {:>6} {:>6} {:>6} {:>6}{}",
            d.slug,
            per[0],
            per[1],
            per[2],
            d.questions.len(),
            if d.starts_off { "  (starts off)" } else { "" }
        );
        for (i, n) in per.iter().enumerate() {
            assert!(*n >= 15, "{} has only {n} at depth {}", d.slug, i + 1);
        }
        total += d.questions.len();
    }
    println!("{:<22} {:>27}", "total", total);
    assert!(total >= 1_000, "at least 1,000 questions, found {total}");
    for slug in [
        "play",
        "your-world",
        "affection",
        "money-and-home",
        "family-and-roots",
        "conflict-and-repair",
        "faith-and-meaning",
        "hard-seasons",
    ] {
        assert!(decks().iter().any(|d| d.slug == slug), "deck {slug}");
    }
}

#[test]
fn ids_are_unique_and_follow_the_slug_depth_number_pattern() {
    let mut seen = HashSet::new();
    for d in decks() {
        for q in &d.questions {
            assert!(seen.insert(q.id.as_str()), "duplicate id {}", q.id);
            let (prefix, number) = q.id.rsplit_once('-').expect("slug-depth-nn");
            assert_eq!(prefix, format!("{}-{}", d.slug, q.depth), "{}", q.id);
            assert!(number.len() == 2 && number.chars().all(|c| c.is_ascii_digit()));
        }
    }
}

#[test]
fn no_two_questions_are_the_same_or_nearly_the_same() {
    let qs = all();
    let grams: Vec<HashSet<String>> = qs.iter().map(|q| trigrams(&q.text)).collect();
    let mut exact: HashMap<String, &str> = HashMap::new();
    let mut pairs = Vec::new();
    for (i, q) in qs.iter().enumerate() {
        if let Some(other) = exact.insert(normalise(&q.text), q.id.as_str()) {
            panic!("{} and {other} are the same question", q.id);
        }
        for j in (i + 1)..qs.len() {
            pairs.push((jaccard(&grams[i], &grams[j]), i, j));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("closest pairs (word-trigram Jaccard):");
    for (score, i, j) in pairs.iter().take(10) {
        println!(
            "  {score:.2}  {}: {}\n        {}: {}",
            qs[*i].id, qs[*i].text, qs[*j].id, qs[*j].text
        );
    }
    let near: Vec<String> = pairs
        .iter()
        .take_while(|(s, _, _)| *s >= NEAR_SAME)
        .map(|(s, i, j)| format!("{s:.2} {} ~ {}", qs[*i].id, qs[*j].id))
        .collect();
    assert!(near.is_empty(), "near-duplicates: {near:#?}");
}

#[test]
fn every_question_is_one_readable_sentence_ending_in_a_question_mark() {
    let mut problems = Vec::new();
    for q in all() {
        let t = q.text.trim();
        let n = words(t).len();
        if !t.ends_with('?') {
            problems.push(format!("{}: does not end in ?", q.id));
        }
        // One sentence: no sentence end before the last character.
        let body = t.trim_end_matches('?');
        if body.contains(". ") || body.contains("? ") || body.contains("! ") {
            problems.push(format!("{}: more than one sentence", q.id));
        }
        if n > MAX_WORDS {
            problems.push(format!("{}: {n} words", q.id));
        }
        let f = q.follow_up.trim();
        if f.is_empty() || !f.ends_with('?') || words(f).len() > MAX_FOLLOW_UP_WORDS {
            problems.push(format!("{}: follow-up {f:?}", q.id));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn no_question_or_follow_up_uses_banned_or_blaming_phrasing() {
    let mut problems = Vec::new();
    for q in all() {
        for text in [&q.text, &q.follow_up] {
            let n = format!(" {} ", normalise(text));
            for b in BANNED {
                if n.contains(&format!(" {b} ")) {
                    problems.push(format!("{}: {b:?} in {text:?}", q.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_coach_finds_no_problem_in_any_question_or_follow_up() {
    let mut problems = Vec::new();
    for q in all() {
        for text in [&q.text, &q.follow_up] {
            let a = rekindle_coach::analyze(text);
            if a.has_problem() {
                problems.push(format!("{}: {:?} in {text:?}", q.id, a.kinds()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} findings: {problems:#?}",
        problems.len()
    );
}

#[test]
fn follow_ups_vary_and_openings_do_not_repeat_too_often() {
    let mut follow_ups: HashMap<String, Vec<&str>> = HashMap::new();
    let mut openings: BTreeMap<String, usize> = BTreeMap::new();
    for q in all() {
        follow_ups
            .entry(normalise(&q.follow_up))
            .or_default()
            .push(q.id.as_str());
        let w = words(&q.text);
        if w.len() >= 4 {
            *openings.entry(w[..4].join(" ")).or_default() += 1;
        }
    }
    let mut reused: Vec<_> = follow_ups.iter().filter(|(_, ids)| ids.len() > 3).collect();
    reused.sort();
    assert!(
        reused.is_empty(),
        "follow-ups used more than 3 times: {reused:#?}"
    );
    let mut common: Vec<(&String, &usize)> = openings.iter().collect();
    common.sort_by(|a, b| b.1.cmp(a.1));
    println!("most used four-word openings:");
    for (o, n) in common.iter().take(10) {
        println!("  {n:>3}  {o}");
    }
    let over: Vec<_> = common.iter().filter(|(_, n)| **n > 15).collect();
    assert!(
        over.is_empty(),
        "openings used more than 15 times: {over:?}"
    );
}
