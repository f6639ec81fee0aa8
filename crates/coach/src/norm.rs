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

impl Norm {
    pub fn new(s: &str) -> Norm {
        if s.is_ascii() {
            return Norm {
                text: s.to_ascii_lowercase(),
                map: None,
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut map: Vec<u32> = Vec::with_capacity(s.len() + 1);
        let mut changed = false;
        for (i, c) in s.char_indices() {
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

    #[test]
    fn folds_and_maps() {
        let src = "You\u{2019}re \u{201C}Always\u{201D} late";
        let n = Norm::new(src);
        assert_eq!(n.text, "you're \"always\" late");
        assert_eq!(n.orig(4), 6);
        assert_eq!(n.orig(n.text.len()), src.len());
    }
}
