//! The talk room's rules: a talk is a log of events, and its state is what those
//! events add up to. A command from a partner is checked against that state
//! (`Talk::decide`) and, when allowed, becomes one or more events
//! (`Talk::apply`). Nothing here reads a clock: `now` is passed in.
//!
//! The structure is PREP's speaker-listener technique: one partner holds the
//! floor; the other paraphrases; only a paraphrase the speaker confirms lets the
//! floor pass. Either partner may call a time-out of at least 20 minutes (and at
//! most 24 hours to the agreed return), which the other cannot cancel.

use serde::{Deserialize, Serialize};

pub const MINUTE_MS: i64 = 60_000;
/// The shortest break: flooding takes about this long to settle.
pub const MIN_TIME_OUT_MINUTES: i64 = 20;
/// A break never runs past this: the return must be agreed within a day.
pub const MAX_RETURN_MS: i64 = 24 * 60 * MINUTE_MS;
/// How early before its time a scheduled talk can be opened.
pub const OPEN_EARLY_MS: i64 = 15 * MINUTE_MS;
/// The longest text a statement, paraphrase, question or correction may have.
pub const MAX_TEXT: usize = 2000;
pub const MAX_TOPIC: usize = 200;
pub const MAX_PROPOSED_TIMES: usize = 5;
/// Lengths a couple may choose for a talk, in minutes.
pub const LENGTHS: [u32; 4] = [20, 30, 45, 60];
/// Gentle per-turn timers a couple may choose for a talk held aloud, in minutes.
pub const TURN_LENGTHS: [u32; 4] = [2, 3, 5, 8];

/// How the two hold the talk: typed on their phones (the default), or aloud in
/// one room, with one phone passed across like PREP's floor card or one phone each.
/// Held aloud, the log records turns and confirmations, never words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Typed,
    /// Aloud, one phone between the two, passed across.
    OnePhone,
    /// Aloud, each on their own phone, kept in step.
    TwoPhones,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Typed => "typed",
            Mode::OnePhone => "one_phone",
            Mode::TwoPhones => "two_phones",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Mode::Typed, Mode::OnePhone, Mode::TwoPhones]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    pub fn is_aloud(self) -> bool {
        self != Mode::Typed
    }

    pub fn is_typed(&self) -> bool {
        *self == Mode::Typed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Asked for; the times are not agreed yet.
    Requested,
    /// A time is agreed.
    Scheduled,
    /// The room is open; the partners arrive and pledge their attention.
    Arriving,
    Live,
    TimeOut,
    Ended,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Requested => "requested",
            Phase::Scheduled => "scheduled",
            Phase::Arriving => "arriving",
            Phase::Live => "live",
            Phase::TimeOut => "time_out",
            Phase::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Phase::Requested,
            Phase::Scheduled,
            Phase::Arriving,
            Phase::Live,
            Phase::TimeOut,
            Phase::Ended,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

crate::stored::try_from_stored!(Phase, "talk phase");

/// What is stored: one fact about the talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Requested {
        topic: String,
        times: Vec<i64>,
        length_min: Option<u32>,
        with: String,
        /// Absent in typed talks (and in every talk from before talks aloud).
        #[serde(default, skip_serializing_if = "Mode::is_typed")]
        mode: Mode,
        /// The gentle per-turn timer of a talk held aloud, in minutes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn_min: Option<u32>,
    },
    Proposed {
        times: Vec<i64>,
    },
    Scheduled {
        at: i64,
    },
    Opened,
    Arrived,
    Pledged,
    Began {
        floor: String,
    },
    Statement {
        text: String,
        harsh: bool,
    },
    Paraphrase {
        text: String,
    },
    Confirmed {
        listener: String,
    },
    NotQuite {
        text: String,
    },
    Question {
        text: String,
    },
    /// Aloud: the speaker said their piece (the words stay in the room).
    Spoke,
    /// Aloud: the listener said back what they heard.
    SaidBack,
    /// Aloud: one of the author's private one-line notes, which they chose to
    /// share with their partner (a private note never enters the log).
    NoteShared {
        text: String,
    },
    FloorAsked,
    FloorDeclined,
    FloorPassed {
        to: String,
    },
    TimeOut {
        minutes: i64,
        min_until: i64,
        return_at: i64,
        resume: Phase,
    },
    Back,
    Resumed,
    Ended,
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Requested { .. } => "requested",
            Event::Proposed { .. } => "proposed",
            Event::Scheduled { .. } => "scheduled",
            Event::Opened => "opened",
            Event::Arrived => "arrived",
            Event::Pledged => "pledged",
            Event::Began { .. } => "began",
            Event::Statement { .. } => "statement",
            Event::Paraphrase { .. } => "paraphrase",
            Event::Confirmed { .. } => "confirmed",
            Event::NotQuite { .. } => "not_quite",
            Event::Question { .. } => "question",
            Event::Spoke => "spoke",
            Event::SaidBack => "said_back",
            Event::NoteShared { .. } => "note_shared",
            Event::FloorAsked => "floor_asked",
            Event::FloorDeclined => "floor_declined",
            Event::FloorPassed { .. } => "floor_passed",
            Event::TimeOut { .. } => "time_out",
            Event::Back => "back",
            Event::Resumed => "resumed",
            Event::Ended => "ended",
        }
    }
}

/// A stored event with its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub seq: i64,
    pub at: i64,
    /// Who caused it.
    pub by: String,
    pub event: Event,
}

/// What a partner asks for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Command {
    Propose {
        times: Vec<i64>,
    },
    Accept {
        at: i64,
    },
    StartNow,
    Arrive,
    Pledge,
    /// `harsh` is never taken from a client: the server sets it from the coach.
    Statement {
        text: String,
        #[serde(skip)]
        harsh: bool,
    },
    Paraphrase {
        text: String,
    },
    Confirm,
    NotQuite {
        text: String,
    },
    Question {
        text: String,
    },
    /// Aloud, the speaker: "I've said it".
    Spoke,
    /// Aloud, the listener: "I said back what I heard".
    SaidBack,
    /// Aloud: share one of the caller's own notes (its checked text). Never
    /// read from a client: the server builds it from the author's stored note.
    #[serde(skip)]
    ShareNote {
        text: String,
    },
    HandOver,
    AskFloor,
    GrantFloor,
    DeclineFloor,
    TimeOut {
        minutes: i64,
        return_at: i64,
    },
    Back,
    End,
}

/// Why a command was refused. `code()` is stable for clients; `to_string()` is
/// a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotInPhase(Phase),
    NotAPartner,
    FloorNotYours,
    NotListening,
    NoStatement,
    ParaphrasePending,
    NoParaphrase,
    NotConfirmed,
    NoRequest,
    Empty,
    TooLong,
    TimeOutRunning,
    TimeOutTooShort(i64),
    ReturnTooLate,
    ReturnTooEarly,
    MinimumNotOver {
        minutes_left: i64,
    },
    AlreadyDone,
    RulesNotAccepted,
    NotYourTurn,
    BadTime,
    /// A typed move in a talk held aloud, or the reverse.
    WrongMode(Mode),
    /// Someone else's note: only its author may share it.
    NotYourNote,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotInPhase(_) => "not_in_phase",
            Refusal::NotAPartner => "not_a_partner",
            Refusal::FloorNotYours => "floor_not_yours",
            Refusal::NotListening => "not_listening",
            Refusal::NoStatement => "no_statement",
            Refusal::ParaphrasePending => "paraphrase_pending",
            Refusal::NoParaphrase => "no_paraphrase",
            Refusal::NotConfirmed => "not_confirmed",
            Refusal::NoRequest => "no_request",
            Refusal::Empty => "empty",
            Refusal::TooLong => "too_long",
            Refusal::TimeOutRunning => "timeout_running",
            Refusal::TimeOutTooShort(_) => "timeout_too_short",
            Refusal::ReturnTooLate => "return_too_late",
            Refusal::ReturnTooEarly => "return_too_early",
            Refusal::MinimumNotOver { .. } => "minimum_not_over",
            Refusal::AlreadyDone => "already_done",
            Refusal::RulesNotAccepted => "rules_not_accepted",
            Refusal::NotYourTurn => "not_your_turn",
            Refusal::BadTime => "bad_time",
            Refusal::WrongMode(_) => "wrong_mode",
            Refusal::NotYourNote => "not_your_note",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotInPhase(p) => write!(f, "That is not possible while the talk is {}.", phase_words(*p)),
            Refusal::NotAPartner => f.write_str("Only the two partners of this talk can take part in it."),
            Refusal::FloorNotYours => f.write_str("Only the partner holding the floor can do that."),
            Refusal::NotListening => f.write_str("That is for the listener; you hold the floor."),
            Refusal::NoStatement => f.write_str("There is no statement to paraphrase yet."),
            Refusal::ParaphrasePending => f.write_str("A paraphrase is waiting for the speaker's answer first."),
            Refusal::NoParaphrase => f.write_str("There is no paraphrase waiting for an answer."),
            Refusal::NotConfirmed => f.write_str(
                "The floor passes only after the speaker confirmed a paraphrase of their latest statement.",
            ),
            Refusal::NoRequest => f.write_str("Your partner has not asked for the floor."),
            Refusal::Empty => f.write_str("Please write something first."),
            Refusal::TooLong => write!(f, "Please keep it under {MAX_TEXT} characters; short pieces are easier to hear."),
            Refusal::TimeOutRunning => f.write_str("A time-out is running. It ends when you are both back after the break."),
            Refusal::TimeOutTooShort(min) => write!(f, "A time-out lasts at least {min} minutes."),
            Refusal::ReturnTooLate => f.write_str("Please pick a return time within the next 24 hours."),
            Refusal::ReturnTooEarly => f.write_str("The return time cannot be before the break is over."),
            Refusal::MinimumNotOver { minutes_left } => write!(
                f,
                "The break is not over yet: {minutes_left} more minute{} to let your body settle.",
                if *minutes_left == 1 { "" } else { "s" }
            ),
            Refusal::AlreadyDone => f.write_str("That is already done."),
            Refusal::RulesNotAccepted => f.write_str(
                "You both need to accept the current ground rules before a talk can begin.",
            ),
            Refusal::NotYourTurn => f.write_str("It is your partner's turn to answer the proposed times."),
            Refusal::BadTime => f.write_str("Please pick one of the proposed times, and only times that are still ahead."),
            Refusal::WrongMode(Mode::Typed) => f.write_str("This talk is typed; that is for talks held aloud."),
            Refusal::WrongMode(_) => f.write_str("This talk is held aloud: say it out loud, then tap."),
            Refusal::NotYourNote => f.write_str("Only the one who wrote a note can share it."),
        }
    }
}

impl std::error::Error for Refusal {}

fn phase_words(p: Phase) -> &'static str {
    match p {
        Phase::Requested => "waiting for a time",
        Phase::Scheduled => "scheduled",
        Phase::Arriving => "still gathering",
        Phase::Live => "under way",
        Phase::TimeOut => "paused for a time-out",
        Phase::Ended => "over",
    }
}

/// What the rules need besides the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub now: i64,
    /// Both partners accepted the couple's current ground rules.
    pub rules_accepted: bool,
    /// The couple's shortest time-out in minutes (never below 20).
    pub min_time_out: i64,
}

impl Context {
    pub fn new(now: i64) -> Self {
        Context {
            now,
            rules_accepted: true,
            min_time_out: MIN_TIME_OUT_MINUTES,
        }
    }

    fn min_minutes(&self) -> i64 {
        self.min_time_out.max(MIN_TIME_OUT_MINUTES)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeOutState {
    pub by: String,
    pub called_at: i64,
    pub min_until: i64,
    pub return_at: i64,
    pub back: Vec<String>,
    pub resume: Phase,
}

/// The talk as its events add up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Talk {
    pub requester: String,
    pub partner: String,
    pub topic: String,
    pub length_min: Option<u32>,
    pub phase: Phase,
    /// The latest proposed times and who proposed them.
    pub proposals: Vec<i64>,
    pub proposed_by: String,
    pub scheduled_at: Option<i64>,
    pub arrived: Vec<String>,
    pub pledged: Vec<String>,
    pub began_at: Option<i64>,
    pub floor: Option<String>,
    /// Seq of the speaker's latest statement since the floor last passed.
    pub latest_statement: Option<i64>,
    /// Seq of the paraphrase waiting for the speaker's answer.
    pub pending_paraphrase: Option<i64>,
    /// The latest statement's paraphrase was confirmed.
    pub confirmed: bool,
    pub floor_asked: bool,
    pub time_out: Option<TimeOutState>,
    pub ended_at: Option<i64>,
    pub last_seq: i64,
    pub mode: Mode,
    /// Aloud: the gentle per-turn timer, in minutes.
    pub turn_min: Option<u32>,
    /// When the current speaker got the floor.
    pub turn_started_at: Option<i64>,
    /// How often the floor changed hands (each change is a moment for the flooding check).
    pub floor_changes: i64,
}

impl Talk {
    /// The state after `events`, or `None` when the log does not start with a request.
    pub fn from_events(events: &[Recorded]) -> Option<Talk> {
        let (first, rest) = events.split_first()?;
        let Event::Requested {
            topic,
            times,
            length_min,
            with,
            mode,
            turn_min,
        } = &first.event
        else {
            return None;
        };
        let mut talk = Talk {
            requester: first.by.clone(),
            partner: with.clone(),
            topic: topic.clone(),
            length_min: *length_min,
            phase: Phase::Requested,
            proposals: times.clone(),
            proposed_by: first.by.clone(),
            scheduled_at: None,
            arrived: Vec::new(),
            pledged: Vec::new(),
            began_at: None,
            floor: None,
            latest_statement: None,
            pending_paraphrase: None,
            confirmed: false,
            floor_asked: false,
            time_out: None,
            ended_at: None,
            last_seq: first.seq,
            mode: *mode,
            turn_min: *turn_min,
            turn_started_at: None,
            floor_changes: 0,
        };
        for r in rest {
            talk.apply(r);
        }
        Some(talk)
    }

    /// The first event of a new typed talk, checked.
    pub fn request(
        by: &str,
        with: &str,
        topic: &str,
        times: &[i64],
        length_min: Option<u32>,
        now: i64,
    ) -> Result<Event, Refusal> {
        Talk::request_in(by, with, topic, times, length_min, Mode::Typed, None, now)
    }

    /// The first event of a new talk held in `mode`, checked. A per-turn timer
    /// is for talks held aloud only.
    #[allow(clippy::too_many_arguments)]
    pub fn request_in(
        by: &str,
        with: &str,
        topic: &str,
        times: &[i64],
        length_min: Option<u32>,
        mode: Mode,
        turn_min: Option<u32>,
        now: i64,
    ) -> Result<Event, Refusal> {
        if let Some(t) = turn_min
            && (!mode.is_aloud() || !TURN_LENGTHS.contains(&t))
        {
            return Err(Refusal::BadTime);
        }
        if by == with {
            return Err(Refusal::NotAPartner);
        }
        let topic = topic.trim();
        if topic.chars().count() > MAX_TOPIC {
            return Err(Refusal::TooLong);
        }
        if let Some(l) = length_min
            && !LENGTHS.contains(&l)
        {
            return Err(Refusal::BadTime);
        }
        Ok(Event::Requested {
            topic: topic.to_owned(),
            times: checked_times(times, now)?,
            length_min,
            with: with.to_owned(),
            mode,
            turn_min,
        })
    }

    pub fn is_partner(&self, user: &str) -> bool {
        user == self.requester || user == self.partner
    }

    pub fn other(&self, user: &str) -> &str {
        if user == self.requester {
            &self.partner
        } else {
            &self.requester
        }
    }

    pub fn listener(&self) -> Option<&str> {
        self.floor.as_deref().map(|f| self.other(f))
    }

    /// Folds one event in. Events in the log were checked when they were
    /// decided, so this never refuses.
    pub fn apply(&mut self, r: &Recorded) {
        self.last_seq = r.seq;
        match &r.event {
            Event::Requested { .. } => {}
            Event::Proposed { times } => {
                self.proposals = times.clone();
                self.proposed_by = r.by.clone();
            }
            Event::Scheduled { at } => {
                self.scheduled_at = Some(*at);
                self.phase = Phase::Scheduled;
            }
            Event::Opened => self.phase = Phase::Arriving,
            Event::Arrived => push_once(&mut self.arrived, &r.by),
            Event::Pledged => push_once(&mut self.pledged, &r.by),
            Event::Began { floor } => {
                self.phase = Phase::Live;
                self.began_at = Some(r.at);
                self.floor = Some(floor.clone());
                self.turn_started_at = Some(r.at);
            }
            Event::Statement { .. } | Event::Spoke => {
                self.latest_statement = Some(r.seq);
                self.pending_paraphrase = None;
                self.confirmed = false;
            }
            Event::Paraphrase { .. } | Event::SaidBack => self.pending_paraphrase = Some(r.seq),
            Event::Confirmed { .. } => {
                self.pending_paraphrase = None;
                self.confirmed = true;
            }
            Event::NotQuite { .. } => self.pending_paraphrase = None,
            Event::Question { .. } => {}
            Event::FloorAsked => self.floor_asked = true,
            Event::FloorDeclined => self.floor_asked = false,
            Event::FloorPassed { to } => {
                self.floor = Some(to.clone());
                self.latest_statement = None;
                self.pending_paraphrase = None;
                self.confirmed = false;
                self.floor_asked = false;
                self.turn_started_at = Some(r.at);
                self.floor_changes += 1;
            }
            Event::TimeOut {
                min_until,
                return_at,
                resume,
                ..
            } => {
                self.time_out = Some(TimeOutState {
                    by: r.by.clone(),
                    called_at: r.at,
                    min_until: *min_until,
                    return_at: *return_at,
                    back: Vec::new(),
                    resume: *resume,
                });
                self.phase = Phase::TimeOut;
            }
            Event::Back => {
                if let Some(t) = &mut self.time_out {
                    push_once(&mut t.back, &r.by);
                }
            }
            Event::Resumed => {
                if let Some(t) = self.time_out.take() {
                    self.phase = t.resume;
                }
            }
            // A shared note changes nothing on the floor.
            Event::NoteShared { .. } => {}
            Event::Ended => {
                self.phase = Phase::Ended;
                self.ended_at = Some(r.at);
                self.time_out = None;
            }
        }
    }

    /// Checks a command against the state; the events to append when allowed.
    pub fn decide(&self, by: &str, cmd: &Command, ctx: &Context) -> Result<Vec<Event>, Refusal> {
        if !self.is_partner(by) {
            return Err(Refusal::NotAPartner);
        }
        let phase = self.phase;
        let need = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(Refusal::NotInPhase(phase))
            }
        };
        match cmd {
            Command::End => {
                need(phase != Phase::Ended)?;
                return Ok(vec![Event::Ended]);
            }
            // A note may be shared during a break too.
            Command::ShareNote { text } => {
                self.may_note(by)?;
                let text = checked_note(text).map_err(|p| match p {
                    NoteProblem::Empty => Refusal::Empty,
                    NoteProblem::TooLong | NoteProblem::NotOneLine => Refusal::TooLong,
                })?;
                return Ok(vec![Event::NoteShared { text }]);
            }
            _ if phase == Phase::TimeOut && !matches!(cmd, Command::Back) => {
                return Err(Refusal::TimeOutRunning);
            }
            _ => {}
        }
        match cmd {
            Command::Propose { times } => {
                need(phase == Phase::Requested)?;
                if self.proposed_by == by {
                    return Err(Refusal::NotYourTurn);
                }
                Ok(vec![Event::Proposed {
                    times: checked_times(times, ctx.now)?,
                }])
            }
            Command::Accept { at } => {
                need(phase == Phase::Requested)?;
                if self.proposed_by == by {
                    return Err(Refusal::NotYourTurn);
                }
                if !self.proposals.contains(at) || *at < ctx.now - OPEN_EARLY_MS {
                    return Err(Refusal::BadTime);
                }
                Ok(vec![Event::Scheduled { at: *at }])
            }
            // Either partner may open the room now, the one who asked too (they may
            // be sitting together). Nobody is pulled in: the talk begins only when
            // both have arrived and promised their attention.
            Command::StartNow => match phase {
                Phase::Requested => Ok(vec![
                    Event::Scheduled { at: ctx.now },
                    Event::Opened,
                    Event::Arrived,
                ]),
                Phase::Scheduled => Ok(vec![Event::Opened, Event::Arrived]),
                _ => Err(Refusal::NotInPhase(phase)),
            },
            Command::Arrive => match phase {
                Phase::Scheduled => {
                    if self
                        .scheduled_at
                        .is_some_and(|at| ctx.now < at - OPEN_EARLY_MS)
                    {
                        return Err(Refusal::NotInPhase(phase));
                    }
                    Ok(vec![Event::Opened, Event::Arrived])
                }
                Phase::Arriving | Phase::Live if !self.arrived.iter().any(|a| a == by) => {
                    Ok(vec![Event::Arrived])
                }
                Phase::Arriving | Phase::Live => Err(Refusal::AlreadyDone),
                _ => Err(Refusal::NotInPhase(phase)),
            },
            Command::Pledge => {
                need(phase == Phase::Arriving)?;
                if self.pledged.iter().any(|p| p == by) {
                    return Err(Refusal::AlreadyDone);
                }
                if !ctx.rules_accepted {
                    return Err(Refusal::RulesNotAccepted);
                }
                let mut out = Vec::new();
                if !self.arrived.iter().any(|a| a == by) {
                    out.push(Event::Arrived);
                }
                out.push(Event::Pledged);
                if self.pledged.iter().any(|p| p == self.other(by)) {
                    out.push(Event::Began {
                        floor: self.requester.clone(),
                    });
                }
                Ok(out)
            }
            Command::Statement { text, harsh } => {
                need(phase == Phase::Live)?;
                self.must_type()?;
                self.must_speak(by)?;
                if self.pending_paraphrase.is_some() {
                    return Err(Refusal::ParaphrasePending);
                }
                Ok(vec![Event::Statement {
                    text: checked_text(text)?,
                    harsh: *harsh,
                }])
            }
            Command::Paraphrase { text } => {
                need(phase == Phase::Live)?;
                self.must_type()?;
                self.must_listen(by)?;
                if self.latest_statement.is_none() {
                    return Err(Refusal::NoStatement);
                }
                if self.pending_paraphrase.is_some() {
                    return Err(Refusal::ParaphrasePending);
                }
                if self.confirmed {
                    return Err(Refusal::AlreadyDone);
                }
                Ok(vec![Event::Paraphrase {
                    text: checked_text(text)?,
                }])
            }
            Command::Confirm => {
                need(phase == Phase::Live)?;
                self.must_speak(by)?;
                if self.pending_paraphrase.is_none() {
                    return Err(Refusal::NoParaphrase);
                }
                let listener = self.other(by).to_owned();
                if self.mode.is_aloud() {
                    // Aloud, "that's it" hands the floor over: one tap, like
                    // passing the card.
                    return Ok(vec![
                        Event::Confirmed {
                            listener: listener.clone(),
                        },
                        Event::FloorPassed { to: listener },
                    ]);
                }
                Ok(vec![Event::Confirmed { listener }])
            }
            Command::NotQuite { text } => {
                need(phase == Phase::Live)?;
                self.must_speak(by)?;
                if self.pending_paraphrase.is_none() {
                    return Err(Refusal::NoParaphrase);
                }
                // Aloud, the correction is spoken too: no words are kept.
                let text = if self.mode.is_aloud() {
                    String::new()
                } else {
                    checked_text(text)?
                };
                Ok(vec![Event::NotQuite { text }])
            }
            Command::Spoke => {
                need(phase == Phase::Live)?;
                self.must_be_aloud()?;
                self.must_speak(by)?;
                if self.latest_statement.is_some() {
                    return Err(Refusal::AlreadyDone);
                }
                Ok(vec![Event::Spoke])
            }
            Command::SaidBack => {
                need(phase == Phase::Live)?;
                self.must_be_aloud()?;
                self.must_listen(by)?;
                if self.latest_statement.is_none() {
                    return Err(Refusal::NoStatement);
                }
                if self.pending_paraphrase.is_some() {
                    return Err(Refusal::ParaphrasePending);
                }
                Ok(vec![Event::SaidBack])
            }
            Command::Question { text } => {
                need(phase == Phase::Live)?;
                self.must_type()?;
                self.must_listen(by)?;
                Ok(vec![Event::Question {
                    text: checked_text(text)?,
                }])
            }
            Command::HandOver => {
                need(phase == Phase::Live)?;
                self.must_speak(by)?;
                self.must_be_confirmed()?;
                Ok(vec![Event::FloorPassed {
                    to: self.other(by).to_owned(),
                }])
            }
            Command::AskFloor => {
                need(phase == Phase::Live)?;
                self.must_listen(by)?;
                self.must_be_confirmed()?;
                if self.floor_asked {
                    return Err(Refusal::AlreadyDone);
                }
                Ok(vec![Event::FloorAsked])
            }
            Command::GrantFloor | Command::DeclineFloor => {
                need(phase == Phase::Live)?;
                self.must_speak(by)?;
                if !self.floor_asked {
                    return Err(Refusal::NoRequest);
                }
                if matches!(cmd, Command::DeclineFloor) {
                    return Ok(vec![Event::FloorDeclined]);
                }
                self.must_be_confirmed()?;
                Ok(vec![Event::FloorPassed {
                    to: self.other(by).to_owned(),
                }])
            }
            Command::TimeOut { minutes, return_at } => {
                need(matches!(phase, Phase::Arriving | Phase::Live))?;
                let min = ctx.min_minutes();
                if *minutes < min {
                    return Err(Refusal::TimeOutTooShort(min));
                }
                let min_until = ctx.now.saturating_add(minutes.saturating_mul(MINUTE_MS));
                if *return_at > ctx.now.saturating_add(MAX_RETURN_MS)
                    || min_until > ctx.now + MAX_RETURN_MS
                {
                    return Err(Refusal::ReturnTooLate);
                }
                // A return chosen as "in N minutes" a moment ago still counts.
                if *return_at < min_until - MINUTE_MS {
                    return Err(Refusal::ReturnTooEarly);
                }
                Ok(vec![Event::TimeOut {
                    minutes: *minutes,
                    min_until,
                    return_at: (*return_at).max(min_until),
                    resume: phase,
                }])
            }
            Command::Back => {
                let Some(t) = &self.time_out else {
                    return Err(Refusal::NotInPhase(phase));
                };
                if t.back.iter().any(|b| b == by) {
                    return Err(Refusal::AlreadyDone);
                }
                if ctx.now < t.min_until {
                    let left = (t.min_until - ctx.now + MINUTE_MS - 1) / MINUTE_MS;
                    return Err(Refusal::MinimumNotOver { minutes_left: left });
                }
                let mut out = vec![Event::Back];
                if t.back.iter().any(|b| b == self.other(by)) {
                    out.push(Event::Resumed);
                }
                Ok(out)
            }
            Command::End => unreachable_end(),
            // Decided above, before the break's rule.
            Command::ShareNote { .. } => Err(Refusal::NotInPhase(phase)),
        }
    }

    fn must_type(&self) -> Result<(), Refusal> {
        if self.mode.is_aloud() {
            Err(Refusal::WrongMode(self.mode))
        } else {
            Ok(())
        }
    }

    /// Whether `by` may write (or share) a one-line note now: a partner of a
    /// talk held aloud, while it runs (live or in a break). Before the talk
    /// there is nothing to note; after it, the reflection is the place.
    pub fn may_note(&self, by: &str) -> Result<(), Refusal> {
        if !self.is_partner(by) {
            return Err(Refusal::NotAPartner);
        }
        self.must_be_aloud()?;
        if !matches!(self.phase, Phase::Live | Phase::TimeOut) {
            return Err(Refusal::NotInPhase(self.phase));
        }
        Ok(())
    }

    /// Whether `by` may share the note `author` wrote: only its author, and only
    /// while they may write notes.
    pub fn may_share_note(&self, by: &str, author: &str) -> Result<(), Refusal> {
        if by != author {
            return Err(Refusal::NotYourNote);
        }
        self.may_note(by)
    }

    fn must_be_aloud(&self) -> Result<(), Refusal> {
        if self.mode.is_aloud() {
            Ok(())
        } else {
            Err(Refusal::WrongMode(Mode::Typed))
        }
    }

    /// On one phone passed across, the phone acts for whoever holds it. A move
    /// is taken as `actor`'s only when `actor` is the signed-in person
    /// (`device_user`), or in a one-phone talk when `actor` is their partner and
    /// has promised their attention in this talk (on their own device or with
    /// their password on this phone): that promise is their yes to sharing it.
    pub fn may_act_for(&self, device_user: &str, actor: &str) -> Result<(), Refusal> {
        if !self.is_partner(device_user) || !self.is_partner(actor) {
            return Err(Refusal::NotAPartner);
        }
        if device_user == actor {
            return Ok(());
        }
        if self.mode != Mode::OnePhone {
            return Err(Refusal::WrongMode(self.mode));
        }
        if !self.pledged.iter().any(|p| p == actor) {
            return Err(Refusal::NotAPartner);
        }
        Ok(())
    }

    /// Aloud: who acts next on the floor (the phone goes to them): the speaker
    /// until they said their piece, then the listener until they said it back,
    /// then the speaker to answer.
    pub fn next_actor(&self) -> Option<&str> {
        if self.phase != Phase::Live {
            return None;
        }
        let speaker = self.floor.as_deref()?;
        if self.latest_statement.is_some() && self.pending_paraphrase.is_none() {
            Some(self.other(speaker))
        } else {
            Some(speaker)
        }
    }

    /// The moment a flooding check given now belongs to.
    pub fn calm_moment(&self) -> CalmMoment {
        match self.phase {
            Phase::Ended => CalmMoment::After,
            _ if self.floor_changes == 0 => CalmMoment::Before,
            _ => CalmMoment::Floor(self.floor_changes),
        }
    }

    fn must_speak(&self, by: &str) -> Result<(), Refusal> {
        if self.floor.as_deref() == Some(by) {
            Ok(())
        } else {
            Err(Refusal::FloorNotYours)
        }
    }

    fn must_listen(&self, by: &str) -> Result<(), Refusal> {
        if self.floor.as_deref() == Some(by) {
            Err(Refusal::NotListening)
        } else {
            Ok(())
        }
    }

    fn must_be_confirmed(&self) -> Result<(), Refusal> {
        if self.latest_statement.is_some() && self.confirmed {
            Ok(())
        } else {
            Err(Refusal::NotConfirmed)
        }
    }

    /// The commands `by` may send now, by name (for the client's buttons).
    pub fn allowed(&self, by: &str, ctx: &Context) -> Vec<&'static str> {
        let probe = [
            (
                "propose",
                Command::Propose {
                    times: vec![ctx.now + 60 * MINUTE_MS],
                },
            ),
            (
                "accept",
                Command::Accept {
                    at: self.proposals.first().copied().unwrap_or(0),
                },
            ),
            ("start_now", Command::StartNow),
            ("arrive", Command::Arrive),
            ("pledge", Command::Pledge),
            (
                "statement",
                Command::Statement {
                    text: "x".into(),
                    harsh: false,
                },
            ),
            ("paraphrase", Command::Paraphrase { text: "x".into() }),
            ("confirm", Command::Confirm),
            ("not_quite", Command::NotQuite { text: "x".into() }),
            ("question", Command::Question { text: "x".into() }),
            ("spoke", Command::Spoke),
            ("said_back", Command::SaidBack),
            ("hand_over", Command::HandOver),
            ("ask_floor", Command::AskFloor),
            ("grant_floor", Command::GrantFloor),
            ("decline_floor", Command::DeclineFloor),
            (
                "time_out",
                Command::TimeOut {
                    minutes: ctx.min_minutes(),
                    return_at: ctx.now + ctx.min_minutes() * MINUTE_MS,
                },
            ),
            ("back", Command::Back),
            ("end", Command::End),
        ];
        probe
            .into_iter()
            .filter(|(_, c)| self.decide(by, c, ctx).is_ok())
            .map(|(n, _)| n)
            .collect()
    }

    /// A plain sentence on what the talk waits for, seen by `by`.
    pub fn awaiting(&self, by: &str) -> String {
        let me_speaking = self.floor.as_deref() == Some(by);
        if self.mode.is_aloud() && self.phase == Phase::Live {
            return match () {
                _ if self.pending_paraphrase.is_some() && me_speaking => {
                    "Did you hear yourself in what was said back? That's it, or not quite?".into()
                }
                _ if self.pending_paraphrase.is_some() => {
                    "Waiting for your partner to say whether you got it.".into()
                }
                _ if self.latest_statement.is_some() && me_speaking => {
                    "Listen to what your partner says back.".into()
                }
                _ if self.latest_statement.is_some() => {
                    "Say back what you heard, in your own words.".into()
                }
                _ if me_speaking => {
                    "You hold the floor. Speak for yourself, in short pieces.".into()
                }
                _ => "Listen. Your partner holds the floor.".into(),
            };
        }
        match self.phase {
            Phase::Requested if self.proposed_by == by => {
                "Waiting for your partner to pick a time. If you are together, you can start now."
                    .into()
            }
            Phase::Requested => {
                "Pick one of the proposed times, suggest another, or start now.".into()
            }
            Phase::Scheduled => "The talk is scheduled; the room opens 15 minutes before.".into(),
            Phase::Arriving if self.pledged.iter().any(|p| p == by) => {
                "Waiting for your partner to arrive and pledge their attention.".into()
            }
            Phase::Arriving => {
                "Silence notifications and close everything else, then promise your attention."
                    .into()
            }
            Phase::Live if self.pending_paraphrase.is_some() && me_speaking => {
                "Your partner summed up what they heard. Is that it?".into()
            }
            Phase::Live if self.pending_paraphrase.is_some() => {
                "Waiting for your partner to say whether you got it.".into()
            }
            Phase::Live if self.floor_asked && me_speaking => {
                "Your partner asks for the floor.".into()
            }
            Phase::Live if self.confirmed && me_speaking => {
                "You were heard. Say more, or hand the floor over.".into()
            }
            Phase::Live if self.confirmed => {
                "You heard your partner. You may ask for the floor.".into()
            }
            Phase::Live if self.latest_statement.is_some() && !me_speaking => {
                "Say in your own words what you heard.".into()
            }
            Phase::Live if me_speaking => {
                "You hold the floor. Speak for yourself, in short pieces.".into()
            }
            Phase::Live => "Listen. Your partner holds the floor.".into(),
            Phase::TimeOut => {
                "A break. Breathe, do something soothing, and come back when it is over.".into()
            }
            Phase::Ended => {
                "The talk is over. Take a moment to write down how it was for you.".into()
            }
        }
    }
}

fn unreachable_end() -> Result<Vec<Event>, Refusal> {
    // `End` is handled before the phase checks above.
    Ok(vec![Event::Ended])
}

fn push_once(list: &mut Vec<String>, who: &str) {
    if !list.iter().any(|w| w == who) {
        list.push(who.to_owned());
    }
}

/// The longest one-line note, in characters.
pub const NOTE_MAX: usize = 140;

/// Why a note's text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteProblem {
    Empty,
    TooLong,
    NotOneLine,
}

impl std::fmt::Display for NoteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoteProblem::Empty => f.write_str("Write a few words first."),
            NoteProblem::TooLong => write!(
                f,
                "A note is one short line: {NOTE_MAX} characters at most."
            ),
            NoteProblem::NotOneLine => f.write_str("A note is one line: no line breaks."),
        }
    }
}

/// A note's text: trimmed, one line, at most `NOTE_MAX` characters.
pub fn checked_note(text: &str) -> Result<String, NoteProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NoteProblem::Empty);
    }
    if t.chars()
        .any(|c| c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}')
    {
        return Err(NoteProblem::NotOneLine);
    }
    if t.chars().count() > NOTE_MAX {
        return Err(NoteProblem::TooLong);
    }
    Ok(t.to_owned())
}

fn checked_text(text: &str) -> Result<String, Refusal> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Refusal::Empty);
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Refusal::TooLong);
    }
    Ok(t.to_owned())
}

fn checked_times(times: &[i64], now: i64) -> Result<Vec<i64>, Refusal> {
    if times.is_empty() || times.len() > MAX_PROPOSED_TIMES {
        return Err(Refusal::BadTime);
    }
    // A proposal is for the coming year; a few minutes in the past is "now".
    if times
        .iter()
        .any(|t| *t < now - OPEN_EARLY_MS || *t > now + 366 * 24 * 60 * MINUTE_MS)
    {
        return Err(Refusal::BadTime);
    }
    let mut v = times.to_vec();
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

// ---- the flooding check --------------------------------------------------------

/// The scale of "how calm or stirred up am I?": 0 calm, 10 flooded.
pub const CALM_MAX: i64 = 10;
/// At or above this, the app suggests a break (each person may choose their own).
pub const DEFAULT_FLOOD_THRESHOLD: i64 = 7;

/// When a private flooding check was given: before the talk, at the n-th
/// change of floor, or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CalmMoment {
    Before,
    Floor(i64),
    After,
}

impl CalmMoment {
    pub fn as_string(self) -> String {
        match self {
            CalmMoment::Before => "before".into(),
            CalmMoment::Floor(n) => format!("floor-{n}"),
            CalmMoment::After => "after".into(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "before" => Some(CalmMoment::Before),
            "after" => Some(CalmMoment::After),
            _ => s
                .strip_prefix("floor-")?
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(CalmMoment::Floor),
        }
    }
}

/// Why a flooding check or threshold was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalmRefusal {
    OutOfRange,
}

impl std::fmt::Display for CalmRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Please pick a number from 0 (calm) to 10 (very stirred up).")
    }
}

/// A check is a whole number from 0 to 10.
pub fn checked_calm(value: i64) -> Result<i64, CalmRefusal> {
    if (0..=CALM_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(CalmRefusal::OutOfRange)
    }
}

/// A threshold is from 1 to 10 (0 would suggest a break to someone calm).
pub fn checked_threshold(value: i64) -> Result<i64, CalmRefusal> {
    if (1..=CALM_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(CalmRefusal::OutOfRange)
    }
}

/// At or above the person's threshold the app suggests, to them alone, a break.
pub fn suggests_break(value: i64, threshold: i64) -> bool {
    value >= threshold
}

/// Whether to ask now: once at the start (until given), and at each change of
/// floor the moment is offered but never pressed again once answered.
pub fn calm_wanted(talk: &Talk, given: &[CalmMoment]) -> bool {
    match talk.phase {
        Phase::Requested | Phase::Scheduled => false,
        Phase::TimeOut => false,
        _ => !given.contains(&talk.calm_moment()),
    }
}

/// Each person's own "before" and "after" (their first and last check), for
/// them alone once the talk is over.
pub fn before_after(readings: &[(CalmMoment, i64)]) -> Option<(i64, i64)> {
    let mut sorted = readings.to_vec();
    sorted.sort();
    let first = sorted.first()?;
    let last = sorted.last()?;
    if first.0 == last.0 {
        return None;
    }
    Some((first.1, last.1))
}

// ---- ground rules ----------------------------------------------------------

/// The rules a couple starts from, in Rekindle's words; they can edit them.
pub const DEFAULT_RULES: [&str; 6] = [
    "One of us speaks at a time; the other listens.",
    "I speak for myself: what I feel and need, not what you are.",
    "Before I answer, I say back what I heard, until you say that's it.",
    "While listening, we don't solve the problem yet; understanding comes first.",
    "Either of us may call a time-out, and we come back at the time we set.",
    "Notifications off and everything else closed while we talk.",
];

pub const MAX_RULES: usize = 12;
pub const MAX_RULE_LEN: usize = 200;

/// One rule per line; blank lines dropped. Refuses an empty set or overlong rules.
pub fn parse_rules(text: &str) -> Result<Vec<String>, Refusal> {
    let rules: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if rules.is_empty() {
        return Err(Refusal::Empty);
    }
    if rules.len() > MAX_RULES || rules.iter().any(|r| r.chars().count() > MAX_RULE_LEN) {
        return Err(Refusal::TooLong);
    }
    Ok(rules)
}

/// Both partners accepted the current version.
pub fn rules_accepted_by_both(accepted_by: &[String], partners: &[&str; 2]) -> bool {
    partners.iter().all(|p| accepted_by.iter().any(|a| a == p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "ann";
    const B: &str = "ben";
    const T0: i64 = 1_800_000_000_000;

    struct Log {
        events: Vec<Recorded>,
        ctx: Context,
    }

    impl Log {
        fn requested(times: &[i64]) -> Log {
            let first = Talk::request(A, B, "Sundays", times, Some(30), T0).unwrap();
            Log {
                events: vec![Recorded {
                    seq: 1,
                    at: T0,
                    by: A.into(),
                    event: first,
                }],
                ctx: Context::new(T0),
            }
        }

        fn talk(&self) -> Talk {
            Talk::from_events(&self.events).unwrap()
        }

        fn run(&mut self, by: &str, cmd: Command) -> Result<Vec<Event>, Refusal> {
            let events = self.talk().decide(by, &cmd, &self.ctx)?;
            for e in &events {
                let seq = self.events.len() as i64 + 1;
                self.events.push(Recorded {
                    seq,
                    at: self.ctx.now,
                    by: by.into(),
                    event: e.clone(),
                });
            }
            Ok(events)
        }

        fn ok(&mut self, by: &str, cmd: Command) {
            if let Err(e) = self.run(by, cmd.clone()) {
                panic!("{cmd:?} by {by} refused: {e}");
            }
        }

        fn refused(&mut self, by: &str, cmd: Command) -> Refusal {
            let before = self.events.len();
            let r = self.run(by, cmd).expect_err("should be refused");
            assert_eq!(self.events.len(), before);
            r
        }

        fn advance(&mut self, minutes: i64) {
            self.ctx.now += minutes * MINUTE_MS;
        }

        fn live() -> Log {
            let mut l = Log::requested(&[T0 + 60 * MINUTE_MS]);
            l.ok(B, Command::StartNow);
            l.ok(A, Command::Pledge);
            l.ok(B, Command::Pledge);
            assert_eq!(l.talk().phase, Phase::Live);
            l
        }
    }

    fn say(t: &str) -> Command {
        Command::Statement {
            text: t.into(),
            harsh: false,
        }
    }
    fn para(t: &str) -> Command {
        Command::Paraphrase { text: t.into() }
    }

    #[test]
    fn a_request_is_answered_by_the_other_partner() {
        let times = [T0 + 60 * MINUTE_MS, T0 + 120 * MINUTE_MS];
        let mut l = Log::requested(&times);
        assert_eq!(l.talk().phase, Phase::Requested);
        assert_eq!(
            l.refused(A, Command::Accept { at: times[0] }),
            Refusal::NotYourTurn
        );
        assert_eq!(
            l.refused(B, Command::Accept { at: T0 + 5 }),
            Refusal::BadTime
        );
        l.ok(
            B,
            Command::Propose {
                times: vec![T0 + 180 * MINUTE_MS],
            },
        );
        // Now it is the requester's turn.
        assert_eq!(
            l.refused(
                B,
                Command::Accept {
                    at: T0 + 180 * MINUTE_MS
                }
            ),
            Refusal::NotYourTurn
        );
        l.ok(
            A,
            Command::Accept {
                at: T0 + 180 * MINUTE_MS,
            },
        );
        let t = l.talk();
        assert_eq!(t.phase, Phase::Scheduled);
        assert_eq!(t.scheduled_at, Some(T0 + 180 * MINUTE_MS));
        // Too early to open the room.
        assert!(matches!(
            l.refused(A, Command::Arrive),
            Refusal::NotInPhase(Phase::Scheduled)
        ));
        l.advance(170);
        l.ok(A, Command::Arrive);
        assert_eq!(l.talk().phase, Phase::Arriving);
        assert_eq!(l.refused(A, Command::Arrive), Refusal::AlreadyDone);
    }

    #[test]
    fn proposals_are_checked() {
        assert_eq!(
            Talk::request(A, B, "", &[], None, T0),
            Err(Refusal::BadTime)
        );
        assert_eq!(
            Talk::request(A, B, "", &[T0 - 3_600_000], None, T0),
            Err(Refusal::BadTime)
        );
        assert_eq!(
            Talk::request(A, A, "", &[T0], None, T0),
            Err(Refusal::NotAPartner)
        );
        assert_eq!(
            Talk::request(A, B, "", &[T0], Some(17), T0),
            Err(Refusal::BadTime)
        );
        assert_eq!(
            Talk::request(A, B, &"x".repeat(MAX_TOPIC + 1), &[T0], None, T0),
            Err(Refusal::TooLong)
        );
    }

    #[test]
    fn the_one_who_asked_can_start_now_but_the_talk_waits_for_both() {
        let mut l = Log::requested(&[T0 + 60 * MINUTE_MS]);
        l.ok(A, Command::StartNow);
        let t = l.talk();
        assert_eq!(t.phase, Phase::Arriving);
        assert_eq!(t.arrived, vec![A.to_string()]);
        assert!(t.allowed(B, &l.ctx).contains(&"arrive"));
        l.ok(A, Command::Pledge);
        // One promise is not a talk: the partner has not arrived or promised.
        assert_eq!(l.talk().phase, Phase::Arriving);
        l.ok(B, Command::Arrive);
        l.ok(B, Command::Pledge);
        assert_eq!(l.talk().phase, Phase::Live);
    }

    #[test]
    fn the_talk_begins_when_both_pledged_and_the_rules_are_accepted() {
        let mut l = Log::requested(&[T0 + 60 * MINUTE_MS]);
        l.ok(B, Command::StartNow);
        let t = l.talk();
        assert_eq!(t.phase, Phase::Arriving);
        assert_eq!(t.arrived, vec![B.to_string()]);
        l.ctx.rules_accepted = false;
        assert_eq!(l.refused(A, Command::Pledge), Refusal::RulesNotAccepted);
        l.ctx.rules_accepted = true;
        l.ok(A, Command::Pledge);
        assert_eq!(l.refused(A, Command::Pledge), Refusal::AlreadyDone);
        assert_eq!(l.talk().phase, Phase::Arriving);
        assert!(matches!(
            l.refused(A, say("hi")),
            Refusal::NotInPhase(Phase::Arriving)
        ));
        l.ok(B, Command::Pledge);
        let t = l.talk();
        assert_eq!(t.phase, Phase::Live);
        assert_eq!(
            t.floor.as_deref(),
            Some(A),
            "the one who asked speaks first"
        );
        assert_eq!(t.began_at, Some(T0));
    }

    #[test]
    fn only_the_speaker_makes_statements_and_only_the_listener_paraphrases() {
        let mut l = Log::live();
        assert_eq!(l.refused(B, say("but you")), Refusal::FloorNotYours);
        assert_eq!(l.refused(B, para("you said")), Refusal::NoStatement);
        assert_eq!(l.refused(A, para("I said")), Refusal::NotListening);
        l.ok(A, say("I felt alone on Sunday."));
        l.ok(
            B,
            Command::Question {
                text: "All of Sunday?".into(),
            },
        );
        assert_eq!(
            l.refused(A, Command::Question { text: "?".into() }),
            Refusal::NotListening
        );
        l.ok(B, para("You felt alone on Sunday."));
        assert_eq!(l.refused(B, para("again")), Refusal::ParaphrasePending);
        assert_eq!(l.refused(A, say("more")), Refusal::ParaphrasePending);
        assert_eq!(l.refused(B, Command::Confirm), Refusal::FloorNotYours);
        l.ok(A, Command::Confirm);
        assert!(l.talk().confirmed);
        assert_eq!(l.refused(B, para("once more")), Refusal::AlreadyDone);
        assert_eq!(l.refused(A, say("   ")), Refusal::Empty);
        assert_eq!(
            l.refused(A, say(&"a".repeat(MAX_TEXT + 1))),
            Refusal::TooLong
        );
    }

    #[test]
    fn a_correction_asks_for_another_paraphrase() {
        let mut l = Log::live();
        l.ok(A, say("I felt alone on Sunday."));
        l.ok(B, para("You were angry with me."));
        assert_eq!(
            l.refused(A, Command::NotQuite { text: " ".into() }),
            Refusal::Empty
        );
        l.ok(
            A,
            Command::NotQuite {
                text: "Not angry: lonely.".into(),
            },
        );
        let t = l.talk();
        assert!(!t.confirmed);
        assert_eq!(t.pending_paraphrase, None);
        assert_eq!(l.refused(A, Command::HandOver), Refusal::NotConfirmed);
        assert_eq!(l.refused(A, Command::Confirm), Refusal::NoParaphrase);
        l.ok(B, para("You felt lonely."));
        l.ok(A, Command::Confirm);
        let confirmed = l
            .events
            .iter()
            .filter(|r| matches!(r.event, Event::Confirmed { .. }))
            .count();
        assert_eq!(confirmed, 1);
    }

    #[test]
    fn the_floor_passes_only_after_a_confirmed_paraphrase_of_the_latest_statement() {
        let mut l = Log::live();
        assert_eq!(l.refused(A, Command::HandOver), Refusal::NotConfirmed);
        l.ok(A, say("One."));
        l.ok(B, para("One."));
        l.ok(A, Command::Confirm);
        // A new statement needs its own paraphrase.
        l.ok(A, say("Two."));
        assert_eq!(l.refused(A, Command::HandOver), Refusal::NotConfirmed);
        assert_eq!(l.refused(B, Command::AskFloor), Refusal::NotConfirmed);
        l.ok(B, para("Two."));
        l.ok(A, Command::Confirm);
        l.ok(A, Command::HandOver);
        let t = l.talk();
        assert_eq!(t.floor.as_deref(), Some(B));
        assert!(!t.confirmed);
        assert_eq!(t.latest_statement, None);
        assert_eq!(l.refused(A, say("wait")), Refusal::FloorNotYours);
    }

    #[test]
    fn the_listener_may_ask_for_the_floor_and_the_speaker_decides() {
        let mut l = Log::live();
        l.ok(A, say("One."));
        assert_eq!(l.refused(A, Command::GrantFloor), Refusal::NoRequest);
        l.ok(B, para("One."));
        l.ok(A, Command::Confirm);
        l.ok(B, Command::AskFloor);
        assert_eq!(l.refused(B, Command::AskFloor), Refusal::AlreadyDone);
        assert_eq!(l.refused(B, Command::GrantFloor), Refusal::FloorNotYours);
        l.ok(A, Command::DeclineFloor);
        assert!(!l.talk().floor_asked);
        l.ok(B, Command::AskFloor);
        l.ok(A, Command::GrantFloor);
        assert_eq!(l.talk().floor.as_deref(), Some(B));
    }

    #[test]
    fn a_time_out_lasts_its_minimum_and_cannot_be_cancelled_by_the_other() {
        let mut l = Log::live();
        l.ok(A, say("One."));
        let now = l.ctx.now;
        assert_eq!(
            l.refused(
                B,
                Command::TimeOut {
                    minutes: 10,
                    return_at: now + 10 * MINUTE_MS
                }
            ),
            Refusal::TimeOutTooShort(20)
        );
        assert_eq!(
            l.refused(
                B,
                Command::TimeOut {
                    minutes: 20,
                    return_at: now + 25 * 60 * MINUTE_MS
                }
            ),
            Refusal::ReturnTooLate
        );
        assert_eq!(
            l.refused(
                B,
                Command::TimeOut {
                    minutes: 30,
                    return_at: now + 20 * MINUTE_MS
                }
            ),
            Refusal::ReturnTooEarly
        );
        l.ok(
            B,
            Command::TimeOut {
                minutes: 20,
                return_at: now + 60 * MINUTE_MS,
            },
        );
        let t = l.talk();
        assert_eq!(t.phase, Phase::TimeOut);
        assert_eq!(t.time_out.as_ref().unwrap().min_until, now + 20 * MINUTE_MS);
        // Nothing but coming back (or ending) while it runs; nobody can cancel it.
        assert_eq!(l.refused(A, say("Two.")), Refusal::TimeOutRunning);
        assert_eq!(l.refused(B, para("One.")), Refusal::TimeOutRunning);
        assert_eq!(
            l.refused(
                A,
                Command::TimeOut {
                    minutes: 20,
                    return_at: now + 60 * MINUTE_MS
                }
            ),
            Refusal::TimeOutRunning
        );
        assert_eq!(
            l.refused(A, Command::Back),
            Refusal::MinimumNotOver { minutes_left: 20 }
        );
        l.advance(19);
        assert_eq!(
            l.refused(B, Command::Back),
            Refusal::MinimumNotOver { minutes_left: 1 }
        );
        l.advance(1);
        l.ok(A, Command::Back);
        assert_eq!(l.refused(A, Command::Back), Refusal::AlreadyDone);
        assert_eq!(l.talk().phase, Phase::TimeOut, "both must be back");
        l.ok(B, Command::Back);
        let t = l.talk();
        assert_eq!(t.phase, Phase::Live);
        assert_eq!(t.floor.as_deref(), Some(A));
        assert_eq!(t.latest_statement, Some(9), "the talk resumes where it was");
        l.ok(B, para("One."));
    }

    #[test]
    fn a_couple_may_set_a_longer_minimum() {
        let mut l = Log::live();
        l.ctx.min_time_out = 45;
        let now = l.ctx.now;
        assert_eq!(
            l.refused(
                A,
                Command::TimeOut {
                    minutes: 30,
                    return_at: now + 60 * MINUTE_MS
                }
            ),
            Refusal::TimeOutTooShort(45)
        );
        l.ctx.min_time_out = 5;
        assert_eq!(
            l.refused(
                A,
                Command::TimeOut {
                    minutes: 10,
                    return_at: now + 60 * MINUTE_MS
                }
            ),
            Refusal::TimeOutTooShort(20),
            "never below 20 minutes"
        );
    }

    #[test]
    fn either_partner_can_end_and_nothing_follows() {
        let mut l = Log::live();
        l.ok(B, Command::End);
        let t = l.talk();
        assert_eq!(t.phase, Phase::Ended);
        assert!(matches!(
            l.refused(A, Command::End),
            Refusal::NotInPhase(Phase::Ended)
        ));
        assert!(matches!(
            l.refused(A, say("x")),
            Refusal::NotInPhase(Phase::Ended)
        ));
        assert!(l.talk().allowed(A, &l.ctx).is_empty());
    }

    #[test]
    fn strangers_are_refused() {
        let mut l = Log::live();
        assert_eq!(l.refused("eve", Command::End), Refusal::NotAPartner);
        assert_eq!(l.refused("eve", say("hi")), Refusal::NotAPartner);
    }

    #[test]
    fn allowed_lists_what_each_partner_may_do() {
        let mut l = Log::live();
        l.ok(A, say("One."));
        let a = l.talk().allowed(A, &l.ctx);
        let b = l.talk().allowed(B, &l.ctx);
        assert!(
            a.contains(&"statement") && !a.contains(&"paraphrase") && !a.contains(&"hand_over")
        );
        assert!(b.contains(&"paraphrase") && b.contains(&"question") && !b.contains(&"statement"));
        assert!(a.contains(&"time_out") && b.contains(&"end"));
        assert!(!l.talk().awaiting(B).is_empty());
    }

    #[test]
    fn events_and_commands_have_stable_json() {
        let e = Event::Statement {
            text: "hi".into(),
            harsh: true,
        };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"statement","text":"hi","harsh":true}"#);
        // A client can never set `harsh`.
        let c: Command =
            serde_json::from_str(r#"{"cmd":"statement","text":"hi","harsh":true}"#).unwrap();
        assert_eq!(
            c,
            Command::Statement {
                text: "hi".into(),
                harsh: false
            }
        );
        assert_eq!(Refusal::NotConfirmed.code(), "not_confirmed");
    }

    fn aloud(mode: Mode) -> Log {
        let first = Talk::request_in(A, B, "Sundays", &[T0], None, mode, Some(3), T0).unwrap();
        let mut l = Log {
            events: vec![Recorded {
                seq: 1,
                at: T0,
                by: A.into(),
                event: first,
            }],
            ctx: Context::new(T0),
        };
        // Held aloud, the one who asked may open the room now: both still pledge.
        l.ok(A, Command::StartNow);
        assert_eq!(l.talk().phase, Phase::Arriving);
        l.ok(A, Command::Pledge);
        assert_eq!(
            l.talk().phase,
            Phase::Arriving,
            "both must say they are ready"
        );
        l.ok(B, Command::Pledge);
        assert_eq!(l.talk().phase, Phase::Live);
        l
    }

    #[test]
    fn notes_are_one_short_line_written_during_an_aloud_talk_and_shared_only_by_their_author() {
        // The text: trimmed, one line, at most NOTE_MAX characters.
        assert_eq!(
            checked_note("  come back to Sundays  ").as_deref(),
            Ok("come back to Sundays")
        );
        assert_eq!(checked_note("   "), Err(NoteProblem::Empty));
        assert_eq!(checked_note("one\ntwo"), Err(NoteProblem::NotOneLine));
        assert_eq!(checked_note("one\r\ntwo"), Err(NoteProblem::NotOneLine));
        assert_eq!(
            checked_note(&"é".repeat(NOTE_MAX)).map(|t| t.chars().count()),
            Ok(NOTE_MAX)
        );
        assert_eq!(
            checked_note(&"x".repeat(NOTE_MAX + 1)),
            Err(NoteProblem::TooLong)
        );

        // Only during a talk held aloud: not before it, not after it, not typed.
        let mut l = Log::requested(&[T0 + 60 * MINUTE_MS]);
        assert_eq!(l.talk().may_note(A), Err(Refusal::WrongMode(Mode::Typed)));
        let mut typed = Log::live();
        assert_eq!(
            typed.talk().may_note(A),
            Err(Refusal::WrongMode(Mode::Typed))
        );
        assert_eq!(
            typed.refused(A, Command::ShareNote { text: "x".into() }),
            Refusal::WrongMode(Mode::Typed)
        );
        let first =
            Talk::request_in(A, B, "Sundays", &[T0], None, Mode::TwoPhones, None, T0).unwrap();
        l.events = vec![Recorded {
            seq: 1,
            at: T0,
            by: A.into(),
            event: first,
        }];
        assert_eq!(
            l.talk().may_note(A),
            Err(Refusal::NotInPhase(Phase::Requested))
        );
        let mut l = aloud(Mode::TwoPhones);
        assert_eq!(l.talk().may_note(A), Ok(()));
        assert_eq!(l.talk().may_note(B), Ok(()));
        assert_eq!(l.talk().may_note("stranger"), Err(Refusal::NotAPartner));

        // Sharing: the author only; the shared note enters the log, the floor
        // does not move.
        assert_eq!(l.talk().may_share_note(B, A), Err(Refusal::NotYourNote));
        assert_eq!(l.talk().may_share_note(A, A), Ok(()));
        let before = l.talk();
        l.ok(
            B,
            Command::ShareNote {
                text: " the money part ".into(),
            },
        );
        let after = l.talk();
        assert_eq!(
            l.events.last().map(|r| (&r.event, r.by.as_str())),
            Some((
                &Event::NoteShared {
                    text: "the money part".into()
                },
                B
            ))
        );
        assert_eq!(
            (after.floor.clone(), after.next_actor().map(str::to_owned)),
            (before.floor.clone(), before.next_actor().map(str::to_owned))
        );
        assert_eq!(
            l.refused(
                B,
                Command::ShareNote {
                    text: "two\nlines".into()
                }
            ),
            Refusal::TooLong
        );
        // During a break notes go on; after the talk they stop.
        l.ok(
            A,
            Command::TimeOut {
                minutes: 20,
                return_at: T0 + 20 * MINUTE_MS,
            },
        );
        assert_eq!(l.talk().may_note(A), Ok(()));
        l.ok(
            A,
            Command::ShareNote {
                text: "breathe".into(),
            },
        );
        l.ok(A, Command::End);
        assert_eq!(l.talk().may_note(A), Err(Refusal::NotInPhase(Phase::Ended)));
        assert_eq!(
            l.refused(
                A,
                Command::ShareNote {
                    text: "late".into()
                }
            ),
            Refusal::NotInPhase(Phase::Ended)
        );
        // A client cannot send a shared note as a command of its own.
        assert!(serde_json::from_str::<Command>(r#"{"cmd":"share_note","text":"x"}"#).is_err());
    }

    #[test]
    fn a_talk_aloud_keeps_turns_and_confirmations_but_no_words() {
        let mut l = aloud(Mode::TwoPhones);
        let t = l.talk();
        assert_eq!(
            (t.mode, t.turn_min, t.turn_started_at),
            (Mode::TwoPhones, Some(3), Some(T0))
        );
        assert_eq!(l.talk().next_actor(), Some(A));
        // Typing is not how this talk goes.
        assert_eq!(
            l.refused(A, say("typed")),
            Refusal::WrongMode(Mode::TwoPhones)
        );
        assert_eq!(l.refused(B, Command::SaidBack), Refusal::NoStatement);
        assert_eq!(l.refused(B, Command::Spoke), Refusal::FloorNotYours);
        l.ok(A, Command::Spoke);
        assert_eq!(l.refused(A, Command::Spoke), Refusal::AlreadyDone);
        assert_eq!(l.talk().next_actor(), Some(B));
        assert_eq!(
            l.refused(B, para("typed")),
            Refusal::WrongMode(Mode::TwoPhones)
        );
        assert_eq!(l.refused(A, Command::SaidBack), Refusal::NotListening);
        l.ok(B, Command::SaidBack);
        assert_eq!(l.refused(B, Command::SaidBack), Refusal::ParaphrasePending);
        assert_eq!(l.talk().next_actor(), Some(A));
        // "Not quite": the listener tries again; no words are kept even if sent.
        l.ok(
            A,
            Command::NotQuite {
                text: "secret words".into(),
            },
        );
        assert_eq!(l.talk().floor.as_deref(), Some(A));
        assert_eq!(l.talk().next_actor(), Some(B));
        l.ok(B, Command::SaidBack);
        // "That's it" hands the floor over at once.
        l.advance(4);
        l.ok(A, Command::Confirm);
        let t = l.talk();
        assert_eq!(t.floor.as_deref(), Some(B));
        assert_eq!(t.turn_started_at, Some(T0 + 4 * MINUTE_MS));
        assert_eq!(t.floor_changes, 1);
        assert_eq!(t.calm_moment(), CalmMoment::Floor(1));
        let kinds: Vec<_> = l.events.iter().map(|r| r.event.kind()).collect();
        assert!(kinds.ends_with(&[
            "spoke",
            "said_back",
            "not_quite",
            "said_back",
            "confirmed",
            "floor_passed"
        ]));
        let log = serde_json::to_string(&l.events).unwrap();
        assert!(
            !log.contains("secret"),
            "no words in a talk held aloud: {log}"
        );
        // A time-out works as in a typed talk.
        let now = l.ctx.now;
        l.ok(
            B,
            Command::TimeOut {
                minutes: 20,
                return_at: now + 30 * MINUTE_MS,
            },
        );
        assert_eq!(l.refused(B, Command::Spoke), Refusal::TimeOutRunning);
        l.advance(20);
        l.ok(A, Command::Back);
        l.ok(B, Command::Back);
        l.ok(B, Command::Spoke);
        assert!(l.talk().allowed(A, &l.ctx).contains(&"said_back"));
        assert!(!l.talk().allowed(A, &l.ctx).contains(&"paraphrase"));
    }

    #[test]
    fn typed_talks_refuse_aloud_moves_and_keep_their_old_json() {
        let mut l = Log::live();
        assert_eq!(
            l.refused(A, Command::Spoke),
            Refusal::WrongMode(Mode::Typed)
        );
        assert_eq!(
            Talk::request_in(A, B, "", &[T0], None, Mode::Typed, Some(3), T0),
            Err(Refusal::BadTime),
            "a turn timer is for talks aloud"
        );
        assert_eq!(
            Talk::request_in(A, B, "", &[T0], None, Mode::OnePhone, Some(7), T0),
            Err(Refusal::BadTime)
        );
        // Old logs (no mode) read as typed; typed requests keep their old JSON.
        let old = r#"{"kind":"requested","topic":"","times":[1],"length_min":null,"with":"b"}"#;
        let e: Event = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), old);
    }

    #[test]
    fn one_phone_acts_for_the_partner_only_after_their_pledge() {
        let first = Talk::request_in(A, B, "", &[T0], None, Mode::OnePhone, None, T0).unwrap();
        let mut l = Log {
            events: vec![Recorded {
                seq: 1,
                at: T0,
                by: A.into(),
                event: first,
            }],
            ctx: Context::new(T0),
        };
        l.ok(A, Command::StartNow);
        l.ok(A, Command::Pledge);
        let t = l.talk();
        assert_eq!(t.may_act_for(A, A), Ok(()));
        assert_eq!(
            t.may_act_for(A, B),
            Err(Refusal::NotAPartner),
            "not before Ben said yes"
        );
        assert_eq!(t.may_act_for(A, "eve"), Err(Refusal::NotAPartner));
        l.ok(B, Command::Pledge);
        let t = l.talk();
        assert_eq!(t.may_act_for(A, B), Ok(()));
        assert_eq!(t.may_act_for(B, A), Ok(()));
        assert_eq!(t.may_act_for("eve", A), Err(Refusal::NotAPartner));
        // Two phones: each acts for themselves only.
        let l2 = aloud(Mode::TwoPhones);
        assert_eq!(
            l2.talk().may_act_for(A, B),
            Err(Refusal::WrongMode(Mode::TwoPhones))
        );
        assert_eq!(
            Log::live().talk().may_act_for(A, B),
            Err(Refusal::WrongMode(Mode::Typed))
        );
    }

    #[test]
    fn the_flooding_check_is_private_numbers_from_0_to_10() {
        assert_eq!(checked_calm(0), Ok(0));
        assert_eq!(checked_calm(10), Ok(10));
        assert_eq!(checked_calm(11), Err(CalmRefusal::OutOfRange));
        assert_eq!(checked_calm(-1), Err(CalmRefusal::OutOfRange));
        assert_eq!(checked_threshold(0), Err(CalmRefusal::OutOfRange));
        assert_eq!(checked_threshold(7), Ok(7));
        assert!(suggests_break(7, DEFAULT_FLOOD_THRESHOLD));
        assert!(!suggests_break(6, DEFAULT_FLOOD_THRESHOLD));
        assert!(suggests_break(4, 4));
        for m in [CalmMoment::Before, CalmMoment::Floor(3), CalmMoment::After] {
            assert_eq!(CalmMoment::parse(&m.as_string()), Some(m));
        }
        assert_eq!(CalmMoment::parse("floor-0"), None);
        assert_eq!(CalmMoment::parse("during"), None);
        // Asked once at the start, offered again at each change of floor.
        let mut l = aloud(Mode::TwoPhones);
        assert!(calm_wanted(&l.talk(), &[]));
        assert!(!calm_wanted(&l.talk(), &[CalmMoment::Before]));
        l.ok(A, Command::Spoke);
        l.ok(B, Command::SaidBack);
        l.ok(A, Command::Confirm);
        assert!(calm_wanted(&l.talk(), &[CalmMoment::Before]));
        assert!(!calm_wanted(
            &l.talk(),
            &[CalmMoment::Before, CalmMoment::Floor(1)]
        ));
        l.ok(A, Command::End);
        assert_eq!(l.talk().calm_moment(), CalmMoment::After);
        assert_eq!(
            before_after(&[
                (CalmMoment::After, 3),
                (CalmMoment::Floor(1), 6),
                (CalmMoment::Before, 8)
            ]),
            Some((8, 3))
        );
        assert_eq!(before_after(&[(CalmMoment::Before, 8)]), None);
        let r = Log::requested(&[T0 + MINUTE_MS]);
        assert!(!calm_wanted(&r.talk(), &[]), "not before the room opens");
    }

    #[test]
    fn ground_rules_parse_and_need_both() {
        assert_eq!(parse_rules("  \n "), Err(Refusal::Empty));
        assert_eq!(
            parse_rules("One\n\n Two "),
            Ok(vec!["One".to_string(), "Two".to_string()])
        );
        assert_eq!(
            parse_rules(&"x\n".repeat(MAX_RULES + 1)),
            Err(Refusal::TooLong)
        );
        assert!(DEFAULT_RULES.len() == 6);
        assert!(!rules_accepted_by_both(&[A.into()], &[A, B]));
        assert!(rules_accepted_by_both(&[B.into(), A.into()], &[A, B]));
    }
}
