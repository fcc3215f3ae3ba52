//! A ledger entry and its canonical bytes, which the hash chain covers.

use time::Date;

use crate::chain::EntryHash;
use crate::replay::Effect;
use crate::terms::MemberNo;

/// The tag of a reversal entry.
pub const REVERSAL_TAG: &str = "reversal";

/// One entry in a venture's ledger: a contribution (or cash paid, or a well movement) with the
/// inputs and versions it was valued with and the effects it had, or the reversal of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the venture's ledger, from 1.
    pub seq: u64,
    /// The date the contribution happened; the split as of a date counts entries up to it.
    pub occurred_on: Date,
    /// When it was recorded, milliseconds since the Unix epoch (UTC).
    pub recorded_at_ms: i64,
    /// Who recorded it (none for the operator or an import).
    pub author: Option<MemberNo>,
    /// Whom it is for (none for a well withdrawal).
    pub member: Option<MemberNo>,
    /// The input tag (`time`, `deposit`, …) or `reversal`.
    pub tag: String,
    /// The canonical inputs (see [`crate::input::Input::canonical`]); empty for a reversal.
    pub inputs: String,
    /// Free text: what was done, the purpose of a withdrawal, the reason for a reversal.
    pub note: String,
    /// The policy version it was valued with.
    pub policy_version: u32,
    /// The member's terms version it was valued with (0 when none applied).
    pub terms_version: u32,
    /// Fair market value, minor units.
    pub fmv_minor: i64,
    /// Slices, slice minor units.
    pub slices_minor: i64,
    /// The entry this one reverses.
    pub reverses: Option<u64>,
    /// The entry a review step (approval, dispute, decision, vote) is about, or the entry an
    /// amended contribution replaces.
    pub about: Option<u64>,
    /// The effects on balances.
    pub effects: Vec<Effect>,
}

impl Entry {
    /// The canonical bytes: a version tag then every field in a fixed order, integers big-endian,
    /// text length-prefixed. Two entries with the same bytes are the same entry.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(96 + self.inputs.len() + self.note.len() + self.effects.len() * 40);
        bytes.extend_from_slice(b"peerstake-entry-v1");
        bytes.extend_from_slice(&self.seq.to_be_bytes());
        bytes.extend_from_slice(&self.occurred_on.to_julian_day().to_be_bytes());
        bytes.extend_from_slice(&self.recorded_at_ms.to_be_bytes());
        bytes.extend_from_slice(&self.author.map_or(0, |m| m.0).to_be_bytes());
        bytes.extend_from_slice(&self.member.map_or(0, |m| m.0).to_be_bytes());
        push_text(&mut bytes, &self.tag);
        push_text(&mut bytes, &self.inputs);
        push_text(&mut bytes, &self.note);
        bytes.extend_from_slice(&self.policy_version.to_be_bytes());
        bytes.extend_from_slice(&self.terms_version.to_be_bytes());
        bytes.extend_from_slice(&self.fmv_minor.to_be_bytes());
        bytes.extend_from_slice(&self.slices_minor.to_be_bytes());
        bytes.extend_from_slice(&self.reverses.unwrap_or(0).to_be_bytes());
        bytes.extend_from_slice(&u32::try_from(self.effects.len()).unwrap_or(u32::MAX).to_be_bytes());
        for effect in &self.effects {
            bytes.extend_from_slice(&effect.member.0.to_be_bytes());
            bytes.push(u8::try_from(effect.kind.index()).unwrap_or(u8::MAX));
            bytes.push(match effect.class {
                crate::kind::Class::Cash => 1,
                crate::kind::Class::NonCash => 2,
                crate::kind::Class::Plain => 3,
            });
            bytes.extend_from_slice(&effect.fmv_minor.to_be_bytes());
            bytes.extend_from_slice(&effect.slices_minor.to_be_bytes());
            bytes.extend_from_slice(&effect.well_minor.to_be_bytes());
        }
        // Added after version 1 of the layout: present only when set, so earlier hashes hold.
        if let Some(about) = self.about {
            bytes.extend_from_slice(b"about");
            bytes.extend_from_slice(&about.to_be_bytes());
        }
        bytes
    }

    /// The first day the entry covers: its date, or for time worked over a period the first day
    /// of the period.
    pub fn first_day(&self) -> Date {
        if self.tag != "time" || !self.inputs.contains(";days=") {
            return self.occurred_on;
        }
        crate::input::Input::from_canonical(&self.inputs).map_or(self.occurred_on, |input| input.period_start(self.occurred_on))
    }

    /// Its date as people read it: `2026-03-07`, or `2026-03-01 – 2026-03-07` for a period.
    pub fn dates(&self) -> String {
        let first = self.first_day();
        if first == self.occurred_on { self.occurred_on.to_string() } else { format!("{first} – {}", self.occurred_on) }
    }

    /// This entry's hash, chained after `previous`.
    pub fn hash_after(&self, previous: &EntryHash) -> EntryHash {
        previous.next(&self.canonical_bytes())
    }
}

fn push_text(bytes: &mut Vec<u8>, text: &str) {
    bytes.extend_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_be_bytes());
    bytes.extend_from_slice(text.as_bytes());
}
