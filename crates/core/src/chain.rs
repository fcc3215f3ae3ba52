//! The hash chain: each entry commits to the one before it, starting from a genesis hash that
//! names the venture.

use sha2::{Digest, Sha256};

/// A SHA-256 hash of an entry and its predecessor.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryHash(pub [u8; 32]);

impl std::fmt::Debug for EntryHash {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "EntryHash({})", self.to_hex())
    }
}

impl EntryHash {
    /// The genesis hash of a venture's chain: SHA-256 of `peerstake-genesis-v1:` and its slug.
    pub fn genesis(slug: &str) -> EntryHash {
        let mut hasher = Sha256::new();
        hasher.update(b"peerstake-genesis-v1:");
        hasher.update(slug.as_bytes());
        EntryHash(hasher.finalize().into())
    }

    /// The hash of an entry whose canonical bytes are `body`, chained after `self`.
    pub fn next(&self, body: &[u8]) -> EntryHash {
        let mut hasher = Sha256::new();
        hasher.update(self.0);
        hasher.update(body);
        EntryHash(hasher.finalize().into())
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        let mut text = String::with_capacity(64);
        for byte in self.0 {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        text
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Option<EntryHash> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0_u8; 32];
        for (index, pair) in bytes.chunks_exact(2).enumerate() {
            let high = hex_value(*pair.first()?)?;
            let low = hex_value(*pair.get(1)?)?;
            *out.get_mut(index)? = (high << 4) | low;
        }
        Some(EntryHash(out))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_chaining() {
        let genesis = EntryHash::genesis("demo");
        assert_eq!(EntryHash::from_hex(&genesis.to_hex()), Some(genesis));
        assert_ne!(genesis.next(b"a"), genesis.next(b"b"));
        assert_ne!(EntryHash::genesis("a"), EntryHash::genesis("b"));
        assert!(EntryHash::from_hex("zz").is_none());
    }
}
