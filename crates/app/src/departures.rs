//! People leaving and stewards changing: a departure under one of the four cases, with its
//! outcome shown before it is recorded; buyouts of a departed member's slices (forced for a bad
//! leaver, offered to a good one) with their claw-back window; the steward role handed to
//! another member; and a venture whose stewards left or fell silent adopted after a notice
//! period.
//!
//! A departure and a buyout are ledger entries (tags `departure` and `buyout`) whose effects
//! follow from their recorded inputs and the balances before them, so `verify` recomputes them
//! like any contribution.

use crate::audit::{Change, ChangedBy, LEFT, record_role};
use crate::book::{Book, BuyoutView, add_months, buyout_view, check_note};
use crate::error::{AppError, invalid};
use crate::idempotency::{fingerprint, remember, replayed};
use crate::journal::persist;
use crate::membership::require_present;
use crate::{Commons, Now};
use peerstake_core::entry::Entry;
use peerstake_core::kind::{Class, Kind};
use peerstake_core::lifecycle::{
    BUYOUT_TAG, BuyoutEvent, DEPARTURE_TAG, DepartureEvent, LeaveCase, RecoveryLine, buyout_amount, buyout_effects, held_buckets, recovery,
};
use peerstake_core::replay::deltas;
use peerstake_core::replay::{Bucket, LedgerState, StateView};
use peerstake_core::terms::{MemberNo, Role};
use peerstake_store::{AccountId, BuyoutRecord, DepartureRecord, EntryFilter, Mode, StoredEntry, Transaction};
use time::Date;

/// A departure to record (or preview).
#[derive(Debug, Clone, Default)]
pub struct DepartRequest {
    /// The venture's slug.
    pub venture: String,
    /// Who leaves (handle).
    pub member: String,
    /// The case: `fired-for-good-reason`, `fired-for-no-good-reason`, `resigned-for-good-reason`
    /// or `resigned-for-no-good-reason`.
    pub case: String,
    /// Why, in the steward's words (required).
    pub justification: String,
    /// The day they leave (today when none).
    pub departed_on: Option<Date>,
    /// The steward recording it (handle).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// A departure: recorded, or as it would be.
#[derive(Debug, Clone)]
pub struct DepartureView {
    /// Its number, once recorded.
    pub number: Option<u32>,
    /// Who leaves (handle).
    pub member: String,
    /// Their display name.
    pub display_name: String,
    /// The case.
    pub case: LeaveCase,
    /// Why.
    pub justification: String,
    /// The day they leave.
    pub departed_on: Date,
    /// The loyalty cut-off, when the clause applies: slices held that day are protected.
    pub cutoff: Option<Date>,
    /// Each bucket before and after.
    pub lines: Vec<RecoveryLine>,
    /// The entries whose slices change.
    pub entries: Vec<u64>,
    /// The ledger entry, once recorded.
    pub entry_seq: Option<u64>,
    /// The policy's price of one whole slice.
    pub price_per_slice_minor: i64,
    /// The buyout price of what they keep, at that price.
    pub buyout_minor: i64,
    /// Who recorded it (handle).
    pub recorded_by: Option<String>,
}

impl DepartureView {
    /// Slices before.
    pub fn slices_before(&self) -> i64 {
        self.lines.iter().map(|l| l.before.slices_minor).sum()
    }

    /// Slices after.
    pub fn slices_after(&self) -> i64 {
        self.lines.iter().map(|l| l.after.slices_minor).sum()
    }

    /// Whether the case makes a bad leaver (their buyout can be forced).
    pub fn bad_leaver(&self) -> bool {
        self.case.bad_leaver()
    }
}

fn months(count: u32) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

fn buckets_of(rows: Vec<(peerstake_core::replay::BucketKey, Bucket)>, member: MemberNo) -> Vec<(Kind, Class, Bucket)> {
    LedgerState::from_buckets(rows.into_iter().filter(|(k, _)| k.member == member)).member_buckets(member)
}

/// Works out a departure against the balances now, and the entry recording it after `head`.
fn draft_departure(tx: &mut dyn Transaction, book: &Book, request: &DepartRequest, now: Now) -> Result<(DepartureView, StoredEntry), AppError> {
    let record = book.member(request.member.trim())?.clone();
    if let Some(on) = record.departed_on {
        return Err(invalid("member", format!("{} already left on {on}", record.handle)));
    }
    let case = LeaveCase::from_name(request.case.trim())
        .ok_or_else(|| invalid("case", "use fired-for-good-reason, fired-for-no-good-reason, resigned-for-good-reason or resigned-for-no-good-reason"))?;
    let justification = request.justification.trim();
    if justification.is_empty() {
        return Err(invalid("justification", "say why, so the members can check the case"));
    }
    check_note(justification)?;
    let by = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
    if by == Some(record.member_no) {
        return Err(invalid("member", "a steward records someone else's departure; ask another steward"));
    }
    let departed_on = request.departed_on.unwrap_or(now.today);
    crate::book::check_date("date", departed_on, now.today)?;
    if departed_on < record.joined_on {
        return Err(AppError::DateOutOfRange { field: "date", reason: format!("{} joined on {}", record.handle, record.joined_on) });
    }
    if let Some(latest) = tx.latest_entry_date(book.venture.id)?
        && departed_on < latest
    {
        return Err(AppError::DateOutOfRange {
            field: "date",
            reason: format!("a departure works on the balances now, so it cannot be dated before the latest entry ({latest})"),
        });
    }
    let (policy_version, policy) = book.policy_at(departed_on)?;
    let member = record.member_no;
    let current = buckets_of(tx.member_totals(book.venture.id, member)?, member);
    let cutoff = match policy.loyalty_months {
        Some(count) if case.loyalty_applies() => Some(add_months(departed_on, -months(count))),
        _ => None,
    };
    let protected = match cutoff {
        Some(day) => buckets_of(tx.totals_as_of(book.venture.id, day)?, member).into_iter().map(|(k, c, b)| (k, c, Bucket { well_minor: 0, ..b })).collect(),
        None => Vec::new(),
    };
    let outcome = recovery(policy, case, member, &current, &protected, book.venture.edition.slices_per_minor(book.currency));
    let changed: Vec<(Kind, Class)> = outcome.lines.iter().filter(|l| l.after != l.before).map(|l| (l.kind, l.class)).collect();
    let mut entries = Vec::new();
    if !changed.is_empty() {
        let mut filter = EntryFilter { member: Some(member), limit: peerstake_store::PAGE_SIZE_MAX, ..EntryFilter::default() };
        loop {
            let page = tx.entries(book.venture.id, &filter)?;
            for stored in &page {
                let entry = &stored.entry;
                let touches = entry.effects.iter().any(|e| e.member == member && e.slices_minor > 0 && changed.contains(&(e.kind, e.class)));
                if touches && cutoff.is_none_or(|day| entry.occurred_on > day) {
                    entries.push(entry.about.filter(|_| peerstake_core::review::is_review_tag(&entry.tag)).unwrap_or(entry.seq));
                }
            }
            match page.last() {
                Some(last) if page.len() == usize::try_from(peerstake_store::PAGE_SIZE_MAX).unwrap_or(usize::MAX) => filter.after_seq = Some(last.entry.seq),
                _ => break,
            }
        }
        entries.sort_unstable();
        entries.dedup();
    }
    let event = DepartureEvent { case, held: held_buckets(&current), cutoff, protected, entries: entries.clone() };
    let head = (book.venture.head_seq, book.venture.head_hash);
    let entry = Entry {
        seq: head.0 + 1,
        occurred_on: departed_on,
        recorded_at_ms: now.at_ms,
        author: by,
        member: Some(member),
        tag: DEPARTURE_TAG.to_string(),
        inputs: event.canonical(),
        note: justification.to_string(),
        policy_version,
        terms_version: 0,
        fmv_minor: outcome.effects.iter().map(|e| e.fmv_minor).sum(),
        slices_minor: outcome.effects.iter().map(|e| e.slices_minor).sum(),
        reverses: None,
        about: None,
        effects: outcome.effects.clone(),
    };
    let stored = StoredEntry { hash: entry.hash_after(&head.1), entry };
    let kept = outcome.slices_after();
    let view = DepartureView {
        number: None,
        member: record.handle.clone(),
        display_name: record.display_name.clone(),
        case,
        justification: justification.to_string(),
        departed_on,
        cutoff,
        lines: outcome.lines,
        entries,
        entry_seq: None,
        price_per_slice_minor: policy.buyout_price_per_slice_minor,
        buyout_minor: buyout_amount(kept, policy.buyout_price_per_slice_minor, book.slice_unit(), policy.rounding)?,
        recorded_by: request.by.clone(),
    };
    Ok((view, stored))
}

/// A recorded departure, read back: its lines are what its entry says was held, and that with the
/// entry's effects.
fn departure_view(tx: &mut dyn Transaction, book: &Book, record: &DepartureRecord) -> Result<DepartureView, AppError> {
    let member = book.member_by_no(record.member).ok_or_else(|| AppError::Internal(format!("departure #{} names no member", record.number)))?;
    let seq = record.entry_seq.ok_or_else(|| AppError::Internal(format!("departure #{} has no entry", record.number)))?;
    let entry = tx.entry(book.venture.id, seq)?.ok_or(AppError::NotFound { what: "entry", name: format!("#{seq}") })?.entry;
    let event = DepartureEvent::from_canonical(&entry.inputs)?;
    let policy = book.policy_version(entry.policy_version).ok_or_else(|| invalid("policy version", format!("{} does not exist", entry.policy_version)))?;
    let lines: Vec<RecoveryLine> = event
        .held
        .iter()
        .map(|(kind, class, before)| {
            let effect = entry.effects.iter().find(|e| e.kind == *kind && e.class == *class);
            let after = Bucket {
                fmv_minor: before.fmv_minor + effect.map_or(0, |e| e.fmv_minor),
                slices_minor: before.slices_minor + effect.map_or(0, |e| e.slices_minor),
                well_minor: 0,
            };
            let protected = event.protected.iter().find(|(k, c, _)| k == kind && c == class).map(|(_, _, b)| *b).unwrap_or_default();
            RecoveryLine {
                kind: *kind,
                class: *class,
                treatment: peerstake_core::lifecycle::treatment(policy, event.case, *kind, *class),
                before: *before,
                protected,
                after,
            }
        })
        .collect();
    let kept: i64 = lines.iter().map(|l| l.after.slices_minor).sum();
    Ok(DepartureView {
        number: Some(record.number),
        member: member.handle.clone(),
        display_name: member.display_name.clone(),
        case: event.case,
        justification: record.justification.clone(),
        departed_on: record.departed_on,
        cutoff: event.cutoff,
        lines,
        entries: event.entries,
        entry_seq: Some(seq),
        price_per_slice_minor: policy.buyout_price_per_slice_minor,
        buyout_minor: buyout_amount(kept, policy.buyout_price_per_slice_minor, book.slice_unit(), policy.rounding)?,
        recorded_by: record.recorded_by.and_then(|m| book.member_by_no(m)).map(|m| m.handle.clone()),
    })
}

/// A buyout to offer (or force).
#[derive(Debug, Clone, Default)]
pub struct BuyoutRequest {
    /// The venture's slug.
    pub venture: String,
    /// Whose slices (a member who left).
    pub member: String,
    /// A member who buys them; empty when the venture buys them and they leave the pie.
    pub buyer: Option<String>,
    /// Price of one whole slice; empty for the policy's.
    pub price_per_slice: String,
    /// The steward offering it (handle).
    pub by: Option<String>,
    /// Makes a retry harmless.
    pub idempotency_key: Option<String>,
}

/// What a member who leaves no longer has running: their pledges still held are released (a
/// need met later posts nothing for them), their recurring contributions stop and the drafts
/// waiting for them are skipped. Their money already in the well stays theirs, owed back.
fn wind_down(tx: &mut dyn Transaction, book: &Book, member: MemberNo, now: Now) -> Result<(), AppError> {
    let venture = book.venture.id;
    if let Some((_, account)) = tx.member_accounts(venture)?.into_iter().find(|(no, _)| *no == member) {
        for pledge in tx.pledges(venture, None)?.into_iter().filter(|p| p.account == account && p.status == "held") {
            tx.resolve_pledge(venture, pledge.number, "released", now.at_ms, None)?;
        }
    }
    let theirs: Vec<_> = tx.recurring(venture)?.into_iter().filter(|r| r.member == member).collect();
    for recurring in theirs.iter().filter(|r| r.active) {
        tx.set_recurring_schedule(venture, recurring.number, recurring.next_on, false)?;
    }
    let theirs: Vec<u32> = theirs.iter().map(|r| r.number).collect();
    for draft in tx.recurring_drafts(venture, Some("waiting"))?.into_iter().filter(|d| theirs.contains(&d.number)) {
        tx.decide_recurring_draft(venture, draft.number, draft.period_on, "skipped", None)?;
    }
    Ok(())
}

/// Writes an entry after the head and moves the venture's head.
fn append(tx: &mut dyn Transaction, book: &Book, stored: &StoredEntry) -> Result<(), AppError> {
    crate::journal::check_applies(tx, book.venture.id, &stored.entry.effects)?;
    persist(tx, book, std::slice::from_ref(stored), &deltas(&stored.entry.effects))
}

fn number_from(result: &str, prefix: &str) -> Result<u32, AppError> {
    result.strip_prefix(prefix).and_then(|n| n.parse().ok()).ok_or_else(|| invalid("idempotency key", "was used for something else"))
}

impl Commons {
    /// Works out a departure and writes nothing: each bucket before and after, the entries it
    /// adjusts and the buyout price of what is kept.
    pub fn preview_departure(&self, request: &DepartRequest, now: Now) -> Result<DepartureView, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), &request.venture)?;
        draft_departure(tx.as_mut(), &book, request, now).map(|(view, _)| view)
    }

    /// Records a departure: the entry adjusting the leaver's slices by the policy's rules, the
    /// case and justification, and the member marked as left (they vote, review and log nothing
    /// more, and a steward who leaves is a steward no longer, which the history of the venture's
    /// settings records as the operator's doing, for the member `by` names).
    pub fn depart(&self, request: &DepartRequest, now: Now) -> Result<DepartureView, AppError> {
        self.depart_as(request, None, now)
    }

    /// Records a departure, through `account` (the steward's, signed in) when there is one.
    fn depart_as(&self, request: &DepartRequest, account: Option<AccountId>, now: Now) -> Result<DepartureView, AppError> {
        let key = fingerprint(&[
            "depart",
            &request.venture,
            &request.member,
            &request.case,
            &request.justification,
            &request.departed_on.map(|d| d.to_string()).unwrap_or_default(),
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        if let Some(result) = replayed(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key)? {
            let number = number_from(&result, "departure:")?;
            let record = tx
                .departures(book.venture.id)?
                .into_iter()
                .find(|d| d.number == number)
                .ok_or(AppError::NotFound { what: "departure", name: number.to_string() })?;
            let book = self.books.within(tx.as_mut(), &request.venture)?;
            return departure_view(tx.as_mut(), &book, &record);
        }
        let (mut view, stored) = draft_departure(tx.as_mut(), &book, request, now)?;
        append(tx.as_mut(), &book, &stored)?;
        let member = book.member(&view.member)?.member_no;
        let record = DepartureRecord {
            number: 0,
            member,
            case: view.case.name().to_string(),
            justification: view.justification.clone(),
            departed_on: view.departed_on,
            entry_seq: Some(stored.entry.seq),
            recorded_by: stored.entry.author,
            recorded_at_ms: now.at_ms,
        };
        let number = tx.insert_departure(book.venture.id, &record)?;
        tx.set_member_departed(book.venture.id, member, Some(view.departed_on))?;
        if book.is_steward(member) {
            let reason = format!("left the venture (departure #{number})");
            let change = Change { by: ChangedBy::member(account, stored.entry.author), reason: &reason };
            record_role(tx.as_mut(), book.venture.id, member, Role::Steward.name(), LEFT, change, now)?;
        }
        wind_down(tx.as_mut(), &book, member, now)?;
        remember(tx.as_mut(), book.venture.id, request.idempotency_key.as_deref(), &key, &format!("departure:{number}"), now)?;
        tx.commit()?;
        view.number = Some(number);
        view.entry_seq = Some(stored.entry.seq);
        let others: Vec<MemberNo> = book.active_members().map(|m| m.member_no).collect();
        let subject = format!("[{}] {} left: {}", book.venture.name, view.display_name, view.case.words());
        let body = format!(
            "{} left {} on {} ({}). Slices before: {}; after: {}. Reason given: {}",
            view.display_name,
            book.venture.name,
            view.departed_on,
            view.case.words(),
            book.currency.format_slices(view.slices_before()),
            book.currency.format_slices(view.slices_after()),
            view.justification
        );
        self.notify(&book.venture.slug, &others, &subject, &body, &format!("/v/{}/departures", book.venture.slug));
        Ok(view)
    }

    /// Every departure of a venture.
    pub fn departures(&self, venture: &str) -> Result<Vec<DepartureView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let records = tx.departures(book.venture.id)?;
        records.iter().map(|r| departure_view(tx.as_mut(), &book, r)).collect()
    }

    /// Offers to buy a departed member's slices at the policy's price per slice (or a custom
    /// one). A bad leaver's buyout is forced: it is recorded at once. A good leaver's is only an
    /// offer, until they accept it.
    pub fn offer_buyout(&self, request: &BuyoutRequest, now: Now) -> Result<BuyoutView, AppError> {
        let key = fingerprint(&[
            "buyout",
            &request.venture,
            &request.member,
            request.buyer.as_deref().unwrap_or(""),
            &request.price_per_slice,
            request.by.as_deref().unwrap_or(""),
        ]);
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let venture = book.venture.id;
        if let Some(result) = replayed(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key)? {
            let number = number_from(&result, "buyout:")?;
            let record =
                tx.buyouts(venture)?.into_iter().find(|b| b.number == number).ok_or(AppError::NotFound { what: "buyout", name: number.to_string() })?;
            return Ok(buyout_view(&book, record));
        }
        let leaver = book.member(request.member.trim())?.clone();
        let departure = tx
            .departures(venture)?
            .into_iter()
            .find(|d| d.member == leaver.member_no)
            .ok_or_else(|| invalid("member", format!("{} has not left; record their departure first", leaver.handle)))?;
        let case = LeaveCase::from_name(&departure.case).ok_or_else(|| AppError::Internal("a departure with an unknown case".into()))?;
        if tx.buyouts(venture)?.iter().any(|b| b.member == leaver.member_no && (b.status == "offered" || b.status == "accepted")) {
            return Err(AppError::AlreadyExists { what: "buyout", name: format!("of {}'s slices (answer or withdraw the open offer first)", leaver.handle) });
        }
        let buyer = match request.buyer.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(handle) => {
                let buyer = book.member(handle)?.member_no;
                if buyer == leaver.member_no {
                    return Err(invalid("buyer", "a member cannot buy their own slices"));
                }
                require_present(&book, buyer)?;
                Some(buyer)
            }
            None => None,
        };
        let by = request.by.as_deref().map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        let policy = book.policy_at(now.today)?.1;
        let price = if request.price_per_slice.trim().is_empty() {
            policy.buyout_price_per_slice_minor
        } else {
            book.currency.parse_amount("price per slice", &request.price_per_slice)?
        };
        let slices: i64 = tx.member_totals(venture, leaver.member_no)?.iter().map(|(_, b)| b.slices_minor).sum();
        if slices <= 0 {
            return Err(invalid("member", format!("{} holds no slices to buy", leaver.handle)));
        }
        let amount = buyout_amount(slices, price, book.slice_unit(), policy.rounding)?;
        let forced = case.bad_leaver();
        let mut record = BuyoutRecord {
            number: 0,
            member: leaver.member_no,
            forced,
            buyer,
            slices_minor: slices,
            price_per_slice_minor: price,
            amount_minor: amount,
            status: "offered".into(),
            offered_by: by,
            offered_at_ms: now.at_ms,
            decided_at_ms: None,
            entry_seq: None,
            clawback_until: None,
        };
        record.number = tx.insert_buyout(venture, &record)?;
        if forced {
            self.complete_buyout(tx.as_mut(), &book, &mut record, by, now)?;
        }
        remember(tx.as_mut(), venture, request.idempotency_key.as_deref(), &key, &format!("buyout:{}", record.number), now)?;
        tx.commit()?;
        let subject = if forced {
            format!("[{}] Your slices were bought out", book.venture.name)
        } else {
            format!("[{}] An offer to buy your slices", book.venture.name)
        };
        let body = format!(
            "{} slices at {} a slice: {} in all.{}",
            book.currency.format_slices(slices),
            book.currency.format(price),
            book.currency.format(amount),
            if forced { " As a bad leaver's buyout it is final." } else { " Accept or decline it on the venture's departures page." }
        );
        self.notify(&book.venture.slug, &[leaver.member_no], &subject, &body, &format!("/v/{}/departures", book.venture.slug));
        Ok(buyout_view(&book, record))
    }

    /// Writes the buyout entry and marks the buyout accepted (with its claw-back window, when it
    /// was offered to a good leaver).
    fn complete_buyout(&self, tx: &mut dyn Transaction, book: &Book, record: &mut BuyoutRecord, by: Option<MemberNo>, now: Now) -> Result<(), AppError> {
        let venture = book.venture.id;
        let buckets = buckets_of(tx.member_totals(venture, record.member)?, record.member);
        let slices: i64 = buckets.iter().map(|(_, _, b)| b.slices_minor).sum();
        if slices != record.slices_minor {
            return Err(invalid(
                "buyout",
                format!("the slices changed since the offer ({} then, {} now); withdraw it and offer again", record.slices_minor, slices),
            ));
        }
        if let Some(latest) = tx.latest_entry_date(venture)?
            && now.today < latest
        {
            return Err(AppError::DateOutOfRange { field: "date", reason: format!("the ledger has entries dated after today ({latest})") });
        }
        let (policy_version, policy) = book.policy_at(now.today)?;
        let event =
            BuyoutEvent { number: record.number, price_per_slice_minor: record.price_per_slice_minor, amount_minor: record.amount_minor, buyer: record.buyer };
        let effects = buyout_effects(record.member, &buckets, record.buyer, record.amount_minor);
        // The book was read under the venture's write lock and nothing was appended since.
        let head = (book.venture.head_seq, book.venture.head_hash);
        let entry = Entry {
            seq: head.0 + 1,
            occurred_on: now.today,
            recorded_at_ms: now.at_ms,
            author: by,
            member: Some(record.member),
            tag: BUYOUT_TAG.to_string(),
            inputs: event.canonical(),
            note: match record.buyer.and_then(|b| book.member_by_no(b)) {
                Some(buyer) => format!("Buyout #{}: bought by {}", record.number, buyer.handle),
                None => format!("Buyout #{}: the slices leave the pie", record.number),
            },
            policy_version,
            terms_version: 0,
            fmv_minor: effects.iter().filter(|e| e.member == record.member).map(|e| e.fmv_minor).sum(),
            slices_minor: -slices,
            reverses: None,
            about: None,
            effects,
        };
        let stored = StoredEntry { hash: entry.hash_after(&head.1), entry };
        append(tx, book, &stored)?;
        let clawback_until = (!record.forced).then(|| add_months(now.today, months(policy.clawback_months)));
        if !tx.decide_buyout(venture, record.number, "offered", "accepted", now.at_ms, Some(stored.entry.seq), clawback_until)? {
            return Err(invalid("buyout", format!("#{} is no longer open", record.number)));
        }
        record.status = "accepted".into();
        record.decided_at_ms = Some(now.at_ms);
        record.entry_seq = Some(stored.entry.seq);
        record.clawback_until = clawback_until;
        Ok(())
    }

    /// Answers an offered buyout: the leaver accepts (the slices move) or declines it; a steward
    /// may withdraw it instead (`answer` is `accept`, `decline` or `withdraw`).
    pub fn answer_buyout(&self, venture: &str, number: u32, answer: &str, by: Option<&str>, now: Now) -> Result<BuyoutView, AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), venture)?;
        let mut record =
            tx.buyouts(book.venture.id)?.into_iter().find(|b| b.number == number).ok_or(AppError::NotFound { what: "buyout", name: number.to_string() })?;
        if record.status != "offered" {
            return Err(invalid("buyout", format!("#{number} is {}; only an open offer can be answered", record.status)));
        }
        let by_no = by.map(|h| book.member(h).map(|m| m.member_no)).transpose()?;
        match answer {
            "accept" | "decline" => {
                if by_no.is_some_and(|m| m != record.member) {
                    return Err(AppError::Forbidden("only the member whose slices are offered for may accept or decline".into()));
                }
                if answer == "accept" {
                    self.complete_buyout(tx.as_mut(), &book, &mut record, by_no, now)?;
                } else if tx.decide_buyout(book.venture.id, number, "offered", "declined", now.at_ms, None, None)? {
                    record.status = "declined".into();
                }
            }
            "withdraw" => {
                if by_no.is_some_and(|m| !book.is_steward(m)) {
                    return Err(AppError::Forbidden("only a steward may withdraw an offer".into()));
                }
                if tx.decide_buyout(book.venture.id, number, "offered", "withdrawn", now.at_ms, None, None)? {
                    record.status = "withdrawn".into();
                }
            }
            _ => return Err(invalid("answer", "use accept, decline or withdraw")),
        }
        tx.commit()?;
        Ok(buyout_view(&book, record))
    }

    /// Every buyout of a venture.
    pub fn buyouts(&self, venture: &str) -> Result<Vec<BuyoutView>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        Ok(tx.buyouts(book.venture.id)?.into_iter().map(|r| buyout_view(&book, r)).collect())
    }
}

impl crate::access::Acting<'_> {
    /// Works out a departure (stewards).
    pub fn preview_departure(&self, request: &DepartRequest, now: Now) -> Result<DepartureView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.preview_departure(&DepartRequest { by: Some(steward), ..request.clone() }, now)
    }

    /// Records a departure (stewards).
    pub fn depart(&self, request: &DepartRequest, now: Now) -> Result<DepartureView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.depart_as(&DepartRequest { by: Some(steward), ..request.clone() }, self.account.map(|a| a.id), now)
    }

    /// A venture's departures (whoever may read it).
    pub fn departures(&self, slug: &str, now: Now) -> Result<Vec<DepartureView>, AppError> {
        self.standing(slug, now)?;
        self.commons.departures(slug)
    }

    /// Offers (or forces) a buyout (stewards).
    pub fn offer_buyout(&self, request: &BuyoutRequest, now: Now) -> Result<BuyoutView, AppError> {
        let steward = self.standing(&request.venture, now)?.require_steward()?.handle.clone();
        self.commons.offer_buyout(&BuyoutRequest { by: Some(steward), ..request.clone() }, now)
    }

    /// Accepts or declines an offer for one's own slices (a member who left), or withdraws an
    /// offer (stewards).
    pub fn answer_buyout(&self, slug: &str, number: u32, answer: &str, now: Now) -> Result<BuyoutView, AppError> {
        self.signed_in()?;
        let standing = self.standing_of_any(slug, now)?;
        let handle = if answer == "withdraw" {
            standing.require_steward()?.handle.clone()
        } else {
            standing
                .member
                .as_ref()
                .map(|m| m.handle.clone())
                .ok_or_else(|| AppError::Forbidden("only the member whose slices are offered for may answer".into()))?
        };
        self.commons.answer_buyout(slug, number, answer, Some(&handle), now)
    }

    /// A venture's buyouts (whoever may read it).
    pub fn buyouts(&self, slug: &str, now: Now) -> Result<Vec<BuyoutView>, AppError> {
        self.standing(slug, now)?;
        self.commons.buyouts(slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_move_whole_months_and_clamp_the_day() {
        let day = |y, m, d| Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap();
        assert_eq!(add_months(day(2026, 3, 31), -1), day(2026, 2, 28));
        assert_eq!(add_months(day(2026, 1, 15), -12), day(2025, 1, 15));
        assert_eq!(add_months(day(2025, 11, 30), 3), day(2026, 2, 28));
        assert_eq!(add_months(day(2025, 6, 1), 12), day(2026, 6, 1));
    }
}
