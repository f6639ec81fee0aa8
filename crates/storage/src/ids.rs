//! Ids as their own types: a person, a couple's space, and the things each tool
//! keeps. Mixing them up (a user id where a couple id belongs, a talk id where a
//! problem id belongs) would be a privacy bug or a wrong row, so the compiler
//! tells them apart at the storage boundary. They are stored and served as
//! plain text; they read as `&str` wherever text is wanted.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                String::column_result(value).map($name)
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                $name(s.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

text_id! {
    /// A person (an account).
    UserId
}

text_id! {
    /// A couple's shared space.
    CoupleId
}

text_id! {
    /// An invitation link (its code is secret; this id is not).
    InvitationId
}

text_id! {
    /// A personal API token (the id, never the secret).
    TokenId
}

text_id! {
    /// A journal entry.
    EntryId
}

text_id! {
    /// A question as asked to one couple (not the deck question's id).
    AskedQuestionId
}

text_id! {
    /// One partner's answer to an asked question.
    AnswerId
}

text_id! {
    /// A talk in the talk room.
    TalkId
}

text_id! {
    /// A problem on the board.
    ProblemId
}

text_id! {
    /// An idea (or compromise) for a problem.
    OptionId
}

text_id! {
    /// An agreement reached on a problem.
    AgreementId
}

text_id! {
    /// An action of the plan.
    ActionId
}

text_id! {
    /// A check-in.
    CheckinId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_their_text_and_compare_with_it() {
        let u = UserId::from("u-1");
        assert_eq!(u.as_str(), "u-1");
        assert_eq!(u, "u-1");
        assert_eq!(&*u, "u-1");
        assert_eq!(u.to_string(), "u-1");
        let c: CoupleId = String::from("c-1").into();
        assert_eq!(String::from(c), "c-1");
    }
}

text_id! {
    /// An appreciation one partner wrote for the other.
    AppreciationId
}
