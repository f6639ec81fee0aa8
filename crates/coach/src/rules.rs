//! The rules, written in the token-pattern notation of [`crate::tok`]. Contractions are
//! already expanded in the tokens, so patterns use the long forms ("you are", "do not",
//! "can not", "i am", "it is", "that is", "let us").
//!
//! Every rule carries the kinds it emits and the guards that veto it (context before the
//! match, context after it, and a few flags). Precision comes first: a false alarm in a
//! couples app costs more than a miss.

use std::sync::LazyLock;

use crate::tok::{self, Compiler, Elem, FirstSet, KeyTable, Vocab};
use crate::{Kind, Severity};

// ---- guards -------------------------------------------------------------------------------

/// Context before a match (within its clause, at most 24 tokens back).
pub(crate) mod before {
    /// "I don't think", "I'm not saying", "it's not that"…: the writer denies the judgment.
    pub const NEG: u32 = 1 << 0;
    /// Someone else's words: "she said", "he told me", "my mom says".
    pub const REPORT: u32 = 1 << 1;
    /// The match opens an observation or thought clause: "when you…", "if you…", "like you…".
    pub const SUB: u32 = 1 << 2;
    /// Directly after "I'm" ("I'm sure you did").
    pub const IAM: u32 = 1 << 3;
    /// Directly after feel / look / seem / sound ("I feel as if…").
    pub const FEEL: u32 = 1 << 4;
    /// Directly after a negation ("not my fault").
    pub const NOT: u32 = 1 << 5;
    /// Directly after "never say", "an", "your"…: "you never say sorry", "an apology".
    pub const WANT: u32 = 1 << 6;
    /// Directly after a third-party subject ("my boss", "he").
    pub const THIRD: u32 = 1 << 7;
    /// Thanks or praise ("I appreciate how you always…", "thank you for never…"): an
    /// "always" there is no complaint. ("I love how you always…" is left out: as often
    /// sarcasm as praise.)
    pub const PRAISE: u32 = 1 << 8;
}

/// Context after a match (within its sentence, at most 14 tokens on).
pub(crate) mod after {
    /// A warm word with no negation nearby ("…always make me laugh").
    pub const POS: u32 = 1 << 0;
    /// A verb that turns "never" into praise ("never fail to", "never let me down").
    pub const NEVERPOS: u32 = 1 << 1;
    /// A character frame follows ("so", "such", "this", "being") — criticism covers it.
    pub const TRAIT: u32 = 1 << 2;
    /// More words follow in the sentence.
    pub const MORE: u32 = 1 << 3;
    /// A non-apology follows "sorry": "…you feel that way", "…but".
    pub const SORRYBAD: u32 = 1 << 4;
    /// "to" follows ("happy to", "makes sense to").
    pub const TO: u32 = 1 << 5;
    /// "of you / with this…" follows ("tired of your excuses").
    pub const OF: u32 = 1 << 6;
    /// A negation or complaint word soon after (cancels POS).
    pub const NEGWORD: u32 = 1 << 7;
    /// An object follows ("can I get you a coffee").
    pub const OBJ: u32 = 1 << 8;
    /// Not a real request: "stop", "not", "ever", "be any more", "believe"…
    pub const NOTREQ: u32 = 1 << 9;
    /// A break or a fresh start follows ("can we take a break") — that is repair.
    pub const BREAK: u32 = 1 << 10;
    /// A place or time follows: "you're right there", "you're right on time".
    pub const PLACE: u32 = 1 << 11;
    /// A concrete object follows "done": "I'm done with the dishes".
    pub const DONEOBJ: u32 = 1 << 12;
    /// A question mark follows at once ("what about you?").
    pub const QEND: u32 = 1 << 13;
    /// "be" follows "will you" (a question about plans, not a request).
    pub const BE: u32 = 1 << 14;
    /// The writer owns it, asks to hear more or offers a time to talk in the same sentence
    /// ("I was busy and I should have texted; I'm sorry", "I didn't know that bothered you,
    /// tell me more?", "I have a deadline tomorrow, can we talk on Friday?"): an excuse or a
    /// denial followed that way is repair or validation, not defensiveness.
    pub const OWNS: u32 = 1 << 15;
}

/// Other per-rule flags.
pub(crate) mod flag {
    /// Skip inside a yes/no question ("Do you always take the bus?").
    pub const YN: u32 = 1 << 0;
    /// Skip when the sentence (or the next few words) is plainly affectionate or joking.
    pub const WARM: u32 = 1 << 1;
    /// Skip when the message says when the talk will resume ("…after dinner").
    pub const RETURN: u32 = 1 << 2;
    /// Emit `Blame` too (an absolute about the partner; a faux feeling whose match names
    /// "you": "I feel like you…", "you made me feel…", as the corpus guidelines label them).
    pub const PLUS_BLAME: u32 = 1 << 4;
    /// Contempt that is no you-statement ("nobody else would want you", "I never loved
    /// you"): the taxonomy's blame is not derived from it.
    pub const NO_BLAME: u32 = 1 << 9;
    /// Skip inside any question.
    pub const NOQ: u32 = 1 << 5;
    /// Skip when the sentence is about something good ("every time I see you I smile").
    pub const POSSENT: u32 = 1 << 6;
    /// Only when the match is the whole message (ignoring punctuation).
    pub const WHOLE: u32 = 1 << 7;
    /// Only at the start of a sentence (after optional discourse words).
    pub const START: u32 = 1 << 8;
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Must end exactly where the match starts.
    End,
    /// Must start exactly where the match ends.
    Start,
    /// Anywhere in the window.
    Any,
}

pub(crate) const BEFORE: &[(u32, Anchor, &str)] = &[
    (
        before::NEG,
        Anchor::Any,
        "(i (do not|did not|never|would not|would never|wouldn't) (think|believe|say|said|mean|meant|call|called|claim|claimed|accuse|accused|feel|felt) \
         | i am not (saying|calling|accusing|implying|suggesting|trying to say) | (was|is|am) not saying \
         | it is not (that|like) | not that | (does|did) not mean | (no one|nobody) (thinks|said|says|is saying|believes|claims) \
         | never said | never called | never thought | never claimed | never meant | of course not | not because \
         | i do not feel like | i do not feel that | not like \
         | what is (something|one thing|a thing|a time|a moment|one|the one thing|something small|a small thing) \
         | (is there|was there) (something|anything|a time|a moment) | (tell me|share) (about)? (something|one thing|a time|a moment))",
    ),
    (
        before::REPORT,
        Anchor::Any,
        "(said|says|say|saying|told|tells|tell (me|him|her|them|us|everyone)|asked|asks|yelled|screamed|shouted|texted|wrote|writes|posted|quoted|quote|meme|song|lyric|lyrics|movie|film|episode|show|book|article|podcast|joked|jokes|claims|claimed|accused|overheard|repeating|repeated|read|goes like|was like|were like|is like|is all like|called me)",
    ),
    (
        before::SUB,
        Anchor::End,
        "(when|whenever|if|like|that|as if|as though|because|since|after|before|while|how|where|until|till|once|hope|wish|glad|knowing|seeing|hearing|thinking \
         | (when|whenever) i (see|hear|notice|saw|heard|noticed|find|found) (that)?)",
    ),
    (before::IAM, Anchor::End, "i am"),
    (
        before::FEEL,
        Anchor::End,
        "(feel|feels|felt|feeling|look|looks|looked|seem|seems|seemed|sound|sounds|act|acting|acts)",
    ),
    (
        before::NOT,
        Anchor::End,
        "(not|never|no|nothing|hardly) (really|even|all|entirely|totally|just|completely|exactly)*",
    ),
    (
        before::WANT,
        Anchor::End,
        "((ever|never|not|no|without|expect|expected|expecting|waiting for|wait for|hear|heard|get|got|want) (even|a|an|the|single|one|real|proper|actual|say|said|says|saying|to|hear|heard|utter|bother|bothered)* | an|the|your|his|her|their|a|no|real|proper|fake|empty|half-assed)",
    ),
    (
        before::PRAISE,
        Anchor::Any,
        "(i (really|truly|so|just)* (appreciate|appreciated|admire|love it when|loved it when) \
         | (thank you|thanks) (so much)? for | i am (so|really|very)? (grateful|thankful))",
    ),
    (
        before::THIRD,
        Anchor::End,
        "(he|she|they|it|people|everyone|everybody|someone|somebody|mom|dad|(my|his|her|their|the|this|that) _)",
    ),
];

pub(crate) const AFTER: &[(u32, Anchor, &str)] = &[
    (
        after::POS,
        Anchor::Any,
        "(laugh|laughing|smile|smiling|happy|happier|loved|love|safe|special|better|best|great|amazing|wonderful|beautiful|gorgeous|handsome|cute|sweet|kind|kindest|thoughtful|patient|generous|proud|right|cheer|support|supportive|there for me|my back|take care|taking care|good care|such good care|know just|know exactly|know what|know how|knows|remember|remembers|surprise|surprises|brighten|calm me|calms me|help me|helps me|helpful|helping|get me|gets me|understand me|fun|funny|hilarious|lucky|awesome|warm|hug|hugs|on time|ready|welcome|good to me|good at|find a way|make it work|come through|show up for me|make time for me|smell|thank|thanks|appreciate|grateful|perfect|worth it|adorable|brilliant|incredible|fantastic|lovely|nice|the first|first to|forgive|encourage|believe in me|makes sense|at ease|melt|glow|light up|above and beyond|cutest|sweetest|nicest|fall for you|delicious|so good|comfort|calm|listen to me so|so well)",
    ),
    (
        after::NEVERPOS,
        Anchor::Start,
        "ever? (fail|fails|failed|boring|dull|disappoint|let me down|let us down|give up|gave up|complain|complained|judge|judged|hesitate|hesitated|forget|forgot|miss|missed|stop (making|surprising|amazing|supporting|trying|caring|loving|helping|impressing)|cease|ceases|rush|rushed|pressure|pressured|criticize|criticized|doubt|doubted|hold back|say no|quit|cheat|cheated|lie|lied|yell|yelled|raise your voice|raised your voice|make me feel (bad|small|stupid|judged)|take me for granted|leave me hanging|lose your temper|lost your temper|go to bed angry|bore|bored|look bad|get tired|got tired|run out|ran out|back down|waver)",
    ),
    (
        after::TRAIT,
        Anchor::Start,
        "(so|such|this|that|being|acting)",
    ),
    (
        after::SORRYBAD,
        Anchor::Start,
        ",? (you feel|you felt|you think|you are upset|you see it|if you|that you feel|that you felt|that you think|but|not sorry|you took|you are so|you can not|for you|you have to|your|you are|you are the one|you were upset|that? you (got|were) (hurt|upset|offended|angry|mad)|if i (hurt|upset|offended) you)",
    ),
    (after::TO, Anchor::Start, "to"),
    (
        after::OF,
        Anchor::Start,
        "of (you|your|this|it|the|being|all|always|how|everything|hearing|listening|waiting|cleaning|doing|having|that|these|those|picking|carrying|my|our)",
    ),
    (
        after::NEGWORD,
        Anchor::Any,
        "(not|never|no|nothing|without|stop|hardly|barely|anymore|less|late|ignore|ignores|ignored|forget|forgot|leave|left|ruin|ruined|complain|complaining|criticize|nag|nagging|yell|yelling|mess|messing)",
    ),
    (
        after::OBJ,
        Anchor::Start,
        "(a|an|some|something|anything|one|coffee|tea|dinner|lunch|breakfast|food|home|there|back|up|out|in|to|from|at|on|off|for|the|this|that|these|those|more|another|your|my|his|her|their|flowers|a drink)",
    ),
    (
        after::NOTREQ,
        Anchor::Start,
        "please? just? (stop|not|ever|never|even|believe|imagine|be any|be more (selfish|stupid|lazy|annoying|rude|inconsiderate|clueless|dense)|be less|possibly be|seriously|honestly|shut|quit|have (told|said|done|been|called|asked|known|warned|texted)|leave me|go away|get out|freaking|fucking|for once|at least try|try not|grow up|take a (break|breather|pause|minute|moment|step back|time-out|timeout)|pause|start over|start again|slow down|calm down|cool off|cool down|come back to|talk (about (it|this))? (later|when we are calmer)|say that (more gently|again|differently)|put that (more gently|differently|another way)|try (that|this) again|agree to disagree|guess|hear me|see|rather|really|blame|stand|do anything right|drop it|be quiet|let it go|like (some|a|an|coffee|tea|anything|something|me to|it)|want me to|tell me why you|explain why you|explain to me why|give me a break|not|get over|at least|help me (understand|see)|explain (more|what you mean)|tell me more|restart|try again|get (a)? divorce|get divorced|break up|split up|call it quits|hit (the)? (brakes|pause)|sleep on (it|this))",
    ),
    (
        after::BREAK,
        Anchor::Start,
        "(take (a|some)? (five|ten|fifteen|twenty|thirty|few|quick|short|little)? (minute)? (break|breather|pause|minute|moment|step back|time-out|timeout|minutes|walk)|pause|start over|start again|restart|slow down|calm down|cool off|cool down|come back to|not fight|hit (the)? (brakes|pause)|sleep on (it|this))",
    ),
    (
        after::PLACE,
        Anchor::Start,
        "(there|here|on|next|behind|back|outside|inside|around|at|in|by|about to|under|over|beside|up|down|away|now)",
    ),
    (
        after::DONEOBJ,
        Anchor::Start,
        "(with (the|my|our|your|work|dinner|lunch|breakfast|it|that|a|an|homework|the dishes)|at|in|by|for|eating|cooking|cleaning|washing|packing|work|now|soon|early|yet|already|the|my|our|your|a|an|\\?)",
    ),
    (after::QEND, Anchor::Start, "\\?"),
    (after::BE, Anchor::Start, "be"),
    (
        after::OWNS,
        Anchor::Any,
        "(i should have|i should not have|i am sorry|i apologize|my bad|my fault|(that|this) is on me|i was wrong|tell me more|help me understand|i want to understand|(can|could) we (talk|do this|pick this up|come back to (it|this)))",
    ),
];

// ---- rules --------------------------------------------------------------------------------

pub(crate) struct Rule {
    pub pat: &'static str,
    pub kinds: &'static [Kind],
    pub before_not: u32,
    pub after_not: u32,
    pub flags: u32,
    pub expl: Option<&'static str>,
    pub sev: Option<Severity>,
}

const fn r(pat: &'static str, kinds: &'static [Kind]) -> Rule {
    Rule {
        pat,
        kinds,
        before_not: before::REPORT,
        after_not: 0,
        flags: 0,
        expl: None,
        sev: None,
    }
}

impl Rule {
    const fn b(mut self, m: u32) -> Rule {
        self.before_not |= m;
        self
    }
    const fn a(mut self, m: u32) -> Rule {
        self.after_not |= m;
        self
    }
    const fn f(mut self, m: u32) -> Rule {
        self.flags |= m;
        self
    }
    const fn x(mut self, e: &'static str) -> Rule {
        self.expl = Some(e);
        self
    }
    const fn s(mut self, s: Severity) -> Rule {
        self.sev = Some(s);
        self
    }
}

use Kind::*;
use after as A;
use before as B;
use flag as F;

const ABS: &[Kind] = &[Absolute];
const ABS_BLAME: &[Kind] = &[Absolute, Blame];
const ABS_DEF: &[Kind] = &[Absolute, Defensiveness];
const BLAME: &[Kind] = &[Blame];
const CRIT: &[Kind] = &[Criticism];
const CRIT_ABS: &[Kind] = &[Criticism, Absolute];
const CONT: &[Kind] = &[Contempt];
const DEF: &[Kind] = &[Defensiveness];
const STONE: &[Kind] = &[Stonewalling];
const PSEUDO: &[Kind] = &[PseudoFeeling];
const ISTMT: &[Kind] = &[IStatement];
const REQ: &[Kind] = &[Request];
const REPAIR: &[Kind] = &[Repair];
const VALID: &[Kind] = &[Validation];

pub(crate) const X_DEMAND: &str = "\u{201C}You should / you need to\u{201D} lands as an order; asking for what you'd like gives them room to say yes.";
pub(crate) const X_FAULT: &str = "Deciding whose fault it is puts them on trial; saying what happened and what you need keeps you on the same side.";
pub(crate) const X_MAKE_FEEL: &str = "\u{201C}You make me feel\u{2026}\u{201D} hands them the job of your feelings; say what you feel and what you need instead.";
pub(crate) const X_FEEL_LIKE: &str = "\u{201C}I feel like you\u{2026}\u{201D} is a guess about them, not a feeling; name the feeling itself (sad, lonely, worried\u{2026}).";
pub(crate) const X_FAUX: &str = "This word describes what you think they did to you; the feeling underneath (hurt, lonely, scared\u{2026}) is easier to hear.";
pub(crate) const X_WHY: &str = "A \u{201C}why do you\u{2026}\u{201D} question usually sounds like a charge; say what you'd like instead.";
pub(crate) const X_SORRY_IF: &str = "Being sorry for how they feel, rather than for your part, tends to land as \u{201C}the problem is you\u{201D}; own one small piece instead.";

static RULES: &[Rule] = &[
    // ---------------------------------------------------------------- absolute (+ blame)
    r("you (are|have|do|did|will|would|just|literally|basically|seriously|honestly|pretty much|almost|still)* (always|constantly|continually|perpetually|forever)", ABS)
        .b(B::NEG | B::PRAISE | B::SUB | B::IAM).a(A::POS).f(F::YN | F::PLUS_BLAME),
    r("you (are|have|do|did|will|would|just|literally|basically|seriously|honestly|pretty much|almost|still)* (never|never ever|never once)", ABS)
        .b(B::NEG | B::PRAISE | B::SUB | B::IAM).a(A::NEVERPOS).f(F::YN | F::PLUS_BLAME),
    r("you (do|did|will|can|could|would|have|had) not (ever|even once|once)", ABS)
        .b(B::NEG | B::PRAISE | B::SUB).a(A::POS).f(F::YN | F::PLUS_BLAME),
    r("you (can|could|will|would) never", ABS).b(B::NEG | B::PRAISE | B::SUB).a(A::NEVERPOS).f(F::YN | F::PLUS_BLAME),
    r("(not once|never once) (have|did|do|has|had|were|will|would) you", ABS_BLAME).b(B::NEG),
    r("you have? (do|does|did|done) absolutely? (nothing|zero|jack|squat)", ABS_BLAME).b(B::NEG).f(F::YN),
    r("you (do not|did not|never|will not|can not) (do|help with|care about|contribute|offer) (anything|a thing|a single thing|a damn thing)", ABS_BLAME).b(B::NEG).f(F::YN),
    r("you (do not|did not|will not) (lift a finger|do a (single|damn)? thing)", ABS_BLAME).b(B::NEG).f(F::YN),
    r("all you ever? (do|did|care about|think about|talk about|want|want to do|say|ever do) (is|was)?", ABS_BLAME).b(B::NEG),
    r("every single? (time|day|night|weekend|morning|evening|holiday|conversation|argument|fight) (you|i|we)", ABS)
        .b(B::NEG | B::PRAISE).a(A::POS).f(F::POSSENT),
    r("you ..6 (all the time|24 / 7|every single (time|day|night|weekend)|each and every time|day in day out|time after time|time and time again|again and again|over and over again?|without fail)", ABS)
        .b(B::NEG | B::PRAISE | B::SUB | B::THIRD).f(F::YN | F::PLUS_BLAME | F::POSSENT),
    r("your _ _? (is|are) (always|never|constantly|forever)", ABS_BLAME).b(B::NEG).a(A::POS).f(F::YN),
    r("you (ruin|ruined|spoil|spoiled|spoilt|mess up|messed up|screw up|screwed up|criticize|criticized|question|questioned|complain about|forget|forgot|control|make|made|turn|turned|take|took|twist|twisted|overthink|overanalyze|judge|judged) everything", ABS_BLAME)
        .b(B::NEG | B::SUB).a(A::POS).f(F::YN),
    r("you (never|do not ever|can not ever|will not ever) (do|get|say) anything", ABS_BLAME).b(B::NEG).f(F::YN),
    r("nothing i ever? (do|say|did|try|make|cook|offer)", ABS_DEF).b(B::NEG).a(A::POS),
    r("i (always|constantly|forever) (have to|end up|get stuck|am stuck|get left|got left|do all|do everything|carry|pick up|clean up|take care of|wait for you|wait on you|pay|cook|clean)", ABS_BLAME)
        .b(B::NEG).a(A::POS),
    r("i am (always|constantly|forever) (the one (who|that|cleaning|doing|picking|planning|paying|reaching|apologizing)|cleaning up after|picking up after|left (to|with|alone)|stuck (with|doing)|waiting (for|on) you)", ABS_BLAME).b(B::NEG),
    r("i (never|do not ever|can not ever) (get (to|a|any|my)|have (any|a) (say|time|help|break)|see you)", ABS).b(B::NEG).a(A::POS),
    r("we (never|do not ever|can not ever|hardly ever|never ever) (talk|go|do|have|spend|see|make|get|hang|sleep|kiss|cuddle|laugh|eat|travel|touch|date|plan|sit)", ABS)
        .b(B::NEG | B::SUB).a(A::POS).f(F::YN),
    r("we (always|constantly) (end up|fight|argue|do what you|have to do what you|go where you|do things your way|have the same fight)", ABS).b(B::NEG).f(F::YN),
    r("(nobody|no one) (in this house|around here|here)? ever? (helps|listens|cares|asks|notices|appreciates|thanks|respects|checks|bothers)", ABS).b(B::NEG),
    r("(why|how come) (do|does|did|are|must|would|can not|will not|do not|is it that) you (always|never|constantly|ever)", ABS)
        .b(B::NEG).a(A::POS | A::NEVERPOS).f(F::PLUS_BLAME).x(X_WHY),
    r("(are|were) you (always|so|really|just|being|such|constantly|this)* @TRAIT", CRIT).b(B::NEG).f(F::YN | F::WARM).s(Severity::High),
    r("you (are|have been|were) (always|constantly|forever|never) (late|on (your|that|the) (phone|laptop|computer|tablet|screen)|busy|too busy|working|out|gone|away|tired|distracted|somewhere else|glued)", ABS_BLAME)
        .b(B::NEG).f(F::YN),
    r("for once in your (miserable|whole)? life", &[Absolute, Contempt]).b(B::NEG),
    r("this (always|never) happens", ABS).b(B::NEG | B::SUB).a(A::POS),
    r("i have (told|asked|reminded) you (a (hundred|million|thousand|dozen) times|so many times|over and over|again and again|_ times)", ABS_BLAME),
    // ---------------------------------------------------------------- blame
    r("you (just|still|really|even|also|then|totally|completely|basically|literally|deliberately|purposely|clearly|obviously|seriously|once again|again|actually)* \
       (ruined|ruin|ruins|ignored|ignore|ignores|lied|lie to me|lie about|cheated|betrayed|humiliated|humiliate|embarrassed me|embarrass me|hurt me|hurt my|yelled|yell at me|scream at me|screamed|snapped at me|snap at me \
       |blew (me|it|us)? off|blow me off|blew up at me|stood me up|let me down|let us down|bailed|flaked|interrupted|interrupt me|interrupt|insulted|mocked|mock me|laughed at me|dismissed|dismiss|wasted \
       |spent (all|our|my)|messed (up|it up|this up|everything up)|screwed (up|it up|this up|everything up)|dropped the ball|went behind my back|go behind my back|left me|abandoned|ditched \
       |walked (out|away|off) (on me)?|walk away (from me)?|hung up on me|ghosted|broke (your|my|our|another|a|the) (promise|word|trust|heart)|missed (my|our|the kids|dinner|the game|the recital) \
       |shut me out|shut me down|shut down|talk down to me|talked down to me|talk over me|talked over me|rolled your eyes|roll your eyes|nag|nagged|criticize me|criticized me|belittle|belittled|disrespect|disrespected \
       |take me for granted|took me for granted|treat me like|treated me like|picked a fight|pick fights|started (a fight|the fight|an argument|all this)|accused me|blamed me|blame me|used me|manipulate|manipulated|gaslight|gaslit \
       |keep ~ing|kept ~ing|forgot (to|my|our|about (me|us|my|our)|again|the)|forget (to|my|our|about (me|us|my|our)) \
       |left (the|your|dirty|wet|a|all|those|these|it) ..4 (open|unlocked|on|out|everywhere|running|in the sink|on the floor|on the counter|lying around|behind|again|for me) \
       |leave (the|your|dirty|wet|all|those|these) ..4 (open|unlocked|on|out|everywhere|running|in the sink|on the floor|on the counter|lying around|for me) \
       |put (your|work|your friends|your phone|your family|everyone|everything|him|her|them) (before|first|ahead of|over) (me|us)|choose (your|work|them|him|her|everything) over me|chose (your|work|them|him|her) over me \
       |expect me to|expected me to|only (care|cared|think|thought|talk|talked) about|make me do everything|made me do everything \
       |made me (late|wait|miss|look like|cry|lose|do it|do this|so angry|so mad)|made us (late|wait|miss|look like|lose)|make me (late|wait|miss|look like|cry|so angry|so mad|crazy|sick|want to scream|want to cry|do all|do everything) \
       |made (this|it|everything) about you|make (this|it|everything) about you|could not be bothered|can not be bothered|promised)", BLAME)
        .b(B::NEG | B::SUB).f(F::YN),
    r("you (just|still|really|even|also|then|clearly|obviously|seriously|actually)* (did not|do not|will not|would not|can not|could not|have not|has not|never) (even|ever|once|really|actually|bother to|bothered to)* \
       (call|text|ask|listen|help|show up|show|care|bother|tell me|tell us|notice|say (sorry|anything|thank|a word|goodnight|hi)|think about (me|us|how|what|anyone)|come|thank|apologize|clean|pay attention \
       |remember|check|answer|reply|respond|pick up|wait|consider|warn|mention|try|look at me|make time|follow through|do your (share|part)|do (anything|the dishes|the laundry|your share|what you said|what you promised|the one thing)|done (the|your|any|anything|a thing) \
       |pull your weight|keep your (word|promise|promises)|take me seriously|hear me|get it|value|support|respect|appreciate|understand|care about|let me|stand up for me|back me up|open up|make an effort|put in (any|the) effort \
       |include me|invite me|ask me|ask how|help out|help me|lift a finger|clean up|listen to me|talk to me|stop|give me|spend time|want to spend)", BLAME)
        .b(B::NEG | B::SUB).a(A::POS | A::NEVERPOS).f(F::YN),
    r("(it is|it was|this is|this was|that is|that was|all|everything is|everything was|this whole thing is) (all|entirely|completely|totally|really|honestly|obviously|clearly)? your (fault|doing|mess)", BLAME)
        .b(B::NEG).x(X_FAULT).s(Severity::High),
    r("your fault", BLAME).b(B::NEG | B::NOT).x(X_FAULT),
    r("(all|only)? because of you", BLAME).b(B::NEG | B::NOT).a(A::POS).f(F::WARM).x(X_FAULT),
    r("thanks to you", BLAME).b(B::NEG).a(A::POS).f(F::WARM).x(X_FAULT),
    r("you (are|were) (the (reason|problem|one who|one that|only one who)|to blame|responsible for this)", BLAME)
        .b(B::NEG).a(A::POS).f(F::YN | F::WARM).x(X_FAULT),
    r("how many times do i (have to|need to|got to) (tell|ask|remind|say|explain)", BLAME),
    r("you (need to|have to|got to|better|had better|would better|must|should) just? (stop|start|learn|grow up|get (over|a grip|your act|it together|help|a clue|real)|figure (it|this|yourself) out|understand|listen|calm down|chill|change|fix (this|it|yourself)|apologize|realize|take responsibility|think|try harder|be more|do more|do better|step up|quit|respect|get off|put (down|away) your|pull your weight|man up|toughen up|deal with it)", BLAME)
        .b(B::NEG | B::SUB).f(F::NOQ).x(X_DEMAND),
    r("you (should have|should not have|could have|could at least have|could at least|ought to have|might have) (at least|just|really|even)? (told|asked|called|texted|said|known|warned|checked|cleaned|helped|thought|remembered|listened|come|waited|done|let me|stopped|tried|mentioned|left|picked|shown|apologized|stayed|noticed|offered|consulted|included|invited|taken|spoken|stood|defended|planned|cared|replied|answered|bothered|gotten|got|been (there|home|honest|on time))", BLAME)
        .b(B::NEG | B::SUB | B::IAM).a(A::POS).x(X_DEMAND),
    r("(why|how come) (could not|would not|did not|have not|has not|did|must|were) you (ever|even|just|always)? (listen|help|care|call|text|tell|answer|respect|ask|think|remember|bother|notice|show up|do (anything|what|your|the)|pick up|clean|understand|get it|stop|keep|act|treat|make|ignore|lie|forget|leave|interrupt|yell|do this|do that|be like this|have to|insist|always|never|put|take|let|say|talk|come|wait|check)", BLAME)
        .b(B::NEG).a(A::POS).x(X_WHY),
    r("(why|how come) (can not|will not|do not|do|are) you (ever|even|just|always)? (listen|help|care|answer|respect|remember|bother|notice|show up|do (anything|what|your)|pick up|clean|understand|get it|stop|keep|act like|treat|ignore|lie|forget|leave|interrupt|yell|do this|be like this|have to|insist|always|never)", BLAME)
        .b(B::NEG).a(A::POS).x(X_WHY),
    r("(sick|tired|sick and tired|fed up|weary) (of|with) (you|your|all your|how you|the way you|you always|you never|hearing your)", BLAME).b(B::NEG),
    r("you (are|have been) (always|constantly|just|still|again|once again)* (late again|on (your|that) phone again|glued to (your|that|the) (phone|screen|tv|laptop|computer))", BLAME).b(B::NEG | B::SUB).f(F::YN),
    r("you have been (ignoring|avoiding|dodging|lying to|hiding|blowing off|neglecting|pushing away) (me|us|this|it|things)?", BLAME).b(B::NEG | B::SUB).f(F::YN),
    r("the way you (talk to me|talked to me|treat me|treated me|ignore me|ignored me|look at me|looked at me|spoke to me|speak to me|dismiss me|dismissed me|talk about me|talked about me) ..4 (is|was)", BLAME).b(B::NEG),
    r("you (made|make) me (do it|do that|say it|say that|react|yell|lose it|snap|act like this|this way)", &[Defensiveness, Blame]).b(B::NEG),
    // ---------------------------------------------------------------- criticism
    r("you (are|were|have been|can be|could be|act|acted|sound|seem|always seem|look|get|become|became|turned into|have always been|have become|are becoming) @INT* @TRAIT", CRIT)
        .b(B::NEG | B::FEEL).f(F::WARM).s(Severity::High),
    r("(how|so|that is|that was|it is|it was|which is|this is|that is just|typically) (so|really|very|pretty|incredibly|just|quite|a bit|kind of)? @TRAIT (of you|you are|you were)", CRIT).b(B::NEG).f(F::WARM).s(Severity::High),
    r("you (are|were) just? (like|exactly like|no better than|turning into|becoming) your (mother|father|mom|dad|ex|brother|sister|family)", CRIT).b(B::NEG).a(A::POS).f(F::WARM).s(Severity::High),
    r("you (only|just) ever? (care|think|worry|cared|thought|worried) about (yourself|you|your own|number one)", CRIT).b(B::NEG | B::SUB).s(Severity::High),
    r("(anyone|anybody|someone|no one|nobody|everyone|anything) (but|except|other than|besides) (yourself|you)", CRIT).b(B::NEG).f(F::WARM),
    r("you have (no|zero) (respect|consideration|empathy|shame|sense of (humor|responsibility|decency|direction)|backbone|spine|self-control|manners|heart|decency|clue|idea how|idea what|integrity|morals|common sense|ambition|drive|class|taste|compassion|patience)", CRIT)
        .b(B::NEG | B::SUB).s(Severity::High),
    r("you (can not|never|do not ever) do anything right", CRIT_ABS).b(B::NEG).s(Severity::High),
    r("you are (incapable of|unable to|too (lazy|selfish|stupid|immature|proud|stubborn|self-absorbed) to)", CRIT).b(B::NEG | B::SUB).s(Severity::High),
    r("what kind of a? (person|partner|husband|wife|man|woman|father|mother|boyfriend|girlfriend|adult|grown man|grown woman|grown-up|parent|friend) (does|would|forgets|says|acts|treats|talks|leaves|lies|ignores|does not|can not|behaves|is)", &[Criticism, Contempt])
        .b(B::NEG).s(Severity::High),
    r("what is (wrong with you|your problem|the matter with you)", CRIT).b(B::NEG).s(Severity::High),
    r("you are the (worst|most selfish|laziest|most inconsiderate|most immature|most irresponsible|most annoying|most difficult|most unreliable|most self-centered)", CRIT).b(B::NEG | B::FEEL).a(A::POS).f(F::WARM).s(Severity::High),
    r("there is something wrong with you", CRIT).b(B::NEG).s(Severity::High),
    r("you (always|never) (think|thought|consider|considered|care|cared) (about|of)? (anyone|anybody)", CRIT_ABS).b(B::NEG).s(Severity::High),
    r("you (think|thought|act|acted|behave|behaved) (like|as if)? (you are|you were)? (the only one|better than|the center|the victim|everything revolves|the world revolves|it is all about you|you own)", CRIT).b(B::NEG),
    // character verdicts without trait words: "you complain too much", "don't be so
    // dramatic", "don't take it so personally", "You're wrong."
    r("you (complain|talk|worry|nag|whine|criticize|argue|overthink|exaggerate) (way|far)? too (much|often)|(do not|stop) (be|being|look|looking) so? (dramatic|sensitive|emotional|touchy|defensive|negative|ridiculous|difficult|childish|smug|jealous|needy|clingy|selfish|lazy|paranoid|controlling|stubborn|annoying|rude|mean|cold|immature|insecure) \
       |how (can|could|dare) you (treat|talk to|speak to) me (like)? (this|that) (way)?|why would you (ever)? (do|say) (a thing like that|something like that|such a thing) |you (can not|can never|could never) be trusted|you are (just|always|totally)? (overthinking|overanalyzing) \
       |(do not|stop) (take|taking) (it|this|everything|things) so personally|you are (so|just|totally|completely|dead)? wrong (\\.|!|$)", &[Criticism, Blame])
        .b(B::NEG | B::SUB | B::IAM | B::FEEL).f(F::WARM | F::YN),
    // ---------------------------------------------------------------- contempt
    r("you (are|were|sound|look|act|have always been|seem|really are) @CINT* @INSULT", CONT)
        .b(B::NEG | B::FEEL).f(F::WARM).s(Severity::High),
    r("you (stupid|lazy|selfish|useless|worthless|pathetic|little|big|fat|lying|spoiled|complete|total|absolute|fucking|freaking|ungrateful|self-centered|sorry|dumb|ugly|miserable|disgusting|cheating|heartless)* (idiot|moron|loser|jerk|clown|slob|pig|coward|psycho|freak|fool|imbecile|dumbass|ass|asshole|bitch|bastard|dick|prick|brat|child|liar|hypocrite|cheater|cheat|narcissist|baby|princess|genius|einstein|nutcase|lunatic|failure|disgrace)", CONT)
        .b(B::NEG | B::SUB).f(F::WARM).s(Severity::High),
    r("(whatever you say|yeah ,? right|oh ,? sure ,? (you did|you will|you are|you were|you do|it is|that is)|sure you (did|do|will|are|were|would|have|can) $|oh ,? please|boo ,? hoo|boohoo|cry me a river|poor (baby|little you|you|thing)|oh ,? poor you|well ,? excuse me|excuse me for (breathing|living|existing|being alive|having) \
       |thanks for nothing|thanks a lot for nothing|must be nice|big surprise|what a (surprise|shock|shocker|joke) $|shocker|slow clap|real mature|very mature|so mature|how mature|get a life|talk about (lazy|selfish|rude|pathetic|dramatic) \
       |wow ,? just? wow|oh ,? (great|perfect|wonderful|fantastic|brilliant|lovely) ,? (just|another|now|here we go|exactly what)|nice (job|going|work|one) ,? (genius|einstein|sherlock|champ|idiot|hero) \
       |you call (that|this|these) _? (cleaning|clean|help|helping|cooking|dinner|an apology|apologizing|work|effort|trying|listening|a plan|parenting|romance|romantic|a gift|a present|folding|washing|doing the dishes)|who (raised|taught) you|were you raised (in a barn|by wolves) \
       |you disgust me|you make me sick|you sicken me|(you need to|you should|maybe you should|you ought to) (go on a diet|lose (some)? weight|get laid)|you (do not know|have no idea) what you are (saying|talking about)|i hate (you|your (mother|mom|father|dad|family|friends|parents|sister|brother))|i find you (so|really)? (intolerable|unbearable|insufferable|disgusting|pathetic|repulsive)|you suck|i can not think of (anything|one thing|a single thing) (that)? i like about you|i can not stand (you|the sight of you|looking at you|being around you)|even a (child|kid|toddler|five-year-old|monkey|dog|chimp|trained monkey) (could|can|would|knows) \
       |could you be any (more|less|slower|lazier|dumber)|can you do anything right|do you even (know|care|listen|think|have|try|own|remember|hear|understand|realize)|are you (stupid|deaf|blind|dumb|an idiot|a child|twelve|five|insane|brain dead|braindead|out of your mind|even listening|incapable|really that) \
       |is (it|that) (too much|so hard|so difficult|really so hard) (to ask|for you)|how (hard|difficult) (is it|can it be|could it be|was it) (to|for you)|i (do not|would not) expect you to (understand|get it|know) \
       |i am (so much|way|a lot|far)? (smarter|better|more mature|more responsible|more reasonable|more successful) than you|at least i (am|do not|did not|actually|have|know|can|try|work|care|earn|make|bother|show up|pull|do|am not) \
       |(someone|somebody|one of us) (has|needs|had) to be the (adult|grown-up|responsible one)|grow up already|oh ,? grow up|just grow up|shut up|shut your mouth|zip it|get over yourself|spare me \
       |oh ,? look who (is|finally)|look who (finally)? (decided|deigned|bothered|showed up|remembered)|how? nice of you to finally? (show up|join|call|remember|notice|grace|bother|text|come home)|so glad you could finally? (join|make it|show up) \
       |well ,? look at you|(congratulations|congrats) ,? you|are not you (special|precious|clever)|good for you ,? (i guess|genius|princess|hero)|who cares (what you|about you|what you think)|like i care|as if i care|as if you (care|cared|would|ever|know|knew|could|have) \
       |in your dreams|very funny $|ha ,? ha|ok boomer|eye roll|eyeroll|rolls eyes|drama queen|your majesty|your highness|mr perfect|miss perfect|know-it-all|captain obvious|smart guy|smartass|smarty pants|wise guy|bless your heart|pfft|pft|psh|tsk|🙄|😒|😑)", CONT)
        .b(B::NEG | B::IAM).s(Severity::High),
    r("(pathetic|unbelievable|disgusting|ridiculous|liar|grow up|get over it|deal with it|get a grip|stop (whining|complaining|moaning)) (\\.|!|\\?|$)", CONT).b(B::NEG).f(F::START | F::WARM).s(Severity::High),
    r(", (genius|einstein|sherlock|princess|your majesty|your highness|smart guy|hotshot|champ|mr perfect|miss perfect) $", CONT).b(B::NEG).s(Severity::High),
    r("(of course you (did|would|did not|would not|forgot|do|do not) $|how typical $|typical $|classic $|figures $|go figure|big shock|color me surprised|colour me surprised|what else is new|as usual $)", CONT)
        .b(B::NEG | B::IAM).f(F::WARM).s(Severity::High),
    r("(you|your|you are) so? (pathetic|disgusting|useless|worthless|a joke|a disgrace|an embarrassment|beneath me)", CONT).b(B::NEG).f(F::WARM).s(Severity::High),
    r("who (do you think you are|died and made you|asked you)", CONT).b(B::NEG).s(Severity::High),
    r("what (were you|are you|was your) even? (thinking|brain doing)", CONT).b(B::NEG).a(A::POS).s(Severity::High),
    r("(oh|wow) ,? (you actually|you finally|look ,? you)", CONT).b(B::NEG).s(Severity::High),
    r("i (guess|suppose) (you are)? (too (busy|important|good)|that is too much to ask)", CONT).b(B::NEG).s(Severity::High),
    r("sorry (i am|for) not? (perfect|a mind reader|a mind-reader|good enough|breathing|existing|being alive|having (feelings|needs|an opinion))", &[Contempt, Defensiveness]).b(B::NEG).s(Severity::High),
    r("((typical|classic|so typical of|that is so|how typical of|how very) you|(this|that) is (just|so)? like you|you (sound|act|are acting|are) (just)? like (my|your) (mother|mom|father|dad|ex)|it is not me ,? it is you|i am not the problem ,? you are) $", &[Criticism, Contempt]).b(B::NEG).f(F::WARM).s(Severity::High),
    // issue 16: behaviour you-statements without marker words, complaints as questions
    r("you (did not|do not|never|have not|would not|will not|can not|could not|had not) (even|ever|once|really|just|bother to)* (listen|listened|help|helped|call|called|text|texted|ask|asked|tell|told|remember|remembered|pay attention|notice|noticed|care|cared|clean|cleaned|show up|showed up|come home|came home|answer|answered|reply|replied|apologize|apologized|appreciate|support|respect|consider|think about|check with|thank|follow through|keep your (word|promise|promises)|lift a finger|make time|spend time)", BLAME)
        .b(B::NEG | B::SUB | B::IAM | B::FEEL | B::THIRD).a(A::POS).f(F::YN | F::WARM | F::NOQ),
    r("you (spend|spent|waste|wasted) (too much|so much|way too much|all (your|of your|the)|half (your|the)) (time|money|night|nights|evening|evenings|weekend|weekends|day|on) |you do not spend (enough|any) time with (me|us|the kids)|i can not believe you (just)? (said|did) (that|this)|(stop|quit) (annoying|bugging|bothering|pestering) me|do not make that face|if you (really|truly)? (loved|cared about|respected) me ,? you (would|would have)", BLAME)
        .b(B::NEG | B::SUB | B::THIRD).f(F::YN | F::WARM),
    r("you (pay|paid|have paid) (no|zero|little|hardly any) attention", BLAME).b(B::NEG | B::SUB).f(F::YN),
    r("you (have been|have gotten|have become|are|were|got|seem) (so|really|very|increasingly|pretty|completely|totally)? (distant|cold|absent|checked out|distracted|unavailable|withdrawn|glued to your (phone|screen|laptop|computer)|never around|always gone \
       |not (even|really|just|ever)? (listening|hearing (me|what)|paying attention|helping|trying|doing (it|this|that|anything|your (part|share)) right?|making (any)? sense|taking (me|this|it) seriously|being (fair|honest|rational|reasonable|realistic|supportive|respectful|considerate|helpful|nice|kind|serious|straight with me)))", BLAME)
        .b(B::NEG | B::SUB | B::IAM | B::FEEL | B::THIRD).f(F::YN | F::WARM),
    r("(why|how come) ((can not|will not|did not|could not|would not|have not) you|(do not|are not|is not) you (ever|even))", BLAME)
        .b(B::NEG | B::REPORT).a(A::BREAK).x(X_WHY),
    r("(would|could|can|will) you (please)? (make sure|try|remember) (not to|to not|never to) ..8 again", BLAME).b(B::NEG).x(X_DEMAND),
    r("it is (ridiculous|absurd|unbelievable|insane|crazy|unfair|ludicrous|pathetic) that i (have|had|always have|still have) to", BLAME).b(B::NEG),
    // contempt without marker words: eye-roll questions, regret about the marriage, "use your brain"
    r("(are|were|was|is) you (ever|ever actually|even|actually ever) (going to|gonna|planning to)|you are (so|very|really)? lucky (that)? i|(out|outside|out in public|to work|around) (looking|dressed|with your hair) like that", CONT).b(B::NEG).a(A::POS),
    r("(i (should|never should) (have|not have) (married|listened to my|stayed single|left you)|i wish i (had|would have)? never (married|met) you|(marrying you|being with you|this marriage) (was|is) (a|the|my) (biggest|worst)? mistake|i (regret|hate) (marrying|ever meeting) you|i want (a divorce|to (break up|get divorced|split up)|out of (this|our) (relationship|marriage))|(maybe|perhaps)? we should (just)? (get (a)? divorce|get divorced|break up|split up|call it quits))", CONT)
        .b(B::NEG).s(Severity::High),
    r("(use your (brain|head|common sense)|(do you|did you) (even)? (have|use) (a|your) (brain|head)|(is|was) that (so|too) hard to (understand|remember|do)|how hard (is|was|can) it (be)? to)", CONT)
        .b(B::NEG).s(Severity::High),
    r("(oh|wow|gee) ,? (thanks|thank you) (so much|a lot)? (for (nothing|the help|that|noticing))? ,? (really|genius|einstein)? (\\.|!|,|$)", CONT).b(B::NEG).f(F::START | F::WARM),
    r("(nice going|way to go|good job|great job|well done|bravo|congratulations) ,? (genius|einstein|sherlock|captain obvious|hero)", CONT).b(B::NEG).s(Severity::High),
    // contempt without insult words: superiority ("nobody else would put up with you", "you're
    // lucky I…"), dismissal ("that's stupid", "you can't be serious"), regret about the
    // partner, mockery of looks ("going out looking like that"), "you need professional help"
    r("((no one|nobody) else? (will|would|could) ever? (love|want|understand|put up with|care about|stand) you \
       |(that is|this is|how) (so|just|really)? (stupid|idiotic|ridiculous|pathetic|dumb|absurd|laughable) $|you (must|have to|got to) be (kidding|joking) (me)? $|you can not be serious \
       |(nobody|no one) asked (you|for your (opinion|input|advice))|whatever (kind of)? (look|vibe|style) you were going for \
       |i (never|do not think i ever|am not sure (if|that) i ever) (really)? loved you|i never (liked|loved) your (mother|father|mom|dad|family|friends|cooking|sister|brother))", CONT)
        .b(B::NEG | B::REPORT).f(F::WARM | F::NO_BLAME).s(Severity::High),
    // ---------------------------------------------------------------- defensiveness
    r("(it|that|this) (is|was) not (really|even|exactly|entirely|all|totally)? my (fault|problem|responsibility|doing|job)", DEF),
    r("not my (fault|problem)", DEF).b(B::NEG),
    r("i am not the one (who|that|with)", DEF),
    r("i was not the one (who|that)", DEF),
    r("(well|but|yeah well|ok well) ,? (what about you|you are (never|always|the one|no better|not perfect|not exactly|one to talk)|you (did not|do not|did|do|were|started|forgot|also|too|should|never|always|can not|will not|were not|have not))", DEF),
    r("what about (when you|the time you|all the times you|that time you|you and your|(the|all the) ..3 (things|stuff|times) you|your (mess|temper|attitude|phone|drinking|spending|mistakes|lies|lying|family|mother|friends|behavior))", DEF),
    r("(you are (one|the last person|the last one) to talk|look who is talking|pot calling the kettle|you started it|you started this|you do it too|you do the same thing|you did it too|you did the same thing|you are no better|you are not perfect either|you are not exactly perfect|neither do you|neither did you|you do that too)", DEF),
    r("i am always (the (bad guy|villain|bad one|one to blame|problem|one who gets blamed|scapegoat)|wrong|to blame|blamed)", DEF),
    r("(why|how come) (am i|is it) always (me|my fault|the bad guy|on me|the one)", DEF),
    r("(why|how come) (are you|do you) (always|constantly)? (picking on|pick on|blaming|blame|attacking|attack|criticizing|nagging|nag|coming at|yelling at|getting on) me", &[Defensiveness, Absolute]),
    r("(stop|quit) (blaming|attacking|picking on|criticizing|nagging|accusing|coming at|yelling at|getting on) me", DEF),
    r("do not (blame|put (this|it|that) on) me", DEF),
    r("do not (blame|put) (this|it|that) on me", DEF),
    r("i can not (ever)? (do anything right|win with you|win)", DEF),
    r("i (can|could) never (win|do anything right|please you|make you happy|do enough|be enough|get it right)", &[Defensiveness, Absolute]),
    r("nothing (i do|i say)? (is|was) ever (good enough|enough|right)", &[Defensiveness, Absolute]),
    r("i (was|am) (just|only) (trying to (help|be nice|be honest|do)|joking|kidding|teasing|being honest|saying|asking|telling the truth)", DEF).b(B::NEG),
    r("(i|we) (literally)? (had|have) no (other)? choice", DEF),
    r("i (could not|can not) help it", DEF),
    r("it is not like i", DEF),
    r("i did not (do anything|do it on purpose|do anything wrong|know|start it|start this|ask for this|say that|say it like that|even do anything)", DEF).b(B::NEG).a(A::OWNS),
    r("i did nothing wrong", DEF),
    r("how (was|am|were|would|could) i (supposed to|meant to|to|possibly) know", DEF),
    r("i (was|am|have been) (just|only)? (too|way too|really too) (busy|tired|exhausted|stressed)|i was (just|so|really)? (drunk|busy|not myself|wasted|swamped|slammed) (today|at work)? (,? (ok|okay|alright))? $|i (do not|did not) have (the)? time $", DEF),
    r("i had (too much|a lot|so much) (on my plate|to do|going on)", DEF),
    r("(yes|yeah|yea|ok|fine|sure) ,? but (you|i|what about|that is|it is|it was|i was|i had)", DEF),
    r("i never said (that|it|i would|anything like that)", DEF),
    r("that is not (true|what i said|what happened|how it happened|what i meant|how i remember it)", DEF).b(B::NEG),
    r("i do (too|so|plenty|a lot|everything|my share|help|my part|more than you)", DEF).a(A::POS),
    r("i did (too|so) $", DEF),
    r("you are (totally|completely|way|just|being|so|really)* (overreacting|over-reacting|too sensitive|so sensitive|oversensitive|being too sensitive|being so sensitive|being oversensitive|making a big deal|blowing (this|it|things|everything) way? out of proportion|exaggerating|imagining things|reading (too much)? into)", &[Criticism])
        .b(B::NEG | B::SUB),
    r("i would not have _? _? if you", DEF),
    r("if you (had|had not|would have|would|did|did not|would just|had just|were) ..8 i (would not|would never|never would)", DEF),
    r("i only (did|said|yelled|left|did it|said it) (it|that)? because (you|of you)", DEF),
    r("i am sorry (you feel|you felt|if you|that you feel|you think|you are upset|you see it|you took it|that? you (got|were|are|have been) (hurt|upset|offended|angry|mad)|if i (hurt|upset|offended) you)|if i (hurt|upset|offended) you ,? i (apologize|am sorry)", DEF).x(X_SORRY_IF),
    r("sorry ,? not sorry", &[Defensiveness, Contempt]),
    r("why are you (getting|being)? so? (mad|upset|worked up|angry|emotional|touchy|defensive|hysterical|dramatic)|you are (just|really|totally)? making a mountain out of a? molehill", &[Stonewalling, Blame]).b(B::NEG),
    r("i am (allowed to|entitled to) (have|do|be|go|see|spend)", DEF),
    r("it was (just|only) a joke", DEF),
    r("can not you take a joke", &[Defensiveness, Contempt]),
    r("i (work|worked|have been working) (all day|so hard|hard all day|my ass off|long hours)", DEF).b(B::NEG),
    r("i said i was sorry", DEF),
    r("what do you want from me", DEF),
    r("(so what|big deal) (\\?|\\.|!)", &[Defensiveness, Contempt]).f(F::START),
    // issue 16: denial, excuses, counter-complaints, innocent victim
    r("(that|it|this) (never|did not|does not) (happened|happen|happens)|we never (had|said|agreed (to|on)) (that|this|any)|you (must be|are) (misremembering|imagining (things|it)|remembering (it|that) wrong)|i never (did|said|promised|agreed to) (that|it|any such thing|anything like that)", DEF)
        .b(B::NEG | B::SUB),
    r("(well|and|but)? ,? you (do|did) (it|that|the same|the same thing) (too|all the time|also|as well)|you are (just)? as (bad|guilty)|you are (not|no) (so|exactly)? (perfect|innocent|a saint|saint) (either|yourself)?|(look|speak|talk) (at|for) yourself|i am rubber ,? (and)? you are glue|i know you are ,? but what am i|but so (did|do) you|mistakes were made|(tell me|name) (about)? (a single|one) time|do not bite my head off", DEF)
        .b(B::NEG | B::SUB),
    r("i am (doing|trying) (my|the) (very)? best i? can?|i am (only)? (doing|trying) my best|i (do|did) (so much|everything|all of this|all this) for you|what (more|else) do you want (from me)?|i have (a|this|so much|a lot of) (project|deadline|work|stuff|meeting|meetings|thing) ..4 (,|and|so|we have|i have)|i have (a|this|another) deadline $ \
       |i am sorry ,? but ($|you|it was|that was|i was|what about|if you|it is not|that is not|i did not|i had to|i just)", DEF)
        .b(B::NEG | B::SUB).a(A::OWNS).f(F::WARM),
    // denial and excuses at the start of a sentence: "I didn't agree to that", "I'm not being
    // defensive", "I was very busy" (an admission like "I didn't think about how you felt"
    // stays repair: no "think", "mean", "realize" here)
    r("i ((did not|never) (even)? (say|said|do|did|agree to|agreed to|promise|promised|storm off|touch|touched|include|included|put|lie|lied|yell|yelled|flirt|flirted|cheat|cheated)|(am|was) not (really)? (being (defensive|dramatic|rude|mean|difficult|sarcastic|a jerk|a dick)|the (problem|bad guy|one)|going (that|too|so) fast|doing (it|that|anything)|sulking|lying|yelling|shouting|lost|watching|insensitive|demanding|@TRAIT)|was (very|really|so|too|just)* (busy|tired|exhausted|swamped|working))", DEF)
        .b(B::NEG | B::SUB).a(A::OWNS).f(F::START | F::YN),
    // counter-defence: an emphatic contradiction as the whole message ("I do care!", "I did!"),
    // "now it's my fault", "after all I've done for you", "how should I know?", "what are you
    // talking about", innocent victim, "you're better at it" (an excuse), "what about the time I…"
    // (not "how would I know?": it is also an honest question, and a question deck asks it)
    r("(yes|no|but)? ,? i (really|so|totally)? ((do|did) (care|listen|love you|respect you|help|try|appreciate you)|(do|did|am) !)", DEF).f(F::WHOLE),
    r("(now|so now) (it is|everything is) (always)? my fault|after (all|everything) i (have done|do|did|have) (done)? for you|how (should|am|was) i (supposed to)? know \\? \
       |i do not know what you are talking about|what are you talking about|i am (just)? (the worst|a terrible|a horrible|such a terrible|such a bad|a bad) (person|partner|husband|wife|boyfriend|girlfriend) \
       |you are (just|so much|much)? better at (it|this|that|these things|those things)|what about (the time i|the (things|stuff|names) you|you \\?)", DEF)
        .b(B::NEG | B::REPORT),
    // ---------------------------------------------------------------- stonewalling
    r("whatever (\\.|!|,|$|i do not care|man|dude|fine|ok|i am done|do what you want|i give up)", STONE).b(B::NEG).f(F::START),
    r("i am (so|just|really|officially)? done (talking|arguing|discussing|fighting|listening|explaining|trying|with (this|this conversation|this discussion|you|us|it all|this relationship|talking|arguing|trying|everything)|here)? (about|with|to)? (this|it|you)? (\\.|!|,|$)", STONE)
        .b(B::NEG).a(A::DONEOBJ),
    r("i (do not|will not|refuse to|am not going to|am not|can not|is not going to) (want to|even|going to)? (talk|discuss|deal with|hear|get into|argue about|go through|go over|do|have) about? (it|this|that|any of (it|this)|this conversation|this again|you|another word|this discussion|it again) (right now|anymore|again|with you|now|tonight|today)? (\\.|!|,|$)", STONE)
        .b(B::NEG).f(F::RETURN | F::NOQ | F::WARM),
    r("(leave me alone|go away|get out of my face|get away from me|stop talking to me|talk to the hand|end of (discussion|story|conversation)|this (conversation|discussion) is over|we are done (here|talking)|conversation over|discussion over \
       |i have nothing (more|else)? to say|there is nothing (more|else)? to (talk about|say|discuss)|nothing to talk about|(there is)? no point (in)? (talking|discussing|trying|arguing)|i am not (doing|having) this|i am not talking (about (it|this|that)|to you) \
       |i am (out of here|outta here)|just drop it|drop it already|let it go already|forget i (said anything|asked|mentioned it)|i am not discussing this|not discussing this|not talking about this|not having this conversation|i do not care anymore \
       |i am going silent|i am shutting down|i can not do this anymore|i am not listening)", STONE)
        .b(B::NEG),
    r("(fine|ok|whatever|just)? ,? (do whatever you want|do what you want|do whatever) (\\.|!|$)", STONE).b(B::NEG).f(F::START),
    r("(there is)? no point (,|$|anyway)", STONE).b(B::NEG),
    r("(fine|ok|sure|forget it|never mind|nothing|drop it|i do not care|does not matter|it does not matter|no comment|talk later|later) (\\.|!)+ $", STONE)
        .b(B::NEG).f(F::RETURN | F::START),
    r("(fine|ok|sure|whatever|forget it|never mind|nothing|i do not care|does not matter|it does not matter|no comment|i do not know)", STONE).f(F::RETURN | F::WHOLE),
    r("(forget it|never mind) ,? (i will do it myself|forget it|whatever|i do not care|it does not matter|does not matter|it is fine|i am done)", STONE).b(B::NEG),
    r("(fine|ok) ,? (whatever|do (what|whatever) you want|have it your way|you win|i give up|forget it)", STONE).b(B::NEG),
    r("have it your way", STONE).b(B::NEG),
    r("i give up (,|$)", STONE).b(B::NEG).f(F::RETURN),
    r("do not (talk|speak|text|call|message) to? me (right now|now|again|anymore|ever again)? (,|$)", STONE).b(B::NEG).f(F::RETURN),
    r("(can not|not going to) deal with (you|this) (right now|anymore|today|again)? (,|$)", STONE).b(B::NEG).f(F::RETURN | F::WARM),
    // issue 16: brush-offs, minimising, refusal
    r("(yes ,? dear|yeah ,? yeah|yeah yeah|uh huh|mm ?hmm|mhm|later|we will see|if you say so|sure ,? sure|k|kk|yep|nope)", STONE).f(F::RETURN | F::WHOLE),
    r("(it is|that is|this is|it was|that was) (not|no) ((a|that|such a)? big|that big (of)? a) (deal|thing)|(it is|that is) (nothing|not a problem|not important) ,? (relax|calm down|chill|get over it)?|get over it|let it go ,? already \
       |(there is)? no (reason|need) to (get|be) (so|that)? (upset|mad|angry|worked up|sad|emotional|stressed) (about|over)? (it|this|that)? $|(it is|that is)? not worth getting (so|that)? (upset|worked up|mad|angry) \
       |(why|what) are you getting (so|all)? (upset|worked up|stressed|stressed out|mad|angry|emotional)|you are making (a|such a)? (huge|big)? fuss|(there are|we have) bigger problems|it does not make (any)? sense to feel (that|this) way|you should not (feel|be) (that way|like that|so upset|that upset|upset)|do not use that tone (with me)?|(do not|no need to) (get|be) (so)? (angry|mad|worked up)", STONE)
        .b(B::NEG | B::SUB).f(F::YN),
    r("i (do not|will not) (have to|need to) (tolerate|put up with|listen to|take|deal with|explain myself|justify myself|answer to) (this|you|that|anyone|any of this)", STONE).b(B::NEG | B::SUB),
    // ---------------------------------------------------------------- pseudo feelings
    r("i (feel|felt|am feeling|was feeling|have been feeling|kind of feel|just feel|really feel|sometimes feel|often feel|always feel|honestly feel|still feel|get|got|end up feeling|start to feel|started feeling|started to feel|keep feeling) (so|really|very|completely|totally|kind of|a bit|a little|pretty|just|quite|super|incredibly|deeply|always|sometimes|often|extremely|utterly|constantly|honestly|a little bit|so very|,)* @FAUX", PSEUDO)
        .b(B::NEG).x(X_FAUX).s(Severity::Gentle),
    r("i (am|was|have been) (so|really|very|completely|totally|kind of|a bit|a little|pretty|just|quite|always|constantly|tired of being|sick of being|fed up with being)* being? @FAUXS", PSEUDO)
        .b(B::NEG).x(X_FAUX).s(Severity::Gentle),
    r("i (feel|felt|am feeling|was feeling|kind of feel|just feel|really feel|sometimes feel|often feel|honestly feel|still feel|always feel|get the feeling|have the feeling|have a feeling) (really|honestly|sometimes|just|kind of|almost|so|more and more)* (like|that|as if|as though|like maybe|that maybe) \
       (you|your|nobody|no one|everyone|everybody|i am not|i am the only|i am always|i always|i never|i can not|i have to|i am invisible|i am alone|i am on my own|i am last|i come last|i do not matter|i am not important|i am nothing|i am just|i mean nothing|i am a burden|i am a (maid|servant|roommate|babysitter|stranger|afterthought|single parent)|we never|we do not|we are not|we can not|this relationship|our relationship|i do not exist|i am an afterthought|i am talking to a wall|i am walking on eggshells|i am doing everything|i am doing all|i do everything|i do all|i am the one|i am competing|i can never|it is always|it is never|all you|i do not count|i am not a priority|i am not enough)", PSEUDO)
        .b(B::NEG).a(A::POS).f(F::PLUS_BLAME).x(X_FEEL_LIKE).s(Severity::Gentle),
    r("it feels like (you|nobody|no one|i am the only|i do not matter|i am invisible|i am not important|we never|we do not)", PSEUDO)
        .b(B::NEG).a(A::POS).x(X_FEEL_LIKE).s(Severity::Gentle),
    r("you have? (make|made|always make|never make|keep making|are making|have made|really make|really made|just made|only make) me (feel|feeling)", PSEUDO)
        .b(B::NEG | B::SUB).a(A::POS).f(F::PLUS_BLAME).x(X_MAKE_FEEL).s(Severity::Gentle),
    r("i (do not|never|did not|no longer) (really|even|ever)? feel (heard|respected|appreciated|loved|valued|seen|supported|cared for|cared about|wanted|desired|important|listened to|understood|like a priority|prioritized|like i matter|like you care|like you love me|like you are on my side|like you are there|like we are a team|like a team|included|considered|noticed|special|chosen|trusted|like you want me)", PSEUDO)
        .b(B::NEG).x(X_FAUX).s(Severity::Gentle),
    r("i feel (like)? (a|an) (afterthought|doormat|maid|servant|roommate|babysitter|stranger|burden|option|second choice|punching bag|atm|wallet|single (mom|mother|dad|father|parent))", PSEUDO)
        .b(B::NEG).x(X_FAUX).s(Severity::Gentle),
    r("(makes|made|making) me feel (so|really|very|completely|totally)? (@FAUX|like (you|i am|nobody|no one|an idiot|a child|an afterthought|a burden|i do not|garbage|crap|nothing))", PSEUDO)
        .b(B::NEG | B::SUB).x(X_FAUX).s(Severity::Gentle),
    // ---------------------------------------------------------------- I-statements
    r("i (feel|felt|am feeling|was feeling|have been feeling|been feeling|get|got|start to feel|started to feel|started feeling|am starting to feel|am getting|was getting|end up feeling|kind of feel|honestly feel|really feel|just feel|sometimes feel|often feel|still feel|always feel|notice i feel|notice i get) @FINT* @FEEL", ISTMT)
        .b(B::NEG).a(A::OF).s(Severity::Info),
    r("i (am|was|have been|get|got) @FINT* @FEELAM", ISTMT).b(B::NEG).a(A::OF | A::TO).s(Severity::Info),
    r("(it|this|that|which) (really|kind of|honestly|just)? (hurts|hurt|scares|scared|worries|worried|frightens|frightened|saddens|saddened|frustrates|frustrated|upsets|upset|stresses|stressed|overwhelms|overwhelmed|confuses|confused|embarrassed|embarrasses|makes|made) me (when|that|because|to hear|to see|to think|a lot|so much|more than|feel @FEEL)", ISTMT)
        .b(B::NEG).s(Severity::Info),
    r("my (feelings|heart) (are|were|was|is|got|get) (really|a bit|a little|so)? (hurt|broken|heavy|aching|racing|sinking|full)", ISTMT).b(B::NEG).s(Severity::Info),
    r("(i notice|i noticed|i can feel|i feel) (a (knot|pit|lump|tightness|heaviness)|my (chest|stomach|heart|throat|jaw))", ISTMT).b(B::NEG).s(Severity::Info),
    // ---------------------------------------------------------------- requests
    r("(would|could|can) you (please|maybe|possibly|kindly|perhaps|also|help me|try to|at least|just|pretty please|be able to|remember to|make sure to)*", REQ)
        .b(B::NEG | B::SUB).a(A::NOTREQ).s(Severity::Info),
    r("will you (please|maybe|possibly|kindly|also|help me|try to|at least|just|remember to|make sure to)*", REQ)
        .b(B::NEG | B::SUB).a(A::NOTREQ | A::BE).s(Severity::Info),
    r("would you (be willing|be open|be up for|be ok with|be okay with|be able|mind|consider|like to|want to)", REQ).b(B::NEG).s(Severity::Info),
    r("(could|can|shall|should) we (please|maybe|possibly|perhaps|try to|at least|also|just)*", REQ)
        .b(B::NEG | B::SUB).a(A::NOTREQ | A::BREAK).s(Severity::Info),
    r("would it be (ok|all right|possible|fine|cool) (if|to|for)", REQ).b(B::NEG).s(Severity::Info),
    r("(how about|what if) (we|if we|you|if you|i|~ing)", REQ).b(B::NEG).a(A::NOTREQ | A::BREAK).s(Severity::Info),
    r("why do not we", REQ).b(B::NEG).a(A::NOTREQ | A::BREAK).s(Severity::Info),
    r("(maybe|perhaps) we (could|can|should|might)", REQ).b(B::NEG).a(A::NOTREQ | A::BREAK).s(Severity::Info),
    r("(let us|lets) (please|maybe|try to|just)?", REQ).b(B::NEG).a(A::NOTREQ | A::BREAK).s(Severity::Info),
    r("i would (really|so|also|just)? (like|love|appreciate) it? (if you|if we|for you to|for us to|us to|you to|to ask you|to ask if|to ask whether)", REQ).b(B::NEG).a(A::NOTREQ).s(Severity::Info),
    r("are you (willing|open|up for|ok with|free|available|able) (to|for|on|this|tonight|tomorrow|saturday|sunday|monday|tuesday|wednesday|thursday|friday|next|later)", REQ).b(B::NEG).s(Severity::Info),
    r("do you (want|want to) to? (go|grab|get|try|come|watch|cook|make|plan|talk|take|have|do|see|spend|join|walk|visit|book|order|help|play|meet|call|sit|dance|cuddle|split|share|switch|trade|set)|are you ready to (talk|listen|try again|start)", REQ).b(B::NEG).s(Severity::Info),
    r("please (could you|can you)? (call|text|pick|grab|get|take|put|bring|let|remember|help|tell|check|send|book|pay|clean|wash|feed|walk|buy|come|meet|try|ask|sign|lock|turn|switch|set|make|save|keep|consider|think about|join|message|answer|reply|give|hold|look|read|plan|stay|wait|add|text|call|load|empty|water|charge|pack|order)", REQ)
        .b(B::NEG).s(Severity::Info),
    r("(is there (a way|any way|anything) (we|you) (could|can|might)|would it help if|would you like to|do you think (we|you) (could|can|might))", REQ).b(B::NEG).a(A::NOTREQ).s(Severity::Info),
    r("i am (asking|wondering) (if|whether) (you|we)", REQ).b(B::NEG).s(Severity::Info),
    // ---------------------------------------------------------------- repair
    r("(i am|i am so|i am really|i am truly|i am very|i am deeply|really|so|very|truly|deeply) sorry", REPAIR)
        .b(B::NEG | B::WANT).a(A::SORRYBAD).s(Severity::Info),
    r("sorry", REPAIR).b(B::NEG | B::WANT).a(A::SORRYBAD).f(F::START).s(Severity::Info),
    r("(i|we) (sincerely|truly|really)? apologize", REPAIR).b(B::NEG | B::WANT).a(A::SORRYBAD).s(Severity::Info),
    r("(my bad|my apologies|my mistake|mea culpa|i owe you an apology)", REPAIR).b(B::NEG | B::WANT).s(Severity::Info),
    r("i was (wrong|out of line|harsh|too harsh|unfair|rude|mean|a jerk|short with you|being unfair|being a jerk|being defensive|being mean|being harsh|not fair|not listening|not being fair|being selfish|selfish|thoughtless|inconsiderate)", REPAIR).b(B::NEG | B::WANT).s(Severity::Info),
    r("i (messed|screwed) (up|that up|this up|it up)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i really? (should not have|should have (listened (to (you|me))?|asked|called|told|texted|checked|been|said|waited))", REPAIR).b(B::NEG).a(A::TO).s(Severity::Info),
    r("i (overreacted|over-reacted|snapped at you|lost my temper|raised my voice|blew up|yelled at you|went too far|crossed a line|was out of line|jumped to conclusions|got defensive|got carried away|was not fair)", REPAIR).b(B::NEG | B::SUB).s(Severity::Info),
    r("(that is|it is|this is|that was) (on me|my fault|my bad|my mistake|totally on me|all on me|partly on me|partly my fault)", REPAIR).b(B::NEG | B::NOT).s(Severity::Info),
    r("(it was|it is partly|partly|some of (it|this|that) is|part of (it|this|that) is) my fault", REPAIR).b(B::NEG | B::NOT).s(Severity::Info),
    r("(can|could|may) i (take (it|that) back|try (that|this) again|start (over|again)|rephrase|say that (again|better|differently|more kindly)|have a do-over|redo that)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i take (it|that|that last part|what i said) back", REPAIR).b(B::NEG).s(Severity::Info),
    r("let me (try (that|this)? again|rephrase|start (over|again)|say (that|this|it) (again|better|differently|more kindly|another way|in a (kinder|softer|better) way)|put (that|it) (another way|differently|better)|try to say (that|this|it) (better|again|differently))", REPAIR).b(B::NEG).s(Severity::Info),
    r("(let us|lets|can we|could we|should we|maybe we (can|could|should)|how about we|why do not we|i think we (should|need to)|we (should|need to)) (please|maybe|just|both)? \
       (start (over|again|fresh)|restart|try (that|this|it) again|begin again|rewind|reset|sleep on (it|this)|do (that|this) over|have a do-over|take (a|some)? (five|ten|fifteen|twenty|thirty|few|quick|short|little)? (minute)? (break|breather|pause|minute|minutes|moment|step back|time-out|timeout|space|time|walk)|pause|hit pause|slow down|calm down|cool (off|down)|take five \
       |come back to (this|it)|talk (about (it|this))? (later|in the morning|when we are calmer|when we have calmed down|after (i|we) (calm|cool))|stop for a (bit|minute|while|moment|second)|stop (here|this) for (now|a bit|a minute)|agree to disagree|compromise|meet (in the middle|halfway) \
       |find (a|some) (middle ground|compromise|common ground)|figure (this|it) out together|work (this|it) out together|sort (this|it) out together|solve (this|it) together|both (calm|cool) down|try again|be (kind|kinder|gentle|gentler) (to|with) each other|not (fight|go to bed angry|let this)|hug it out|make up)", REPAIR)
        .b(B::NEG).s(Severity::Info),
    r("i need (a (break|breather|minute|moment|few minutes|time-out|timeout|pause|second|walk)|some? (time|space|a minute|a moment|a few minutes) to (calm|cool|think|breathe|collect|process|settle)|to (calm down|cool off|cool down|take a break|breathe|step away|take a breath|collect myself|pause|settle|take a walk|clear my head|think about (this|it|what you said)))", REPAIR).b(B::NEG).s(Severity::Info),
    r("i am (getting|feeling|starting to feel|starting to get|a bit|too|so|really)? (flooded|too (worked up|heated|upset|angry) to (talk|think)|getting heated)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i will (be back|come back|come find you|check back|circle back) (in (a few|ten|twenty|thirty|_|an|half an) (minutes|mins|minute|hour|hours)|after|when i have? calmed|once i have calmed|when i am calmer|tonight|later|tomorrow)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i did not mean (to (hurt|upset|snap|yell|make|sound|ignore|offend|scare|blame)|it (like that|that way|the way it sounded)|that the way it (sounded|came out))", REPAIR).b(B::NEG).s(Severity::Info),
    r("(that|it) (came out|sounded) (wrong|harsher than|worse than|meaner than|badly|the wrong way)", REPAIR).b(B::NEG).s(Severity::Info),
    r("(that|it) did not come out (right|the way i (meant|wanted|intended))", REPAIR).b(B::NEG).s(Severity::Info),
    r("i can? (see|own|admit|recognize|accept|acknowledge) (my part|my role|my share|that i (was|messed|hurt|did not|did|should|overreacted|snapped|got))", REPAIR).b(B::NEG).s(Severity::Info),
    r("my part in (this|that|it|all this)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i am (being|getting|feeling) (defensive|reactive|snappy|short with you|unfair)", REPAIR).b(B::NEG).s(Severity::Info),
    r("(how|what) can i (do to)? (make (this|it|things) (better|right|up to you)|fix this|make it up to you|do better)", REPAIR).b(B::NEG).s(Severity::Info),
    r("what can i do to (make (it|this|things) (up to you|right|better)|fix)", REPAIR).b(B::NEG).s(Severity::Info),
    r("please? forgive me", REPAIR).b(B::NEG | B::WANT).s(Severity::Info),
    r("we are (on the same (team|side)|in this together|a team)", REPAIR).b(B::NEG).s(Severity::Info),
    r("(this is|it is) (our|a shared) problem", REPAIR).b(B::NEG).s(Severity::Info),
    r("i want (to (understand|fix this|make this right|make it right|work on this|hear you|do better|get this right|work this out|be gentler|be kinder|listen)|us to (be ok|work|figure|get through|be on the same))", REPAIR).b(B::NEG).s(Severity::Info),
    r("please (be (gentle|gentler|kind|kinder|patient) with me|say (that|it) (more gently|again more kindly|differently|another way)|slow down|help me (calm down|understand)|do not (withdraw|shut me out|go)|let us not fight)", REPAIR).b(B::NEG).s(Severity::Info),
    r("(can|could|would) you please? (say|put) (that|it) (more gently|differently|another way|in a (different|gentler|kinder) way)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i will (do better|work on (it|that|this|myself|my temper)|try harder|make it up to you|fix it|be more careful|pay more attention|listen better)", REPAIR).b(B::NEG | B::SUB).s(Severity::Info),
    r("thank you for (listening|hearing me out?|being patient|your patience|being so patient|bearing with me|forgiving me|giving me (space|time|a chance)|waiting|staying|not giving up|coming back)", REPAIR).b(B::NEG).s(Severity::Info),
    r("(stop action|time out|timeout|pause button|hit the brakes|truce|olive branch|peace offering)", REPAIR).b(B::NEG | B::WANT).s(Severity::Info),
    r("i still? love you ,? (and|even when|even if|no matter)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i do not want to (fight|argue|hurt you|lose you over this)", REPAIR).b(B::NEG).s(Severity::Info),
    r("i (might|could|may) be wrong", REPAIR).b(B::NEG).s(Severity::Info),
    r("hang in there", REPAIR).b(B::NEG).s(Severity::Info),
    r("(we are getting off track|we are going in circles|this is getting (out of hand|heated|too heated)|this is not (helping|working))", REPAIR).b(B::NEG).s(Severity::Info),
    // issue 16: pauses, trying again, part of the blame, without the stock phrases
    r("(can|could|may|should) (we|i) (take|have|get) (a|a quick|a short|some|a little)? (break|pause|breather|time out|minute|moment|second|step back)|(can|could|may) i (try|say) (that|this|it)? (again|over)|let me (try|say) (that|this|it)? again|i (was|am|have been) (partly|partially|also|a bit|kind of|somewhat)? (to blame|responsible|part of the problem)|i (played|had|have) a (part|role) in", REPAIR)
        .b(B::NEG).s(Severity::Info),
    // ---------------------------------------------------------------- validation
    r("you (seem|look|sound|seemed|looked|sounded) (so|really|very|a bit|a little|kind of|pretty|quite)? (sad|upset|hurt|tired|stressed|worried|frustrated|overwhelmed|lonely|down|anxious|disappointed|scared|exhausted|discouraged|nervous|worn out|sad today|troubled)", VALID)
        .b(B::NEG | B::SUB).f(F::YN).s(Severity::Info),
    r("(it is|it would be|that is) (completely|totally|so|perfectly|very)? (understandable|natural|normal|okay|ok|fine|human) (to feel|that you (feel|felt|are|were)|you (feel|felt|are|were))|(did|do|have) i (get|understand|hear|got) (that|it|you|this|everything) (right|correctly)|(am i|is that) (understanding|hearing) (you|that|it)? (right|correctly)", VALID)
        .b(B::NEG).s(Severity::Info),
    r("(that|it|this|your (reaction|feeling|feelings|point|frustration|anger|worry|concern)) (totally|really|completely|absolutely|all|now|actually|honestly|fully)? (makes|make) (total|complete|a lot of|so much|perfect|a ton of)? sense", VALID)
        .b(B::NEG).a(A::TO).s(Severity::Info),
    r("i (can|totally|completely|really|fully|definitely|do)* (see|understand|get|hear) (why|how (you|that|this|much|hard)|where you are coming from|what you mean|what you are saying|that you (are|were|feel|felt)|your point|your side|your perspective|you (are|were) (upset|hurt|angry|frustrated|tired|worried|scared|sad|stressed|overwhelmed|disappointed|annoyed|exhausted)|you feel|you felt|that (this|it) (hurt|upset|was hard|is hard|matters)|how much (this|that|it) (matters|hurt))", VALID)
        .b(B::NEG).s(Severity::Info),
    r("i (totally|really|completely|do)? (hear|get|understand) you", VALID).b(B::NEG).a(A::OBJ).s(Severity::Info),
    r("(it|that)? sounds like (work|things|today|this week|your day|your boss|it|everything) (has been|have been|was|is|were)", VALID).b(B::NEG).s(Severity::Info),
    r("(it|that)? sounds like (you|it (was|has been|is) (really|so)? (hard|rough|tough|a lot|awful|stressful|lonely|painful|exhausting|frustrating|overwhelming|scary))", VALID)
        .b(B::NEG).s(Severity::Info),
    r("so (what)? you are saying", VALID).b(B::NEG).a(A::QEND).s(Severity::Info),
    r("(what i am hearing|what i hear|what i heard|what i am getting|what i understand) (is|you say|you saying|from you)", VALID).b(B::NEG).s(Severity::Info),
    r("if i (understand|understood|heard|hear|got|get|follow) (you|it|that|this|what you are saying) (right|correctly)", VALID).b(B::NEG).s(Severity::Info),
    r("let me (make sure|see if|check if|check that) i (understand|understood|got|get|heard|hear|follow)", VALID).b(B::NEG).s(Severity::Info),
    r("you (are|were) (so|totally|completely|absolutely|actually|probably|kind of|partly)? right", VALID)
        .b(B::NEG | B::SUB | B::IAM | B::FEEL).a(A::PLACE | A::TO).f(F::NOQ).s(Severity::Info),
    r("you (have|make|made|raise|raised) (a|some)? (good|fair|valid|great|real|strong)? (point|points)", VALID).b(B::NEG | B::SUB).s(Severity::Info),
    r("(that is|it is|this is) (a|such a|a really)? (good|fair|valid|great|reasonable) (point|question|concern|ask)", VALID).b(B::NEG).s(Severity::Info),
    r("(that is|it is|that was|that seems|that sounds) (totally|completely|really|so|very|absolutely|perfectly)? (fair|understandable|valid|reasonable|legit|legitimate|fair enough)", VALID)
        .b(B::NEG).a(A::TO).f(F::NOQ).s(Severity::Info),
    r("i see (your point|what you mean|what you are saying|it now|that now|where you are coming from|how that|how this|how it|why)", VALID).b(B::NEG).s(Severity::Info),
    r("of course you (are|feel|felt|were|would be|would feel) (so|really|a bit|a little)? (upset|hurt|angry|mad|tired|frustrated|sad|worried|scared|exhausted|disappointed|annoyed|overwhelmed|stressed|anxious|nervous|confused|lonely|jealous|sick of it|fed up)", VALID)
        .b(B::NEG).s(Severity::Info),
    r("no wonder you (are|feel|felt|were|got|get)", VALID).b(B::NEG).s(Severity::Info),
    r("(that|it|this) (must|would|could|might) have? (be|been|feel|felt) (so|really|very|incredibly|pretty|such a|a)? (hard|awful|painful|lonely|frustrating|scary|exhausting|difficult|rough|tough|horrible|terrible|overwhelming|hurtful|upsetting|stressful|draining|infuriating|confusing|disappointing|maddening|lot|heartbreaking|embarrassing|unfair)", VALID)
        .b(B::NEG).s(Severity::Info),
    r("(that|this|it) (sounds|sounded) (so|really|very|incredibly|pretty|super|awfully)? (hard|awful|painful|lonely|frustrating|scary|exhausting|difficult|rough|tough|horrible|terrible|overwhelming|hurtful|upsetting|stressful|draining|infuriating|confusing|disappointing|maddening|heartbreaking|embarrassing|like a lot|unfair)", VALID)
        .b(B::NEG).s(Severity::Info),
    r("i would (feel|be|have felt|have been) (the same|that way|exactly the same|upset|hurt|angry|frustrated|mad|annoyed|sad|worried|scared|furious) (too|as well|in your (shoes|position|place))", VALID).b(B::NEG).s(Severity::Info),
    r("i would (feel|have felt) the same", VALID).b(B::NEG).s(Severity::Info),
    r("your (feelings|reaction|frustration|anger|worry|concern|hurt|fear|sadness) (are|is|make|makes|matter|matters) (completely|totally|so|really)? (valid|understandable|sense|fair|important|legit|real)?", VALID).b(B::NEG).s(Severity::Info),
    r("you have (every|a|all the) right to (feel|be)", VALID).b(B::NEG).s(Severity::Info),
    r("i can? imagine (you|that|how|it|this)", VALID).b(B::NEG).s(Severity::Info),
    r("i can tell (you (are|were|feel)|this|that|how)", VALID).b(B::NEG).s(Severity::Info),
    r("thank you for (telling|sharing|explaining|being honest|opening up|saying that|letting me know|trusting me)", VALID).b(B::NEG).s(Severity::Info),
    r("i understand (\\.|!|,|$|now|completely|totally)", VALID).b(B::NEG).s(Severity::Info),
    r("i am (listening|here (for you|to listen|with you))", VALID).b(B::NEG).s(Severity::Info),
    r("i hear (that|what) you", VALID).b(B::NEG).s(Severity::Info),
    r("you are not (wrong|crazy|overreacting|being (dramatic|unreasonable)) (to|for)", VALID).b(B::NEG).s(Severity::Info),
    r("i get (it|that|why|how) (\\.|!|,|$|now|completely|totally|and|though|you)", VALID).b(B::NEG | B::WANT).s(Severity::Info),
    r("(is there more|tell me more|say more|what else (is there|is on your mind)|help me (understand|see (what|where|how|why))|explain more|(how|what) can i (do to)? (help|support) (you)? (feel better)?)", VALID).b(B::NEG).s(Severity::Info),
    r("is that right \\?", VALID).b(B::NEG).s(Severity::Info),
    r("i am so? (sorry|sad) (that (happened|you went through|you had to|you are going through|you feel|you felt|hurt|it was)|you (went through|had to|are going through|feel (that way|hurt|alone))|to hear that)", VALID).b(B::NEG).s(Severity::Info),
    r("you are (allowed|entitled) to (feel|be)", VALID).b(B::NEG).s(Severity::Info),
];

// ---- word lists ---------------------------------------------------------------------------

static LISTS: &[(&str, &str)] = &[
    (
        "INT",
        "(just|being|really|truly|so|such|incredibly|unbelievably|completely|totally|too|always|constantly|ever|the|a|an|acting|bloody|fucking|freaking|damn|pretty|honestly|seriously|literally|very|extremely|still|becoming|getting|kind of|sort of|quite|biggest|one|most|more|such a|such an|absolutely|utterly|downright|plain|simply|being so|acting so)",
    ),
    (
        "TRAIT",
        "(selfish|lazy|inconsiderate|careless|irresponsible|thoughtless|immature|childish|unreliable|insensitive|self-centered|self-absorbed|self-obsessed|ungrateful|spoiled|spoilt|stubborn|arrogant|controlling|needy|clingy|heartless|cruel|mean|rude|disrespectful|dishonest|manipulative|untrustworthy|sloppy|negligent|hopeless|impossible|unbearable|insufferable|paranoid|jealous|possessive|dramatic|hysterical|irrational|unreasonable|clueless|oblivious|incompetent|cheap|stingy|greedy|vain|shallow|fake|two-faced|passive-aggressive|boring|uptight|cold-hearted|neglectful|unfaithful|hypocritical|narcissistic|entitled|demanding|bossy|judgmental|difficult|annoying|toxic|ridiculous|flaky|forgetful|disorganized|unsupportive|unromantic|uncaring|moody|grumpy|petty|cowardly|spineless|gutless|self-righteous|condescending|patronizing|smug|messy|liar|hypocrite|cheat|cheater|nag|narcissist|workaholic|slacker|control freak|people pleaser|a mess \
          |(terrible|horrible|lousy|awful|bad|selfish|lazy|crappy|shitty|useless) (person|partner|husband|wife|father|mother|dad|mom|parent|listener|boyfriend|girlfriend|friend|communicator|influence))",
    ),
    (
        "CINT",
        "(just|such|so|really|being|acting like|behaving like|truly|completely|totally|absolutely|fucking|freaking|literally|honestly|seriously|a|an|the|biggest|complete|total|absolute|real|little|big|stupid|lazy|selfish|useless|worthless|pathetic|lying|spoiled|fat|ugly|sad|sorry|pitiful|grown|like a|like an|nothing but|such a|such an)",
    ),
    (
        "INSULT",
        "(idiot|idiotic|moron|moronic|dumb|stupid|pathetic|disgusting|worthless|brainless|loser|joke|clown|jerk|child|baby|brat|slob|pig|coward|failure|disgrace|embarrassment|psycho|lunatic|freak|fool|imbecile|dumbass|ass|asshole|bitch|bastard|dick|prick|waste of (space|time|oxygen|skin)|piece of (work|crap|shit|garbage|trash)|drama queen|princess|buffoon|animal|disappointment|nightmare|unbelievable|crazy|insane|delusional|nuts|unhinged|gross|parasite|leech|mooch|sad excuse|excuse for a (man|woman|husband|wife|partner|human|person)|sorry excuse|useless|good-for-nothing|good for nothing|lame|pitiful|laughable|disaster|dense|halfwit|dimwit|airhead|nitwit|twit|numbskull|bonehead|trash|garbage|ugly|fat)",
    ),
    (
        "FAUX",
        "(abandoned|attacked|belittled|betrayed|blamed|bullied|cheated on|coerced|cornered|criticized|disrespected|dismissed|dumped on|ignored|insulted|interrupted|intimidated|invalidated|invisible|judged|left out|let down|manipulated|misunderstood|neglected|overlooked|patronized|pressured|provoked|put down|rejected|taken for granted|unappreciated|unheard|unseen|unloved|unwanted|unsupported|unvalued|undervalued|unimportant|used|victimized|violated|wronged|controlled|smothered|guilt-tripped|gaslit|gaslighted|lied to|pushed away|shut out|brushed off|blown off|second-guessed|micromanaged|nagged|unnoticed|uncared for|disregarded|sidelined|excluded|deceived|tricked|cheated|condescended to|talked down to|mocked|ridiculed|humiliated|threatened|trapped|suffocated|devalued|discounted|forgotten|replaced|deprioritized|unprioritized|ditched|stood up|exploited|played|unwelcome|unsafe around you|like an option)",
    ),
    (
        "FAUXS",
        "(taken for granted|unappreciated|ignored|neglected|disrespected|manipulated|invalidated|patronized|belittled|abandoned|unheard|unloved|unwanted|gaslit|gaslighted|micromanaged|guilt-tripped|dismissed|undervalued|overlooked|sidelined|treated like (a|an|your) _)",
    ),
    (
        "FINT",
        "(so|really|very|a bit|a little|a little bit|kind of|pretty|quite|super|incredibly|deeply|just|honestly|rather|somewhat|more|too|also|still|getting|genuinely|truly|sometimes|often|a lot|increasingly|extremely|and|,|or|a tad|slightly|actually|seriously|starting to get|starting to feel|beginning to feel|feeling|really really|so so)",
    ),
    (
        "FEEL",
        "(sad|lonely|alone|hurt|scared|afraid|frightened|terrified|anxious|worried|nervous|frustrated|angry|mad|upset|overwhelmed|exhausted|tired|drained|worn out|disappointed|discouraged|helpless|hopeless|confused|embarrassed|ashamed|guilty|jealous|insecure|vulnerable|uneasy|tense|stressed|stressed out|irritated|annoyed|resentful|heartbroken|crushed|devastated|miserable|down|low|empty|torn|uncomfortable|unsafe|happy|glad|grateful|thankful|relieved|excited|hopeful|calm|content|peaceful|proud|moved|touched|close to you|awful|terrible|connected|disconnected|distant|safe|secure|comfortable|inspired|energized|curious|confident|amazed|joyful|delighted|optimistic|tender|warm|appreciative|homesick|bored|restless|impatient|jittery|panicky|on edge|blue|stuck|burned out|burnt out|frazzled|raw|shaky|sick to my stomach|heavy|furious|livid|irate|sore|wounded|shocked|stunned|rattled|shaken|flustered|overjoyed|thrilled|ecstatic|blessed|lucky|fulfilled|satisfied|at peace|relaxed|rested|refreshed|loved|cherished|lost|powerless|defeated|numb|fragile|sensitive|hurting|grieving|sorry for myself)",
    ),
    (
        "FEELAM",
        "(sad|lonely|hurt|scared|frightened|terrified|anxious|worried|nervous|frustrated|angry|mad|upset|overwhelmed|exhausted|drained|worn out|disappointed|discouraged|helpless|confused|embarrassed|ashamed|jealous|insecure|vulnerable|uneasy|tense|stressed|stressed out|irritated|annoyed|resentful|heartbroken|crushed|devastated|miserable|torn|uncomfortable|grateful|thankful|relieved|excited|hopeful|proud|moved|touched|bored|restless|impatient|on edge|burned out|burnt out|frazzled|shaken|rattled|furious|livid|heartsick|homesick|happy|glad|thrilled|overjoyed|petrified|panicking|panicked|freaking out|struggling|hurting|grieving|tired|blue|lost|awful|terrible)",
    ),
];

static WARM_SRC: &str = "(lol|lmao|haha|hahaha|hahah|hehe|love you|luv you|ily|jk|just kidding|kidding|teasing|xo|xoxo|xx|xxx|< 3|i love|adore|so lucky|best (husband|wife|partner|boyfriend|girlfriend)|thank you|thanks|proud of you|you are the best|cutie|sweetheart|amazing|in a good way|😂|🤣|❤|❤️|😍|😘|🥰|😊|💕|💖|💗|😋|😜|😝|😉|😀|😄|😁|☺|🙂|:\\)|;\\))";

static RET_SRC: &str = "(later|tonight|tomorrow|after (dinner|work|lunch|this|the kids|i|we)|in (an|a few|ten|twenty|thirty|_|half an) (hour|hours|minutes|mins|min)|when (i|we) have? (calmed|cooled|had|slept)|when (i am|we are) calmer|come back to|once i have|in the morning|this weekend|give me (a|some|twenty|ten|_) (minutes|min|mins|time|hour)|need (a|some) (time|break|space|minute|moment|breather))";

static POS_SRC: &str = "(laugh|laughing|smile|smiling|happy|happier|love|loved|lovely|safe|special|best|great|amazing|wonderful|beautiful|gorgeous|cute|sweet|kind|thoughtful|proud|grateful|thankful|lucky|blessed|fun|funny|hilarious|awesome|adore|melt|heart|butterflies|think of you|miss you|glad|joy|perfect|brighten|cheer)";

static NEG_SRC: &str = "(not|never|no|nothing|without|stop|hardly|barely|anymore|late|ignore|ignores|ignored|forget|forgot|leave|left|ruin|ruined|complain|criticize|nag|yell|fight|argue|angry|mad|upset|sad|hurt|defensive|phone|alone)";

/// Words whose first appearance in an absolute finding names it in the explanation.
pub(crate) static ABS_WORDS: &[&str] = &[
    "always",
    "never",
    "constantly",
    "forever",
    "continually",
    "perpetually",
    "nothing",
    "everything",
    "anything",
    "ever",
    "nobody",
    "every",
    "all",
    "once",
    "24",
    "again",
    "over",
];

// ---- building -----------------------------------------------------------------------------

pub(crate) struct Compiled {
    pub seq: Vec<Elem>,
}

pub(crate) struct Ctx {
    pub bit: u32,
    pub anchor: Anchor,
    pub seq: Vec<Elem>,
    /// Where a match can start (a cheap pre-check before running the matcher).
    pub first: FirstSet,
    /// The most tokens a match can span (bounds the start positions of an end-anchored match).
    pub max_len: usize,
}

/// A pattern searched for anywhere in a window, with its first-token pre-check.
pub(crate) struct Pat {
    pub seq: Vec<Elem>,
    pub first: FirstSet,
}

/// A set of rules as bits, by rule index.
pub(crate) type RuleSet = [u64; 4];

fn set_bit(s: &mut RuleSet, i: usize) {
    s[i / 64] |= 1 << (i % 64);
}

/// Token id → rule set, with storage only for the ids that have rules (most have none):
/// `ix[id]` indexes `sets`, where entry 0 is the empty set.
pub(crate) struct SetTable {
    ix: Vec<u32>,
    sets: Vec<RuleSet>,
}

impl SetTable {
    fn new(nv: usize) -> SetTable {
        SetTable {
            ix: vec![0; nv],
            sets: vec![[0; 4]],
        }
    }

    fn add(&mut self, id: u32, rule: usize) {
        let id = id as usize;
        if self.ix[id] == 0 {
            self.sets.push([0; 4]);
            self.ix[id] = (self.sets.len() - 1) as u32;
        }
        set_bit(&mut self.sets[self.ix[id] as usize], rule);
    }

    /// The rules for a token id (`UNKNOWN` must be filtered out by the caller).
    #[inline]
    pub fn get(&self, id: u32) -> &RuleSet {
        &self.sets[self.ix[id as usize] as usize]
    }

    /// The rules for a token id, or `None` when it has none (most ids): one load decides,
    /// without reading the (empty) set.
    #[inline(always)]
    pub fn get_some(&self, id: u32) -> Option<&RuleSet> {
        match self.ix[id as usize] {
            0 => None,
            k => Some(&self.sets[k as usize]),
        }
    }
}

/// Token id → the rules whose signature in each slot holds it: the [`SIGS`] slots' tables in
/// one, so the per-token pass that finds a sentence's viable rules reads one index entry (and
/// nothing more for a word no signature names) instead of one per slot.
pub(crate) struct SigTable {
    ix: Vec<u32>,
    sets: Vec<[RuleSet; SIGS]>,
}

impl SigTable {
    fn new(slots: &[SetTable; SIGS]) -> SigTable {
        let nv = slots[0].ix.len();
        let mut t = SigTable {
            ix: vec![0; nv],
            sets: vec![[[0; 4]; SIGS]],
        };
        for id in 0..nv {
            if slots.iter().any(|s| s.ix[id] != 0) {
                t.ix[id] = t.sets.len() as u32;
                t.sets
                    .push(std::array::from_fn(|k| *slots[k].get(id as u32)));
            }
        }
        t
    }

    /// Per slot, the rules whose signature there holds this id; `None` when no signature
    /// does (`UNKNOWN` must be filtered out by the caller).
    #[inline(always)]
    pub fn get(&self, id: u32) -> Option<&[RuleSet; SIGS]> {
        match self.ix[id as usize] {
            0 => None,
            k => Some(&self.sets[k as usize]),
        }
    }
}

pub(crate) struct Matchers {
    pub vocab: Vocab,
    pub rules: Vec<Compiled>,
    /// Token id → rules that may start with it.
    pub by_first: SetTable,
    /// Rules that may start at any token.
    pub wild: RuleSet,
    /// (first id, next id) → rules whose match may start with these two tokens.
    pub pair: KeySets,
    /// First id → rules whose match may be that one token or go on with any token.
    pub pair_wild: SetTable,
    /// Rules that put no condition on the token after their start.
    pub second_any: RuleSet,
    /// (first, second, third id) → rules whose match may start with these three tokens.
    pub triple: KeySets,
    /// Rules whose third token is not indexed in [`Matchers::triple`] (a match may be shorter,
    /// or any token may fill one of the three places, or there are too many prefixes).
    pub third_any: RuleSet,
    /// Per signature slot: token id → rules whose signature in that slot contains it. A rule
    /// can match in a sentence only when, in every slot, one of the sentence's tokens names it
    /// (or it has no signature there).
    pub by_sig: SigTable,
    /// Token id → its text's hash as a learned-layer word feature ([`crate::model::word_hashes`]).
    pub word_hash: Vec<u32>,
    /// Per signature slot: rules with no signature there (viable as far as that slot goes).
    pub no_sig: [RuleSet; SIGS],
    pub before: Vec<Ctx>,
    pub after: Vec<Ctx>,
    pub warm: Pat,
    pub ret: Pat,
    pub pos: Pat,
    pub neg: Pat,
    /// Rules that emit a problem kind (or may add blame): the only ones a rewrite check needs.
    pub problem: RuleSet,
    pub abs_words: Vec<u32>,
    /// Token id → 1 for an I word, 2 for a we word, 3 for a you word, 0 otherwise.
    pub pronoun: Vec<u8>,
    /// Normalised closing sentences of rewrite templates in which no problem rule's pattern
    /// matches (proven in [`build`]), so a rewrite check can skip matching there.
    pub clean_tails: Vec<String>,
}

/// The key of three token ids in [`Matchers::triple`] (ids are below 2^21).
#[inline]
pub(crate) fn triple_key(a: u32, b: u32, c: u32) -> u64 {
    (a as u64) << 42 | (b as u64) << 21 | c as u64
}

/// The key of a pair of token ids in [`Matchers::pair`].
#[inline]
pub(crate) fn pair_key(a: u32, b: u32) -> u64 {
    (a as u64) << 32 | b as u64
}

/// Signature slots per rule: each a different required element of its pattern.
pub(crate) const SIGS: usize = 3;

/// Key (a pair or triple of token ids) → rule set, looked up at most twice per token the
/// matcher visits: an integer-keyed [`KeyTable`] to the index of the set.
pub(crate) struct KeySets {
    index: KeyTable,
    sets: Vec<RuleSet>,
}

impl KeySets {
    /// The rules listed with `key`, if any.
    #[inline(always)]
    pub fn get(&self, key: u64) -> Option<&RuleSet> {
        self.index.get(key).map(|i| &self.sets[i as usize])
    }
}

/// Key → the set of rules listed with it.
fn set_map(mut keyed: Vec<(u64, usize)>) -> KeySets {
    keyed.sort_unstable();
    let mut keys = Vec::new();
    let mut sets = Vec::new();
    for group in keyed.chunk_by(|x, y| x.0 == y.0) {
        let mut set: RuleSet = [0; 4];
        group.iter().for_each(|&(_, i)| set_bit(&mut set, i));
        keys.push((group[0].0, sets.len() as u32));
        sets.push(set);
    }
    KeySets {
        index: KeyTable::new(keys.into_iter()),
        sets,
    }
}

pub(crate) fn rules() -> &'static [Rule] {
    RULES
}

pub(crate) fn build() -> Matchers {
    let mut vocab = Vocab::default();
    let mut c = Compiler {
        vocab: &mut vocab,
        lists: Default::default(),
    };
    for (name, src) in LISTS {
        c.define(name, src);
    }
    let compiled: Vec<Compiled> = RULES
        .iter()
        .map(|r| Compiled {
            seq: tok::index_seq(c.compile(r.pat)),
        })
        .collect();
    let ctx = |c: &mut Compiler<'_>, list: &[(u32, Anchor, &str)]| -> Vec<Ctx> {
        list.iter()
            .map(|(bit, anchor, src)| {
                let seq = tok::index_seq(c.compile(src));
                Ctx {
                    bit: *bit,
                    anchor: *anchor,
                    max_len: tok::max_len(&seq),
                    first: FirstSet::any(),
                    seq,
                }
            })
            .collect()
    };
    let before = ctx(&mut c, BEFORE);
    let after = ctx(&mut c, AFTER);
    let warm = c.compile(WARM_SRC);
    let ret = c.compile(RET_SRC);
    let pos = c.compile(POS_SRC);
    let neg = c.compile(NEG_SRC);
    let ids = |c: &mut Compiler<'_>, ws: &[&str]| -> Vec<u32> {
        let mut v: Vec<u32> = ws.iter().map(|w| c.vocab.intern(w)).collect();
        v.sort_unstable();
        v
    };
    let abs_words = ids(&mut c, ABS_WORDS);
    let pronoun_i = ids(&mut c, &["i", "me", "my", "mine", "myself"]);
    let pronoun_we = ids(&mut c, &["we", "us", "our", "ours", "ourselves"]);
    let pronoun_you = ids(
        &mut c,
        &["you", "your", "yours", "yourself", "yourselves", "ya"],
    );
    drop(c);
    vocab.seal();
    let nv = vocab.len();
    let mut before = before;
    let mut after = after;
    for c in before.iter_mut().chain(after.iter_mut()) {
        c.first = FirstSet::new(&c.seq, nv);
    }
    let pat = |seq: Vec<Elem>| Pat {
        first: FirstSet::new(&seq, nv),
        seq,
    };
    let (warm, ret, pos, neg) = (pat(warm), pat(ret), pat(pos), pat(neg));
    assert!(RULES.len() <= 256, "RuleSet holds at most 256 rules");
    let mut problem: RuleSet = [0; 4];
    for (i, r) in RULES.iter().enumerate() {
        if r.kinds.iter().any(|k| k.is_problem()) || r.flags & flag::PLUS_BLAME != 0 {
            set_bit(&mut problem, i);
        }
    }
    let mut by_first = SetTable::new(nv);
    let mut wild: RuleSet = [0; 4];
    let mut pronoun = vec![0u8; nv];
    for (class, ids) in [(3, &pronoun_you), (2, &pronoun_we), (1, &pronoun_i)] {
        ids.iter().for_each(|&id| pronoun[id as usize] = class);
    }
    let mut pairs: Vec<(u64, usize)> = Vec::new();
    let mut pair_wild = SetTable::new(nv);
    let mut second_any: RuleSet = [0; 4];
    let mut triples: Vec<(u64, usize)> = Vec::new();
    let mut third_any: RuleSet = [0; 4];
    assert!(nv < 1 << 21, "triple keys hold 21-bit token ids");
    let mut by_sig: [SetTable; SIGS] = std::array::from_fn(|_| SetTable::new(nv));
    let mut no_sig: [RuleSet; SIGS] = [[0; 4]; SIGS];
    let mut ids = Vec::new();
    let common = tok::common_ids(&vocab);
    for (i, r) in compiled.iter().enumerate() {
        ids.clear();
        if tok::first(&r.seq, &mut ids) {
            for &id in &ids {
                by_first.add(id, i);
            }
        } else {
            set_bit(&mut wild, i);
        }
        let p2 = tok::first2(&r.seq);
        // three tokens are worth indexing only when every match has two known ones first
        let two_known = p2.as_ref().is_some_and(|ps| {
            ps.iter()
                .all(|p| p.0 == 2 && p.1 != tok::WILD && p.2 != tok::WILD)
        });
        match p2 {
            Some(ps) if ps.iter().all(|p| p.0 == 0 || p.1 != tok::WILD) => {
                for (len, a, b) in ps {
                    match len {
                        // an empty match never fires
                        0 => {}
                        1 => pair_wild.add(a, i),
                        _ if b == tok::WILD => pair_wild.add(a, i),
                        _ => pairs.push((pair_key(a, b), i)),
                    }
                }
            }
            _ => set_bit(&mut second_any, i),
        }
        match two_known.then(|| tok::first3(&r.seq)).flatten() {
            Some(ps) if ps.iter().all(|p| p.0 == 3 && !p.1.contains(&tok::WILD)) => {
                ps.iter()
                    .for_each(|p| triples.push((triple_key(p.1[0], p.1[1], p.1[2]), i)));
            }
            _ => set_bit(&mut third_any, i),
        }
        let sigs = tok::signatures(&r.seq, &common, SIGS);
        for slot in 0..SIGS {
            match sigs.get(slot) {
                Some(sig) => sig.iter().for_each(|&id| by_sig[slot].add(id, i)),
                None => set_bit(&mut no_sig[slot], i),
            }
        }
    }
    let pair = set_map(pairs);
    let triple = set_map(triples);
    let mut m = Matchers {
        vocab,
        rules: compiled,
        by_first,
        wild,
        pair,
        pair_wild,
        second_any,
        triple,
        third_any,
        by_sig: SigTable::new(&by_sig),
        word_hash: Vec::new(),
        no_sig,
        before,
        after,
        warm,
        ret,
        pos,
        neg,
        problem,
        abs_words,
        pronoun,
        clean_tails: Vec::new(),
    };
    m.word_hash = crate::model::word_hashes(&m.vocab);
    m.clean_tails = crate::rewrite::TAILS
        .iter()
        .map(|t| crate::norm::Norm::new(t).text)
        .filter(|t| tail_is_clean(&m, t))
        .collect();
    m
}

/// `true` when no problem rule's pattern matches anywhere in `tail` as the sentence after
/// another one. A match depends only on the tokens of its own sentence, on where that
/// sentence starts (the end test looks one token back) and ends, and every guard can only
/// veto it; the "x. " prefix reproduces the start, and the sentence is the last one.
fn tail_is_clean(m: &Matchers, tail: &str) -> bool {
    let src = format!("x. {tail}");
    let t = tok::tokenize(&src, &m.vocab);
    let [_, s] = t.sents[..] else {
        return false;
    };
    if t.toks[s.a as usize].s != 3 {
        return false;
    }
    let mm = tok::M {
        toks: &t.toks,
        limit: s.b as usize,
    };
    m.problem.iter().enumerate().all(|(w, &word)| {
        (0..64).filter(|b| word >> b & 1 == 1).all(|b| {
            (s.a as usize..s.b as usize)
                .all(|i| mm.at(&m.rules[w * 64 + b].seq, i).is_none_or(|j| j <= i))
        })
    })
}

pub(crate) static MATCHERS: LazyLock<Matchers> = LazyLock::new(build);

pub(crate) fn warm_up() {
    LazyLock::force(&MATCHERS);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tail that loses its proof is still handled correctly, only slower: catch that here.
    #[test]
    fn every_template_tail_is_proven_clean() {
        assert_eq!(MATCHERS.clean_tails.len(), crate::rewrite::TAILS.len());
    }

    /// The proof does reject a tail in which a problem rule matches.
    #[test]
    fn a_blaming_tail_is_not_proven() {
        assert!(!tail_is_clean(&MATCHERS, "you never help with the dishes."));
    }
}
