//! The canonical vocabulary of collection-log records (`collection-event.schema.json`).
//! The rule checker uses the same lists, so a rule comparing `e.kind` with `cal` is an error.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            /// The canonical word, exactly as the schema spells it.
            pub fn from_word(word: &str) -> Option<$name> {
                match word { $($word => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

vocabulary! {
    /// What happened.
    EventKind {
        Call = "call",
        Sms = "sms",
        AppMessage = "app_message",
        Email = "email",
        Letter = "letter",
        Visit = "visit",
        Voicemail = "voicemail",
        SocialMedia = "social_media",
        Notice = "notice",
        CreditReport = "credit_report",
        Complaint = "complaint",
        ComplaintResponse = "complaint_response",
        CeaseRequest = "cease_request",
        Dispute = "dispute",
        ValidationNotice = "validation_notice",
        Payment = "payment",
        Lawsuit = "lawsuit",
        AttorneyRepresentation = "attorney_representation",
    }
}

vocabulary! {
    /// Who was contacted or who acted.
    Party {
        Debtor = "debtor",
        CoBorrower = "co_borrower",
        Guarantor = "guarantor",
        Spouse = "spouse",
        EmergencyContact = "emergency_contact",
        Family = "family",
        Employer = "employer",
        ContactList = "contact_list",
        OtherThirdParty = "other_third_party",
        Attorney = "attorney",
    }
}

vocabulary! {
    Direction {
        Outbound = "outbound",
        Inbound = "inbound",
    }
}

vocabulary! {
    /// For calls: whether a conversation took place.
    Outcome {
        Connected = "connected",
        NoAnswer = "no_answer",
        Voicemail = "voicemail",
        Busy = "busy",
        Failed = "failed",
        Delivered = "delivered",
    }
}

/// The canonical field names of a record, as `collection-event.schema.json` lists them.
pub const FIELDS: [&str; 13] = [
    "id",
    "debtor",
    "account",
    "time",
    "tz",
    "kind",
    "party",
    "to",
    "direction",
    "outcome",
    "agent",
    "text",
    "recorded",
];

/// Fields a record must have.
pub const REQUIRED_FIELDS: [&str; 3] = ["debtor", "time", "kind"];

/// The canonical words of a vocabulary field (`kind`, `party`, `direction`, `outcome`).
pub fn words_of(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "kind" => Some(EventKind::WORDS),
        "party" => Some(Party::WORDS),
        "direction" => Some(Direction::WORDS),
        "outcome" => Some(Outcome::WORDS),
        _ => None,
    }
}

/// Weekday names as rules write them (Monday = 0).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_word(k.as_str()), Some(*k));
        }
        assert_eq!(EventKind::WORDS.len(), 18);
        assert_eq!(Party::from_word("employer"), Some(Party::Employer));
        assert_eq!(Outcome::from_word("connected "), None);
    }
}
