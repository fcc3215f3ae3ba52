//! The stored form of an entry's effects: one compact byte string in the entry's own row, so an
//! entry is written and read as one row however many members a withdrawal pays out to.
//!
//! Layout: a format byte (1), the number of effects, then per effect the member number, the
//! kind code, the class code, and the three signed amounts (fmv, slices, well). Counts, member
//! numbers and codes are unsigned LEB128; amounts are zigzag-encoded LEB128.

use std::collections::BTreeMap;

use peerstake_core::replay::{Bucket, BucketKey, Effect};
use peerstake_core::terms::MemberNo;

use crate::StoreError;
use crate::codes::{class_code, class_from_code, kind_code, kind_from_code};

const FORMAT: u8 = 1;

/// Whether an entry's effects reach a member other than the one it is recorded for (a well
/// withdrawal pays every depositor). Such entries are found by a member filter through this flag.
pub fn shared(member: Option<MemberNo>, effects: &[Effect]) -> bool {
    effects.iter().any(|effect| Some(effect.member) != member)
}

/// Appends the stored form of `effects` to `out`.
pub fn encode_into(effects: &[Effect], out: &mut Vec<u8>) {
    out.push(FORMAT);
    put_unsigned(out, effects.len() as u64);
    for effect in effects {
        put_unsigned(out, u64::from(effect.member.0));
        put_unsigned(out, u64::from(kind_code(effect.kind).unsigned_abs()));
        put_unsigned(out, u64::from(class_code(effect.class).unsigned_abs()));
        put_signed(out, effect.fmv_minor);
        put_signed(out, effect.slices_minor);
        put_signed(out, effect.well_minor);
    }
}

/// The stored form of `effects`.
pub fn encode(effects: &[Effect]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + effects.len() * 12);
    encode_into(effects, &mut out);
    out
}

/// Reads effects back from their stored form.
pub fn decode(bytes: &[u8]) -> Result<Vec<Effect>, StoreError> {
    let mut reader = Reader { bytes, at: 0 };
    let format = reader.byte()?;
    if format != FORMAT {
        return Err(corrupt(format!("unknown effects format {format}")));
    }
    let count = reader.unsigned()?;
    // Each effect takes at least six bytes, so a count beyond that is corrupt, not a huge allocation.
    if count > (bytes.len() as u64) / 6 {
        return Err(corrupt(format!("{count} effects cannot fit in {} bytes", bytes.len())));
    }
    let mut effects = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for _ in 0..count {
        let member = u32::try_from(reader.unsigned()?).map_err(|_| corrupt("member number out of range".into()))?;
        let kind = reader.unsigned()?;
        let class = reader.unsigned()?;
        effects.push(Effect {
            member: MemberNo(member),
            kind: i64::try_from(kind).ok().and_then(kind_from_code).ok_or_else(|| corrupt(format!("kind code {kind}")))?,
            class: i64::try_from(class).ok().and_then(class_from_code).ok_or_else(|| corrupt(format!("class code {class}")))?,
            fmv_minor: reader.signed()?,
            slices_minor: reader.signed()?,
            well_minor: reader.signed()?,
        });
    }
    if reader.at != bytes.len() {
        return Err(corrupt("trailing bytes after the effects".into()));
    }
    Ok(effects)
}

/// Sums of effects per member, kind and class (the as-of totals).
#[derive(Debug, Default)]
pub struct Sums(BTreeMap<BucketKey, Bucket>);

impl Sums {
    /// Adds effects to the sums.
    pub fn add(&mut self, effects: &[Effect]) -> Result<(), StoreError> {
        for effect in effects {
            let bucket = self.0.entry(BucketKey { member: effect.member, kind: effect.kind, class: effect.class }).or_default();
            let add = |a: i64, b: i64| a.checked_add(b).ok_or_else(|| corrupt("totals overflow".into()));
            bucket.fmv_minor = add(bucket.fmv_minor, effect.fmv_minor)?;
            bucket.slices_minor = add(bucket.slices_minor, effect.slices_minor)?;
            bucket.well_minor = add(bucket.well_minor, effect.well_minor)?;
        }
        Ok(())
    }

    /// The sums that are not zero, in key order.
    pub fn into_nonzero(self) -> Vec<(BucketKey, Bucket)> {
        self.0.into_iter().filter(|(_, bucket)| *bucket != Bucket::default()).collect()
    }
}

fn corrupt(message: String) -> StoreError {
    StoreError::Corrupt(format!("stored effects: {message}"))
}

fn put_unsigned(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_signed(out: &mut Vec<u8>, value: i64) {
    put_unsigned(out, ((value << 1) ^ (value >> 63)) as u64);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, StoreError> {
        let byte = *self.bytes.get(self.at).ok_or_else(|| corrupt("truncated".into()))?;
        self.at += 1;
        Ok(byte)
    }

    fn unsigned(&mut self) -> Result<u64, StoreError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(corrupt("number too long".into()));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                // A last byte of zero after others is a longer spelling of a shorter number: the
                // encoder never writes one, so the stored form has one reading only.
                if shift > 0 && bits == 0 {
                    return Err(corrupt("number not in its shortest form".into()));
                }
                return Ok(value);
            }
        }
        Err(corrupt("number too long".into()))
    }

    fn signed(&mut self) -> Result<i64, StoreError> {
        let raw = self.unsigned()?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }
}

#[cfg(test)]
mod tests {
    use peerstake_core::kind::{ALL_KINDS, Class};

    use super::*;

    fn effect(member: u32, index: usize, fmv: i64, slices: i64, well: i64) -> Effect {
        Effect {
            member: MemberNo(member),
            kind: ALL_KINDS[index % ALL_KINDS.len()],
            class: Class::NonCash,
            fmv_minor: fmv,
            slices_minor: slices,
            well_minor: well,
        }
    }

    #[test]
    fn effects_round_trip_through_their_stored_form() {
        let cases = vec![
            vec![],
            vec![effect(1, 0, 12_345, 24_690, 0)],
            vec![effect(u32::MAX, 3, i64::MIN, i64::MAX, -1), effect(0, 10, 0, -0, 1)],
            (1..=1000).map(|m| effect(m, m as usize, -(m as i64) * 7, m as i64 * 28, -(m as i64))).collect(),
        ];
        for effects in cases {
            let bytes = encode(&effects);
            assert_eq!(decode(&bytes).unwrap(), effects);
        }
    }

    #[test]
    fn damaged_stored_effects_are_refused_not_misread() {
        let bytes = encode(&[effect(7, 1, 100, 400, 0)]);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "a prefix of {cut} bytes must be refused");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
        let mut bad_format = bytes.clone();
        bad_format[0] = 9;
        assert!(decode(&bad_format).is_err());
        // A count far beyond what the bytes can hold.
        assert!(decode(&[FORMAT, 0xff, 0xff, 0xff, 0x0f]).is_err());
        // An unknown kind code.
        assert!(decode(&[FORMAT, 1, 1, 99, 1, 0, 0, 0]).is_err());
        // Found by the fuzzer: a number padded with a zero continuation byte (0xf7 0x00 for 0x77)
        // decoded to effects that encode to other bytes.
        let padded = [FORMAT, 0x01, 0x0c, 0x0a, 0x03, 0x16, 0x00, 0xf7, 0x00];
        assert!(decode(&padded).is_err());
        assert_eq!(decode(&[FORMAT, 0x01, 0x0c, 0x0a, 0x03, 0x16, 0x00, 0x77]).unwrap()[0].well_minor, -60);
        assert!(decode(&[FORMAT, 0x80, 0x00]).is_err(), "a zero count spelled in two bytes");
    }

    #[test]
    fn an_entry_is_shared_when_its_effects_reach_another_member() {
        let own = [effect(3, 0, 1, 1, 0)];
        assert!(!shared(Some(MemberNo(3)), &own));
        assert!(shared(None, &own));
        assert!(shared(Some(MemberNo(3)), &[effect(3, 0, 1, 1, 0), effect(4, 0, 1, 1, 0)]));
        assert!(!shared(None, &[]));
    }
}
