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
