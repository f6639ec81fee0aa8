//! Reading the words enums are stored as.

use std::fmt;

/// A stored word that names no value of the enum it should be: the row was
/// written by something other than this code, so reading it fails loudly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    /// What was being read, e.g. "board stage".
    pub what: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}: {:?}", self.what, self.value)
    }
}

impl std::error::Error for UnknownValue {}

/// `TryFrom<String>` through the enum's `parse`, for storage to decode columns.
macro_rules! try_from_stored {
    ($ty:ty, $what:literal) => {
        impl TryFrom<String> for $ty {
            type Error = $crate::stored::UnknownValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                <$ty>::parse(&value).ok_or($crate::stored::UnknownValue { what: $what, value })
            }
        }
    };
}
pub(crate) use try_from_stored;

#[cfg(test)]
mod tests {
    use crate::Visibility;
    use crate::board::{AgreementStatus, Stage, Worked};
    use crate::checkin::Rhythm;
    use crate::plan::Assignment;
    use crate::talk::Phase;

    /// Every stored word reads back as the value that wrote it.
    fn round_trips<T>(values: &[T], word: impl Fn(&T) -> &'static str)
    where
        T: TryFrom<String, Error = super::UnknownValue> + PartialEq + std::fmt::Debug,
    {
        for v in values {
            assert_eq!(&T::try_from(word(v).to_owned()).unwrap(), v);
        }
    }

    #[test]
    fn stored_words_read_back_as_what_wrote_them() {
        round_trips(
            &[
                Phase::Requested,
                Phase::Scheduled,
                Phase::Arriving,
                Phase::Live,
                Phase::TimeOut,
                Phase::Ended,
            ],
            |p| p.as_str(),
        );
        round_trips(&Rhythm::ALL, |r| r.as_str());
        round_trips(
            &[
                Assignment::Proposed,
                Assignment::Accepted,
                Assignment::Declined,
            ],
            |a| a.as_str(),
        );
        round_trips(&[Visibility::Private, Visibility::Shared], |v| v.as_str());
        round_trips(&Worked::ALL, |w| w.as_str());
        round_trips(&Stage::ALL, |s| s.as_str());
        round_trips(
            &[
                AgreementStatus::Draft,
                AgreementStatus::Active,
                AgreementStatus::Kept,
                AgreementStatus::Adjusted,
                AgreementStatus::Dropped,
            ],
            |s| s.as_str(),
        );
    }

    #[test]
    fn an_unknown_word_is_refused_and_named() {
        let e = Phase::try_from("dancing".to_owned()).unwrap_err();
        assert_eq!(e.to_string(), "unknown talk phase: \"dancing\"");
        assert!(Assignment::try_from(String::new()).is_err());
    }
}
