//! The stored effects' compact form (`peerstake_store::effects`): bytes read back from a
//! database, or from a damaged one. Decoding never panics, never allocates for a count the bytes
//! cannot hold, and what decodes encodes to exactly the bytes it came from (one encoding per
//! list of effects, so a stored row cannot hide a second reading).

use fastrand::Rng;
use peerstake_core::kind::{ALL_KINDS, Class};
use peerstake_core::replay::Effect;
use peerstake_core::terms::MemberNo;
use peerstake_store::effects::{decode, encode};

use crate::mutate;
use crate::runner::Target;

fn amount(rng: &mut Rng) -> i64 {
    match rng.u8(0..6) {
        0 => 0,
        1 => *mutate::pick(rng, &[i64::MIN, i64::MAX, -1, 1, 63, 64, -64, -65, 8191, 8192]),
        2 => rng.i64(..),
        _ => rng.i64(-1_000_000..1_000_000),
    }
}

/// Real effects, as valuation makes them (and at the edges of their ranges).
fn effects(rng: &mut Rng) -> Vec<Effect> {
    let count = match rng.u8(0..8) {
        0 => 0,
        1 => rng.usize(10..200),
        _ => rng.usize(1..5),
    };
    (0..count)
        .map(|_| Effect {
            member: MemberNo(if rng.u8(0..8) == 0 { rng.u32(..) } else { rng.u32(1..20) }),
            kind: *mutate::pick(rng, &ALL_KINDS),
            class: *mutate::pick(rng, &[Class::Cash, Class::NonCash, Class::Plain]),
            fmv_minor: amount(rng),
            slices_minor: amount(rng),
            well_minor: amount(rng),
        })
        .collect()
}

/// `effects::decode`, and `encode` of what it read.
#[derive(Default)]
pub struct Effects;

impl Target for Effects {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let bytes = encode(&effects(rng));
        match rng.u8(0..4) {
            0 => bytes,
            _ => mutate::bytes(rng, &bytes, 3),
        }
    }

    fn mutate(&mut self, rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        mutate::bytes(rng, input, 4)
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        match decode(input) {
            Ok(read) => {
                let again = encode(&read);
                if again != input {
                    return Err(format!("one encoding: {} bytes decode to {} effects that encode to other bytes {again:02x?}", input.len(), read.len()));
                }
                Ok(format!("ok:{}", read.len().min(3)))
            }
            Err(error) => {
                // The reason without its numbers: one outcome per kind of damage.
                let reason: String = error.to_string().chars().filter(|c| !c.is_ascii_digit()).collect();
                Ok(reason)
            }
        }
    }

    fn random_len_max(&self) -> usize {
        48
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_encodings_decode_to_themselves() {
        let mut target = Effects;
        let mut rng = Rng::with_seed(11);
        for _ in 0..1_000 {
            let bytes = encode(&effects(&mut rng));
            assert!(target.run(&bytes).unwrap().starts_with("ok"));
        }
    }
}
