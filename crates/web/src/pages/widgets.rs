//! Drawings several pages show: a need's progress, a conversation with its form, a buyout's
//! answers. A leaf: it imports no page module but the kit.

use maud::{Markup, html};
use peerstake_app::access::Standing;
use peerstake_app::book::BuyoutView;
use peerstake_app::error::AppError;
use peerstake_app::holds::NeedView;
use peerstake_app::talk::{CommentThread, Subject};
use serde::Deserialize;

use super::kit::*;
use crate::extract::Caller;

/// A need's progress bar with its figures in words, so it reads without the drawing.
pub(super) fn progress(need: &NeedView) -> Markup {
    let c = need.currency;
    let r = &need.record;
    html! {
        div.need data-need=(r.number) {
            progress max="100" value=(need.percent()) aria-label=(format!("{} of {} for {}", c.format(need.covered_minor()), c.format(r.goal_minor), r.title)) { (need.percent()) "%" }
            " " span data-covered=(c.format(need.covered_minor())) { strong { (c.format(need.covered_minor())) } " of " (c.format(r.goal_minor)) " (" (need.percent()) "%)" }
            @if need.goods_minor > 0 { span.muted { " · " (c.format(need.goods_minor)) " in goods" } }
            @if let (Some(stretch), Some(percent)) = (r.stretch_minor, need.stretch_percent()) { span.muted { " · stretch goal " (c.format(stretch)) " (" (percent) "%)" } }
            br;
            span.muted {
                strong data-status=(r.status) { (r.status) } " · " (need.backers) " backer" @if need.backers != 1 { "s" } " · pledges until " (r.deadline.to_string())
                @if let Some(cadence) = &r.cadence { " · " (c.format(need.period_minor())) " a " (if cadence == "weekly" { "week" } else { "month" }) " × " (r.periods) }
            }
        }
    }
}

/// The buttons on an open offer: accept or decline for the member whose slices it is, withdraw
/// for a steward.
/// The answers to a buyout offer: accept or decline for its member, withdraw for a steward.
/// `from` is the page they are given on (`departures` or `statement`), shown again after.
pub(super) fn buyout_actions(actor: &Caller, standing: &Standing, slug: &str, b: &BuyoutView, from: &str) -> Markup {
    let own = standing.handle() == Some(b.member.as_str());
    let action =
        if from == "statement" { format!("/v/{slug}/statement/buyouts/{}", b.record.number) } else { format!("/v/{slug}/buyouts/{}", b.record.number) };
    html! {
        @if b.record.status == "offered" {
            @if own {
                form.inline method="post" action=(action) {
                    (csrf_field(actor)) input type="hidden" name="from" value=(from);
                    button type="submit" name="answer" value="accept" { "Accept" } " "
                    button.secondary type="submit" name="answer" value="decline" { "Decline" }
                }
            }
            @if standing.is_steward() {
                form.inline method="post" action=(action) {
                    (csrf_field(actor)) input type="hidden" name="from" value=(from);
                    button.secondary type="submit" name="answer" value="withdraw" { "Withdraw the offer" }
                }
            }
        }
    }
}

/// Plain text with its web addresses as links; everything else escaped. Line breaks are kept by
/// the `pre-wrap` style of the element it goes in.
pub(super) fn linked_text(text: &str) -> Markup {
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut rest = text;
    while let Some(start) = find_address(rest) {
        let (before, from) = rest.split_at(start);
        let end = from.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`')).unwrap_or(from.len());
        // Punctuation that ends a sentence is not part of the address.
        let address = from[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
        let scheme_len = if address.to_ascii_lowercase().starts_with("https://") { 8 } else { 7 };
        if address.len() <= scheme_len {
            pieces.push((false, &rest[..start + scheme_len]));
            rest = &rest[start + scheme_len..];
            continue;
        }
        pieces.push((false, before));
        pieces.push((true, address));
        rest = &from[address.len()..];
    }
    pieces.push((false, rest));
    html! {
        @for (is_link, piece) in pieces {
            @if is_link { a href=(piece) rel="nofollow noopener ugc" { (piece) } } @else { (piece) }
        }
    }
}

/// Where the next `http://` or `https://` address starts (any case), at the start of the text
/// or after a character that cannot be part of a word.
pub(super) fn find_address(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http").map(|i| i + from) {
        let starts_word = found == 0 || lower[..found].chars().next_back().is_some_and(|c| !c.is_alphanumeric());
        if starts_word && (lower[found..].starts_with("http://") || lower[found..].starts_with("https://")) {
            return Some(found);
        }
        from = found + 4;
    }
    None
}

/// Where a subject's conversation is shown.
pub(super) fn subject_page(slug: &str, subject: &Subject) -> String {
    match subject {
        Subject::Entry(seq) => format!("/v/{slug}/entries/{seq}"),
        Subject::Member(handle) => format!("/v/{slug}/members/{handle}"),
        Subject::Proposal(number) => format!("/v/{slug}/proposals/{number}"),
        Subject::Need(number) => format!("/v/{slug}/needs/{number}"),
    }
}

/// What a subject is called on a page.
pub(super) fn subject_label(subject: &Subject) -> String {
    match subject {
        Subject::Entry(seq) => format!("entry #{seq}"),
        Subject::Member(handle) => handle.clone(),
        Subject::Proposal(number) => format!("proposal #{number}"),
        Subject::Need(number) => format!("need #{number}"),
    }
}

/// A comment form that failed: the error, the text typed, and what it answered.
pub(super) struct CommentFailure {
    pub error: AppError,
    pub body: String,
    pub reply_to: Option<u64>,
}

/// The conversation on a subject: the thread, and a form for members.
pub(super) fn comment_section(
    actor: &Caller,
    standing: &Standing,
    subject: &Subject,
    thread: &CommentThread,
    reply_to: Option<u64>,
    failure: Option<&CommentFailure>,
) -> Markup {
    let slug = &standing.venture.record.slug;
    let here = subject_page(slug, subject);
    let own = standing.handle();
    let error = failure.map(|f| &f.error);
    let reply_to = failure.map_or(reply_to, |f| f.reply_to);
    html! {
        section aria-labelledby="conversation" {
            h2 id="conversation" { "Conversation" }
            @if thread.comments.is_empty() { p.muted { "No comments yet." } }
            ol.comments {
                @for (comment, depth) in thread.threaded() {
                    li id=(format!("comment-{}", comment.id)) class=(format!("depth-{}", depth.min(6))) {
                        p.muted.flat {
                            strong { (comment.author.display_name) } " · " (when(comment.created_at_ms))
                            @if let Some(parent) = comment.reply_to { " · in reply to " a href=(format!("#comment-{parent}")) { "#" (parent) } }
                            @if comment.edited() { " · " a href=(format!("/v/{slug}/comments/{}/history", comment.id)) { "edited" } }
                        }
                        div.comment-body.text { (linked_text(&comment.body)) }
                        p.flat {
                            @if standing.member.is_some() { a href=(format!("{here}?reply_to={}#comment-form", comment.id)) { "Reply" } }
                            @if own == Some(comment.author.handle.as_str()) { " · " a href=(format!("/v/{slug}/comments/{}/edit", comment.id)) { "Edit" } }
                        }
                    }
                }
            }
            @if thread.next_after.is_some() { p.muted { "Only the first comments are shown here; the API pages through them all." } }
            @if standing.member.is_some() {
                form.stack id="comment-form" method="post" action=(format!("/v/{slug}/comments")) {
                    (csrf_field(actor))
                    input type="hidden" name="subject" value=(subject.to_string());
                    @if let Some(parent) = reply_to {
                        input type="hidden" name="reply_to" value=(parent);
                        p { "Replying to " a href=(format!("#comment-{parent}")) { "#" (parent) } " · " a href=(format!("{here}#comment-form")) { "write a new comment instead" } }
                    }
                    @if error.is_some_and(|e| e.field() != Some("body")) { (form_error(error)) }
                    label for="f-body" { "Your comment" }
                    span.hint { "plain text, up to 4,000 characters; web addresses become links" }
                    textarea id="f-body" name="body" rows="4" aria-describedby="body-error" { (failure.map_or("", |f| f.body.as_str())) }
                    (field_error(error, "body"))
                    button type="submit" { "Comment" }
                }
            } @else if standing.account.is_none() {
                p.muted { a href=(format!("/login?next={here}")) { "Sign in" } " to join the conversation." }
            } @else {
                p.muted { "Members of " (standing.venture.record.name) " take part in the conversation." }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReplyQuery {
    pub reply_to: Option<u64>,
}

/// An unread count as text ("999+" at the cap).
pub(super) fn unread_text(unread: u32) -> String {
    if unread >= peerstake_app::talk::UNREAD_COUNT_MAX { format!("{}+", peerstake_app::talk::UNREAD_COUNT_MAX) } else { unread.to_string() }
}
