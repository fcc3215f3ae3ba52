//! `peerstake comment …` and `peerstake activity`: the conversation from the command line. The
//! operator speaks as a member, named with `--as`.

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::talk::{ActivityPage, ActivityQuery, ActivityView, AddComment, CommentView, EditComment, Subject, cursor_text, parse_cursor};
use peerstake_app::{AppError, Commons, Now};
use peerstake_store::CommentVersionRecord;
use serde_json::{Value, json};

use crate::output::{Format, caption, emit, one_line, records};

/// Comments on entries and members.
#[derive(Subcommand)]
pub enum CommentCommand {
    /// Comment on an entry or a member, or answer a comment.
    Add {
        venture: String,
        /// What it is about: entry:3 or member:ana.
        #[arg(long)]
        on: String,
        /// The member who speaks (a handle).
        #[arg(long = "as")]
        author: String,
        /// The comment it answers (on the same subject).
        #[arg(long)]
        reply_to: Option<u64>,
        /// Plain text, up to 4,000 characters.
        text: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Edit a comment (its author only): a new version; the old ones stay.
    Edit {
        venture: String,
        /// The comment's number.
        id: u64,
        /// The member who edits: its author.
        #[arg(long = "as")]
        author: String,
        /// The new text.
        text: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the comments on an entry or a member, oldest first.
    List {
        venture: String,
        /// entry:3 or member:ana.
        #[arg(long)]
        on: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Every version of a comment's text.
    Versions {
        venture: String,
        /// The comment's number.
        id: u64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// `activity`: a page of a venture's activity.
#[derive(Args)]
pub struct ActivityArgs {
    /// The venture.
    venture: String,
    /// Older than this cursor (printed under a full page).
    #[arg(long)]
    before: Option<String>,
    /// Items per page (at most 200).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// A moment (UTC) to the minute, from milliseconds since the epoch.
fn moment(at_ms: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{} {:02}:{:02}", at.date(), at.hour(), at.minute())
}

/// A comment as JSON.
fn comment_json(comment: &CommentView) -> Value {
    json!({
        "id": comment.id, "subject": comment.subject.to_string(), "reply_to": comment.reply_to, "author": comment.author.handle,
        "body": comment.body, "created_at_ms": comment.created_at_ms, "version": comment.version, "edited": comment.edited(),
        "edited_at_ms": comment.edited_at_ms,
    })
}

/// Comments, one a row.
fn comments(out: &mut impl Write, list: &[&CommentView], format: Format) -> Result<(), AppError> {
    let row = |c: &&CommentView| {
        vec![
            format!("#{}", c.id),
            moment(c.created_at_ms),
            c.author.handle.clone(),
            c.reply_to.map_or_else(String::new, |r| format!("#{r}")),
            if c.edited() { format!("v{}", c.version) } else { String::new() },
            one_line(&c.body),
        ]
    };
    records(out, format, &["comment", "at", "author", "reply to", "edited", "text"], list, row, |c| comment_json(c))
}

/// Runs a `comment` subcommand as the operator.
pub fn run(commons: &Commons, command: CommentCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        CommentCommand::Add { venture, on, author, reply_to, text, format } => {
            let request = AddComment { venture, subject: Subject::parse(&on)?, reply_to, author, body: text };
            let comment = commons.add_comment(&request, now)?;
            comments(out, &[&comment], format)
        }
        CommentCommand::Edit { venture, id, author, text, format } => {
            let comment = commons.edit_comment(&EditComment { venture, id, author, body: text }, now)?;
            comments(out, &[&comment], format)
        }
        CommentCommand::List { venture, on, format } => {
            let thread = commons.comments(&venture, &Subject::parse(&on)?, None, 0)?;
            let ordered: Vec<&CommentView> = thread.threaded().into_iter().map(|(c, _)| c).collect();
            comments(out, &ordered, format)
        }
        CommentCommand::Versions { venture, id, format } => {
            let versions = commons.comment_versions(&venture, id)?;
            let row = |v: &CommentVersionRecord| vec![format!("v{}", v.version), moment(v.at_ms), one_line(&v.body)];
            records(out, format, &["version", "at", "text"], &versions, row, |v| json!({"version": v.version, "body": v.body, "at_ms": v.at_ms}))
        }
    }
}

/// `peerstake activity`: a page of a venture's activity, newest first.
pub fn activity(commons: &Commons, args: ActivityArgs, out: &mut impl Write) -> Result<(), AppError> {
    let ActivityArgs { venture, before, limit, format } = args;
    let query = ActivityQuery { before: before.as_deref().map(parse_cursor).transpose()?, limit };
    let page: ActivityPage = commons.activity(&venture, &query)?;
    let describe = |what: &ActivityView| -> (&'static str, String) {
        match what {
            ActivityView::Entry { seq, tag, member, note, .. } => {
                let mut text = format!("#{seq} {tag}");
                if let Some(member) = member {
                    text.push_str(&format!(" for {}", member.handle));
                }
                if !note.is_empty() {
                    text.push_str(&format!(": {}", one_line(note)));
                }
                ("entry", text)
            }
            ActivityView::Comment { id, subject, author, body } => ("comment", format!("#{id} {} on {subject}: {}", author.handle, one_line(body))),
            ActivityView::Joined { member } => ("joined", format!("{} joined", member.handle)),
        }
    };
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|item| {
            let (kind, text) = describe(&item.what);
            vec![moment(item.at_ms), kind.to_string(), text]
        })
        .collect();
    emit(out, format, &["at", "what", ""], &rows, || {
        json!({
            "items": page.items.iter().map(|item| {
                let (kind, text) = describe(&item.what);
                json!({"at_ms": item.at_ms, "kind": kind, "text": text})
            }).collect::<Vec<_>>(),
            "next_before": page.next_before.as_ref().map(cursor_text),
        })
    })?;
    match &page.next_before {
        Some(next) => caption(out, format, format_args!("older: --before {}", cursor_text(next))),
        None => Ok(()),
    }
}
