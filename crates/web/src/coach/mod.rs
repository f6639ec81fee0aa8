//! The language coach on the API (`rekindle_coach` does the reading; it has no I/O), and the
//! coach on pages without JavaScript: every form with a coached text box carries a "Check
//! with the coach" button ([`CoachAsk`]); the page answers with the coach's notes and the
//! fill-in I-statement as form fields ([`CoachPanel`], `templates/coach_check.html`), and
//! stores nothing.

pub mod api;
pub mod notes;

use serde::Deserialize;

/// A label for each problem kind (`Kind::as_str`, and the appreciation coach's
/// `hidden_barb`), the same words the script's coach uses.
pub fn label_of(kind: &str) -> &'static str {
    match kind {
        "hidden_barb" => "Hidden barb",
        "blame" => "Blame",
        "absolute" => "Sweeping word",
        "criticism" => "Criticism",
        "contempt" => "Contempt",
        "defensiveness" => "Defensiveness",
        "stonewalling" => "Shutting down",
        "pseudo_feeling" => "Judgment dressed as a feeling",
        _ => "Note",
    }
}

/// The coach's fill-in I-statement, ready for a page rendered on the server (the no-JS
/// coach path): the same fields the script's builder shows, as form fields.
pub struct BuilderView {
    /// "see" or "hear" (for something said).
    pub sense: &'static str,
    /// The writer's own observation; empty when they should fill it in.
    pub observation: String,
    pub feeling: &'static str,
    /// Feelings to choose from (the prefilled one first).
    pub feelings: Vec<&'static str>,
    pub need: &'static str,
    /// Needs to choose from (the prefilled one first).
    pub needs: Vec<&'static str>,
    /// What to ask for, after "Would you"; empty when the writer should say it.
    pub request: String,
    /// The whole sentence, only when it is complete and grammatical.
    pub text: Option<String>,
}

impl BuilderView {
    pub fn from_builder(b: &rekindle_coach::Builder) -> BuilderView {
        let with_first = |chosen: &'static str, all: &[&'static str]| {
            let mut v = vec![chosen];
            v.extend(all.iter().copied().filter(|c| *c != chosen));
            v
        };
        BuilderView {
            sense: if b.sense == "hear" { "hear" } else { "see" },
            observation: b.observation.clone(),
            feeling: b.feeling,
            feelings: with_first(b.feeling, b.feeling_choices),
            need: b.need,
            needs: with_first(b.need, b.need_choices),
            request: b.request.trim_end_matches(['?', '.', '!']).to_string(),
            text: b.text.clone(),
        }
    }
}

/// One thing the coach noticed, for a page.
pub struct NoteView {
    pub kind: String,
    pub label: &'static str,
    /// The writer's words the note is about.
    pub excerpt: String,
    pub explanation: String,
}

/// The coach's problem notes for `text`, each with the words it is about.
pub fn notes(text: &str, a: &rekindle_coach::Analysis) -> Vec<NoteView> {
    let chars: Vec<char> = text.chars().collect();
    a.findings
        .iter()
        .filter(|f| f.kind.is_problem())
        .map(|f| NoteView {
            kind: f.kind.as_str().to_owned(),
            label: label_of(f.kind.as_str()),
            excerpt: chars
                .get(f.start..f.end)
                .map(|c| c.iter().collect())
                .unwrap_or_default(),
            explanation: f.explanation.to_string(),
        })
        .collect()
}

/// What the coach says about one text box, shown next to it (`templates/coach_check.html`).
pub struct BoxPanel {
    /// The form field the panel belongs to.
    pub field: &'static str,
    pub notes: Vec<NoteView>,
    pub builder: Option<BuilderView>,
    /// The builder's sentence was just put into the box.
    pub built: bool,
}

impl BoxPanel {
    /// The coach's reading of `text`, for the box named `field`.
    pub fn of(field: &'static str, text: &str) -> BoxPanel {
        let a = rekindle_coach::analyze(text);
        BoxPanel {
            field,
            notes: notes(text, &a),
            builder: a.builder.as_ref().map(BuilderView::from_builder),
            built: false,
        }
    }
}

/// The coach's answer for a form: one panel per text box it read.
pub struct CoachPanel {
    pub boxes: Vec<BoxPanel>,
}

impl CoachPanel {
    /// The coach's reading of one box.
    pub fn of(field: &'static str, text: &str) -> CoachPanel {
        CoachPanel {
            boxes: vec![BoxPanel::of(field, text)],
        }
    }

    /// The panel for the box named `field`, if the coach read it.
    pub fn for_field(&self, field: &str) -> Option<&BoxPanel> {
        self.boxes.iter().find(|b| b.field == field)
    }
}

/// A page form of type `T` together with its coach part ([`CoachAsk`]), read from the same
/// body: `Coached(form, ask)` in place of `Form(form)`. Refused exactly as `Form<T>` is.
pub struct Coached<T>(pub T, pub CoachAsk);

/// [`Coached`] for forms with repeated fields (checkboxes read into a `Vec`): the form is
/// read as `axum_extra`'s `Form<T>` reads it, and refused exactly as that is.
pub struct CoachedList<T>(pub T, pub CoachAsk);

/// Reads the body once: the coach's part, and the request again with the same body for the
/// form's own extractor.
async fn ask_of<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
) -> Result<(CoachAsk, axum::extract::Request), axum::response::Response> {
    use axum::extract::FromRequest;
    use axum::response::IntoResponse;
    let (parts, body) = req.into_parts();
    let again = axum::extract::Request::from_parts(parts.clone(), body);
    let bytes = axum::body::Bytes::from_request(again, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let ask = serde_urlencoded::from_bytes::<CoachAsk>(&bytes).unwrap_or_default();
    Ok((
        ask,
        axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes)),
    ))
}

impl<S, T> axum::extract::FromRequest<S> for Coached<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (ask, req) = ask_of(req, state).await?;
        let axum::Form(form) = axum::Form::<T>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Coached(form, ask))
    }
}

impl<S, T> axum::extract::FromRequest<S> for CoachedList<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (ask, req) = ask_of(req, state).await?;
        let axum_extra::extract::Form(form) =
            axum_extra::extract::Form::<T>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
        Ok(CoachedList(form, ask))
    }
}

/// The coach's part of a page form: which button was pressed and the builder's fields. `coach` is `check:FIELD` ("Check with the coach") or
/// `build:FIELD` (put the builder's sentence into FIELD); empty when the form was sent to
/// be saved.
#[derive(Deserialize, Default, Clone)]
pub struct CoachAsk {
    #[serde(default)]
    coach: String,
    #[serde(default)]
    coach_sense: String,
    #[serde(default)]
    coach_obs: String,
    #[serde(default)]
    coach_feel: String,
    #[serde(default)]
    coach_need: String,
    #[serde(default)]
    coach_ask: String,
}

/// The longest builder field kept (the text box's own limit applies when saving).
const FIELD_MAX: usize = 300;

fn clip(s: &str) -> &str {
    let s = s.trim();
    match s.char_indices().nth(FIELD_MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl CoachAsk {
    /// When the writer asked the coach about `boxes` (name, text) instead of saving: the
    /// coach's panels, after putting the builder's sentence into the box when they asked
    /// for that. `check:a,b` reads the named boxes that hold text (or the first named, when
    /// none does); `build:a` fills box `a` and reads it. `None` when the form was sent to be
    /// saved (or names no box of this form): the caller goes on as before. Nothing here
    /// stores anything.
    pub fn asked(&self, boxes: &mut [(&'static str, &mut String)]) -> Option<CoachPanel> {
        let (build, fields) = match self.coach.split_once(':') {
            Some(("check", f)) => (false, f),
            Some(("build", f)) => (true, f),
            _ => return None,
        };
        let named = |n: &str| fields.split(',').any(|f| f == n);
        if build {
            let (name, text) = boxes.iter_mut().find(|(n, _)| *n == fields)?;
            **text = self.sentence();
            let mut panel = BoxPanel::of(name, text);
            panel.built = true;
            return Some(CoachPanel { boxes: vec![panel] });
        }
        let mut read: Vec<BoxPanel> = boxes
            .iter()
            .filter(|(n, t)| named(n) && !t.trim().is_empty())
            .map(|(n, t)| BoxPanel::of(n, t))
            .collect();
        if read.is_empty() {
            let (name, text) = boxes.iter().find(|(n, _)| named(n))?;
            read.push(BoxPanel::of(name, text));
        }
        Some(CoachPanel { boxes: read })
    }

    /// The builder's fields put together, as the script's builder does.
    fn sentence(&self) -> String {
        let sense = if self.coach_sense == "hear" {
            "hear"
        } else {
            "see"
        };
        let (obs, ask) = (
            clip(&self.coach_obs),
            clip(&self.coach_ask).trim_end_matches(['?', '.', '!']),
        );
        let feel = match clip(&self.coach_feel) {
            "" => "upset",
            f => f,
        };
        let need = match clip(&self.coach_need) {
            "" => "understanding",
            n => n,
        };
        let mut s = if obs.is_empty() {
            format!("I feel {feel}, because I need {need}.")
        } else {
            format!("When I {sense} {obs}, I feel {feel}, because I need {need}.")
        };
        let ask = if ask.is_empty() {
            "talk about it with me tonight"
        } else {
            ask
        };
        s.push_str(&format!(" Would you {ask}?"));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(coach: &str) -> CoachAsk {
        CoachAsk {
            coach: coach.into(),
            coach_sense: "see".into(),
            coach_obs: " your dishes in the sink ".into(),
            coach_feel: "tired".into(),
            coach_need: "support".into(),
            coach_ask: "wash them tonight?".into(),
        }
    }

    #[test]
    fn saving_is_not_asking() {
        let mut t = String::from("You never listen.");
        assert!(ask("").asked(&mut [("body", &mut t)]).is_none());
        assert!(ask("check:title").asked(&mut [("body", &mut t)]).is_none());
        assert!(ask("other:body").asked(&mut [("body", &mut t)]).is_none());
        assert_eq!(t, "You never listen.");
    }

    #[test]
    fn check_reads_the_named_box_and_build_fills_it() {
        let (mut a, mut b) = (String::from("Fine."), String::from("You never listen."));
        let p = ask("check:b")
            .asked(&mut [("a", &mut a), ("b", &mut b)])
            .unwrap();
        assert_eq!(p.boxes.len(), 1);
        let p = &p.boxes[0];
        assert_eq!(p.field, "b");
        assert!(!p.notes.is_empty());
        assert!(!p.built);
        assert_eq!(b, "You never listen.");
        let p = ask("build:b")
            .asked(&mut [("a", &mut a), ("b", &mut b)])
            .unwrap();
        assert!(p.for_field("b").unwrap().built);
        assert!(p.for_field("a").is_none());
        assert_eq!(
            b,
            "When I see your dishes in the sink, I feel tired, because I need support. \
             Would you wash them tonight?"
        );
        assert_eq!(a, "Fine.");
    }

    #[test]
    fn check_reads_every_named_box_with_text() {
        let (mut a, mut b, mut c) = (
            String::from("You never help."),
            String::new(),
            String::from("Fine."),
        );
        let p = ask("check:a,b,c")
            .asked(&mut [("a", &mut a), ("b", &mut b), ("c", &mut c)])
            .unwrap();
        let read: Vec<_> = p.boxes.iter().map(|b| b.field).collect();
        assert_eq!(read, ["a", "c"]);
        let (mut e, mut f) = (String::new(), String::new());
        let p = ask("check:e,f")
            .asked(&mut [("e", &mut e), ("f", &mut f)])
            .unwrap();
        assert_eq!(p.boxes.len(), 1);
        assert_eq!(p.boxes[0].field, "e");
        assert!(p.boxes[0].notes.is_empty());
    }
}
