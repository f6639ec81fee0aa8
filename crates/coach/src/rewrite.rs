//! I-language rewrites and the listener's paraphrase scaffold.
//!
//! A rewrite keeps what the message was about (the observation, with absolutes and insults
//! taken out), names a feeling and a need from [`crate::lists`], and ends with a request.
//! Every candidate is analysed again and dropped if it still carries a problem; a topic-free
//! fallback (checked clean by the tests) guarantees at least one rewrite.

use std::borrow::Cow;
use std::sync::{LazyLock, PoisonError, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::lists::{self, FEELINGS, NEEDS};
use crate::norm::Norm;
use crate::rules;
use crate::tok::{self, FxMap, Tok};
use crate::{Builder, Finding, Kind, Rewrite, engine};

/// The closing sentences of the rewrite templates. The matcher build proves which of them no
/// problem rule can match in, so the re-check of a rewrite skips matching there.
pub(crate) const TAILS: &[&str] = &[
    ASK_TONIGHT,
    ASK_PLAN,
    ASK_HEAR,
    ASK_PAUSE,
    ASK_MORE,
    ASK_CALM,
    ASK_BUILDER,
];
pub(crate) const ASK_TONIGHT: &str =
    "Could we talk about it tonight and find something that works for both of us?";
pub(crate) const ASK_PLAN: &str =
    "Would you be willing to sit down with me this week and make a plan together?";
pub(crate) const ASK_HEAR: &str =
    "Would you be willing to tell me how things are for you, and hear how they are for me?";
pub(crate) const ASK_PAUSE: &str = "Can we take twenty minutes and come back to this after?";
pub(crate) const ASK_MORE: &str = "Could you tell me more about what upset you?";
pub(crate) const ASK_CALM: &str = "Could we talk about it when we're both calm?";
/// The builder's closing question when the writer gave no request of their own.
pub(crate) const ASK_BUILDER: &str = "Would you talk about it with me tonight?";

// Word lists as `matches!` (compiled to a few byte tests rather than a scan of string
// compares: they are asked about every word of an observation).

/// Words dropped from an extracted observation: absolutes, intensifiers, fillers.
fn is_strip(t: &str) -> bool {
    matches!(
        t,
        "always"
            | "never"
            | "ever"
            | "constantly"
            | "continually"
            | "perpetually"
            | "forever"
            | "again"
            | "anymore"
            | "even"
            | "just"
            | "literally"
            | "seriously"
            | "honestly"
            | "basically"
            | "totally"
            | "completely"
            | "really"
            | "once"
            | "still"
            | "clearly"
            | "obviously"
            | "actually"
            | "fucking"
            | "freaking"
            | "damn"
            | "bloody"
            | "stupid"
            | "stupidly"
            | "so"
            | "such"
            | "enough"
            | "anyway"
    )
}

/// Tokens that end an observation.
fn is_stop(t: &str) -> bool {
    matches!(
        t,
        "but"
            | "and"
            | "because"
            | "so"
            | "like"
            | "which"
            | "although"
            | "though"
            | "or"
            | "lol"
            | "you"
            | "as"
            | "even"
            | "every"
            | "all"
            | "for"
            | "anymore"
            | "whenever"
            | "while"
    )
}

fn is_aux(t: &str) -> bool {
    matches!(
        t,
        "do" | "does"
            | "did"
            | "will"
            | "would"
            | "can"
            | "could"
            | "should"
            | "have"
            | "has"
            | "had"
            | "must"
            | "might"
            | "may"
            | "shall"
    )
}

fn is_be(t: &str) -> bool {
    matches!(
        t,
        "are" | "were" | "is" | "was" | "am" | "have been" | "been"
    )
}

fn is_stative(t: &str) -> bool {
    matches!(
        t,
        "care"
            | "love"
            | "respect"
            | "appreciate"
            | "understand"
            | "value"
            | "notice"
            | "think"
            | "want"
            | "like"
            | "know"
            | "believe"
            | "trust"
            | "mean"
            | "get"
            | "feel"
            | "see"
            | "hear"
    )
}

struct Topic<'a> {
    /// The observation after "you", e.g. "leave your clothes on the floor": the message's
    /// own words, borrowed (a `String` each was a third of the rewrites' allocations).
    pred: Vec<Cow<'a, str>>,
    /// The observation was negated ("never help", "don't call").
    negated: bool,
    /// The verb was a form of "be" ("you're always late" → "late").
    be: bool,
    /// …in the past: "you were on your phone all evening".
    be_past: bool,
    /// Auxiliary to use in "when you … " for negated forms: "don't", "didn't", "won't".
    neg_aux: &'static str,
    /// Said of what might or should happen, not of what did: "if you really loved me",
    /// "you should listen to me", "it would mean a lot if you acknowledged…".
    hypothetical: bool,
}

fn words<'t, 'a: 't>(toks: &'t [Tok<'a>]) -> impl Iterator<Item = (usize, &'a str)> + 't {
    toks.iter()
        .enumerate()
        .filter(|(_, t)| t.word)
        .map(|(i, t)| (i, t.text))
}

/// Irregular past tenses and participles people use in complaints, with their base form:
/// one table, so that what [`looks_past`] takes for a past [`base`] can also undo ("you never
/// heard me" → "didn't hear", not "don't heard").
const IRREGULAR: &[(&str, &str)] = &[
    ("said", "say"),
    ("told", "tell"),
    ("made", "make"),
    ("took", "take"),
    ("left", "leave"),
    ("forgot", "forget"),
    ("spent", "spend"),
    ("broke", "break"),
    ("went", "go"),
    ("came", "come"),
    ("gave", "give"),
    ("got", "get"),
    ("did", "do"),
    ("ate", "eat"),
    ("known", "know"),
    ("been", "be"),
    ("done", "do"),
    ("gone", "go"),
    ("taken", "take"),
    ("shown", "show"),
    ("stood", "stand"),
    ("thought", "think"),
    ("hung", "hang"),
    ("slept", "sleep"),
    ("sent", "send"),
    ("lost", "lose"),
    ("kept", "keep"),
    ("brought", "bring"),
    ("bought", "buy"),
    ("caught", "catch"),
    ("wore", "wear"),
    ("drove", "drive"),
    ("wrote", "write"),
    ("ran", "run"),
    ("grew", "grow"),
    ("knew", "know"),
    ("threw", "throw"),
    ("blew", "blow"),
    ("spoke", "speak"),
    ("chose", "choose"),
    ("paid", "pay"),
    ("met", "meet"),
    ("heard", "hear"),
    ("understood", "understand"),
    ("fell", "fall"),
    ("drank", "drink"),
    ("taught", "teach"),
    ("fought", "fight"),
    ("sat", "sit"),
    ("woke", "wake"),
    ("hid", "hide"),
    ("bit", "bite"),
    ("hit", "hit"),
];

/// Past tense → base form for the verbs people use most in complaints.
fn base(v: &str) -> String {
    if let Some((_, b)) = IRREGULAR.iter().find(|(p, _)| *p == v) {
        return b.to_string();
    }
    if let Some(stem) = v.strip_suffix("ied") {
        return format!("{stem}y");
    }
    if let Some(stem) = v.strip_suffix("ed") {
        // "considered", "bothered", "answered": the stem is the verb
        if stem.ends_with("er") {
            return stem.to_string();
        }
        if stem.ends_with(['r', 'v', 'z', 'c', 's', 'g', 'u']) && !stem.ends_with("ss") {
            return format!("{stem}e");
        }
        return stem.to_string();
    }
    v.to_string()
}

/// Find "you … VERB …" in the sentence and return the observation.
fn extract<'a>(toks: &[Tok<'a>], from: usize) -> Option<Topic<'a>> {
    // room for every token: a filtered collect grows its vector by copying, three or four
    // times for a sentence (≈ 1 % of a run's instructions with `any_noun_phrase`'s)
    let mut w: Vec<(usize, &'a str)> = Vec::with_capacity(toks.len());
    w.extend(words(toks));
    // "you're so cute when you try to do maths": praise (or mock praise) of the partner
    // leaves no complaint in the rest of the sentence to observe
    let praised = w
        .windows(3)
        .any(|x| x[0].1 == "you" && (is_be(x[1].1) || is_strip(x[1].1)) && is_praise(x[2].1))
        || w.windows(4)
            .any(|x| x[0].1 == "you" && is_be(x[1].1) && is_strip(x[2].1) && is_praise(x[3].1));
    if praised {
        return None;
    }
    let mut from_w = 0;
    while let Some(p) = w[from_w..]
        .iter()
        .position(|&(i, t)| i >= from && t == "you")
    {
        let start = from_w + p;
        if let Some(t) = extract_at(toks, &w, start) {
            return Some(t);
        }
        from_w = start + 1;
    }
    None
}

/// Does the predicate fail to say what happened: a fragment, a wish, praise, a verdict on
/// the person, or words that were cut off?
fn no_observation(pred: &[Cow<'_, str>], be: bool, negated: bool) -> bool {
    // "(put) you on the right route": no verb follows, so this "you" is someone's object
    // ("remind you to pay the bills" keeps its topic: "about the bills")
    if !be && pred[0] != "to" && no_verb(&pred[0]) {
        return true;
    }
    // "you have no respect (for anyone)", "you have zero consideration": a verdict on them
    if pred.len() >= 2 && matches!(&*pred[0], "have" | "has") && matches!(&*pred[1], "no" | "zero")
    {
        return true;
    }
    // "(why can't) you be normal", "you (never) need to ask": a wish or a rule, not an act
    if matches!(&*pred[0], "be" | "need" | "needs") {
        return true;
    }
    // one bare verb keeps what happened only when it stands alone ("you forget", "you yell");
    // "(while) you relax", "(anything) you start" lost what made it a complaint
    if pred.len() == 1
        && !negated
        && !be
        && !matches!(
            &*pred[0],
            "forget"
                | "forgot"
                | "yell"
                | "yelled"
                | "shout"
                | "shouted"
                | "lie"
                | "lied"
                | "cheat"
                | "cheated"
                | "sulk"
                | "sulked"
                | "complain"
                | "nag"
                | "swear"
                | "snore"
                | "interrupt"
                | "interrupted"
                | "disappear"
                | "disappeared"
                | "left"
        )
    {
        return true;
    }
    // "you're (so) cute", "you're right": praise is no complaint to build on; "you made me
    // feel (stupid)": the verb of seeming lost what it qualified
    if be && pred.len() == 1 && is_praise(&pred[0]) {
        return true;
    }
    if pred
        .last()
        .is_some_and(|l| matches!(&**l, "feel" | "look" | "seem" | "sound"))
        && pred.len() >= 2
    {
        return true;
    }
    // "you never let me down", "you never fail to…": praise
    if negated
        && (pred.starts_with(&[
            Cow::Borrowed("let"),
            Cow::Borrowed("me"),
            Cow::Borrowed("down"),
        ]) || matches!(&*pred[0], "fail" | "disappoint"))
    {
        return true;
    }
    // "you didn't call to say (you'd be late)", "you won't admit (you're wrong)": what was
    // to be said is cut off
    if matches!(&*pred[pred.len() - 1], "say" | "tell" | "admit")
        || (pred.len() >= 2 && pred[pred.len() - 1] == "ask")
    {
        return true;
    }
    // "you told me (you'd be home at six)": what was said is the point, and it is cut off
    if !negated
        && pred.len() == 2
        && pred[1] == "me"
        && matches!(
            &*pred[0],
            "told" | "tell" | "said" | "promised" | "asked" | "showed"
        )
    {
        return true;
    }
    // "you're exactly (like your dad)": an adverb alone qualifies what was cut off
    if be && pred.len() == 1 && pred[0].ends_with("ly") {
        return true;
    }
    // "you're gullible", "you're defensive": a judgment of the person, whatever the word
    if be && pred.len() == 1 && (judging_adjective(&pred[0]) || pred[0].ends_with("ish")) {
        return true;
    }
    // "you're (so annoying) about the dishes" without the insult is no observation
    if be
        && matches!(
            &*pred[0],
            "about" | "over" | "with" | "for" | "at" | "of" | "to"
        )
    {
        return true;
    }
    false
}

/// An adjective by its ending ("gullible", "defensive", "intolerable"): after "you're" a
/// judgment of the person, after a bare "you" a sentence without its verb.
fn judging_adjective(w: &str) -> bool {
    w.len() > 5
        && ["ible", "able", "ous", "ful", "less", "sive", "tive"]
            .iter()
            .any(|x| w.ends_with(x))
}

/// "Not once have you…", "never have you…": a negation put before an inverted verb, which
/// makes a statement of what would otherwise be a question.
fn fronted_negation<'a>(before: impl Fn(usize) -> &'a str) -> bool {
    (before(2) == "once" && before(3) == "not") || before(2) == "never"
}

/// A question word ("why are you…?" is a complaint; "are you…?" asks yes or no).
fn is_wh(t: &str) -> bool {
    matches!(t, "why" | "how" | "where" | "what" | "when" | "who")
}

/// Is the "you" whose preceding words `before(1)`, `before(2)`… gives nobody's subject, or
/// the subject of a yes/no question rather than of something that happened?
fn no_subject_or_asked<'a>(before: impl Fn(usize) -> &'a str) -> bool {
    // "(stay home) with you", "(angry) at you": this "you" is no one's subject
    matches!(
        before(1),
        "with" | "at" | "to" | "for" | "from" | "about" | "of" | "on" | "in" | "than"
    )
    // "(you never) said you were sorry", "(you) promised you'd…": reported words, not what
    // happened
    || matches!(
        before(1),
        "said" | "says" | "say" | "told" | "promised" | "swore" | "claimed"
    )
    // "are you even listening to me?" asks yes or no, and the answer it expects is the
    // opposite of its words
    || (matches!(before(1), "are" | "were") && !is_wh(before(2)))
    // so does "did you have a hard day?", "can you…?", "would you…?" (a request or a
    // question, not something that happened); "not once have you…" is a statement
    || (matches!(
        before(1),
        "do" | "does" | "did" | "can" | "could" | "will" | "would" | "have" | "has"
    ) && !is_wh(before(2))
        && !fronted_negation(&before))
    // so does "aren't you clever?", "don't you ever…?" (a negation between verb and "you")
    || (matches!(before(1), "not" | "n't")
        && matches!(
            before(2),
            "are" | "were" | "is" | "do" | "does" | "did" | "can" | "could" | "will" | "would"
        )
        && !is_wh(before(3)))
}

fn extract_at<'a>(toks: &[Tok<'a>], w: &[(usize, &'a str)], start: usize) -> Option<Topic<'a>> {
    let mut k = start + 1;
    let mut negated = start > 0 && matches!(w[start - 1].1, "not" | "never");
    let before = |back: usize| start.checked_sub(back).map_or("", |b| w[b].1);
    // ("I feel as if you…" is a faux feeling about what happens, no condition)
    let mut hypothetical = (matches!(before(1), "if" | "unless" | "whether") && before(2) != "as")
        || (matches!(before(1), "really" | "even" | "just" | "only") && before(2) == "if");
    let mut will = false;
    if no_subject_or_asked(before) {
        return None;
    }
    // "why are you always on that laptop?": the question put "are" before "you"
    let mut be = matches!(before(1), "are" | "were") && start + 1 < w.len();
    let mut be_past = be && before(1) == "were";
    let mut neg_aux = if negated && start > 1 && matches!(w[start - 2].1, "did" | "could" | "would")
    {
        "didn't"
    } else {
        "don't"
    };
    // "not once have you offered", "never have you…": the negation came before the verb
    if matches!(before(1), "have" | "has" | "did" | "do" | "does") && fronted_negation(before) {
        negated = true;
        neg_aux = "didn't";
    }
    let mut guard = 0;
    while k < w.len() && guard < 8 {
        guard += 1;
        let t = w[k].1;
        let next = w.get(k + 1).map_or("", |x| x.1);
        if t == "never" || t == "not" {
            negated = true;
        } else if matches!(t, "should" | "could" | "would" | "might") && next == "have" {
            negated = true;
            neg_aux = "didn't";
            k += 1;
        } else if matches!(t, "do" | "does" | "did")
            && !matches!(next, "not" | "never")
            && !is_strip(next)
        {
            break; // "do" is the main verb: "you do this"
        } else if matches!(t, "have" | "has")
            && !matches!(
                next,
                "been"
                    | "to"
                    | "got"
                    | "gotten"
                    | "not"
                    | "never"
                    | "always"
                    | "ever"
                    | "just"
                    | "already"
                    | "done"
                    | "made"
                    | "said"
                    | "left"
                    | "forgotten"
                    | "told"
            )
            && !looks_past(next)
            && !is_strip(next)
        {
            break; // "have" is the main verb: "you never have time for me"
        } else if is_aux(t) {
            // a wish or a guess ("you should…", "you'd…"); "you won't" is a refusal, kept
            hypothetical |= matches!(
                t,
                "should" | "would" | "could" | "might" | "must" | "shall" | "may"
            );
            will |= t == "will";
            neg_aux = match t {
                "did" | "could" | "would" | "had" => "didn't",
                "will" => "won't",
                "can" => "don't",
                _ => neg_aux,
            };
        } else if is_be(t) {
            be = true;
            be_past = matches!(t, "were" | "was");
        } else if !is_strip(t) {
            break;
        }
        k += 1;
    }
    hypothetical |= will && !negated;
    let mut pred = Vec::new();
    let mut last_tok = w.get(k).map(|x| x.0)?;
    // the observation ran to its clause's end (not cut at a stop word): a last "on" or "in"
    // is then a particle ("leave the lights on"), not a preposition cut from its object
    let mut clause_end = true;
    for (j, &(i, t)) in w.iter().enumerate().skip(k) {
        // stop at a clause break (punctuation between words) or a stop word
        if i > last_tok + 1 && toks[last_tok + 1..i].iter().any(|x| !x.word) {
            break;
        }
        let after = w.get(j + 1).filter(|&&(n, _)| {
            // the next word, when no punctuation stands between
            !toks[i + 1..n].iter().any(|x| !x.word)
        });
        if t == "you"
            && !pred.is_empty()
            && pred.last().is_some_and(|p| p != "between")
            && after.is_none_or(|&(_, n)| {
                matches!(
                    n,
                    "and" | "but" | "because" | "or" | "although" | "though" | "while" | "whenever"
                )
            })
        {
            // "you" as the object that ends the clause: "what I tell you", "remind you"
            last_tok = i;
            pred.push(Cow::Borrowed(t));
            continue;
        }
        if t == "for" && after.is_some_and(|&(_, n)| matches!(n, "me" | "us" | "granted")) {
            // "time for me", "cook for us", "take me for granted": what follows belongs to
            // the phrase
            last_tok = i;
            pred.push(Cow::Borrowed(t));
            continue;
        }
        if pred.len() >= 9 && !is_stop(t) {
            // nine words and the phrase goes on ("bringing up my weight in front (of your
            // brother)"): cut here it would dangle
            return None;
        }
        // (another subject starts a clause of its own: "on your phone the entire time (we
        // were at dinner)")
        if is_stop(t) || (!pred.is_empty() && matches!(t, "we" | "he" | "she" | "they")) {
            clause_end = false;
            if cuts_phrase(t, after.map(|x| x.1), pred.last().map(|p: &Cow<str>| &**p)) {
                // what was said needs the words after this one: "put the heat (so high)",
                // "going out looking (like that)"
                return None;
            }
            break;
        }
        last_tok = i;
        if is_insult(t) {
            // the insult goes with the words that led up to it ("being a total (jerk)")
            let tail = pred.len().saturating_sub(3);
            if let Some(p) = pred[tail..]
                .iter()
                .rposition(|w| matches!(&**w, "a" | "an" | "the" | "such" | "this"))
            {
                pred.truncate(tail + p);
            }
            break; // what follows an insult rarely reads as what they did
        }
        if is_strip(t) {
            continue;
        }
        pred.push(Cow::Borrowed(t));
    }
    // "ask me to rub (it)", "make me do (that)": the trim below would cut the object off
    // and leave the verb without what it was done to
    if pred.len() >= 2
        && matches!(&*pred[pred.len() - 1], "it" | "this" | "that" | "them")
        && !matches!(
            &*pred[pred.len() - 2],
            "with" | "about" | "of" | "for" | "on" | "in" | "at" | "to" | "from" | "into" | "over"
        )
    {
        return None;
    }
    // a preposition or a question word at the end means the phrase went on ("went to bed
    // without (even saying goodnight)", "lied to me about where (you were)")
    if pred.len() >= 2
        && pred.last().is_some_and(|t| {
            matches!(
                &**t,
                "without" | "where" | "why" | "who" | "between" | "about" | "with" | "of" | "than"
            )
        })
    {
        return None;
    }
    // "ask how my day was": the verb of a question word's clause is no trailing word
    let wh_clause = pred.len() >= 3
        && matches!(&*pred[pred.len() - 1], "was" | "is" | "were" | "are")
        && pred[..pred.len() - 1]
            .iter()
            .any(|w| matches!(&**w, "how" | "what" | "where" | "who"));
    let particle = clause_end
        && pred.len() >= 3
        && matches!(&*pred[pred.len() - 1], "on" | "in" | "over")
        && !is_function(&pred[pred.len() - 2]);
    // trailing function words read badly ("help with the")
    while !wh_clause
        && !particle
        && pred.last().is_some_and(|t| {
            matches!(
                &**t,
                "the"
                    | "a"
                    | "an"
                    | "to"
                    | "with"
                    | "of"
                    | "my"
                    | "your"
                    | "our"
                    | "on"
                    | "in"
                    | "at"
                    | "what"
                    | "is"
                    | "are"
                    | "was"
                    | "were"
                    | "more"
                    | "than"
                    | "how"
                    | "that"
                    | "this"
                    | "it"
                    | "when"
                    | "if"
                    | "about"
                    | "for"
                    | "from"
                    | "into"
                    | "like"
                    | "i"
                    | "over"
                    | "either"
                    | "after"
                    | "before"
                    | "since"
            )
        })
    {
        pred.pop();
    }
    if pred.is_empty()
        || (pred.len() == 1
            && (is_function(&pred[0])
                || matches!(
                    &*pred[0],
                    "do" | "say"
                        | "be"
                        | "go"
                        | "get"
                        | "have"
                        | "said"
                        | "did"
                        // verbs that need what they were done to ("a mistake you made")
                        | "made"
                        | "make"
                        | "got"
                        | "had"
                        | "put"
                        | "gave"
                        | "give"
                        | "took"
                        | "take"
                        | "want"
                        | "wanted"
                        | "need"
                        | "needed"
                )))
    {
        return None;
    }
    // one "when" per sentence: the templates open with it ("when you don't listen to me
    // when I talk" reads badly), so the observation stops before an inner one
    if let Some(p) = pred
        .iter()
        .position(|t| matches!(&**t, "when" | "if" | "until" | "unless"))
    {
        pred.truncate(p);
        while pred.last().is_some_and(|t| is_function(t)) {
            pred.pop();
        }
        if pred.is_empty() {
            return None;
        }
    }
    if no_observation(&pred, be, negated) {
        return None;
    }
    for t in pred.iter_mut() {
        if t == "i" {
            *t = Cow::Borrowed("I");
        }
    }
    // ("you're never satisfied" keeps its participle)
    if negated && !be && looks_past(&pred[0]) {
        pred[0] = Cow::Owned(base(&pred[0]));
        neg_aux = "didn't";
    }
    Some(Topic {
        pred,
        negated,
        be,
        be_past,
        neg_aux,
        hypothetical,
    })
}

/// Does the sentence open by thanking or praising ("I appreciate how you…", "thank you for…",
/// "I love how you…")? (Said in sarcasm, "I love how you always…" still names no
/// observation to build on, so it is here, though the detection guard leaves it out.)
fn praises(sentence: &str) -> bool {
    let s = sentence.trim_start_matches(|c: char| !c.is_alphanumeric());
    [
        "i appreciate",
        "i really appreciate",
        "i love it when",
        "i loved it when",
        "i love how",
        "i loved how",
        "i love that",
        "i love the way",
        "thank you",
        "thanks for",
        "i'm grateful",
        "i am grateful",
        "i'm so grateful",
        "i admire",
        "it meant a lot",
        "it means a lot",
    ]
    .iter()
    .any(|p| s.starts_with(p))
        || s.contains("you went out of your way")
}

/// Words of praise for a person ("you're so cute", "you're right").
fn is_praise(t: &str) -> bool {
    matches!(
        t,
        "cute"
            | "sweet"
            | "kind"
            | "lovely"
            | "clever"
            | "smart"
            | "funny"
            | "beautiful"
            | "handsome"
            | "great"
            | "amazing"
            | "wonderful"
            | "perfect"
            | "right"
            | "brilliant"
    )
}

/// Does the stop word `t` (with the word after it, if any, and the last word kept before it)
/// cut a phrase in two rather than end a clause? "so" before a word that no clause opens
/// with ("so high", "so much"); "like" after a verb of seeming or an "-ing" form ("looking
/// like that", "act like a child").
fn cuts_phrase(t: &str, next: Option<&str>, last: Option<&str>) -> bool {
    match t {
        "so" => next.is_some_and(|n| {
            !matches!(
                n,
                "i" | "i'm"
                    | "i've"
                    | "i'd"
                    | "i'll"
                    | "we"
                    | "you"
                    | "he"
                    | "she"
                    | "they"
                    | "it"
                    | "that"
                    | "now"
                    | "then"
                    | "what"
                    | "why"
            )
        }),
        // ("treat me (like a child)": after an object, "like" carries the point)
        "like" => last.is_some_and(|l| {
            l.ends_with("ing")
                || l == "me"
                || l == "us"
                || matches!(
                    l,
                    "look"
                        | "looks"
                        | "act"
                        | "acts"
                        | "sound"
                        | "sounds"
                        | "seem"
                        | "seems"
                        | "feel"
                        | "feels"
                        | "talk"
                        | "talked"
                        | "acted"
                        | "treat"
                        | "treated"
                        | "dress"
                        | "dressed"
                        | "behave"
                        | "behaved"
                )
        }),
        _ => false,
    }
}

fn is_function(t: &str) -> bool {
    matches!(
        t,
        "what" | "this" | "that" | "it" | "the" | "a" | "an" | "to" | "and" | "so" | "my" | "your"
    )
}

/// The first determiner-led noun phrase anywhere in a sentence ("your phone", "the train").
fn any_noun_phrase(toks: &[Tok<'_>]) -> Option<String> {
    let mut w: Vec<&str> = Vec::with_capacity(toks.len());
    w.extend(
        toks.iter()
            // punctuation stays as "," (the noun phrase ends there: "your back, everything
            // being…"), and so do "so" and "such" ("the heat (so high)")
            .map(|t| if t.word { t.text } else { "," })
            .filter(|t| matches!(*t, "so" | "such" | ",") || !is_strip(t) && !is_insult(t)),
    );
    // only what is said of the partner: a phrase after "you" or one of theirs ("your job");
    // "every time I walk in the door" names no topic of theirs
    // ("put you on the right route": a "you" that is the object starts nothing of theirs)
    let from = w.iter().enumerate().position(|(i, t)| {
        *t == "your"
            || (*t == "you"
                && !w.get(i + 1).is_some_and(|n| {
                    matches!(
                        *n,
                        "on" | "in"
                            | "at"
                            | "to"
                            | "with"
                            | "for"
                            | "from"
                            | "about"
                            | "the"
                            | "a"
                            | "an"
                            | ","
                    )
                }))
    })?;
    let np = noun_phrase(&w[from..])?;
    // ("treating me like your secretary", "as useless as your brother", "better than…":
    // what they are likened to is no topic)
    let first = np.split(' ').next()?;
    let at = w[from..].iter().position(|t| *t == first)? + from;
    // (but "your phone is more important than me" is about their phone)
    if (at > 0 && matches!(w[at - 1], "like" | "as" | "than"))
        || (at != from && w[from..].contains(&"than"))
    {
        return None;
    }
    // ("you come back with my failings": the writer's own is not what they did)
    (!np.starts_with("my ")
        && !np.ends_with("fault")
        && !np.ends_with("way")
        && !np.ends_with("problem"))
    .then_some(np)
}

fn is_insult(t: &str) -> bool {
    matches!(
        t,
        "idiot"
            | "moron"
            | "loser"
            | "jerk"
            | "selfish"
            | "lazy"
            | "pathetic"
            | "useless"
            | "dumb"
            | "worthless"
            | "stupid"
            | "ass"
            | "asshole"
            | "bitch"
            | "bastard"
            | "shit"
            | "crap"
            | "hell"
            | "fuck"
            | "genius"
            | "ridiculous"
            | "inconsiderate"
            | "careless"
            | "hopeless"
            | "slob"
            | "insensitive"
            | "thoughtless"
            | "rude"
            | "liar"
            | "pig"
            | "child"
            | "baby"
            | "failure"
            | "disgrace"
            | "nag"
            | "crazy"
            | "psycho"
            | "dramatic"
            | "immature"
            | "childish"
            | "clueless"
            | "arrogant"
            | "spoiled"
            | "brat"
    )
}

/// A judgment rather than something one can see or hear ("you're too sensitive").
fn is_judgment(t: &str) -> bool {
    is_insult(t)
        || matches!(
            t,
            "overreacting"
                | "sensitive"
                | "critical"
                | "mean"
                | "limited"
                | "problem"
                | "acting"
                | "only"
                | "angry"
                | "upset"
                | "mad"
                | "hurt"
                | "wrong"
                | "right"
                | "kidding"
                | "joking"
                | "serious"
                | "trusted"
                | "impossible"
                | "unreasonable"
                | "ignorant"
                | "negative"
                | "jealous"
                | "paranoid"
                | "controlling"
                | "obsessed"
                | "personality"
                | "projecting"
                | "smart"
                | "hate"
                | "overthinking"
                | "nagging"
                | "exaggerating"
                | "lying"
                | "whining"
                | "complaining"
                // and words after which no observation follows: "you're lucky (I…)", "you
                // (will never) succeed", "you need to grow up", "you say a thing", "make sure"
                | "lucky"
                | "irresponsible"
                | "succeed"
                | "grow"
                | "thing"
                | "sure"
        )
}

/// Verbs that make a poor observation on their own or at the head of one.
fn weak_head(t: &str) -> bool {
    matches!(
        t,
        "with"
            | "got"
            | "get"
            | "be"
            | "met"
            | "brought"
            | "dish"
            | "respect"
            | "sound"
            | "seem"
            | "look"
            | "act"
            | "want"
            | "stop"
            | "drop"
            | "I"
            | "do"
            | "did"
            | "does"
            | "make"
            | "made"
            | "have"
            | "had"
            | "go"
            | "going"
            | "say"
            | "said"
            | "think"
            | "mean"
            | "feel"
            | "felt"
            | "know"
            | "need"
            | "let"
            | "keep"
            | "can"
            | "could"
            | "will"
            | "would"
            | "should"
            | "must"
            | "to"
            | "the"
            | "a"
            | "an"
            | "me"
            | "my"
            | "your"
            | "this"
            | "that"
            | "it"
            | "anything"
            | "nothing"
            | "something"
    )
}

/// Said of something that happened, with a verb where one belongs (the check for the
/// rewrites; the builder's [`natural`] asks more): not "if you really loved me", "you how I
/// feel", "you're doing", nor a judgment or a second verb.
fn plain(t: &Topic) -> bool {
    // ("ask how my day was": a question word's own clause may have its verb)
    let wh = t
        .pred
        .iter()
        .position(|w| matches!(&**w, "how" | "what" | "where"))
        .unwrap_or(usize::MAX);
    let bad_word = t.pred.iter().enumerate().any(|(i, w)| {
        (i < wh && matches!(&**w, "is" | "am" | "are" | "was" | "were"))
            || matches!(
                &**w,
                "who"
                | "which"
                | "could"
                | "would"
                | "should"
                | "can"
                | "will"
                // idioms and judgments a request cannot be made of ("take a joke", "make
                // a big deal", "a mountain out of a molehill", "you're imagining things")
                | "joke"
                | "molehill"
                | "mountain"
                | "miserable"
                | "demanding"
                | "imagining"
            )
            || is_judgment(w)
    });
    let first = &*t.pred[0];
    let bad_be = t.be
        && (matches!(first, "the" | "a" | "an" | "too" | "so" | "such")
            || (t.pred.len() == 1
                && matches!(
                    first,
                    "doing"
                        | "going"
                        | "getting"
                        | "talking"
                        | "saying"
                        | "moving"
                        | "making"
                        | "taking"
                        | "having"
                        | "coming"
                )));
    // "you're being", "you sound", "you act": what they qualified was an insult, now gone
    let bare = t.pred.len() == 1
        && matches!(
            first,
            "being"
                | "sound"
                | "sounds"
                | "act"
                | "acts"
                | "look"
                | "looks"
                | "seem"
                | "seems"
                | "thinking"
        );
    // "you don't tell me what to do" (said as "don't tell me what to do"), "you won't do
    // better than me", "you expect me to do", "you didn't say anything about turning"
    let p = &t.pred;
    let cut = p
        .windows(2)
        .any(|w| (w[0] == "what" && w[1] == "to") || (w[0] == "big" && w[1] == "deal"))
        || p.iter().any(|w| w == "than")
        || p.ends_with(&[Cow::Borrowed("to"), Cow::Borrowed("do")])
        || (p.len() >= 2 && p[p.len() - 2] == "about" && p[p.len() - 1].ends_with("ing"));
    // "you're going to do": a plan, not something seen
    let going_to = t.be && first == "going" && t.pred.get(1).is_some_and(|w| w == "to");
    // "you indulging in…": the "are" is missing, so the sentence would be too; so it is in
    // "(I find) you intolerable"
    let no_be = !t.be && (first.ends_with("ing") || judging_adjective(first));
    !bad_word
        && !cut
        && !bad_be
        && !bare
        && !going_to
        && !no_be
        && !t.hypothetical
        && (t.be || !no_verb(first))
}

/// A word that cannot open what "you" did: "you how I feel", "you big meanie-pants".
fn no_verb(first: &str) -> bool {
    matches!(
        first,
        // ("I hate you so much": "so" is stripped, "much" is left; "because of you I had
        // to…": a pronoun after "you" starts a clause of its own)
        "much"
            | "no"
            | "zero"
            | "once"
            | "twice"
            | "two"
            | "three"
            | "four"
            | "five"
            | "ten"
            | "i"
            | "we"
            | "he"
            | "she"
            | "they"
            | "many"
            | "more"
            | "less"
            | "how"
            | "about"
            | "big"
            | "little"
            | "what"
            | "why"
            | "where"
            | "who"
            | "all"
            | "both"
            | "and"
            | "or"
            | "but"
            | "as"
            | "than"
            | "like"
            | "with"
            | "for"
            | "to"
            | "in"
            | "on"
            | "at"
            | "of"
            | "so"
            | "too"
            | "very"
            | "really"
            | "the"
            | "a"
            | "an"
            | "my"
            | "your"
            | "his"
            | "her"
            | "our"
            | "their"
    )
}

/// Does the observation describe what happened, in words that read naturally after
/// "When I see / hear" (not a judgment, not a fragment)?
fn natural(t: &Topic) -> bool {
    let p = &t.pred;
    let first = &*p[0];
    // `plain` already turned away "is", "are", "was", "who", "which", judgments and a "be"
    // that opens with an article or "so"
    if !plain(t) {
        return false;
    }
    // "when I see you don't care about me": a guess at what they feel or think is nothing
    // one sees or hears (noticing is)
    if is_stative(first) && first != "notice" {
        return false;
    }
    if p.iter().any(|w| {
        matches!(
            &**w,
            "be" | "anything"
                | "being"
                | "yourself"
                | "either"
                | "too"
                | "it"
                | "unless"
                | "heard"
                | "hear"
                | "wanted"
                | "starting"
                | "head"
                | "everyone"
                | "everybody"
                | "nothing"
        )
    }) {
        return false;
    }
    // "you'd / you could / you will …" is a guess or a demand, not something that happened
    if !t.negated && t.neg_aux != "don't" {
        return false;
    }
    if t.be {
        // "you're doing", "you're not getting": a verb without what it is done to
        return !(first == "not"
            || (p.len() == 1 && (looks_past(first) || first.ends_with("ing"))));
    }
    if first.ends_with("ing") || weak_head(first) {
        return false;
    }
    if !t.negated
        && p.len() <= 2
        && matches!(
            &*p[p.len() - 1],
            "out" | "up" | "off" | "in" | "on" | "down" | "away" | "over" | "back"
        )
    {
        return false;
    }
    if matches!(
        first,
        "ready" | "here" | "there" | "home" | "sure" | "able" | "yet"
    ) {
        return false;
    }
    if p.len() == 1 {
        return t.negated
            && matches!(
                first,
                "listen"
                    | "help"
                    | "call"
                    | "text"
                    | "ask"
                    | "apologize"
                    | "clean"
                    | "cook"
                    | "try"
                    | "notice"
                    | "remember"
                    | "answer"
                    | "reply"
                    | "visit"
                    | "share"
                    | "tidy"
            );
    }
    true
}

/// The first determiner-led noun phrase in the observation ("the dishes", "your phone").
fn noun_phrase<S: AsRef<str>>(pred: &[S]) -> Option<String> {
    let p = pred.iter().position(|t| {
        matches!(
            t.as_ref(),
            "the" | "your" | "my" | "our" | "his" | "her" | "their"
        )
    })?;
    // at most four words: kept on the stack (a `Vec` here was an allocation and a regrowth)
    let mut np: [&str; 4] = [pred[p].as_ref(), "", "", ""];
    let mut len = 1;
    for t in &pred[p + 1..] {
        let t = t.as_ref();
        if t == "of" && len <= 2 {
            return None; // "your level (of ignorance)", "the last (of the ice cream)"
        }
        if len >= 4
            || matches!(
                t,
                "on" | "in"
                    | "at"
                    | "to"
                    | "with"
                    | "for"
                    | "from"
                    | "when"
                    | "before"
                    | "after"
                    | "by"
                    | "of"
                    | "me"
                    | "us"
                    | "out"
                    | "up"
                    | "off"
                    | "is"
                    | "are"
                    | "was"
                    | "were"
                    | "more"
                    | "than"
                    | "always"
                    | "never"
                    | "and"
                    | "but"
                    | "so"
                    // a verb or an adverb ends the noun ("your hips look wider", "the door
                    // there")
                    | "look"
                    | "looks"
                    | "make"
                    | "makes"
                    | "seem"
                    | "seems"
                    | "feel"
                    | "feels"
                    | "get"
                    | "gets"
                    | "has"
                    | "have"
                    | "had"
                    | "do"
                    | "does"
                    | "did"
                    | "will"
                    | "would"
                    | "can"
                    | "could"
                    | "there"
                    | "here"
                    | "now"
                    | "today"
                    | "tonight"
                    | "again"
                    | "too"
                    | "who"
                    | "which"
                    | "that"
                    | ","
                    | "or"
                    | "comes"
                    | "goes"
                    | "better"
                    | "worse"
            )
        {
            break;
        }
        if t == "own" {
            continue; // "your own kids" reads as a reproach; "your kids" says it
        }
        np[len] = t;
        len += 1;
    }
    (len >= 2).then(|| np[..len].join(" "))
}

/// Topic words (matched anywhere, also inside longer words) and the feeling and need they
/// suggest; the first group with a word in the text wins.
const TOPICS: &[(&[&str], (&str, &str))] = &[
    (
        &[
            "dish",
            "laundry",
            "trash",
            "clean",
            "mess",
            "sock",
            "towel",
            "clothes",
            "grocer",
            "cook",
            "chore",
            "house",
            "bins",
            "recycling",
            "vacuum",
        ],
        ("overwhelmed", "support"),
    ),
    (
        &["kid", "baby", "bedtime", "school", "homework"],
        ("overwhelmed", "teamwork"),
    ),
    (
        &[
            "money", "spend", "spent", "bill", "budget", "rent", "paid", "pay ", "bank",
        ],
        ("worried", "security"),
    ),
    (
        &[
            "lie",
            "lied",
            "lying",
            "trust",
            "cheat",
            "honest",
            "secret",
            "behind my back",
        ],
        ("hurt", "trust"),
    ),
    (
        &[
            "late", "on time", "cancel", "forgot", "forget", "remember", "promise", "plans",
            "call", "text",
        ],
        ("disappointed", "reliability"),
    ),
    (
        &[
            "phone",
            "screen",
            "laptop",
            "game",
            "tv",
            "work",
            "busy",
            "listen",
            "ignore",
            "talk",
            "attention",
            "notice",
        ],
        ("lonely", "connection"),
    ),
    (
        &[
            "sex",
            "touch",
            "kiss",
            "cuddle",
            "affection",
            "date",
            "romance",
            "hug",
        ],
        ("lonely", "closeness"),
    ),
    (
        &[
            "mother", "mom", "dad", "father", "family", "parents", "sister", "brother", "friends",
        ],
        ("hurt", "support"),
    ),
];

/// Every topic word in one automaton; the pattern id maps to its group in [`TOPICS`].
static TOPIC_WORDS: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let words = TOPICS.iter().flat_map(|(ws, _)| ws.iter());
    let group = TOPICS
        .iter()
        .enumerate()
        .flat_map(|(g, (ws, _))| std::iter::repeat_n(g, ws.len()))
        .collect();
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words)
        .expect("topic words compile");
    (ac, group)
});

/// Build the topic matcher now (part of [`crate::warm_up`]).
pub(crate) fn warm_up() {
    LazyLock::force(&TOPIC_WORDS);
    LazyLock::force(&CHOICES);
}

/// Choose a feeling and a need from what the message is about.
fn pick(
    lower: &str,
    kinds: &[Kind],
    faux: Option<&'static lists::FauxFeeling>,
) -> (&'static str, &'static str) {
    if let Some(f) = faux {
        return (f.feelings[0], f.needs[0]);
    }
    // the first group (in TOPICS order) with any of its words anywhere in the text
    let (ac, group) = &*TOPIC_WORDS;
    let best = ac
        .find_overlapping_iter(lower)
        .map(|m| group[m.pattern().as_usize()])
        .min();
    if let Some(g) = best {
        TOPICS[g].1
    } else if kinds.contains(&Kind::Stonewalling) {
        ("overwhelmed", "a pause")
    } else if kinds.contains(&Kind::Defensiveness) {
        ("tense", "understanding")
    } else if kinds
        .iter()
        .any(|k| matches!(k, Kind::Contempt | Kind::Criticism))
    {
        ("hurt", "respect")
    } else {
        ("frustrated", "understanding")
    }
}

/// The choices for every word of the lists, worked out once: each rewrite offers them as a
/// borrowed slice (no list is built or copied per message).
type Choices = &'static [&'static str];
type ChoiceMap = FxMap<&'static str, Choices>;
static CHOICES: LazyLock<(ChoiceMap, ChoiceMap)> = LazyLock::new(|| {
    let leak = |v: Vec<&'static str>| -> Choices { Box::leak(v.into_boxed_slice()) };
    let f = FEELINGS
        .iter()
        .flat_map(|g| g.words)
        .map(|&w| (w, leak(feeling_choices(w))))
        .collect();
    let n = NEEDS
        .iter()
        .flat_map(|g| g.words)
        .map(|&w| (w, leak(need_choices(w))))
        .collect();
    (f, n)
});

/// Choices for a feeling or need outside the lists (none today: every word `pick` returns is
/// in them), worked out once per word. The words are `&'static`, so this holds at most one
/// entry per feeling or need in the source.
static OTHER_CHOICES: LazyLock<RwLock<(ChoiceMap, ChoiceMap)>> = LazyLock::new(Default::default);

fn other_choices(w: &'static str, need: bool) -> Choices {
    let known = {
        let g = OTHER_CHOICES.read().unwrap_or_else(PoisonError::into_inner);
        if need { g.1.get(w) } else { g.0.get(w) }.copied()
    };
    known.unwrap_or_else(|| {
        let v = if need {
            need_choices(w)
        } else {
            feeling_choices(w)
        };
        let c: Choices = Box::leak(v.into_boxed_slice());
        let mut g = OTHER_CHOICES
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if need { &mut g.1 } else { &mut g.0 }.insert(w, c);
        c
    })
}

fn choices_f(f: &'static str) -> Choices {
    match CHOICES.0.get(f) {
        Some(c) => c,
        None => other_choices(f, false),
    }
}

fn choices_n(n: &'static str) -> Choices {
    match CHOICES.1.get(n) {
        Some(c) => c,
        None => other_choices(n, true),
    }
}

/// The choices of the message's feeling and need, looked up once per message: the builder
/// and most rewrites offer them, and each lookup hashes the word.
#[derive(Clone, Copy)]
struct Picked {
    feeling: &'static str,
    need: &'static str,
    feelings: Choices,
    needs: Choices,
}

impl Picked {
    fn new(feeling: &'static str, need: &'static str) -> Picked {
        Picked {
            feeling,
            need,
            feelings: choices_f(feeling),
            needs: choices_n(need),
        }
    }

    /// [`choices_f`] of `f`.
    fn feelings_of(&self, f: &'static str) -> Choices {
        if f == self.feeling {
            self.feelings
        } else {
            choices_f(f)
        }
    }

    /// [`choices_n`] of `n`.
    fn needs_of(&self, n: &'static str) -> Choices {
        if n == self.need {
            self.needs
        } else {
            choices_n(n)
        }
    }
}

fn feeling_choices(f: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = lists::feeling_group(f)
        .map(|g| {
            g.words
                .iter()
                .filter(|w| **w != f)
                .take(3)
                .copied()
                .collect()
        })
        .unwrap_or_default();
    for g in FEELINGS.iter().filter(|g| !g.needs_met) {
        if out.len() >= 5 {
            break;
        }
        let w = g.words[0];
        if w != f && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

fn need_choices(n: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = lists::need_group(n)
        .map(|g| {
            g.words
                .iter()
                .filter(|w| **w != n)
                .take(3)
                .copied()
                .collect()
        })
        .unwrap_or_default();
    for g in NEEDS {
        if out.len() >= 5 {
            break;
        }
        let w = g.words[0];
        if w != n && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The parts joined, in one allocation (`format!` costs several times more here).
fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// "I'd love some support" / "I'd love to be heard" / "I'd love a pause" (the word before
/// the need).
fn love_phrase(n: &str) -> &'static str {
    if n.starts_with("to ") || n.starts_with("a ") {
        ""
    } else {
        "some "
    }
}

fn gerund(v: &str) -> String {
    const DOUBLE: &[&str] = &[
        "stop", "get", "put", "sit", "run", "let", "forget", "plan", "shop", "drop", "hit", "cut",
        "set", "begin", "admit", "commit", "nag", "swim", "chat", "skip", "step", "tap",
    ];
    if v.ends_with("ing") {
        v.to_string()
    } else if DOUBLE.contains(&v) {
        let last = v.chars().last().unwrap_or('t');
        format!("{v}{last}ing")
    } else if let Some(stem) = v.strip_suffix("ie") {
        format!("{stem}ying")
    } else if v.ends_with('e') && !v.ends_with("ee") && v.len() > 2 {
        format!("{}ing", &v[..v.len() - 1])
    } else {
        format!("{v}ing")
    }
}

fn looks_past(v: &str) -> bool {
    // "need", "succeed", "feed" are no past tenses
    (v.ends_with("ed") && !v.ends_with("eed")) || IRREGULAR.iter().any(|(p, _)| *p == v)
}

/// A short title-case topic for "about …", e.g. "the dishes" or "being late".
fn topic_phrase(t: &Topic) -> String {
    if let Some(np) = noun_phrase(&t.pred) {
        return np;
    }
    let v = &t.pred[0];
    if t.be {
        return format!("being {}", t.pred.join(" "));
    }
    if looks_past(v) || t.neg_aux == "didn't" {
        return "what happened".to_string();
    }
    let mut g = vec![Cow::Owned(gerund(v))];
    g.extend(t.pred[1..].iter().cloned());
    if t.negated {
        format!("not {}", g.join(" "))
    } else {
        g.join(" ")
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn sentence_bounds(text: &str, at: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut s = at.min(b.len());
    while s > 0 && !matches!(b[s - 1], b'.' | b'!' | b'?' | b';' | b'\n') {
        s -= 1;
    }
    let mut e = at.min(b.len());
    while e < b.len() && !matches!(b[e], b'.' | b'!' | b'?' | b';' | b'\n') {
        e += 1;
    }
    (s, e)
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn clean(text: &str) -> bool {
    !engine::has_problem(text)
}

/// Verdicts on the rewrites made only of template and list words (at most four templates
/// times the few dozen feeling / need pairs `pick` can return), each worked out once per
/// process instead of once per message.
static FIXED_CLEAN: LazyLock<RwLock<FxMap<String, bool>>> = LazyLock::new(Default::default);

fn clean_fixed(text: &str) -> bool {
    let known = FIXED_CLEAN
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(text)
        .copied();
    known.unwrap_or_else(|| {
        let c = clean(text);
        FIXED_CLEAN
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(text.to_string(), c);
        c
    })
}

/// `h.contains(n)` for a short haystack and many needles: a first-byte scan is several
/// times cheaper here than setting up a substring searcher per needle.
fn contains_short(h: &str, n: &str) -> bool {
    let (h, n) = (h.as_bytes(), n.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    h.len() >= n.len()
        && h[..=h.len() - n.len()]
            .iter()
            .enumerate()
            .any(|(i, &c)| c == first && h[i..].starts_with(n))
}

fn faux_in(findings: &[Finding], text: &str) -> Option<&'static lists::FauxFeeling> {
    for f in findings
        .iter()
        .filter(|f| f.kind == Kind::PseudoFeeling)
        .take(4)
    {
        let span = text[f.byte_start..f.byte_end].to_ascii_lowercase();
        if let Some(x) = lists::FAUX_FEELINGS
            .iter()
            .find(|x| contains_short(&span, x.word))
        {
            return Some(x);
        }
        if span.contains("like") || span.contains("that") || span.contains("as if") {
            return lists::faux("unheard");
        }
    }
    None
}

/// `toks` are the tokens of `n.text`.
/// Does this feeling/topic pair read as English ("feeling hurt about my feelings" and
/// "feeling stung about not helping" do not)?
fn about_ok(tp: &str) -> bool {
    // a phrase cut off inside a clause: "the only one who", "the house unless I", "the seat
    // down", "the water bill last", "your way"
    let cut = tp.split(' ').any(|w| {
        matches!(
            w,
            "who" | "which" | "that" | "unless" | "while" | "until" | "because" | "if" | "than"
        )
    }) || tp.split(' ').next_back().is_some_and(|w| {
        matches!(
            w,
            "last" | "down" | "up" | "out" | "off" | "on" | "in" | "away" | "back" | "way" | "one"
        )
    }) || tp.split(' ').count() > 4
        // an abstract word is no topic to be feeling something about ("about the needs",
        // "about my reasons", "about the same understanding")
        || tp.split(' ').next_back().is_some_and(|w| {
            matches!(
                w,
                "need"
                    | "needs"
                    | "understanding"
                    | "emotion"
                    | "emotions"
                    | "reason"
                    | "reasons"
                    | "effort"
                    | "efforts"
                    | "matter"
                    | "point"
                    // a stretch of time is no topic either ("about the whole time")
                    | "time"
                    | "day"
                    | "night"
                    | "week"
                    | "evening"
                    | "morning"
            )
        });
    // what belongs to the writer ("about my job") or how the partner looks ("about your
    // face", "your middle name") is no topic of theirs to talk over
    let not_theirs = tp.starts_with("my ")
        || tp.split(' ').next_back().is_some_and(|w| {
            matches!(
                w,
                "face"
                    | "hair"
                    | "name"
                    | "body"
                    | "weight"
                    | "nose"
                    | "looks"
                    | "problem"
                    | "fault"
                    | "way"
            )
        });
    // "the biggest mistake", "the most stubborn person": a verdict, not a topic
    let verdict = tp
        .split(' ')
        .any(|w| w == "most" || w == "least" || (w.len() > 5 && w.ends_with("est")));
    !(cut
        || not_theirs
        || verdict
        || tp.starts_with("not ")
        || tp.contains("feeling")
        || tp.starts_with("being about")
        || tp.split(' ').any(|w| {
            matches!(
                w,
                "i" | "I"
                    | "when"
                    | "can"
                    | "not"
                    | "will"
                    | "would"
                    | "over"
                    | "is"
                    | "are"
                    | "was"
                    | "could"
                    | "should"
                    | "must"
                    | "do"
                    | "did"
                    | "does"
            )
        }))
}

/// "some" before a need that takes it ("some understanding", not "some a pause").
fn some(n: &str) -> &'static str {
    if n.starts_with("a ") || n.starts_with("to ") || n.starts_with("an ") {
        ""
    } else {
        "some "
    }
}

/// Words that make an observation something heard rather than seen.
fn heard(v: &str) -> bool {
    matches!(
        v,
        "say"
            | "said"
            | "says"
            | "tell"
            | "told"
            | "tells"
            | "yell"
            | "yelled"
            | "yells"
            | "shout"
            | "shouted"
            | "talk"
            | "talked"
            | "talks"
            | "call"
            | "called"
            | "calls"
            | "snap"
            | "snapped"
            | "speak"
            | "spoke"
            | "criticize"
            | "criticized"
            | "swear"
            | "swore"
            | "mock"
            | "mocked"
            | "interrupt"
            | "interrupted"
            | "raise"
            | "raised"
            | "scream"
            | "screamed"
            | "complain"
            | "complained"
            | "laugh"
            | "laughed"
    )
}

/// The fill-in I-statement: the writer's observation (when one was found), a feeling and a
/// need with choices, a request; the whole sentence only when every part is there.
/// Can "Would you … this week?" be asked of what they did not do? Not of a feeling ("would
/// you care about me"), of "anything" ("would you clean anything"), or of a verb that has
/// lost what it was to give ("would you tell me", "would you call to tell me").
fn requestable(pred: &[Cow<'_, str>]) -> bool {
    let n = pred.len();
    let lost_object = n >= 2
        && pred[n - 1] == "me"
        && matches!(
            &*pred[n - 2],
            "tell" | "show" | "give" | "send" | "bring" | "buy" | "ask"
        );
    // ("would you be willing to have time for me" asks for what they cannot just do)
    !(is_stative(&pred[0])
        || lost_object
        || matches!(&*pred[0], "have" | "has")
        || pred.iter().any(|w| w == "anything"))
}

/// "you don't call", "you're late", "you were on your phone": the observation as a clause.
fn you_clause(t: &Topic) -> String {
    let pred = t.pred.join(" ");
    match (t.negated, t.be, t.be_past) {
        (true, true, false) => cat(&["you're not ", &pred]),
        (true, true, true) => cat(&["you weren't ", &pred]),
        (true, false, _) => cat(&["you ", t.neg_aux, " ", &pred]),
        (false, true, false) => cat(&["you're ", &pred]),
        (false, true, true) => cat(&["you were ", &pred]),
        (false, false, _) => cat(&["you ", &pred]),
    }
}

/// Did it happen before now ("you forgot", "you didn't call", "you were late")? ("you're
/// stressed" is now, though "stressed" looks past.)
fn is_past(t: &Topic) -> bool {
    (t.be && t.be_past) || (!t.be && looks_past(&t.pred[0])) || t.neg_aux == "didn't"
}

fn builder(topic: Option<&Topic>, picked: Picked) -> Builder {
    let (f, nd) = (picked.feeling, picked.need);
    let (sense, observation, request, past) = match topic.filter(|t| natural(t)) {
        Some(t) => {
            let pred = t.pred.join(" ");
            let obs = you_clause(t);
            let past = is_past(t);
            // "would you care about me this week?" asks for a feeling, not something to do
            let request = if t.negated && !t.be && !past && requestable(&t.pred) {
                pred.clone()
            } else {
                String::new()
            };
            let sense = if heard(&t.pred[0]) { "hear" } else { "see" };
            (sense, obs, request, past)
        }
        None => ("see", String::new(), String::new(), false),
    };
    let text = (!observation.is_empty())
        .then(|| {
            let ask = if request.is_empty() {
                "talk about it with me tonight".to_string()
            } else {
                cat(&[&request, " this week"])
            };
            if past {
                cat(&[
                    "When ",
                    &observation,
                    ", I felt ",
                    f,
                    ", because I need ",
                    nd,
                    ". Would you ",
                    &ask,
                    "?",
                ])
            } else {
                cat(&[
                    "When I ",
                    sense,
                    " ",
                    &observation,
                    ", I feel ",
                    f,
                    ", because I need ",
                    nd,
                    ". Would you ",
                    &ask,
                    "?",
                ])
            }
        })
        // the sentence must not itself draw a problem finding from the rules
        .filter(|t| !engine::has_problem(t));
    // an observation that cannot make a clean sentence is a judgment: leave the blank
    let (observation, request) = if text.is_some() {
        (observation, request)
    } else {
        (String::new(), String::new())
    };
    Builder {
        sense,
        observation,
        feeling: f,
        feeling_choices: picked.feelings,
        need: nd,
        need_choices: picked.needs,
        request,
        text,
    }
}

pub(crate) fn rewrites(
    text: &str,
    n: &Norm,
    findings: &[Finding],
    toks: &[Tok<'_>],
) -> (Vec<Rewrite>, Builder) {
    let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    let lower = &n.text;
    let faux = faux_in(findings, text);
    // what the message is about: the sentence of the first problem (bounded for long input)
    let focus = findings
        .iter()
        .find(|f| f.kind.is_problem())
        .map(|f| sentence_bounds(lower, f.byte_start.min(lower.len())))
        .and_then(|(s, e)| lower.get(s..e.min(s + 2000)))
        .unwrap_or("");
    let (f1, n1) = pick(focus, &kinds, faux);
    let picked = Picked::new(f1, n1);
    // the first choice offered for each: the second feeling and need of a rewrite
    let f2 = picked.feelings.first().copied().unwrap_or("sad");
    let n2 = picked.needs.first().copied().unwrap_or("understanding");

    // the observation, from the sentence with the first you-statement finding (a "you" in
    // a defence or a brush-off, "I'm rubber, you're glue", "what are you talking about", is
    // no observation of the partner: those messages get the rewrites that need none)
    let anchor = findings.iter().find(|f| {
        matches!(
            f.kind,
            Kind::Blame | Kind::Absolute | Kind::PseudoFeeling | Kind::Criticism | Kind::Contempt
        )
    });
    // (text, feeling, need, made only of template and list words)
    let mut cands: Vec<(String, &str, &str, bool)> = Vec::new();
    let mut np_only: Option<String> = None;
    let mut asked = false;
    let topic = anchor.and_then(|f| {
        let (s, e) = sentence_bounds(lower, f.byte_start.min(lower.len()));
        // a question ("can't you take a joke?") is no observation for the builder
        asked = lower.get(s..e)?.trim_end().ends_with('?')
            || lower
                .get(e..)
                .is_some_and(|r| r.trim_start().starts_with('?'));
        // the sentence's own tokens: it starts after a terminator and ends at one (or the
        // end), and no word runs across either, so tokenising it alone gives the same words
        let a = toks.partition_point(|t| (t.s as usize) < s);
        let b = toks.partition_point(|t| (t.s as usize) < e);
        let toks = &toks[a..b];
        if praises(lower.get(s..e)?) {
            // "I appreciate how you always take out the recycling": what they did is thanked
            // for, so it is no complaint to build a request on
            return None;
        }
        let t = extract(toks, 0);
        if t.is_none() {
            // (not in a character attack or contempt: "you're just like your ex", "careless
            // is your middle name" name no topic to talk about)
            if !kinds.contains(&Kind::Contempt) && !kinds.contains(&Kind::Criticism) {
                np_only = any_noun_phrase(toks);
            }
        }
        t
    });
    let built = builder(topic.as_ref().filter(|_| !asked), picked);
    if let Some(np) = np_only.as_ref().filter(|np| about_ok(np)) {
        cands.push((
            cat(&[
                "I'm feeling ",
                f1,
                " about ",
                np,
                ", and I need ",
                n1,
                ". ",
                ASK_TONIGHT,
            ]),
            f1,
            n1,
            false,
        ));
    }

    if let Some(t) = &topic {
        let pred = t.pred.join(" ");
        let obs = cat(&["when ", &you_clause(t)]);
        let stative = is_stative(&t.pred[0]);
        let past = is_past(t);
        if stative {
            cands.push((
                cat(&[
                    "I've been feeling ",
                    f1,
                    " lately, and I need ",
                    n1,
                    ". ",
                    ASK_HEAR,
                ]),
                f1,
                n1,
                true,
            ));
        }
        let when_made = !stative && plain(t);
        if when_made {
            // ("would you be willing to clean anything" is no request)
            let ask = if t.negated && !t.be && !past && requestable(&t.pred) {
                cat(&["Would you be willing to ", &pred, " this week?"])
            } else {
                ASK_TONIGHT.to_string()
            };
            let verb = if past { "felt" } else { "feel" };
            cands.push((
                cat(&[
                    &cap(&obs),
                    ", I ",
                    verb,
                    " ",
                    f1,
                    ", because I need ",
                    n1,
                    ". ",
                    &ask,
                ]),
                f1,
                n1,
                false,
            ));
        }
        // only a noun phrase reads well after "about" ("about the dishes"); gerunds made
        // from the observation ("about broughting…", "about being making…") do not, nor
        // "about us". It is offered only when no "When you…" sentence was: a second,
        // vaguer sentence about the same thing helps less than it reads machine-made.
        // Nor of what they think or feel ("you think that mirror makes your hips…").
        // Nor of a comparison ("you treat your mother better than me").
        let compares = t
            .pred
            .iter()
            .any(|w| matches!(&**w, "than" | "better" | "worse"));
        let np = noun_phrase(&t.pred)
            .filter(|np| !when_made && !stative && !t.hypothetical && !compares && about_ok(np));
        if let Some(tp) = np {
            cands.push((
                cat(&[
                    "I'm feeling ",
                    f2,
                    " about ",
                    &tp,
                    ", and I'd love ",
                    love_phrase(n2),
                    n2,
                    ". ",
                    ASK_PLAN,
                ]),
                f2,
                n2,
                false,
            ));
        }
    }
    if kinds.contains(&Kind::Stonewalling) {
        cands.push((
            cat(&["I'm feeling overwhelmed and I need a pause. ", ASK_PAUSE]),
            "overwhelmed",
            "a pause",
            true,
        ));
    }
    // (not when the need is a pause: "I need a pause. Could you tell me more?" contradicts
    // itself, and the stonewalling sentence above asks for the pause)
    if kinds.contains(&Kind::Defensiveness) && topic.is_none() && n1 != "a pause" {
        cands.push((
            cat(&[
                "I'm feeling ",
                f1,
                ", and I need ",
                some(n1),
                n1,
                ". ",
                ASK_MORE,
            ]),
            f1,
            n1,
            true,
        ));
    }
    // the topic-free fallback, written only when it is reached (most messages stop before)
    let fallback = || {
        (
            cat(&[
                "I'm feeling ",
                f1,
                " right now, and I need ",
                n1,
                ". ",
                ASK_CALM,
            ]),
            f1,
            n1,
            true,
        )
    };

    let mut out: Vec<Rewrite> = Vec::new();
    for (text, f, nd, fixed) in cands.into_iter().chain(std::iter::once_with(fallback)) {
        if !out.is_empty() && text.starts_with("I'm feeling") && text.contains("right now") {
            break; // the topic-free fallback only when nothing topical survived
        }
        if out.len() >= 3 {
            break;
        }
        if out.iter().any(|r| r.text == text)
            || !(if fixed {
                clean_fixed(&text)
            } else {
                clean(&text)
            })
        {
            continue;
        }
        out.push(Rewrite {
            text,
            feeling: f,
            need: nd,
            feeling_choices: picked.feelings_of(f),
            need_choices: picked.needs_of(nd),
        });
    }
    if out.is_empty() {
        let text = format!("I'm feeling hurt right now, and I need some understanding. {ASK_CALM}");
        out.push(Rewrite {
            text,
            feeling: "hurt",
            need: "understanding",
            feeling_choices: choices_f("hurt"),
            need_choices: choices_n("understanding"),
        });
    }
    let acr = acronyms(text);
    // (every day's name ends in "day": one search for most messages)
    if !acr.is_empty() || (lower.contains("day") && PROPER.iter().any(|d| lower.contains(d))) {
        for r in &mut out {
            r.text = restore_case(&r.text, &acr);
        }
        let mut built = built;
        built.observation = restore_case(&built.observation, &acr);
        built.request = restore_case(&built.request, &acr);
        built.text = built.text.map(|t| restore_case(&t, &acr));
        return (out, built);
    }
    (out, built)
}

/// Acronyms of the message ("GPS", "TV"): two to four capitals and no vowel, so that a word
/// shouted for emphasis ("you NEVER", "LATE") is not taken for one. The observation is made
/// of lower-cased words; these (and the days' names) get their capitals back.
fn acronyms(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| {
            (2..=4).contains(&w.len())
                && w.bytes().all(|b| b.is_ascii_uppercase())
                && !w.bytes().any(|b| b"AEIOUY".contains(&b))
        })
        .collect()
}

/// The days, capitalised in what the coach writes ("on Fridays").
const PROPER: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn restore_case(s: &str, acr: &[&str]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let plural = word.strip_suffix('s').unwrap_or(word);
        match acr.iter().find(|a| a.eq_ignore_ascii_case(word)) {
            Some(a) => out.push_str(a),
            None if PROPER.contains(&plural) => {
                out.push_str(&plural[..1].to_ascii_uppercase());
                out.push_str(&word[1..]);
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

// ---- paraphrase -----------------------------------------------------------------------------

fn swap(words: &[&str]) -> String {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (k, w) in words.iter().enumerate() {
        let prev = if k > 0 { words[k - 1] } else { "" };
        let next = words.get(k + 1).copied().unwrap_or("");
        let s = match *w {
            "i" => "you".to_string(),
            "me" => "you".to_string(),
            "my" => "your".to_string(),
            "mine" => "yours".to_string(),
            "myself" => "yourself".to_string(),
            "am" if prev == "i" => "are".to_string(),
            "was" if prev == "i" => "were".to_string(),
            "you" => {
                // subject when a verb-ish word follows, object otherwise
                if next.is_empty()
                    || matches!(
                        prev,
                        "to" | "with" | "for" | "at" | "about" | "from" | "of" | "on" | "like"
                    )
                    || is_stop(next) && next != "you"
                {
                    "me".to_string()
                } else {
                    "I".to_string()
                }
            }
            "your" => "my".to_string(),
            "yours" => "mine".to_string(),
            "yourself" => "myself".to_string(),
            "are" if prev == "you" => "am".to_string(),
            "were" if prev == "you" => "was".to_string(),
            other => other.to_string(),
        };
        out.push(s);
    }
    out.join(" ")
}

pub(crate) fn paraphrase(text: &str, n: &Norm, findings: &[Finding]) -> String {
    let lower = &n.text;
    let m = &*rules::MATCHERS;
    let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    // the feeling: the writer's own word, the feeling under a faux feeling, or a likely one
    let mut feeling: Option<String> = None;
    for f in findings.iter().filter(|f| f.kind == Kind::IStatement) {
        let span = lower.get(f.byte_start..f.byte_end).unwrap_or("");
        if let Some(w) = span.split_whitespace().last() {
            feeling = Some(w.trim_matches(|c: char| !c.is_alphanumeric()).to_string());
            break;
        }
    }
    let faux = faux_in(findings, text);
    let head = &lower[..floor(lower, 2000)];
    let feeling = feeling.unwrap_or_else(|| pick(head, &kinds, faux).0.to_string());

    // the topic: a when/about/because clause, else the observation from a you-statement
    let toks = tok::tokenize(lower, &m.vocab);
    let ws: Vec<(usize, &str)> = words(&toks.toks).collect();
    let mut about = String::from("about what happened");
    let owns = findings
        .iter()
        .any(|f| matches!(f.kind, Kind::IStatement | Kind::PseudoFeeling));
    if let Some(p) = ws
        .iter()
        .position(|&(_, w)| matches!(w, "when" | "about" | "because" | "that" | "whenever"))
        .filter(|&p| owns && p + 1 < ws.len())
    {
        let conn = ws[p].1;
        let mut clause: Vec<&str> = Vec::new();
        let mut last = ws[p].0;
        for &(i, w) in &ws[p + 1..] {
            if i > last + 1 && toks.toks[last + 1..i].iter().any(|t| !t.word) || clause.len() >= 12
            {
                break;
            }
            last = i;
            if is_strip(w) || is_insult(w) {
                continue;
            }
            clause.push(w);
        }
        if !clause.is_empty() {
            about = format!("{conn} {}", swap(&clause));
        }
    } else if let Some(t) = extract(&toks.toks, 0) {
        let (prefix, tp) = match noun_phrase(&t.pred) {
            Some(np) => ("", np),
            None if looks_past(&t.pred[0]) => ("", "what happened".to_string()),
            None => ("me ", topic_phrase(&t)),
        };
        let words: Vec<&str> = tp.split(' ').collect();
        about = format!("about {prefix}{}", swap(&words));
    }
    format!("It sounds like you feel {feeling} {about} \u{2014} is that right?")
}

/// Every feeling and need a rewrite or builder can name outside the lists: the topics' and
/// the fallbacks' (the JSON output writes them without an escape scan).
#[cfg(test)]
pub(crate) fn fixed_words() -> Vec<&'static str> {
    let mut w: Vec<&'static str> = TOPICS.iter().flat_map(|(_, (f, n))| [*f, *n]).collect();
    w.extend([
        "overwhelmed",
        "a pause",
        "tense",
        "understanding",
        "hurt",
        "respect",
        "frustrated",
        "sad",
    ]);
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_short_is_contains() {
        let hs = [
            "",
            "i",
            "i feel ignored",
            "ignore",
            "feeling like",
            "taken for granted",
        ];
        let ns = [
            "i",
            "ignored",
            "ignore",
            "like",
            "granted",
            "taken for granted!",
            "x",
        ];
        for h in hs {
            for n in ns {
                assert_eq!(contains_short(h, n), h.contains(n), "{h:?} {n:?}");
            }
        }
    }
}
