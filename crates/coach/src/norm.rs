//! Normalisation: ASCII lowercase, typographic quotes and apostrophes folded to ASCII,
//! with a map back to byte offsets in the original text.

/// Normalised text plus the way back to the original.
pub(crate) struct Norm {
    /// Lowercased text with ’ ‘ ʼ → `'`, “ ” „ « » → `"`, no-break space → space, dashes → `-`.
    pub text: String,
    /// `map[i]` = original byte offset of normalised byte `i` (len = text.len() + 1).
    /// `None` when the mapping is the identity (nothing was folded).
    map: Option<Vec<u32>>,
}

fn fold(c: char) -> Option<char> {
    Some(match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}' | '\u{2032}' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' | '\u{FF02}' => '"',
        '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\u{2007}' => ' ',
        '\u{2013}' | '\u{2014}' | '\u{2015}' => '-',
        '\u{2026}' => '.',
        _ => return None,
    })
}

/// `s.to_ascii_lowercase()` for ASCII `s`: a copy lowercased in place. (A mapped byte
/// collect vectorises, but the `String::from_utf8` it needs checks every byte again: that
/// check was ≈ 1 % of a 40,000-line run; in place is 0.5 % fewer instructions overall.)
pub(crate) fn ascii_lower(s: &str) -> String {
    debug_assert!(s.is_ascii());
    let mut out = s.to_owned();
    out.make_ascii_lowercase();
    out
}

impl Norm {
    pub fn new(s: &str) -> Norm {
        if s.is_ascii() {
            return Norm {
                text: ascii_lower(s),
                map: None,
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut map: Vec<u32> = Vec::with_capacity(s.len() + 1);
        let mut changed = false;
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // a run of ASCII bytes (most of any message) in bulk, without decoding a char
            let run = b[i..]
                .iter()
                .position(|&c| c >= 0x80)
                .unwrap_or(b.len() - i);
            if run > 0 {
                let at = text.len();
                text.push_str(&s[i..i + run]);
                text[at..].make_ascii_lowercase();
                map.extend(i as u32..(i + run) as u32);
                i += run;
                continue;
            }
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            let out = match fold(c) {
                Some(f) => {
                    changed = true;
                    f
                }
                None => c.to_ascii_lowercase(),
            };
            let before = text.len();
            text.push(out);
            for _ in before..text.len() {
                map.push(i as u32);
            }
            i += c.len_utf8();
        }
        map.push(s.len() as u32);
        Norm {
            text,
            map: changed.then_some(map),
        }
    }

    /// Original byte offset for a normalised byte offset (clamped).
    pub fn orig(&self, i: usize) -> usize {
        match &self.map {
            None => i.min(self.text.len()),
            Some(m) => m[i.min(m.len() - 1)] as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass lowercase is the standard one on every ASCII byte.
    #[test]
    fn ascii_lower_is_to_ascii_lowercase() {
        let all: String = (0u8..128).map(char::from).collect();
        for s in [all.as_str(), "", "You NEVER Listen, OK?", "@[`{ZAza09"] {
            assert_eq!(ascii_lower(s), s.to_ascii_lowercase());
        }
    }

    /// The byte-wise loop over non-ASCII text gives what a char-by-char fold gives.
    #[test]
    fn non_ascii_path_is_the_char_fold() {
        for src in [
            "You\u{2019}re \u{201C}ALWAYS\u{201D} late \u{2014} \u{00C9}t\u{00E9}\u{2026}",
            "\u{00C9}",
            "caf\u{00E9} WITH \u{1F600} and\u{00A0}NBSP",
            "\u{00E9}\u{00E9}\u{00E9} no folds here \u{00DF}",
        ] {
            let n = Norm::new(src);
            let mut text = String::new();
            let mut map = Vec::new();
            let mut changed = false;
            for (i, c) in src.char_indices() {
                let out = fold(c).inspect(|_| changed = true);
                let before = text.len();
                text.push(out.unwrap_or(c.to_ascii_lowercase()));
                map.extend(std::iter::repeat_n(i as u32, text.len() - before));
            }
            map.push(src.len() as u32);
            assert_eq!(n.text, text, "{src}");
            assert_eq!(n.map, changed.then_some(map), "{src}");
        }
    }

    #[test]
    fn folds_and_maps() {
        let src = "You\u{2019}re \u{201C}Always\u{201D} late";
        let n = Norm::new(src);
        assert_eq!(n.text, "you're \"always\" late");
        assert_eq!(n.orig(4), 6);
        assert_eq!(n.orig(n.text.len()), src.len());
    }
}
