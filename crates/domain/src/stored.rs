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
