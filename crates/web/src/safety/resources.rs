//! Crisis and professional-help resources, set by the operator (with sensible
//! US defaults shipped in the binary).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub contact: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Resources {
    #[serde(default)]
    pub crisis: Vec<Resource>,
    #[serde(default)]
    pub professional: Vec<Resource>,
    // Problem board: how to find and work with a couples counselor (the
    // `/help/counseling` page, suggested when agreements keep not holding).
    #[serde(default)]
    pub counseling: Vec<Resource>,
}

/// A tap-to-call or tap-to-text link found in a resource's contact line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    pub href: String,
    pub label: String,
    /// `phone` or `message-square` (the icon's name).
    pub icon: &'static str,
}

impl Resource {
    /// The numbers in the contact line as `tel:` and `sms:` links: "Call 911",
    /// "Call or text 988", "text START to 88788" (the word goes in the message).
    pub fn dials(&self) -> Vec<Dial> {
        let text = self.contact.as_str();
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
                i += 1;
            }
            let number = text[start..i].trim_end_matches('-');
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 3 {
                continue;
            }
            // The clause this number belongs to: after the last comma before it.
            let clause_start = lower[..start].rfind(',').map_or(0, |c| c + 1);
            let clause = &lower[clause_start..start];
            let call = clause.contains("call");
            if let Some(t) = clause.find("text") {
                // "text WORD to N": WORD is what to send.
                let word = text[clause_start + t + 4..start]
                    .split_whitespace()
                    .next()
                    .filter(|w| !w.eq_ignore_ascii_case("to"))
                    .map(str::to_owned);
                if call {
                    out.push(Dial {
                        href: format!("tel:{digits}"),
                        label: format!("Call {number}"),
                        icon: "phone",
                    });
                }
                out.push(match word {
                    Some(w) => Dial {
                        href: format!("sms:{digits}?body={w}"),
                        label: format!("Text {w} to {number}"),
                        icon: "message-square",
                    },
                    None => Dial {
                        href: format!("sms:{digits}"),
                        label: format!("Text {number}"),
                        icon: "message-square",
                    },
                });
            } else if call {
                out.push(Dial {
                    href: format!("tel:{digits}"),
                    label: format!("Call {number}"),
                    icon: "phone",
                });
            }
        }
        out
    }
}

impl Resources {
    pub fn parse(text: &str) -> Result<Self, String> {
        let r: Resources = toml::from_str(text).map_err(|e| e.to_string())?;
        if r.crisis.is_empty() {
            return Err("the resources file lists no [[crisis]] entries".into());
        }
        Ok(r)
    }
}

impl Default for Resources {
    fn default() -> Self {
        // Checked by the test below, so this cannot fail at run time.
        Resources::parse(include_str!("../../content/resources.toml"))
            .expect("built-in resources are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dials(contact: &str) -> Vec<(String, String)> {
        Resource {
            name: String::new(),
            contact: contact.into(),
            note: String::new(),
        }
        .dials()
        .into_iter()
        .map(|d| (d.href, d.label))
        .collect()
    }

    #[test]
    fn hotline_numbers_become_call_and_text_links() {
        assert_eq!(
            dials("Call 800-799-7233, or text START to 88788"),
            [
                ("tel:8007997233".into(), "Call 800-799-7233".into()),
                ("sms:88788?body=START".into(), "Text START to 88788".into())
            ]
        );
        assert_eq!(
            dials("Call or text 988"),
            [
                ("tel:988".into(), "Call 988".into()),
                ("sms:988".into(), "Text 988".into())
            ]
        );
        assert_eq!(dials("Call 911"), [("tel:911".into(), "Call 911".into())]);
        assert!(dials("Ask for a referral").is_empty());
    }

    #[test]
    fn built_in_resources_parse_and_name_the_hotlines() {
        let r = Resources::default();
        assert!(r.crisis.iter().any(|c| c.contact.contains("800-799-7233")));
        assert!(r.crisis.iter().any(|c| c.contact.contains("988")));
        assert!(!r.professional.is_empty());
        assert!(!r.counseling.is_empty());
    }

    #[test]
    fn an_operator_file_must_list_crisis_resources() {
        assert!(Resources::parse("[[professional]]\nname='x'\ncontact='y'").is_err());
        assert!(Resources::parse("not toml [").is_err());
    }
}
