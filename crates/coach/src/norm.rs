//! Normalisation: ASCII lowercase, typographic quotes and apostrophes folded to ASCII,
//! with a map back to byte offsets in the original text. Also sentence and quote structure.

/// Normalised text plus the way back to the original.
pub(crate) struct Norm {
    /// Lowercased text with ’ ‘ ʼ → `'`, “ ” „ « » → `"`, no-break space → space, dashes → `-`.
    pub text: String,
    /// `map[i]` = original byte offset of normalised byte `i` (len = text.len() + 1).
    /// `None` when the mapping is the identity (the input had no folded character).
    map: Option<Vec<u32>>,
    /// Sentences: (start, end, is_question) in normalised bytes, in order, covering the text.
    pub sentences: Vec<Sentence>,
    /// Double-quoted regions (start, end) in normalised bytes.
    pub quotes: Vec<(usize, usize)>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Sentence {
    pub start: usize,
    pub end: usize,
    /// Ends with a question mark.
    pub question: bool,
    /// A yes/no question (starts with an auxiliary verb, e.g. "do you…?").
    pub yes_no: bool,
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

const AUX: &[&str] = &[
    "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "will", "would", "can",
    "could", "should", "shall", "am", "may", "might", "must", "don't", "doesn't", "didn't",
    "aren't", "isn't", "won't", "wouldn't", "can't", "couldn't", "haven't", "hasn't",
];

impl Norm {
    pub fn new(s: &str) -> Norm {
        let (text, map) = if s.is_ascii() {
            (s.to_ascii_lowercase(), None)
        } else {
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
            (text, if changed { Some(map) } else { None })
        };
        let sentences = sentences(&text);
        let quotes = quotes(&text);
        Norm {
            text,
            map,
            sentences,
            quotes,
        }
    }

    /// Original byte offset for a normalised byte offset (clamped, on a char boundary of the
    /// original when `i` is on a char boundary of the normalised text).
    pub fn orig(&self, i: usize) -> usize {
        match &self.map {
            None => i.min(self.text.len()),
            Some(m) => m[i.min(m.len() - 1)] as usize,
        }
    }

    /// The sentence containing byte `i`.
    pub fn sentence_at(&self, i: usize) -> Sentence {
        let idx = self.sentences.partition_point(|s| s.end <= i);
        self.sentences
            .get(idx.min(self.sentences.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Sentence {
                start: 0,
                end: self.text.len(),
                question: false,
                yes_no: false,
            })
    }

    /// Whether byte `i` lies inside a double-quoted region.
    pub fn quoted(&self, i: usize) -> bool {
        let idx = self.quotes.partition_point(|q| q.1 <= i);
        self.quotes.get(idx).is_some_and(|q| q.0 <= i && i < q.1)
    }
}

fn sentences(t: &str) -> Vec<Sentence> {
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'.' | b'!' | b'?' | b';' | b'\n') {
            // swallow a run of terminators
            let mut j = i;
            let mut question = false;
            while j < b.len() && matches!(b[j], b'.' | b'!' | b'?' | b';' | b'\n' | b'"' | b')')
            {
                question |= b[j] == b'?';
                j += 1;
            }
            // a dot inside a number or an abbreviation-like token ("3.5", "a.m.") does not end
            if c == b'.' && j == i + 1 && j < b.len() && b[j].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            push_sentence(&mut out, t, start, j, question);
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    if start < b.len() || out.is_empty() {
        push_sentence(&mut out, t, start, b.len(), false);
    }
    out
}

fn push_sentence(out: &mut Vec<Sentence>, t: &str, start: usize, end: usize, question: bool) {
    let yes_no = question && starts_with_aux(&t.as_bytes()[start..end]);
    out.push(Sentence {
        start,
        end,
        question,
        yes_no,
    });
}

fn starts_with_aux(s: &[u8]) -> bool {
    // skip leading non-letters and a few discourse words ("so", "and", "but", "ok", "hey", "babe")
    let mut words = s
        .split(|c| !(c.is_ascii_alphanumeric() || *c == b'\''))
        .filter(|w| !w.is_empty());
    for _ in 0..3 {
        let Some(w) = words.next() else { return false };
        if AUX.iter().any(|a| a.as_bytes() == w) {
            return true;
        }
        if !matches!(
            w,
            b"so" | b"and" | b"but" | b"ok" | b"okay" | b"hey" | b"babe" | b"hon" | b"honey"
                | b"um" | b"uh" | b"also" | b"then" | b"quick" | b"question" | b"love"
        ) {
            return false;
        }
    }
    false
}

fn quotes(t: &str) -> Vec<(usize, usize)> {
    // Pair double quotes within a line; an unpaired quote is ignored.
    let b = t.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'"' => match open.take() {
                Some(s) => out.push((s, i + 1)),
                None => open = Some(i),
            },
            b'\n' => open = None,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_maps() {
        let n = Norm::new("You’re “Always” late");
        assert_eq!(n.text, "you're \"always\" late");
        assert_eq!(n.orig(4), 6);
        assert!(n.quoted(9));
        assert!(!n.quoted(2));
    }

    #[test]
    fn yes_no_questions() {
        let n = Norm::new("Do you always take the bus? Why do you always do this?");
        assert!(n.sentences[0].yes_no);
        assert!(n.sentences[1].question && !n.sentences[1].yes_no);
    }
}
