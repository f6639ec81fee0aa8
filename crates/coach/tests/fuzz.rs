//! Property tests: arbitrary UTF-8 up to 64 KiB never panics, and every span is valid.

use proptest::prelude::*;
use rekindle_coach::analyze;

const WORDS: &[&str] = &[
    "you", "You're", "always", "never", "I", "feel", "like", "ignored", "sorry", "whatever", "\"",
    "'", ".", "?", "!", ",", "so", "selfish", "not", "don't", "can", "we", "every", "time", "é",
    "ß", "日本", "😤", "🙄", "\u{2019}", "\u{201C}", "\u{201D}", "\n", "  ", "-", "…",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(|s| s.to_string()),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[a-z]{1,8}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(piece(), 0..60).prop_map(|v| v.join(" ")),
        1 => proptest::collection::vec(piece(), 0..9000).prop_map(|v| {
            let mut s = v.join(" ");
            while s.len() > 65536 {
                s.pop();
            }
            s
        }),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn spans_are_valid(t in text()) {
        let a = analyze(&t);
        let chars = t.chars().count();
        for f in &a.findings {
            prop_assert!(f.byte_start < f.byte_end && f.byte_end <= t.len());
            prop_assert!(t.is_char_boundary(f.byte_start) && t.is_char_boundary(f.byte_end));
            prop_assert!(f.start < f.end && f.end <= chars);
            prop_assert_eq!(t[..f.byte_start].chars().count(), f.start);
            prop_assert_eq!(t[..f.byte_end].chars().count(), f.end);
        }
        prop_assert!(a.rewrites.len() <= 3);
        let _ = rekindle_coach::paraphrase(&t);
    }
}
