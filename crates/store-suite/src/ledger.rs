//! The venture's ledger ([`peerstake_store::Ledger`]): ventures with their number format and
//! edition, the chain head and book version, members, terms, policy versions, entries with their
//! effects, reversals and the entries about an entry, the maintained totals, totals as of a
//! date, well balances, read marks, idempotency records, migrations and rollback.

use peerstake_core::chain::EntryHash;
use peerstake_core::dating::{ReadMark, ReadScope};
use peerstake_core::edition::Edition;
use peerstake_core::kind::{ALL_KINDS, Class, Kind};
use peerstake_core::numbers::NumberFormat;
use peerstake_core::replay::{Bucket, BucketKey, Effect};
use peerstake_core::terms::{MemberNo, Terms};
use peerstake_store::{
    COMMONS_SCOPE, IdempotencyRecord, MemberRecord, Mode, NewVenture, PolicyVersionRecord, StoredEntry, TermsRecord, VentureId, VentureRecord,
};
use time::macros::date;

use crate::Factory;
use crate::fixtures::{effect, entry, member, read, terms, venture, write};

/// Migrating is idempotent: a fresh store is already migrated, starts empty, and migrating again
/// applies nothing and keeps what was written. The backend names itself.
pub fn migrations_are_idempotent(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    assert!(matches!(store.backend(), "sqlite" | "postgres"), "{}", store.backend());
    assert_eq!(store.migrate().unwrap(), Vec::<String>::new(), "a fresh store is migrated");
    assert!(read(store, |tx| tx.ventures().unwrap()).is_empty(), "a fresh store is empty");
    write(store, |tx| venture(tx, "acme"));
    assert_eq!(store.migrate().unwrap(), Vec::<String>::new());
    assert!(read(store, |tx| tx.venture_by_slug("acme").unwrap()).is_some(), "migrating keeps what was written");
}

/// A venture reads back as it was inserted, with every number format and both editions; the
/// list is by slug; an unknown slug is none; locking returns the same record.
pub fn ventures_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let editions = [Edition::FIRST, Edition::CURRENT];
    // Inserted against the order of their slugs, so the list's order is the database's doing.
    let news: Vec<NewVenture> = NumberFormat::ALL
        .iter()
        .enumerate()
        .rev()
        .map(|(index, format)| NewVenture {
            slug: format!("venture-{index}"),
            name: format!("Venture «{index}»"),
            pitch: format!("pitch {index}, with 'quotes'"),
            currency: ["EUR", "JPY", "CHF", "USD"][index].into(),
            created_at_ms: 1_700_000_000_000 + i64::try_from(index).unwrap(),
            number_format: *format,
            edition: editions[index % 2],
        })
        .collect();
    let ids: Vec<VentureId> = write(store, |tx| news.iter().map(|new| tx.insert_venture(new, &EntryHash::genesis(&new.slug)).unwrap()).collect());
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "each venture has its own id");

    let expected: Vec<VentureRecord> = news
        .iter()
        .zip(&ids)
        .map(|(new, id)| VentureRecord {
            id: *id,
            slug: new.slug.clone(),
            name: new.name.clone(),
            pitch: new.pitch.clone(),
            currency: new.currency.clone(),
            created_at_ms: new.created_at_ms,
            head_seq: 0,
            head_hash: EntryHash::genesis(&new.slug),
            book_version: 0,
            number_format: new.number_format,
            edition: new.edition,
        })
        .collect();
    let mut tx = store.begin(Mode::Read).unwrap();
    for record in &expected {
        assert_eq!(tx.venture_by_slug(&record.slug).unwrap().as_ref(), Some(record));
    }
    assert!(tx.venture_by_slug("nope").unwrap().is_none());
    assert!(tx.venture_by_slug("VENTURE-0").unwrap().is_none(), "slugs are matched exactly");
    let mut by_slug = expected.clone();
    by_slug.sort_by(|a, b| a.slug.cmp(&b.slug));
    assert_eq!(tx.ventures().unwrap(), by_slug);
    drop(tx);

    let mut tx = store.begin(Mode::Write).unwrap();
    assert_eq!(tx.lock_venture(ids[0]).unwrap(), expected[0]);
}

/// The chain head and the number format change in place and are read back after commit, and
/// only for the venture named.
pub fn venture_head_and_number_format_change(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| (venture(tx, "acme"), venture(tx, "beta")));
    write(store, |tx| {
        tx.set_head(acme, 41, &EntryHash([9; 32])).unwrap();
        tx.set_number_format(acme, NumberFormat::SpaceComma).unwrap();
        let locked = tx.lock_venture(acme).unwrap();
        assert_eq!((locked.head_seq, locked.head_hash), (41, EntryHash([9; 32])), "the transaction sees its own writes");
    });
    write(store, |tx| tx.set_head(acme, 42, &EntryHash([7; 32])).unwrap());
    read(store, |tx| {
        let record = tx.venture_by_slug("acme").unwrap().unwrap();
        assert_eq!((record.head_seq, record.head_hash, record.number_format), (42, EntryHash([7; 32]), NumberFormat::SpaceComma));
        let other = tx.venture_by_slug("beta").unwrap().unwrap();
        assert_eq!(other.id, beta);
        assert_eq!((other.head_seq, other.head_hash, other.number_format), (0, EntryHash::genesis("beta"), NumberFormat::default()));
    });
}

/// The book version moves, in the same transaction, with every insert of a member, terms or
/// policy version, and only for that venture.
pub fn book_version_moves_with_the_book(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let (acme, beta) = write(store, |tx| (venture(tx, "acme"), venture(tx, "beta")));
    let moved = write(store, |tx| {
        let mut versions = vec![tx.lock_venture(acme).unwrap().book_version];
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        versions.push(tx.lock_venture(acme).unwrap().book_version);
        tx.insert_terms(acme, &terms(1, 1, Terms::Hourly { rate_minor: 5000 })).unwrap();
        versions.push(tx.lock_venture(acme).unwrap().book_version);
        let policy = PolicyVersionRecord { version: 1, effective_from: date!(2024 - 01 - 01), settings: "x = 1".into(), recorded_at_ms: 4 };
        tx.insert_policy_version(acme, &policy).unwrap();
        versions.push(tx.lock_venture(acme).unwrap().book_version);
        versions
    });
    assert!(moved.windows(2).all(|pair| pair[1] > pair[0]), "each change moves the book version: {moved:?}");
    read(store, |tx| {
        assert_eq!(tx.venture_by_slug("acme").unwrap().unwrap().book_version, moved[3], "the moves are committed with the inserts");
        assert_eq!(tx.venture_by_slug("beta").unwrap().unwrap().book_version, 0, "another venture's book is untouched");
        assert_eq!(tx.venture_by_slug("beta").unwrap().unwrap().id, beta);
    });
}

/// Members read back by number with every field, a departure day included; a handle is the
/// venture's own, so another venture may use it.
pub fn members_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let steward = MemberRecord {
        member_no: MemberNo(1),
        handle: "ann".into(),
        display_name: "Ann Ö'Neil".into(),
        role: "steward".into(),
        joined_on: date!(2023 - 12 - 31),
        recorded_at_ms: 1_700_000_000_123,
        departed_on: None,
    };
    let left = MemberRecord { departed_on: Some(date!(2024 - 06 - 30)), role: "backer".into(), ..member(2, "bob") };
    let third = MemberRecord { joined_on: date!(2024 - 02 - 29), ..member(3, "cat") };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        for record in [&third, &steward, &left] {
            tx.insert_member(acme, record).unwrap();
        }
        tx.insert_member(beta, &member(7, "ann")).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.members(acme).unwrap(), vec![steward.clone(), left.clone(), third.clone()]);
        assert_eq!(tx.members(beta).unwrap(), vec![member(7, "ann")]);
        assert!(tx.members(VentureId(999_999)).unwrap().is_empty());
    });
}

/// Terms on a salary (with and without a per-member year of hours) and by the hour read back by
/// member, then version.
pub fn terms_round_trip_on_both_bases(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let salary = terms(1, 1, Terms::Salary { market_salary_minor: 10_000_000, cash_salary_minor: 2_000_000, hours_per_year: Some(2000) });
    let raise = TermsRecord {
        version: 2,
        effective_from: date!(2024 - 07 - 01),
        terms: Terms::Salary { market_salary_minor: 12_000_000, cash_salary_minor: 0, hours_per_year: None },
        recorded_at_ms: 4,
        ..salary.clone()
    };
    let hourly = TermsRecord { effective_from: date!(2024 - 02 - 01), recorded_at_ms: 5, ..terms(2, 1, Terms::Hourly { rate_minor: 5_000 }) };
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
        tx.insert_member(acme, &member(2, "bob")).unwrap();
        for record in [&hourly, &raise, &salary] {
            tx.insert_terms(acme, record).unwrap();
        }
        acme
    });
    assert_eq!(read(store, |tx| tx.terms(acme).unwrap()), vec![salary, raise, hourly]);
}

/// Policy versions read back by version with their settings text as written.
pub fn policy_versions_round_trip(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let first = PolicyVersionRecord {
        version: 1,
        effective_from: date!(2024 - 01 - 01),
        settings: "preset = \"slicing-pie\"\n[multipliers]\ncash = 4\nnon_cash = 2\n".into(),
        recorded_at_ms: 4,
    };
    let second =
        PolicyVersionRecord { version: 2, effective_from: date!(2025 - 03 - 15), settings: "note = \"ünïcode, 'quotes'\"\n".into(), recorded_at_ms: 9 };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_policy_version(acme, &second).unwrap();
        tx.insert_policy_version(acme, &first).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.policy_versions(acme).unwrap(), vec![first, second]);
        assert!(tx.policy_versions(beta).unwrap().is_empty());
    });
}

/// Entries read back exactly as written: every field, no effects or several, every kind and
/// class, extreme amounts, entries with no author or member; one at a time, in a batch and
/// in an empty batch. The latest date is the latest entry's, whatever the order they came in.
pub fn entries_round_trip_with_their_effects(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let first = entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 100), effect(2, Kind::Cash, Class::Cash, 50)]);
    let mut withdrawal = entry(2, date!(2024 - 12 - 31), Vec::new());
    withdrawal.entry.author = None;
    withdrawal.entry.member = None;
    withdrawal.entry.tag = "withdrawal".into();
    withdrawal.entry.inputs = String::new();
    withdrawal.entry.note = "a laptop, «the» 'good' one\nsecond line".into();
    withdrawal.entry.policy_version = 3;
    withdrawal.entry.terms_version = 0;
    withdrawal.entry.fmv_minor = -5_000;
    withdrawal.entry.slices_minor = i64::MIN;
    withdrawal.hash = EntryHash([0xff; 32]);
    let classes = [Class::Cash, Class::NonCash, Class::Plain];
    let every_kind: Vec<Effect> = ALL_KINDS
        .iter()
        .enumerate()
        .map(|(index, kind)| Effect {
            member: MemberNo(u32::try_from(index).unwrap() + 1),
            kind: *kind,
            class: classes[index % 3],
            fmv_minor: if index % 2 == 0 { i64::MAX } else { i64::MIN },
            slices_minor: -1,
            well_minor: i64::try_from(index).unwrap() * 1_000_000_007,
        })
        .collect();
    let third = entry(3, date!(2024 - 04 - 01), every_kind);
    let batch: Vec<StoredEntry> = (4..=12)
        .map(|seq| {
            let effects = if seq % 3 == 0 { Vec::new() } else { vec![effect(2, Kind::Time, Class::NonCash, 10)] };
            entry(seq, date!(2024 - 05 - 01), effects)
        })
        .collect();

    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_entries(acme, std::slice::from_ref(&first)).unwrap();
        tx.insert_entries(acme, &[withdrawal.clone(), third.clone()]).unwrap();
        tx.insert_entries(acme, &[]).unwrap();
        tx.insert_entries(acme, &batch).unwrap();
        (acme, beta)
    });

    let mut tx = store.begin(Mode::Read).unwrap();
    assert_eq!(tx.entry(acme, 1).unwrap().as_ref(), Some(&first));
    assert_eq!(tx.entry(acme, 2).unwrap().as_ref(), Some(&withdrawal));
    assert_eq!(tx.entry(acme, 3).unwrap().as_ref(), Some(&third));
    for stored in &batch {
        assert_eq!(tx.entry(acme, stored.entry.seq).unwrap().as_ref(), Some(stored));
    }
    assert!(tx.entry(acme, 13).unwrap().is_none());
    assert!(tx.entry(beta, 1).unwrap().is_none(), "entries are the venture's own");
    assert_eq!(tx.latest_entry_date(acme).unwrap(), Some(date!(2024 - 12 - 31)));
    assert_eq!(tx.latest_entry_date(beta).unwrap(), None);
}

/// An entry whose effects reach a thousand members is one entry: it reads back whole, is listed
/// once, and is found by any member it reaches.
pub fn an_entry_with_many_effects_is_one_entry(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let effects: Vec<Effect> = (1..=1_000)
        .map(|member| Effect { member: MemberNo(member), kind: Kind::Cash, class: Class::Cash, fmv_minor: 0, slices_minor: 0, well_minor: -i64::from(member) })
        .collect();
    let mut payout = entry(1, date!(2024 - 03 - 01), effects);
    payout.entry.member = None;
    payout.entry.tag = "withdrawal".into();
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, std::slice::from_ref(&payout)).unwrap();
        acme
    });
    read(store, |tx| {
        assert_eq!(tx.entry(acme, 1).unwrap().as_ref(), Some(&payout));
        let all = peerstake_store::EntryFilter { limit: 10, ..Default::default() };
        assert_eq!(tx.entries(acme, &all).unwrap(), vec![payout.clone()]);
        let reached = peerstake_store::EntryFilter { member: Some(MemberNo(777)), limit: 10, ..Default::default() };
        assert_eq!(tx.entries(acme, &reached).unwrap(), vec![payout.clone()]);
        let as_of = tx.totals_as_of(acme, date!(2024 - 03 - 01)).unwrap();
        assert_eq!(as_of.len(), 1_000);
        assert_eq!(as_of[776].1.well_minor, -777);
    });
}

/// The entry reversing an entry is found from it; the entries about an entry (its review steps)
/// are listed in order; the reviewed entries are each listed once, in order.
pub fn reversals_and_about_links(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let on = date!(2024 - 03 - 01);
    let about = |seq: u64, of: u64| {
        let mut step = entry(seq, on, Vec::new());
        step.entry.about = Some(of);
        step.entry.tag = "approval".into();
        step
    };
    let mut reversal = entry(4, on, Vec::new());
    reversal.entry.reverses = Some(1);
    reversal.entry.tag = "reversal".into();
    reversal.entry.author = None;
    let steps = [about(5, 2), about(6, 2), about(7, 3), about(8, 2)];
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.insert_entries(acme, &[entry(1, on, Vec::new()), entry(2, on, Vec::new()), entry(3, on, Vec::new()), reversal.clone()]).unwrap();
        tx.insert_entries(acme, &steps).unwrap();
        tx.insert_entries(beta, &[entry(1, on, Vec::new()), about(2, 1)]).unwrap();
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.reversal_of(acme, 1).unwrap(), Some(4));
        assert_eq!(tx.reversal_of(acme, 2).unwrap(), None);
        assert_eq!(tx.reversal_of(acme, 99).unwrap(), None);
        assert_eq!(tx.reversal_of(beta, 1).unwrap(), None, "a reversal is the venture's own");
        assert_eq!(tx.entry(acme, 4).unwrap().unwrap().entry.reverses, Some(1));
        assert_eq!(tx.entries_about(acme, 2).unwrap(), vec![steps[0].clone(), steps[1].clone(), steps[3].clone()]);
        assert_eq!(tx.entries_about(acme, 3).unwrap(), vec![steps[2].clone()]);
        assert!(tx.entries_about(acme, 1).unwrap().is_empty());
        assert_eq!(tx.reviewed_entries(acme).unwrap(), vec![2, 3]);
        assert_eq!(tx.reviewed_entries(beta).unwrap(), vec![1]);
    });
}

fn key(member: u32, kind: Kind, class: Class) -> BucketKey {
    BucketKey { member: MemberNo(member), kind, class }
}

fn bucket(fmv_minor: i64, slices_minor: i64, well_minor: i64) -> Bucket {
    Bucket { fmv_minor, slices_minor, well_minor }
}

/// Deltas add up in their buckets across calls and transactions; a bucket back at zero is no
/// longer listed; the totals are by member, kind and class, and each member's are their own.
pub fn maintained_totals_add_up(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let time = key(1, Kind::Time, Class::NonCash);
    let cash = key(1, Kind::Cash, Class::Cash);
    let bob = key(2, Kind::Time, Class::NonCash);
    let gone = key(3, Kind::Expense, Class::Plain);
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.add_totals(acme, &[(bob, bucket(5, 10, 0)), (time, bucket(100, 200, 7)), (gone, bucket(9, 9, 9))]).unwrap();
        tx.add_totals(acme, &[(time, bucket(100, 200, 7)), (cash, bucket(50, 200, 50))]).unwrap();
        tx.add_totals(acme, &[]).unwrap();
        (acme, beta)
    });
    write(store, |tx| tx.add_totals(acme, &[(gone, bucket(-9, -9, -9)), (time, bucket(-1, -2, -3))]).unwrap());
    read(store, |tx| {
        let expected = vec![(time, bucket(199, 398, 11)), (cash, bucket(50, 200, 50)), (bob, bucket(5, 10, 0))];
        assert_eq!(tx.totals(acme).unwrap(), expected);
        assert_eq!(tx.member_totals(acme, MemberNo(1)).unwrap(), expected[..2].to_vec());
        assert_eq!(tx.member_totals(acme, MemberNo(2)).unwrap(), expected[2..].to_vec());
        assert!(tx.member_totals(acme, MemberNo(3)).unwrap().is_empty(), "a bucket back at zero is not listed");
        assert!(tx.totals(beta).unwrap().is_empty());
    });
}

/// The well balances are each member's well summed over their buckets, listed by member when
/// positive.
pub fn well_balances_sum_positive_wells(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.add_totals(
            acme,
            &[
                (key(5, Kind::Cash, Class::Cash), bucket(0, 0, 7)),
                (key(1, Kind::Cash, Class::Cash), bucket(100, 400, 100)),
                (key(1, Kind::Other, Class::Cash), bucket(0, 0, 50)),
                (key(2, Kind::Cash, Class::Cash), bucket(0, 0, -30)),
                (key(3, Kind::Cash, Class::Cash), bucket(0, 0, 20)),
                (key(3, Kind::Other, Class::Cash), bucket(0, 0, -20)),
                (key(4, Kind::Time, Class::NonCash), bucket(100, 200, 0)),
            ],
        )
        .unwrap();
        acme
    });
    assert_eq!(read(store, |tx| tx.well_balances(acme).unwrap()), vec![(MemberNo(1), 150), (MemberNo(5), 7)]);
}

/// Totals as of a date sum the effects of the entries dated on or before it (not the maintained
/// totals), leaving out buckets that sum to zero.
pub fn totals_as_of_sum_effects_up_to_a_date(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let deposit = Effect { member: MemberNo(2), kind: Kind::Cash, class: Class::Cash, fmv_minor: 50, slices_minor: 200, well_minor: 50 };
    let entries = vec![
        entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 100), deposit]),
        entry(2, date!(2024 - 04 - 01), vec![effect(2, Kind::Time, Class::NonCash, 10)]),
        entry(3, date!(2024 - 04 - 01), vec![effect(2, Kind::Time, Class::NonCash, 10)]),
        entry(4, date!(2024 - 05 - 01), vec![effect(1, Kind::Time, Class::NonCash, -100)]),
    ];
    let acme = write(store, |tx| {
        let acme = venture(tx, "acme");
        tx.insert_entries(acme, &entries).unwrap();
        tx.add_totals(acme, &[(key(9, Kind::Idea, Class::Plain), bucket(1, 1, 1))]).unwrap();
        acme
    });
    read(store, |tx| {
        assert!(tx.totals_as_of(acme, date!(2024 - 02 - 29)).unwrap().is_empty());
        let ann = (key(1, Kind::Time, Class::NonCash), bucket(100, 200, 0));
        let bob_cash = (key(2, Kind::Cash, Class::Cash), bucket(50, 200, 50));
        assert_eq!(tx.totals_as_of(acme, date!(2024 - 03 - 01)).unwrap(), vec![ann, bob_cash], "the day itself counts");
        let bob_time = (key(2, Kind::Time, Class::NonCash), bucket(20, 40, 0));
        assert_eq!(tx.totals_as_of(acme, date!(2024 - 04 - 30)).unwrap(), vec![ann, bob_time, bob_cash], "in key order");
        assert_eq!(tx.totals_as_of(acme, date!(2030 - 01 - 01)).unwrap(), vec![bob_time, bob_cash], "ann's time sums to zero");
    });
}

/// Read marks are raised, never lowered: a later date replaces an earlier one, an earlier one
/// changes nothing. They are listed by scope, then member (the venture-wide scopes have none).
pub fn read_marks_rise_and_never_fall(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let mark = |scope, member: Option<u32>, read_on| ReadMark { scope, member: member.map(MemberNo), read_on };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        assert!(tx.read_marks(acme).unwrap().is_empty());
        tx.raise_read_marks(
            acme,
            &[
                mark(ReadScope::Slices, None, date!(2024 - 01 - 01)),
                mark(ReadScope::Member, Some(2), date!(2024 - 03 - 01)),
                mark(ReadScope::Well, None, date!(2024 - 03 - 05)),
                mark(ReadScope::MemberWell, Some(1), date!(2024 - 02 - 01)),
                mark(ReadScope::Member, Some(1), date!(2024 - 04 - 01)),
            ],
        )
        .unwrap();
        tx.raise_read_marks(acme, &[]).unwrap();
        (acme, beta)
    });
    write(store, |tx| {
        tx.raise_read_marks(
            acme,
            &[
                mark(ReadScope::Member, Some(2), date!(2024 - 02 - 01)),
                mark(ReadScope::Well, None, date!(2024 - 06 - 01)),
                mark(ReadScope::Slices, None, date!(2023 - 12 - 31)),
                mark(ReadScope::MemberWell, Some(1), date!(2024 - 02 - 01)),
            ],
        )
        .unwrap();
    });
    read(store, |tx| {
        assert_eq!(
            tx.read_marks(acme).unwrap(),
            vec![
                mark(ReadScope::Member, Some(1), date!(2024 - 04 - 01)),
                mark(ReadScope::Member, Some(2), date!(2024 - 03 - 01)),
                mark(ReadScope::MemberWell, Some(1), date!(2024 - 02 - 01)),
                mark(ReadScope::Well, None, date!(2024 - 06 - 01)),
                mark(ReadScope::Slices, None, date!(2024 - 01 - 01)),
            ]
        );
        assert!(tx.read_marks(beta).unwrap().is_empty());
    });
}

/// An idempotency record is found under its scope and key, and only there: the same key may be
/// used in another venture and in the commons scope.
pub fn idempotency_records_are_scoped(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let record = |n: u32| IdempotencyRecord { fingerprint: format!("sha256:{n:064}"), result: format!("entry:{n}") };
    let (acme, beta) = write(store, |tx| {
        let acme = venture(tx, "acme");
        let beta = venture(tx, "beta");
        tx.put_idempotency(acme, "k1", &record(1), 5).unwrap();
        tx.put_idempotency(beta, "k1", &record(2), 6).unwrap();
        tx.put_idempotency(COMMONS_SCOPE, "k1", &record(3), 7).unwrap();
        tx.put_idempotency(acme, "k2", &record(4), 8).unwrap();
        assert_eq!(tx.idempotency(acme, "k2").unwrap(), Some(record(4)), "the transaction sees its own writes");
        (acme, beta)
    });
    read(store, |tx| {
        assert_eq!(tx.idempotency(acme, "k1").unwrap(), Some(record(1)));
        assert_eq!(tx.idempotency(beta, "k1").unwrap(), Some(record(2)));
        assert_eq!(tx.idempotency(COMMONS_SCOPE, "k1").unwrap(), Some(record(3)));
        assert_eq!(tx.idempotency(acme, "k2").unwrap(), Some(record(4)));
        assert!(tx.idempotency(beta, "k2").unwrap().is_none());
        assert!(tx.idempotency(acme, "k3").unwrap().is_none());
    });
}

/// A transaction dropped without commit writes nothing, and the store goes on as before.
pub fn a_dropped_transaction_writes_nothing(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| venture(tx, "acme"));
    let mut tx = store.begin(Mode::Write).unwrap();
    venture(tx.as_mut(), "gone");
    tx.insert_member(acme, &member(1, "ann")).unwrap();
    tx.insert_entries(acme, &[entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 1)])]).unwrap();
    tx.set_head(acme, 1, &EntryHash([1; 32])).unwrap();
    tx.add_totals(acme, &[(key(1, Kind::Time, Class::NonCash), bucket(1, 2, 0))]).unwrap();
    tx.put_idempotency(COMMONS_SCOPE, "gone", &IdempotencyRecord { fingerprint: "f".into(), result: "r".into() }, 1).unwrap();
    tx.insert_account("gone", "Gone", "hash", 1).unwrap();
    drop(tx);
    read(store, |tx| {
        assert!(tx.venture_by_slug("gone").unwrap().is_none());
        assert!(tx.members(acme).unwrap().is_empty());
        assert!(tx.entry(acme, 1).unwrap().is_none());
        assert!(tx.totals(acme).unwrap().is_empty());
        assert!(tx.idempotency(COMMONS_SCOPE, "gone").unwrap().is_none());
        assert!(tx.account_by_username("gone").unwrap().is_none());
        let record = tx.venture_by_slug("acme").unwrap().unwrap();
        assert_eq!((record.head_seq, record.book_version), (0, 0));
    });
    // What was rolled back may be written again.
    write(store, |tx| {
        venture(tx, "gone");
        tx.insert_member(acme, &member(1, "ann")).unwrap();
    });
    assert_eq!(read(store, |tx| tx.members(acme).unwrap()), vec![member(1, "ann")]);
}

/// One transaction can carry several requests, each between a savepoint and its release: a
/// request rolled back to its savepoint leaves the others' writes in place, including a failed
/// statement's (a uniqueness refusal), and what is rolled back may be written again.
pub fn a_savepoint_undoes_only_its_own_writes(factory: Factory<'_>) {
    let Some(fresh) = factory() else { return };
    let store = fresh.store();
    let acme = write(store, |tx| venture(tx, "acme"));
    let first = entry(1, date!(2024 - 03 - 01), vec![effect(1, Kind::Time, Class::NonCash, 1)]);
    let second = entry(2, date!(2024 - 03 - 02), vec![effect(1, Kind::Time, Class::NonCash, 2)]);
    let mut tx = store.begin(Mode::Write).unwrap();
    tx.savepoint().unwrap();
    tx.insert_entries(acme, std::slice::from_ref(&first)).unwrap();
    tx.set_head(acme, 1, &first.hash).unwrap();
    tx.release_savepoint().unwrap();
    // The next request fails part-way: the same entry number again.
    tx.savepoint().unwrap();
    tx.add_totals(acme, &[(key(1, Kind::Time, Class::NonCash), bucket(1, 2, 0))]).unwrap();
    assert!(tx.insert_entries(acme, std::slice::from_ref(&first)).is_err());
    tx.rollback_to_savepoint().unwrap();
    // And the one after it succeeds.
    tx.savepoint().unwrap();
    tx.insert_entries(acme, std::slice::from_ref(&second)).unwrap();
    tx.set_head(acme, 2, &second.hash).unwrap();
    tx.release_savepoint().unwrap();
    tx.commit().unwrap();
    read(store, |tx| {
        assert_eq!(tx.entry(acme, 1).unwrap(), Some(first.clone()));
        assert_eq!(tx.entry(acme, 2).unwrap(), Some(second.clone()));
        assert!(tx.totals(acme).unwrap().is_empty(), "the failed request's totals are gone");
        assert_eq!(tx.venture_by_slug("acme").unwrap().unwrap().head_seq, 2);
    });
}
