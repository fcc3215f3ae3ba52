//! Comments, their versions, activity and unread counts, on every backend.

use peerstake_app::access::Account;

use peerstake_app::accounts::SignUp;
use peerstake_app::forms::{ContributionForm, TermsForm};
use peerstake_app::journal::LogRequest;
use peerstake_app::talk::{ActivityQuery, ActivityView, AddComment, EditComment, Subject};
use peerstake_app::ventures::CreateVenture;
use peerstake_app::{Commons, Now};
use peerstake_store::AccessRecord;
use time::macros::date;

use crate::harness::{TestDatabase, code, on_every_backend, venture_request};

/// A moment `n` seconds into the test day: every step happens later than the one before.
fn at(n: i64) -> Now {
    Now::from_unix_ms(Now::noon_of(date!(2026 - 01 - 15)).at_ms + n * 1000)
}

fn account(commons: &Commons, username: &str) -> Account {
    commons.sign_up(&SignUp { username: username.into(), display_name: String::new(), password: format!("{username}-long-password") }, at(0)).unwrap()
}

fn create(commons: &Commons, steward: &Account, slug: &str, visibility: &str) {
    let request = CreateVenture { name: slug.to_uppercase(), started_on: None, ..venture_request(slug) };
    let access = AccessRecord { join_mode: "open".into(), visibility: visibility.into() };
    commons.acting(Some(steward)).create_venture(&request, &access, at(0)).unwrap();
}

fn entry(seq: u64) -> Subject {
    Subject::Entry(seq)
}

fn member(handle: &str) -> Subject {
    Subject::Member(handle.into())
}

fn comment_count(commons: &Commons, slug: &str, subject: &Subject) -> usize {
    commons.comments(slug, subject, None, 0).unwrap().comments.len()
}

/// ana starts `open` (public) and `closed` (members only); ben joins `open`; dee is a member of
/// `closed` only; carl has an account and nothing else. ana logs entry #1 in `open`.
fn cast(commons: &Commons) -> (Account, Account, Account, Account) {
    let ana = account(commons, "ana");
    let ben = account(commons, "ben");
    let carl = account(commons, "carl");
    let dee = account(commons, "dee");
    create(commons, &ana, "open", "public");
    create(commons, &ana, "closed", "members");
    commons.acting(Some(&ben)).join("open", "", &TermsForm::default(), at(1)).unwrap();
    commons.acting(Some(&ana)).invite("closed", "dee", "member", &TermsForm::default(), at(1)).unwrap();
    let form = ContributionForm { kind: "deposit".into(), amount: "50".into(), ..ContributionForm::default() };
    let log = LogRequest {
        venture: "open".into(),
        member: None,
        author: None,
        occurred_on: date!(2026 - 01 - 15),
        from: None,
        form,
        note: "Glaze tests".into(),
        idempotency_key: None,
    };
    commons.acting(Some(&ana)).log(&log, at(2)).unwrap();
    (ana, ben, carl, dee)
}

#[test]
fn comments_threads_and_who_may_speak() {
    on_every_backend(|_, commons| {
        let (ana, ben, carl, dee) = cast(commons);
        let as_ana = commons.acting(Some(&ana));
        let as_ben = commons.acting(Some(&ben));

        let first = as_ana.add_comment("open", &entry(1), None, "Were these the new glazes?", at(10)).unwrap();
        assert_eq!((first.id, first.author.handle.as_str(), first.version), (1, "ana", 1));
        let reply = as_ben.add_comment("open", &entry(1), Some(first.id), "Yes: the  <b>blue</b> ones\nand green.", at(11)).unwrap();
        assert_eq!(reply.reply_to, Some(1));
        assert_eq!(reply.body, "Yes: the  <b>blue</b> ones\nand green.", "stored as typed; pages escape it");
        let on_member = as_ben.add_comment("open", &member("ana"), None, "Thanks for the kiln time", at(12)).unwrap();
        as_ana.add_comment("open", &entry(1), Some(reply.id), "Good.", at(13)).unwrap();

        let thread = commons.acting(None).comments("open", &entry(1), None, 0, at(14)).unwrap();
        let order: Vec<(u64, usize)> = thread.threaded().iter().map(|(c, depth)| (c.id, *depth)).collect();
        assert_eq!(order, [(1, 0), (2, 1), (4, 2)], "replies sit under what they answer");
        assert_eq!(comment_count(commons, "open", &member("ana")), 1);
        let paged = commons.comments("open", &entry(1), None, 2).unwrap();
        assert_eq!((paged.comments.len(), paged.next_after), (2, Some(2)));
        assert_eq!(commons.comments("open", &entry(1), Some(2), 2).unwrap().comments.len(), 1);

        // Refusals write nothing.
        assert_eq!(code(as_ben.add_comment("open", &entry(1), Some(on_member.id), "wrong thread", at(15))), "invalid_input");
        assert_eq!(code(as_ben.add_comment("open", &entry(1), Some(99), "no such comment", at(15))), "not_found");
        assert_eq!(code(as_ben.add_comment("open", &entry(99), None, "no such entry", at(15))), "not_found");
        assert_eq!(code(as_ben.add_comment("open", &member("nobody"), None, "no such member", at(15))), "not_found");
        assert_eq!(code(as_ben.add_comment("open", &entry(1), None, "   ", at(15))), "invalid_input");
        assert_eq!(code(as_ben.add_comment("open", &entry(1), None, &"x".repeat(4_001), at(15))), "invalid_input");
        assert_eq!(code(as_ben.add_comment("open", &entry(1), None, "bell\u{7}", at(15))), "invalid_input");
        assert_eq!(comment_count(commons, "open", &entry(1)), 3);

        // Who may speak and read.
        assert_eq!(code(commons.acting(None).add_comment("open", &entry(1), None, "anonymous", at(16))), "unauthorized");
        assert_eq!(code(commons.acting(Some(&carl)).add_comment("open", &entry(1), None, "not a member", at(16))), "forbidden");
        assert_eq!(code(commons.acting(Some(&dee)).add_comment("open", &entry(1), None, "member elsewhere", at(16))), "forbidden");
        assert_eq!(code(commons.acting(Some(&carl)).add_comment("closed", &member("ana"), None, "hidden", at(16))), "not_found");
        assert_eq!(code(as_ben.add_comment("closed", &member("ana"), None, "hidden", at(16))), "not_found");
        assert_eq!(code(commons.acting(None).comments("closed", &member("ana"), None, 0, at(16))), "not_found");
        assert_eq!(code(commons.acting(Some(&carl)).comment_versions("closed", 1, at(16))), "not_found");
        assert!(commons.acting(Some(&carl)).comments("open", &entry(1), None, 0, at(16)).is_ok(), "anyone may read a public venture's comments");
        commons.acting(Some(&dee)).add_comment("closed", &member("ana"), None, "Welcome", at(16)).unwrap();
        assert_eq!(comment_count(commons, "open", &entry(1)), 3);
        assert_eq!(comment_count(commons, "closed", &member("ana")), 1, "comments are numbered per venture");

        // The operator speaks as a member.
        let by_operator = commons.add_comment(
            &AddComment { venture: "open".into(), subject: member("ben"), reply_to: None, author: "ben".into(), body: "From the CLI".into() },
            at(17),
        );
        assert_eq!(by_operator.unwrap().author.handle, "ben");
        let not_a_member = AddComment { venture: "open".into(), subject: member("ben"), reply_to: None, author: "zed".into(), body: "x".into() };
        assert_eq!(code(commons.add_comment(&not_a_member, at(17))), "not_found");
    });
}

#[test]
fn edits_keep_their_history() {
    on_every_backend(|database, commons| {
        let (ana, ben, _, _) = cast(commons);
        let as_ben = commons.acting(Some(&ben));
        let original = as_ben.add_comment("open", &entry(1), None, "Two hours", at(10)).unwrap();
        assert!(!original.edited());

        assert_eq!(code(commons.acting(Some(&ana)).edit_comment("open", original.id, "Three hours", at(11))), "forbidden", "only the author edits");
        assert_eq!(code(as_ben.edit_comment("open", original.id, " ", at(11))), "invalid_input");
        assert_eq!(code(as_ben.edit_comment("open", 42, "Three hours", at(11))), "not_found");
        assert_eq!(commons.comment_versions("open", original.id).unwrap().len(), 1, "refused edits write nothing");

        let edited = as_ben.edit_comment("open", original.id, "Two and a half hours", at(12)).unwrap();
        assert!(edited.edited());
        assert_eq!((edited.version, edited.body.as_str(), edited.created_at_ms, edited.edited_at_ms), (2, "Two and a half hours", at(10).at_ms, at(12).at_ms));
        let same = as_ben.edit_comment("open", original.id, "Two and a half hours", at(13)).unwrap();
        assert_eq!(same.version, 2, "the same text again is no new version");

        let versions = commons.acting(None).comment_versions("open", original.id, at(14)).unwrap();
        let texts: Vec<(u32, &str, i64)> = versions.iter().map(|v| (v.version, v.body.as_str(), v.at_ms)).collect();
        assert_eq!(texts, [(1, "Two hours", at(10).at_ms), (2, "Two and a half hours", at(12).at_ms)]);
        let edit_by_operator = EditComment { venture: "open".into(), id: original.id, author: "ana".into(), body: "no".into() };
        assert_eq!(code(commons.edit_comment(&edit_by_operator, at(15))), "forbidden");

        // The database itself keeps the history: no UPDATE or DELETE of a version or a comment.
        refused(database, "UPDATE comment_versions SET body = 'rewritten'");
        refused(database, "DELETE FROM comment_versions");
        refused(database, "UPDATE comments SET author_no = 1");
        assert_eq!(commons.comment("open", original.id).unwrap().body, "Two and a half hours");
    });
}

fn refused(database: &TestDatabase, sql: &str) {
    let error = database.raw(sql).expect_err(sql);
    assert!(error.to_string().contains("append-only"), "{sql}: {error}");
}

#[test]
fn activity_pages_and_unread_counts() {
    on_every_backend(|_, commons| {
        let (ana, ben, carl, _) = cast(commons);
        let as_ana = commons.acting(Some(&ana));
        let as_ben = commons.acting(Some(&ben));
        as_ben.add_comment("open", &entry(1), None, "Nice", at(10)).unwrap();

        // Newest first: the comment, the entry, ben joining, ana joining (the venture's start).
        let page = commons.activity("open", &ActivityQuery::default()).unwrap();
        let kinds: Vec<String> = page
            .items
            .iter()
            .map(|item| match &item.what {
                ActivityView::Comment { id, author, .. } => format!("comment {id} by {}", author.handle),
                ActivityView::Entry { seq, tag, member, .. } => format!("{tag} #{seq} for {}", member.as_ref().map_or("-", |m| m.handle.as_str())),
                ActivityView::Joined { member } => format!("{} joined", member.handle),
            })
            .collect();
        assert_eq!(kinds, ["comment 1 by ben", "deposit #1 for ana", "ben joined", "ana joined"]);
        let mut seen = Vec::new();
        let mut query = ActivityQuery { before: None, limit: 1 };
        loop {
            let page = commons.activity("open", &query).unwrap();
            seen.extend(page.items.iter().map(|i| i.cursor));
            match page.next_before {
                Some(cursor) => query.before = Some(cursor),
                None => break,
            }
        }
        assert_eq!(seen, page.items.iter().map(|i| i.cursor).collect::<Vec<_>>(), "pages of one cover it all once");
        assert_eq!(code(commons.activity("open", &ActivityQuery { before: None, limit: 201 })), "invalid_input");

        // Unread: since joining at first, without one's own doings; a visit sets it back to 0.
        assert_eq!(as_ben.unread("open", at(20)).unwrap(), Some(1), "since ben joined: ana's entry, not his own comment");
        as_ana.add_comment("open", &member("ben"), None, "Welcome, Ben", at(21)).unwrap();
        assert_eq!(as_ben.unread("open", at(22)).unwrap(), Some(2));
        let visit = as_ben.activity("open", &ActivityQuery::default(), at(23)).unwrap();
        assert_eq!(visit.unread_before, Some(2));
        assert_eq!(as_ben.unread("open", at(24)).unwrap(), Some(0));
        as_ana.add_comment("open", &entry(1), None, "Thanks", at(25)).unwrap();
        as_ben.add_comment("open", &entry(1), None, "My own words do not count", at(26)).unwrap();
        assert_eq!(as_ben.unread("open", at(27)).unwrap(), Some(1));
        let mine = as_ben.my_activity(10).unwrap();
        let counts: Vec<(&str, u32)> = mine.ventures.iter().map(|v| (v.slug.as_str(), v.unread)).collect();
        assert_eq!(counts, [("open", 1)], "only the person's ventures");
        assert!(mine.items.iter().all(|(slug, _)| slug == "open"));
        assert_eq!(mine.items.len(), 7);
        let ana_counts: Vec<String> = as_ana.my_activity(10).unwrap().ventures.iter().map(|v| v.slug.clone()).collect();
        assert_eq!(ana_counts, ["closed", "open"]);

        assert_eq!(commons.acting(None).unread("open", at(28)).unwrap(), None, "signed out: no count");
        assert_eq!(commons.acting(Some(&carl)).unread("open", at(28)).unwrap(), None, "never looked, not a member: no count");
        assert_eq!(code(commons.acting(None).my_activity(10)), "unauthorized");
        assert_eq!(code(commons.acting(Some(&carl)).activity("closed", &ActivityQuery::default(), at(28))), "not_found");
    });
}
