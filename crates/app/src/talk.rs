//! Conversation and activity: comments on a venture's entries and members (threads of replies;
//! an edit appends a version and the history stays readable), the venture's activity (entries,
//! comments, members joining; newest first), and what is new for a person since they last
//! looked at a venture's activity.
//!
//! The operator's use cases are here on [`Commons`]; people reach them through
//! [`crate::access::Acting`], which checks their standing first (members speak; anyone who may
//! read the venture reads).

use crate::book::Book;
use crate::error::{AppError, invalid};
use crate::{Commons, Now};
use peerstake_store::talk::{ACTIVITY_PAGE_MAX, ACTIVITY_START, COMMENTS_PAGE_MAX};
use peerstake_store::{
    AccountId, ActivityCursor, ActivityRecord, ActivityWhat, CommentRecord, CommentSubject, CommentVersionRecord, MemberRecord, Mode, NewComment, Transaction,
};
use std::fmt;

/// Longest comment, in characters.
pub const COMMENT_CHARS_MAX: usize = 4_000;

/// Items on a page of activity when the caller does not say.
pub const ACTIVITY_PAGE_DEFAULT: u32 = 50;

/// Unread counts stop here (shown as "999+").
pub const UNREAD_COUNT_MAX: u32 = 999;

/// What a comment is about, as people name it: `entry:3` or `member:ana`. A new kind of subject
/// is a variant here, one in [`CommentSubject`], and an arm in [`Subject::parse`],
/// [`fmt::Display`], `resolve` and `named` below (each `match` is exhaustive, so the compiler
/// lists them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    /// A ledger entry, by number.
    Entry(u64),
    /// A member, by handle.
    Member(String),
    /// A policy proposal, by number.
    Proposal(u32),
    /// A need, by number.
    Need(u32),
}

impl Subject {
    /// Reads `entry:3`, `member:ana`, `proposal:2` or `need:1`.
    pub fn parse(text: &str) -> Result<Subject, AppError> {
        let refuse = || invalid("subject", "name an entry (entry:3), a member (member:ana), a proposal (proposal:2) or a need (need:1)");
        let (kind, name) = text.trim().split_once(':').ok_or_else(refuse)?;
        match kind {
            "entry" => name.parse::<u64>().ok().filter(|seq| *seq > 0).map(Subject::Entry).ok_or_else(refuse),
            "member" if !name.is_empty() => Ok(Subject::Member(name.to_string())),
            "proposal" => name.parse::<u32>().ok().filter(|n| *n > 0).map(Subject::Proposal).ok_or_else(refuse),
            "need" => name.parse::<u32>().ok().filter(|n| *n > 0).map(Subject::Need).ok_or_else(refuse),
            _ => Err(refuse()),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Entry(seq) => write!(formatter, "entry:{seq}"),
            Subject::Member(handle) => write!(formatter, "member:{handle}"),
            Subject::Proposal(number) => write!(formatter, "proposal:{number}"),
            Subject::Need(number) => write!(formatter, "need:{number}"),
        }
    }
}

/// The stored subject, after checking that it exists in the venture.
fn resolve(tx: &mut dyn peerstake_store::Transaction, book: &Book, subject: &Subject) -> Result<CommentSubject, AppError> {
    match subject {
        Subject::Proposal(number) => match tx.proposal(book.venture.id, *number)? {
            Some(_) => Ok(CommentSubject::Proposal(*number)),
            None => Err(AppError::NotFound { what: "proposal", name: number.to_string() }),
        },
        Subject::Need(number) => match tx.needs(book.venture.id)?.iter().any(|n| n.number == *number) {
            true => Ok(CommentSubject::Need(*number)),
            false => Err(AppError::NotFound { what: "need", name: number.to_string() }),
        },
        // Entries are numbered from 1 to the head without gaps.
        Subject::Entry(seq) if *seq >= 1 && *seq <= book.venture.head_seq => Ok(CommentSubject::Entry(*seq)),
        Subject::Entry(seq) => Err(AppError::NotFound { what: "entry", name: format!("#{seq}") }),
        Subject::Member(handle) => Ok(CommentSubject::Member(book.member(handle)?.member_no)),
    }
}

/// The subject as people name it.
fn named(book: &Book, subject: CommentSubject) -> Subject {
    match subject {
        CommentSubject::Entry(seq) => Subject::Entry(seq),
        CommentSubject::Member(member) => Subject::Member(who(book, member).handle),
        CommentSubject::Proposal(number) => Subject::Proposal(number),
        CommentSubject::Need(number) => Subject::Need(number),
    }
}

/// A member as a page names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// Their handle.
    pub handle: String,
    /// Their display name.
    pub display_name: String,
}

fn who(book: &Book, member: peerstake_core::terms::MemberNo) -> Who {
    match book.member_by_no(member) {
        Some(record) => Who { handle: record.handle.clone(), display_name: record.display_name.clone() },
        None => Who { handle: format!("#{}", member.0), display_name: format!("member #{}", member.0) },
    }
}

/// A comment with its latest text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentView {
    /// Its number in the venture.
    pub id: u64,
    /// What it is about.
    pub subject: Subject,
    /// The comment it answers.
    pub reply_to: Option<u64>,
    /// Who said it.
    pub author: Who,
    /// The latest text.
    pub body: String,
    /// When it was first said, ms since the epoch.
    pub created_at_ms: i64,
    /// The latest version (1: never edited).
    pub version: u32,
    /// When the latest version was written.
    pub edited_at_ms: i64,
}

impl CommentView {
    /// Whether it was edited.
    pub fn edited(&self) -> bool {
        self.version > 1
    }

    fn of(book: &Book, record: CommentRecord) -> CommentView {
        CommentView {
            id: record.id,
            subject: named(book, record.subject),
            reply_to: record.reply_to,
            author: who(book, record.author),
            body: record.body,
            created_at_ms: record.created_at_ms,
            version: record.version,
            edited_at_ms: record.edited_at_ms,
        }
    }
}

/// A new comment (the operator names who speaks; [`crate::access::Acting`] fills in the person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddComment {
    /// The venture's slug.
    pub venture: String,
    /// What it is about.
    pub subject: Subject,
    /// The comment it answers (on the same subject).
    pub reply_to: Option<u64>,
    /// Who speaks: a member's handle.
    pub author: String,
    /// Plain text, at most [`COMMENT_CHARS_MAX`] characters.
    pub body: String,
}

/// A new version of a comment's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditComment {
    /// The venture's slug.
    pub venture: String,
    /// The comment's number.
    pub id: u64,
    /// Who edits: must be its author.
    pub author: String,
    /// The new text.
    pub body: String,
}

/// A page of the comments on one subject, oldest first.
#[derive(Debug, Clone)]
pub struct CommentThread {
    /// The comments.
    pub comments: Vec<CommentView>,
    /// The cursor for the next page, when there may be one.
    pub next_after: Option<u64>,
}

impl CommentThread {
    /// The comments in thread order (each reply under what it answers, oldest first among
    /// siblings) with their depth (0 for a comment that answers none). A reply whose comment is
    /// on another page is shown at depth 0.
    pub fn threaded(&self) -> Vec<(&CommentView, usize)> {
        let mut children: std::collections::HashMap<u64, Vec<&CommentView>> = std::collections::HashMap::new();
        let present: std::collections::HashSet<u64> = self.comments.iter().map(|c| c.id).collect();
        let mut roots = Vec::new();
        for comment in &self.comments {
            match comment.reply_to {
                Some(parent) if present.contains(&parent) => children.entry(parent).or_default().push(comment),
                _ => roots.push(comment),
            }
        }
        let mut out = Vec::with_capacity(self.comments.len());
        let mut stack: Vec<(&CommentView, usize)> = roots.into_iter().rev().map(|c| (c, 0)).collect();
        while let Some((comment, depth)) = stack.pop() {
            out.push((comment, depth));
            if let Some(replies) = children.get(&comment.id) {
                stack.extend(replies.iter().rev().map(|c| (*c, depth + 1)));
            }
        }
        out
    }
}

/// What happened, as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityView {
    /// An entry was recorded (any tag: pages show the tag's text).
    Entry {
        /// Its number.
        seq: u64,
        /// Its tag.
        tag: String,
        /// Whom it is for.
        member: Option<Who>,
        /// Who recorded it.
        author: Option<Who>,
        /// Its note.
        note: String,
    },
    /// A comment was made.
    Comment {
        /// Its number.
        id: u64,
        /// What it is about.
        subject: Subject,
        /// Who said it.
        author: Who,
        /// Its latest text.
        body: String,
    },
    /// A member joined.
    Joined {
        /// Who.
        member: Who,
    },
}

/// One item of activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityItem {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// Where it sits in the order (for the next page).
    pub cursor: ActivityCursor,
    /// What happened.
    pub what: ActivityView,
}

impl ActivityItem {
    fn of(book: &Book, record: ActivityRecord) -> ActivityItem {
        let cursor = record.cursor();
        let what = match record.what {
            ActivityWhat::Entry { seq, tag, member, author, note } => {
                ActivityView::Entry { seq, tag, member: member.map(|m| who(book, m)), author: author.map(|m| who(book, m)), note }
            }
            ActivityWhat::Comment { id, subject, author, body } => ActivityView::Comment { id, subject: named(book, subject), author: who(book, author), body },
            ActivityWhat::Joined { member } => ActivityView::Joined { member: who(book, member) },
        };
        ActivityItem { at_ms: record.at_ms, cursor, what }
    }
}

/// Which page of activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivityQuery {
    /// Items strictly older than this (the next page); none for the newest.
    pub before: Option<ActivityCursor>,
    /// At most this many (0: [`ACTIVITY_PAGE_DEFAULT`]; at most [`ACTIVITY_PAGE_MAX`]).
    pub limit: u32,
}

/// A page of a venture's activity, newest first.
#[derive(Debug, Clone)]
pub struct ActivityPage {
    /// The items.
    pub items: Vec<ActivityItem>,
    /// The cursor for the next page, when there may be one.
    pub next_before: Option<ActivityCursor>,
    /// How many items were new to the person before this visit (signed-in visits only).
    pub unread_before: Option<u32>,
}

/// Writes a cursor as text for links: `at_ms.rank.number`.
pub fn cursor_text(cursor: &ActivityCursor) -> String {
    format!("{}.{}.{}", cursor.at_ms, cursor.rank, cursor.number)
}

/// Reads a cursor written by [`cursor_text`].
pub fn parse_cursor(text: &str) -> Result<ActivityCursor, AppError> {
    let refuse = || invalid("before", "is not a cursor from a page of activity");
    let mut parts = text.trim().split('.');
    let at_ms = parts.next().and_then(|p| p.parse::<i64>().ok()).ok_or_else(refuse)?;
    let rank = parts.next().and_then(|p| p.parse::<u8>().ok()).ok_or_else(refuse)?;
    let number = parts.next().and_then(|p| p.parse::<u64>().ok()).ok_or_else(refuse)?;
    if parts.next().is_some() {
        return Err(refuse());
    }
    Ok(ActivityCursor { at_ms, rank, number })
}

/// A venture of the person's with what is new in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VentureUnread {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Items since the person last looked (at most [`UNREAD_COUNT_MAX`]).
    pub unread: u32,
}

/// A person's activity: their ventures with what is new in each, and the latest items of all.
#[derive(Debug, Clone)]
pub struct PersonFeed {
    /// Their ventures, by slug.
    pub ventures: Vec<VentureUnread>,
    /// The latest items across them, newest first, with the venture's slug.
    pub items: Vec<(String, ActivityItem)>,
}

/// Checks a comment's text and returns it as stored: line breaks as `\n`, no surrounding space.
pub fn check_comment(body: &str) -> Result<String, AppError> {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let body = body.trim();
    if body.is_empty() {
        return Err(invalid("body", "is required"));
    }
    if body.chars().count() > COMMENT_CHARS_MAX {
        return Err(invalid("body", format!("is longer than {COMMENT_CHARS_MAX} characters")));
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(invalid("body", "contains control characters"));
    }
    Ok(body.to_string())
}

fn limit_of(limit: u32, default: u32, max: u32, field: &str) -> Result<u32, AppError> {
    match limit {
        0 => Ok(default),
        n if n > max => Err(invalid(field, format!("at most {max} per page"))),
        n => Ok(n),
    }
}

/// What is new in a venture for an account: items since their last visit to its activity (or
/// since they joined, when they never looked), leaving out their own. None when neither is known.
pub(crate) fn unread_in(tx: &mut dyn Transaction, book: &Book, account: AccountId, member: Option<&MemberRecord>) -> Result<Option<u32>, AppError> {
    let since = match tx.feed_visit(book.venture.id, account)? {
        Some(at_ms) => at_ms,
        None => match member {
            Some(member) => member.recorded_at_ms,
            None => return Ok(None),
        },
    };
    Ok(Some(tx.activity_count_since(book.venture.id, since, member.map(|m| m.member_no), UNREAD_COUNT_MAX)?))
}

impl Commons {
    /// Adds a comment by a member on an entry or a member of the venture, or in answer to
    /// another comment on the same subject.
    pub fn add_comment(&self, request: &AddComment, now: Now) -> Result<CommentView, AppError> {
        let body = check_comment(&request.body)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let author = book.member(&request.author)?.member_no;
        let subject = resolve(tx.as_mut(), &book, &request.subject)?;
        if let Some(parent) = request.reply_to {
            let answered = tx.comment(book.venture.id, parent)?.ok_or(AppError::NotFound { what: "comment", name: format!("#{parent}") })?;
            if answered.subject != subject {
                return Err(invalid("reply to", format!("comment #{parent} is about {}, not {}", named(&book, answered.subject), request.subject)));
            }
        }
        let id = tx.insert_comment(book.venture.id, &NewComment { subject, reply_to: request.reply_to, author, body, at_ms: now.at_ms })?;
        let record = tx.comment(book.venture.id, id)?.ok_or_else(|| AppError::Internal(format!("comment #{id} vanished after it was written")))?;
        tx.commit()?;
        Ok(CommentView::of(&book, record))
    }

    /// Edits a comment: its author only. The new text is a new version; the old ones stay.
    /// The same text again writes nothing.
    pub fn edit_comment(&self, request: &EditComment, now: Now) -> Result<CommentView, AppError> {
        let body = check_comment(&request.body)?;
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.write(tx.as_mut(), &request.venture)?;
        let author = book.member(&request.author)?.member_no;
        let existing = tx.comment(book.venture.id, request.id)?.ok_or(AppError::NotFound { what: "comment", name: format!("#{}", request.id) })?;
        if existing.author != author {
            return Err(AppError::Forbidden("only its author edits a comment".into()));
        }
        if existing.body == body {
            return Ok(CommentView::of(&book, existing));
        }
        tx.insert_comment_version(book.venture.id, request.id, &body, now.at_ms)?;
        let record = tx.comment(book.venture.id, request.id)?.ok_or_else(|| AppError::Internal(format!("comment #{} vanished", request.id)))?;
        tx.commit()?;
        Ok(CommentView::of(&book, record))
    }

    /// A page of the comments on an entry or a member, oldest first.
    pub fn comments(&self, venture: &str, subject: &Subject, after: Option<u64>, limit: u32) -> Result<CommentThread, AppError> {
        let limit = limit_of(limit, COMMENTS_PAGE_MAX, COMMENTS_PAGE_MAX, "limit")?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let stored = resolve(tx.as_mut(), &book, subject)?;
        let records = tx.comments(book.venture.id, stored, after.unwrap_or(0), limit)?;
        let next_after = if records.len() == usize::try_from(limit).unwrap_or(usize::MAX) { records.last().map(|c| c.id) } else { None };
        Ok(CommentThread { comments: records.into_iter().map(|r| CommentView::of(&book, r)).collect(), next_after })
    }

    /// One comment.
    pub fn comment(&self, venture: &str, id: u64) -> Result<CommentView, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let record = tx.comment(book.venture.id, id)?.ok_or(AppError::NotFound { what: "comment", name: format!("#{id}") })?;
        Ok(CommentView::of(&book, record))
    }

    /// Every version of a comment's text, oldest first.
    pub fn comment_versions(&self, venture: &str, id: u64) -> Result<Vec<CommentVersionRecord>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        let versions = tx.comment_versions(book.venture.id, id)?;
        if versions.is_empty() {
            return Err(AppError::NotFound { what: "comment", name: format!("#{id}") });
        }
        Ok(versions)
    }

    /// A page of a venture's activity, newest first.
    pub fn activity(&self, venture: &str, query: &ActivityQuery) -> Result<ActivityPage, AppError> {
        let limit = limit_of(query.limit, ACTIVITY_PAGE_DEFAULT, ACTIVITY_PAGE_MAX, "limit")?;
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        activity_in(tx.as_mut(), &book, query.before.as_ref().unwrap_or(&ACTIVITY_START), limit)
    }

    /// Records that an account looked at a venture's activity now.
    pub(crate) fn mark_activity_read(&self, venture: &str, account: AccountId, now: Now) -> Result<(), AppError> {
        let mut tx = self.store.begin(Mode::Write)?;
        let book = self.books.within(tx.as_mut(), venture)?;
        tx.set_feed_visit(book.venture.id, account, now.at_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// What is new for an account in one venture (see [`unread_in`]).
    pub(crate) fn unread(&self, venture: &str, account: AccountId, member: Option<&MemberRecord>) -> Result<Option<u32>, AppError> {
        let mut tx = self.store.begin(Mode::Read)?;
        let book = self.books.read(tx.as_mut(), venture)?;
        unread_in(tx.as_mut(), &book, account, member)
    }

    /// An account's ventures with what is new in each, and the latest items across them.
    pub(crate) fn person_feed(&self, account: AccountId, limit: u32) -> Result<PersonFeed, AppError> {
        let limit = limit_of(limit, ACTIVITY_PAGE_DEFAULT, ACTIVITY_PAGE_MAX, "limit")?;
        let mut tx = self.store.begin(Mode::Read)?;
        let memberships = tx.account_memberships(account)?;
        let mut ventures = Vec::new();
        let mut items = Vec::new();
        for record in tx.ventures()? {
            let Some((_, member_no)) = memberships.iter().find(|(id, _)| *id == record.id) else { continue };
            let book = self.books.read_record(tx.as_mut(), record)?;
            let member = book.member_by_no(*member_no).cloned();
            let unread = unread_in(tx.as_mut(), &book, account, member.as_ref())?.unwrap_or(0);
            ventures.push(VentureUnread { slug: book.venture.slug.clone(), name: book.venture.name.clone(), unread });
            for item in activity_in(tx.as_mut(), &book, &ACTIVITY_START, limit)?.items {
                items.push((book.venture.slug.clone(), item));
            }
        }
        items.sort_by(|a, b| b.1.cursor.cmp(&a.1.cursor).then_with(|| a.0.cmp(&b.0)));
        items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(PersonFeed { ventures, items })
    }
}

fn activity_in(tx: &mut dyn Transaction, book: &Book, before: &ActivityCursor, limit: u32) -> Result<ActivityPage, AppError> {
    let records = tx.activity(book.venture.id, before, limit)?;
    let next_before = if records.len() == usize::try_from(limit).unwrap_or(usize::MAX) { records.last().map(ActivityRecord::cursor) } else { None };
    Ok(ActivityPage { items: records.into_iter().map(|r| ActivityItem::of(book, r)).collect(), next_before, unread_before: None })
}

impl crate::access::Acting<'_> {
    /// Comments on an entry or a member (members only), or answers another comment.
    pub fn add_comment(&self, venture: &str, subject: &Subject, reply_to: Option<u64>, body: &str, now: Now) -> Result<CommentView, AppError> {
        let standing = self.standing(venture, now)?;
        let member = standing.require_member()?;
        let request = AddComment { venture: venture.to_string(), subject: subject.clone(), reply_to, author: member.handle.clone(), body: body.to_string() };
        self.commons.add_comment(&request, now)
    }

    /// Edits one's own comment: a new version; the old ones stay readable.
    pub fn edit_comment(&self, venture: &str, id: u64, body: &str, now: Now) -> Result<CommentView, AppError> {
        let standing = self.standing(venture, now)?;
        let member = standing.require_member()?;
        self.commons.edit_comment(&EditComment { venture: venture.to_string(), id, author: member.handle.clone(), body: body.to_string() }, now)
    }

    /// A page of the comments on an entry or a member.
    pub fn comments(&self, venture: &str, subject: &Subject, after: Option<u64>, limit: u32, now: Now) -> Result<CommentThread, AppError> {
        self.standing(venture, now)?;
        self.commons.comments(venture, subject, after, limit)
    }

    /// One comment.
    pub fn comment(&self, venture: &str, id: u64, now: Now) -> Result<CommentView, AppError> {
        self.standing(venture, now)?;
        self.commons.comment(venture, id)
    }

    /// Every version of a comment's text.
    pub fn comment_versions(&self, venture: &str, id: u64, now: Now) -> Result<Vec<peerstake_store::CommentVersionRecord>, AppError> {
        self.standing(venture, now)?;
        self.commons.comment_versions(venture, id)
    }

    /// A page of a venture's activity. Looking at its newest page while signed in marks it read:
    /// the page says how many items were new before.
    pub fn activity(&self, venture: &str, query: &ActivityQuery, now: Now) -> Result<ActivityPage, AppError> {
        let standing = self.standing(venture, now)?;
        let mut page = self.commons.activity(venture, query)?;
        if let (Some(account), None) = (self.account, query.before) {
            page.unread_before = self.commons.unread(venture, account.id, standing.member.as_ref())?;
            self.commons.mark_activity_read(venture, account.id, now)?;
        }
        Ok(page)
    }

    /// What is new in a venture since the person last looked at its activity (none when signed
    /// out, or when they never looked and are not a member).
    pub fn unread(&self, venture: &str, now: Now) -> Result<Option<u32>, AppError> {
        let standing = self.standing(venture, now)?;
        match self.account {
            Some(account) => self.commons.unread(venture, account.id, standing.member.as_ref()),
            None => Ok(None),
        }
    }

    /// The person's ventures with what is new in each, and the latest activity across them.
    pub fn my_activity(&self, limit: u32) -> Result<PersonFeed, AppError> {
        let account = self.signed_in()?;
        self.commons.person_feed(account.id, limit)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn subjects_read_and_print_alike() {
        for text in ["entry:3", "member:ana", "proposal:2", "need:1"] {
            assert_eq!(Subject::parse(text).unwrap().to_string(), text);
        }
        for bad in ["", "entry", "entry:0", "entry:x", "member:", "proposal:0", "need:0", "goal:1", "3"] {
            assert!(Subject::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn comment_text_is_checked() {
        assert_eq!(check_comment("  hello\r\nthere \n").unwrap(), "hello\nthere");
        assert!(check_comment(" \n ").is_err());
        assert!(check_comment("bell \u{7}").is_err());
        assert!(check_comment(&"x".repeat(COMMENT_CHARS_MAX)).is_ok());
        assert!(check_comment(&"é".repeat(COMMENT_CHARS_MAX + 1)).is_err());
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = ActivityCursor { at_ms: 1_700_000_000_000, rank: 2, number: 15 };
        assert_eq!(parse_cursor(&cursor_text(&cursor)).unwrap(), cursor);
        assert!(parse_cursor("1.2").is_err());
        assert!(parse_cursor("1.2.3.4").is_err());
    }
}
