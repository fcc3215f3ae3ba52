//! A venture restored from its JSON export (`Commons::import_venture`) into an empty SQLite
//! store. Seeds are real exports (the demo, a small venture in euros, one in yen); mutations walk
//! the document and remove a field, change a value or its type, or drop, double or swap an entry
//! or an effect, and half the time the hash chain is recomputed over the change, so the file gets
//! past the hash checks to the verification behind them. A restore that fails leaves no venture
//! behind; one that succeeds exports to a file that restores to the same head.

use fastrand::Rng;
use peerstake_app::Commons;
use peerstake_app::files::date;
use peerstake_core::ErrorCode;
use peerstake_core::chain::EntryHash;
use peerstake_core::edition::Edition;
use peerstake_core::entry::Entry;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::money::Currency;
use peerstake_core::numbers::{NumberFormat, parse_canonical};
use peerstake_core::replay::Effect;
use peerstake_core::terms::MemberNo;
use serde_json::Value;

use crate::mutate;
use crate::runner::Target;
use crate::targets::fixture::{self, Scratch};
use crate::targets::{outcome_of, refuse_fault};

/// Contributions of every common kind for the small seed ventures.
const SEED_CSV: &str = "\
date,member,kind,quantity,amount,paid,condition,unit,rate,class,note,from
2025-02-01,ana,time,2:30,,,,,,,Design review,
2025-02-03,fay,deposit,,100,,,,,,Into the well,
2025-02-04,,withdrawal,,40,,,,,,Hosting,
2025-02-05,ben,equipment,,900,100,new,,,,Laptop,
2025-02-06,ben,capital-use,3,,,,day,10,,Server,
2025-02-07,cy,time,10,,,,,,,Advice,2025-02-05
2025-02-08,fay,other,,5,,,,,cash,Stamps,
2025-02-09,ana,cash-paid,,20,,,,,,Stipend,
";

/// `Commons::import_venture`.
pub struct Restore {
    scratch: Scratch,
    commons: Commons,
    seeds: Vec<Value>,
}

impl Restore {
    /// The target: seeds exported from a scratch database, restores into another.
    pub fn new() -> anyhow::Result<Restore> {
        let mut source_scratch = Scratch::new("restore-source")?;
        let source = source_scratch.fresh()?;
        source.create_demo()?;
        for (slug, currency) in [("fz-small", "EUR"), ("fz-yen", "JPY")] {
            fixture::venture(&source, slug, currency, NumberFormat::Point)?;
            source.import_csv(slug, SEED_CSV.as_bytes(), None, fixture::now())?;
        }
        let mut seeds = Vec::new();
        for slug in ["fz-small", "fz-yen", "demo"] {
            let mut exported = Vec::new();
            source.export(slug, &mut exported)?;
            seeds.push(serde_json::from_slice(&exported)?);
        }
        let mut scratch = Scratch::new("restore")?;
        let commons = scratch.fresh()?;
        Ok(Restore { scratch, commons, seeds })
    }

    /// A seed: the small ones more often than the demo, which is slow to restore.
    fn seed(&self, rng: &mut Rng) -> Value {
        let index = if rng.u8(0..5) == 0 { self.seeds.len() - 1 } else { rng.usize(0..self.seeds.len() - 1) };
        self.seeds[index].clone()
    }

    fn restore(&mut self, input: &[u8]) -> Result<String, String> {
        let document: Option<Value> = serde_json::from_slice(input).ok();
        let named = document.as_ref().and_then(|d| d.pointer("/venture/slug")).and_then(Value::as_str).map(str::to_string);
        let slug = named.clone().unwrap_or_else(|| "fz-small".to_string());
        let result = self.commons.import_venture(&slug, input);
        let report = match result {
            Ok(report) => report,
            Err(error) => {
                refuse_fault("the restore", &error)?;
                for name in [Some(&slug), named.as_ref()].into_iter().flatten() {
                    match fixture::state(&self.commons, name) {
                        Ok(None) => {}
                        Ok(Some(state)) => return Err(format!("all or nothing: a refused restore ({error}) left venture {name:?} behind: {state:?}")),
                        Err(e) => return Err(format!("fixture: {e}")),
                    }
                }
                // A file that is no export says why in its message: one outcome per reason.
                let message = error.to_string();
                let reason = message.split(" at line").next().unwrap_or_default().split(':').take(2).collect::<Vec<_>>().join(":");
                let reason: String =
                    reason.split(['`', '\'']).step_by(2).collect::<Vec<_>>().concat().chars().filter(|c| !c.is_ascii_digit()).take(48).collect();
                return Ok(if error.code() == "file_error" { format!("file_error:{reason}") } else { outcome_of(&error) });
            }
        };
        // Exported again, it restores to the same head in an empty database.
        let mut again = Vec::new();
        let exported = self.commons.export(&slug, &mut again).map_err(|e| format!("re-export: the restored venture does not export: {e}"))?;
        if exported.head != report.head || exported.entries != report.entries {
            return Err(format!("re-export: restored to {report:?}, exported {exported:?}"));
        }
        self.commons = self.scratch.fresh().map_err(|e| format!("fixture: {e}"))?;
        let second =
            self.commons.import_venture(&slug, again.as_slice()).map_err(|e| format!("re-export: the export of a restored venture does not restore: {e}"))?;
        if second.head != report.head {
            return Err(format!("re-export: the export of a restored venture restores to {second:?}, not {report:?}"));
        }
        self.commons = self.scratch.fresh().map_err(|e| format!("fixture: {e}"))?;
        Ok(format!("ok:{}", report.entries.min(3)))
    }
}

/// A random edit somewhere in a document.
fn edit(rng: &mut Rng, node: &mut Value) {
    // Mostly down to a leaf: an edit high up the tree only makes a document of the wrong shape.
    let descend = rng.u8(0..12) != 0;
    match node {
        Value::Object(map) if descend && !map.is_empty() => {
            let Some(key) = map.keys().nth(rng.usize(0..map.len())).cloned() else { return };
            if rng.u8(0..8) == 0 {
                map.remove(&key);
            } else if let Some(child) = map.get_mut(&key) {
                edit(rng, child);
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let at = rng.usize(0..items.len());
            match rng.u8(0..10) {
                0 => {
                    items.remove(at);
                }
                1 => {
                    let copy = items[at].clone();
                    items.insert(at, copy);
                }
                2 => {
                    let other = rng.usize(0..items.len());
                    items.swap(at, other);
                }
                _ => edit(rng, &mut items[at]),
            }
        }
        _ => *node = replacement(rng, node),
    }
}

/// Another value for a leaf: a bent one of its type, or one of another type.
fn replacement(rng: &mut Rng, node: &Value) -> Value {
    if rng.u8(0..6) == 0 {
        return mutate::pick(rng, &[Value::Null, Value::Bool(true), Value::from(0), Value::from(""), Value::Array(vec![]), Value::Object(Default::default())])
            .clone();
    }
    match node {
        Value::String(text) => Value::from(match rng.u8(0..4) {
            0 => mutate::pick(rng, mutate::TOKENS).to_string(),
            1 if text.starts_with('-') => text[1..].to_string(),
            1 => format!("-{text}"),
            _ => mutate::text(rng, text, 2),
        }),
        Value::Number(number) => match (number.as_u64(), rng.u8(0..6)) {
            (Some(n), 0) => Value::from(n.wrapping_add(1)),
            (Some(n), 1) => Value::from(n.saturating_sub(1)),
            (_, 2) => Value::from(*mutate::pick(rng, &[u64::MAX, u64::from(u32::MAX) + 1, 0])),
            (_, 3) => Value::from(*mutate::pick(rng, &[i64::MIN, -1, i64::MAX])),
            (_, 4) => Value::from(*mutate::pick(rng, &[1.5, 1e300, -0.0])),
            _ => Value::from(rng.u32(..)),
        },
        Value::Bool(flag) => Value::Bool(!flag),
        _ => Value::from(rng.u8(..)),
    }
}

/// A signed exact decimal as exports write it, scaled by 10^scale.
fn signed(value: &Value, scale: u8) -> Option<i64> {
    let text = value.as_str()?;
    let (negative, digits) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
    let magnitude = i64::try_from(parse_canonical("amount", digits, scale).ok()?).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

fn optional<T: TryFrom<u64>>(value: Option<&Value>) -> Option<Option<T>> {
    match value {
        None | Some(Value::Null) => Some(None),
        Some(value) => Some(Some(T::try_from(value.as_u64()?).ok()?)),
    }
}

fn number<T: TryFrom<u64>>(value: &Value, field: &str) -> Option<T> {
    T::try_from(value.get(field)?.as_u64()?).ok()
}

/// An exported entry read back as the ledger's entry, as the restore reads it.
fn entry_of(value: &Value, money_scale: u8, slice_scale: u8) -> Option<Entry> {
    let text = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_string);
    let mut effects = Vec::new();
    for effect in value.get("effects")?.as_array()? {
        effects.push(Effect {
            member: MemberNo(number(effect, "member")?),
            kind: Kind::from_name(effect.get("kind")?.as_str()?)?,
            class: Class::from_name(effect.get("class")?.as_str()?)?,
            fmv_minor: signed(effect.get("fmv")?, money_scale)?,
            slices_minor: signed(effect.get("slices")?, slice_scale)?,
            well_minor: signed(effect.get("well")?, money_scale)?,
        });
    }
    Some(Entry {
        seq: number(value, "seq")?,
        occurred_on: date("occurred_on", &text("occurred_on")?).ok()?,
        recorded_at_ms: value.get("recorded_at_ms")?.as_i64()?,
        author: optional::<u32>(value.get("author"))?.map(MemberNo),
        member: optional::<u32>(value.get("member"))?.map(MemberNo),
        tag: text("tag")?,
        inputs: text("inputs")?,
        note: text("note")?,
        policy_version: number(value, "policy_version")?,
        terms_version: number(value, "terms_version")?,
        fmv_minor: signed(value.get("fmv")?, money_scale)?,
        slices_minor: signed(value.get("slices")?, slice_scale)?,
        reverses: optional::<u64>(value.get("reverses"))?,
        about: optional::<u64>(value.get("about"))?,
        effects,
    })
}

/// Recomputes the hash chain and the head over the entries as they now are (numbering them
/// afresh when `renumber`), so an edit reaches the checks behind the hashes.
fn rehash(document: &mut Value, renumber: bool) {
    let Some(slug) = document.pointer("/venture/slug").and_then(Value::as_str).map(str::to_string) else { return };
    let currency = document.pointer("/venture/currency").and_then(Value::as_str).and_then(|code| Currency::from_code(code).ok());
    let edition = document.pointer("/venture/edition").and_then(Value::as_u64).and_then(|n| u8::try_from(n).ok()).and_then(Edition::from_number);
    let (Some(currency), Some(edition)) = (currency, edition.or(Some(Edition::FIRST))) else { return };
    let (money_scale, slice_scale) = (currency.exponent(), edition.slice_scale(currency));
    let mut previous = EntryHash::genesis(&slug);
    let Some(entries) = document.get_mut("entries").and_then(Value::as_array_mut) else { return };
    for (index, entry) in entries.iter_mut().enumerate() {
        if renumber && let Some(object) = entry.as_object_mut() {
            object.insert("seq".into(), Value::from(index + 1));
        }
        match entry_of(entry, money_scale, slice_scale) {
            Some(read) => {
                previous = read.hash_after(&previous);
                if let Some(object) = entry.as_object_mut() {
                    object.insert("hash".into(), Value::from(previous.to_hex()));
                }
            }
            None => match entry.get("hash").and_then(Value::as_str).and_then(EntryHash::from_hex) {
                Some(hash) => previous = hash,
                None => return,
            },
        }
    }
    let count = entries.len();
    if let Some(head) = document.get_mut("head").and_then(Value::as_object_mut) {
        head.insert("seq".into(), Value::from(count));
        head.insert("hash".into(), Value::from(previous.to_hex()));
    }
}

/// Edits, a new chain half the time, and the document written out (sometimes then bent as text).
fn bend(rng: &mut Rng, mut document: Value) -> Vec<u8> {
    for _ in 0..rng.usize(1..=3) {
        edit(rng, &mut document);
    }
    if rng.bool() {
        rehash(&mut document, rng.bool());
    }
    let text = if rng.bool() { serde_json::to_vec(&document) } else { serde_json::to_vec_pretty(&document) }.unwrap_or_default();
    if rng.u8(0..6) == 0 { mutate::bytes(rng, &text, 2) } else { text }
}

impl Target for Restore {
    fn generate(&mut self, rng: &mut Rng) -> Vec<u8> {
        let seed = self.seed(rng);
        if rng.u8(0..10) == 0 {
            return serde_json::to_vec(&seed).unwrap_or_default();
        }
        bend(rng, seed)
    }

    fn mutate(&mut self, rng: &mut Rng, input: &[u8]) -> Vec<u8> {
        match serde_json::from_slice::<Value>(input) {
            Ok(document) if rng.u8(0..4) != 0 => bend(rng, document),
            _ => mutate::bytes(rng, input, 3),
        }
    }

    fn run(&mut self, input: &[u8]) -> Result<String, String> {
        self.restore(input)
    }

    fn random_len_max(&self) -> usize {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_restore_and_bent_ones_write_nothing() {
        let mut target = Restore::new().unwrap();
        for seed in target.seeds.clone() {
            let text = serde_json::to_vec(&seed).unwrap();
            assert!(target.run(&text).unwrap().starts_with("ok:"));
        }
        // Recomputing the chain over an unchanged export changes nothing.
        let mut same = target.seeds[0].clone();
        rehash(&mut same, true);
        assert_eq!(same, target.seeds[0]);
        let mut rng = Rng::with_seed(19);
        for _ in 0..40 {
            let input = target.generate(&mut rng);
            target.run(&input).unwrap();
        }
    }
}
