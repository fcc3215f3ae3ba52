//! The conversation: comment threads on an entry and on a member (with a form that works without
//! JavaScript, edits and their history), a venture's activity, a person's activity with what is
//! new in each of their ventures, and the Atom feed of a public venture.
//!
//! Comment text is plain text: only `http://` and `https://` addresses become links (marked
//! `nofollow noopener ugc`); everything else, markup included, is shown as the text it is.

use axum::http::HeaderMap;
use peerstake_app::talk::{ActivityItem, ActivityPage, ActivityView, CommentThread, PersonFeed, Subject, cursor_text};
use peerstake_store::CommentVersionRecord;

use super::*;
use crate::api::talk::activity_query;

/// A moment as pages show it: `2026-01-15 12:00 UTC`.
pub(super) fn when(at_ms: i64) -> String {
    let moment = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{} {:02}:{:02} UTC", moment.date(), moment.hour(), moment.minute())
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
fn find_address(text: &str) -> Option<usize> {
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
fn subject_label(subject: &Subject) -> String {
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
    caller: &Caller,
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
            ol.comments style="list-style:none;padding:0" {
                @for (comment, depth) in thread.threaded() {
                    li id=(format!("comment-{}", comment.id)) style=(format!("margin-left:{}rem;border-left:3px solid #ccc;padding:.25rem .75rem;margin-bottom:.75rem", depth.min(6) * 2)) {
                        p.muted style="margin:0" {
                            strong { (comment.author.display_name) } " · " (when(comment.created_at_ms))
                            @if let Some(parent) = comment.reply_to { " · in reply to " a href=(format!("#comment-{parent}")) { "#" (parent) } }
                            @if comment.edited() { " · " a href=(format!("/v/{slug}/comments/{}/history", comment.id)) { "edited" } }
                        }
                        div.comment-body style="white-space:pre-wrap;overflow-wrap:anywhere" { (linked_text(&comment.body)) }
                        p style="margin:0" {
                            @if standing.member.is_some() { a href=(format!("{here}?reply_to={}#comment-form", comment.id)) { "Reply" } }
                            @if own == Some(comment.author.handle.as_str()) { " · " a href=(format!("/v/{slug}/comments/{}/edit", comment.id)) { "Edit" } }
                        }
                    }
                }
            }
            @if thread.next_after.is_some() { p.muted { "Only the first comments are shown here; the API pages through them all." } }
            @if standing.member.is_some() {
                form.stack id="comment-form" method="post" action=(format!("/v/{slug}/comments")) {
                    (csrf_field(caller))
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
pub(super) struct ReplyQuery {
    #[serde(default)]
    pub reply_to: Option<u64>,
}

pub(super) async fn entry_comments_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, seq)): Path<(String, u64)>,
    Query(query): Query<ReplyQuery>,
) -> PageResult {
    render_entry_comments(&state, &caller, slug, seq, query.reply_to, None).await
}

async fn render_entry_comments(
    state: &AppState,
    caller: &Caller,
    slug: String,
    seq: u64,
    reply_to: Option<u64>,
    failure: Option<CommentFailure>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, page_data, thread) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let standing = acting.standing(&slug, now)?;
            let query = peerstake_app::ledger::LedgerQuery { after: Some(seq.saturating_sub(1)), limit: 1, ..Default::default() };
            let page = acting.ledger(&slug, &query, now)?;
            if page.entries.first().is_none_or(|e| e.entry.seq != seq) {
                return Err(AppError::NotFound { what: "entry", name: format!("#{seq}") });
            }
            let thread = acting.comments(&slug, &Subject::Entry(seq), None, 0, now)?;
            Ok((standing, page, thread))
        })
        .await
        .map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let currency = page_data.currency;
    let name_of = |no: peerstake_core::terms::MemberNo| {
        page_data.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.display_name.clone())
    };
    let body = html! {
        @if let Some(stored) = page_data.entries.first() {
            @let entry = &stored.entry;
            h1 { "Entry #" (entry.seq) " in " (standing.venture.record.name) }
            (venture_nav(&standing))
            dl {
                dt { "Kind" } dd { (entry.tag) @if let Some(target) = entry.reverses { " of #" (target) } }
                dt { "Date" } dd { (entry.dates()) }
                dt { "For" } dd { @if let Some(m) = entry.member { (name_of(m)) } @else { "the venture" } }
                @if let Some(author) = entry.author { dt { "Recorded by" } dd { (name_of(author)) } }
                dt { "Note" } dd { (entry.note) }
                dt { "Value" } dd { (currency.format(entry.fmv_minor)) " " (currency.code()) }
                dt { "Slices" } dd { (currency.format_slices(entry.slices_minor)) }
            }
            p { a href=(format!("/v/{slug}/ledger?after={}&limit=1", entry.seq.saturating_sub(1))) { "This entry in the ledger" } }
            (comment_section(caller, &standing, &Subject::Entry(entry.seq), &thread, reply_to, failure.as_ref()))
        }
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |f| status_of(&f.error));
    Ok(show_status(caller, status, &format!("Entry #{seq}"), body))
}

#[derive(Deserialize)]
pub(super) struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    reply_to: String,
    #[serde(default)]
    body: String,
}

pub(super) async fn post_comment(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<CommentForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let subject = Subject::parse(&form.subject).map_err(fail(&caller))?;
    let reply_to = match form.reply_to.trim() {
        "" => None,
        text => Some(text.parse::<u64>().map_err(|_| fail(&caller)(peerstake_app::error::invalid("reply to", "is not a comment number")))?),
    };
    let (slug_for_run, subject_for_run, body) = (slug.clone(), subject.clone(), form.body.clone());
    let outcome = state.run(move |commons, now| commons.acting(Some(&account)).add_comment(&slug_for_run, &subject_for_run, reply_to, &body, now)).await;
    match outcome {
        Ok(comment) => Ok(see_other(&format!("{}#comment-{}", subject_page(&slug, &subject), comment.id))),
        Err(error) if shown_in_form(&error) => {
            let failure = CommentFailure { error, body: form.body, reply_to };
            render_subject(&state, &caller, slug, subject, failure).await
        }
        Err(error) => Err(fail(&caller)(error)),
    }
}

/// A subject's page again, with a comment form's failure.
async fn render_subject(state: &AppState, caller: &Caller, slug: String, subject: Subject, failure: CommentFailure) -> PageResult {
    match subject {
        Subject::Entry(seq) => render_entry_comments(state, caller, slug, seq, None, Some(failure)).await,
        Subject::Member(handle) => render_member(state, caller, slug, handle, None, Some(failure)).await,
        Subject::Proposal(number) => super::proposals::render_proposal(state, caller, slug, number, None, None, Some(failure)).await,
        Subject::Need(number) => super::capital::render_need(state, caller, slug, number, None, None, Some(failure)).await,
    }
}

pub(super) async fn edit_comment_form(State(state): State<AppState>, caller: Caller, Path((slug, id)): Path<(String, u64)>) -> PageResult {
    render_edit(&state, &caller, slug, id, None).await
}

async fn render_edit(state: &AppState, caller: &Caller, slug: String, id: u64, failure: Option<(AppError, String)>) -> PageResult {
    let account = caller.account().map_err(fail(caller))?.clone();
    let (standing, comment) = state
        .run(move |commons, now| {
            let acting = commons.acting(Some(&account));
            Ok((acting.standing(&slug, now)?, acting.comment(&slug, id, now)?))
        })
        .await
        .map_err(fail(caller))?;
    if standing.handle() != Some(comment.author.handle.as_str()) {
        return Err(fail(caller)(AppError::Forbidden("only its author edits a comment".into())));
    }
    let slug = &standing.venture.record.slug;
    let error = failure.as_ref().map(|(e, _)| e);
    let text = failure.as_ref().map_or(comment.body.as_str(), |(_, body)| body.as_str());
    let body = html! {
        h1 { "Edit comment #" (comment.id) }
        (venture_nav(&standing))
        p { "On " a href=(format!("{}#comment-{}", subject_page(slug, &comment.subject), comment.id)) { (subject_label(&comment.subject)) } ". The earlier text stays in its history." }
        form.stack method="post" action=(format!("/v/{slug}/comments/{}/edit", comment.id)) {
            (csrf_field(caller))
            @if error.is_some_and(|e| e.field() != Some("body")) { (form_error(error)) }
            label for="f-body" { "Your comment" }
            textarea id="f-body" name="body" rows="6" aria-describedby="body-error" { (text) }
            (field_error(error, "body"))
            button type="submit" { "Save" }
        }
    };
    let status = error.map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, "Edit comment", body))
}

#[derive(Deserialize)]
pub(super) struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

pub(super) async fn edit_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, u64)>,
    Form(form): Form<EditForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let (slug_for_run, body) = (slug.clone(), form.body.clone());
    match state.run(move |commons, now| commons.acting(Some(&account)).edit_comment(&slug_for_run, id, &body, now)).await {
        Ok(comment) => Ok(see_other(&format!("{}#comment-{}", subject_page(&slug, &comment.subject), comment.id))),
        Err(error) if shown_in_form(&error) => render_edit(&state, &caller, slug, id, Some((error, form.body))).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn comment_history(State(state): State<AppState>, caller: Caller, Path((slug, id)): Path<(String, u64)>) -> PageResult {
    let account = caller.account.clone();
    let (standing, comment, versions): (Standing, _, Vec<CommentVersionRecord>) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.comment(&slug, id, now)?, acting.comment_versions(&slug, id, now)?))
        })
        .await
        .map_err(fail(&caller))?;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "History of comment #" (comment.id) }
        (venture_nav(&standing))
        p { "By " (comment.author.display_name) " on " a href=(format!("{}#comment-{}", subject_page(slug, &comment.subject), comment.id)) { (subject_label(&comment.subject)) } "." }
        ol reversed {
            @for version in versions.iter().rev() {
                li {
                    p.muted style="margin:0" { "Version " (version.version) " · " (when(version.at_ms)) }
                    div style="white-space:pre-wrap;overflow-wrap:anywhere" { (linked_text(&version.body)) }
                }
            }
        }
    };
    Ok(show(&caller, "Comment history", body))
}

/// One item of activity as a line.
fn activity_line(slug: &str, item: &ActivityItem) -> Markup {
    html! {
        span.muted { (when(item.at_ms)) } " · "
        @match &item.what {
            ActivityView::Entry { seq, tag, member, author, note } => {
                a href=(format!("/v/{slug}/entries/{seq}")) { "#" (seq) " " (tag) }
                @if let Some(member) = member { " for " (member.display_name) }
                @if let Some(author) = author { @if member.as_ref() != Some(author) { " by " (author.display_name) } }
                @if !note.is_empty() { ": " (excerpt(note)) }
            }
            ActivityView::Comment { id, subject, author, body } => {
                (author.display_name) " commented on "
                a href=(format!("{}#comment-{id}", subject_page(slug, subject))) { (subject_label(subject)) }
                ": " (excerpt(body))
            }
            ActivityView::Joined { member } => {
                a href=(format!("/v/{slug}/members/{}", member.handle)) { (member.display_name) } " joined"
            }
        }
    }
}

/// The start of a text, on one line.
fn excerpt(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 140 { format!("{}…", line.chars().take(140).collect::<String>()) } else { line }
}

#[derive(Deserialize, Default)]
pub(super) struct ActivityPageQuery {
    #[serde(default)]
    before: Option<String>,
}

pub(super) async fn venture_activity(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(query): Query<ActivityPageQuery>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, page_data): (Standing, ActivityPage) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let standing = acting.standing(&slug, now)?;
            let page = acting.activity(&slug, &activity_query(query.before.as_deref(), None)?, now)?;
            Ok((standing, page))
        })
        .await
        .map_err(fail(&caller))?;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "Activity in " (standing.venture.record.name) }
        (venture_nav(&standing))
        @if let Some(unread) = page_data.unread_before {
            p.notice role="status" { @if unread == 0 { "Nothing new since your last visit." } @else { (unread_text(unread)) " new since your last visit." } }
        }
        @if page_data.items.is_empty() { p { "Nothing has happened yet." } }
        ul.activity { @for item in &page_data.items { li { (activity_line(slug, item)) } } }
        @if let Some(next) = &page_data.next_before { p { a href=(format!("/v/{slug}/activity?before={}", cursor_text(next))) rel="next" { "Older activity" } } }
        @if standing.access.visibility == "public" { p { a href=(format!("/v/{slug}/feed.atom")) type="application/atom+xml" { "Atom feed" } } }
    };
    Ok(show(&caller, "Activity", body))
}

/// An unread count as text ("999+" at the cap).
pub(super) fn unread_text(unread: u32) -> String {
    if unread >= peerstake_app::talk::UNREAD_COUNT_MAX { format!("{}+", peerstake_app::talk::UNREAD_COUNT_MAX) } else { unread.to_string() }
}

pub(super) async fn person_activity(State(state): State<AppState>, caller: Caller) -> PageResult {
    let account = caller.account().map_err(fail(&caller))?.clone();
    let feed: PersonFeed = state.run(move |commons, _| commons.acting(Some(&account)).my_activity(0)).await.map_err(fail(&caller))?;
    let body = html! {
        h1 { "Activity" }
        @if feed.ventures.is_empty() { p { "You are not a member of any venture yet. " a href="/" { "Find one to join" } "." } }
        @else {
            h2 { "Your ventures" }
            table {
                thead { tr { th { "Venture" } th.n { "New since your last visit" } } }
                tbody { @for venture in &feed.ventures { tr {
                    td { a href=(format!("/v/{}/activity", venture.slug)) { (venture.name) } }
                    td.n data-unread=(venture.slug) { (unread_text(venture.unread)) }
                } } }
            }
            h2 { "Latest" }
            ul.activity { @for (slug, item) in &feed.items { li { (activity_line(slug, item)) } } }
        }
    };
    Ok(show(&caller, "Activity", body))
}

/// Escapes text for XML, leaving out characters XML 1.0 cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(at_ms: i64) -> String {
    let moment = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    moment.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The address this server is reached at, from the request's Host (only the characters a host
/// and port are made of); HTTPS unless cookies are sent without the Secure flag.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255 && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The newest activity of a venture anyone may read, as an Atom 1.0 feed. A members-only
/// venture has none (404), whoever asks.
pub(super) async fn atom_feed(State(state): State<AppState>, caller: Caller, headers: HeaderMap, Path(slug): Path<String>) -> PageResult {
    let (standing, page_data): (Standing, ActivityPage) = state
        .run(move |commons, now| {
            let anyone = commons.acting(None);
            Ok((anyone.standing(&slug, now)?, anyone.activity(&slug, &peerstake_app::talk::ActivityQuery::default(), now)?))
        })
        .await
        .map_err(fail(&caller))?;
    let venture = &standing.venture.record;
    let base = base_url(&state, &headers);
    let home = format!("{base}/v/{}", venture.slug);
    let updated = page_data.items.first().map_or(venture.created_at_ms, |i| i.at_ms);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!("  <id>{}</id>\n", xml(&format!("{home}/feed.atom"))));
    out.push_str(&format!("  <title>{}</title>\n", xml(&format!("{} · peerstake", venture.name))));
    if !venture.pitch.is_empty() {
        out.push_str(&format!("  <subtitle>{}</subtitle>\n", xml(&venture.pitch)));
    }
    out.push_str(&format!("  <updated>{}</updated>\n", rfc3339(updated)));
    out.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", xml(&format!("{home}/feed.atom"))));
    out.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml(&format!("{home}/activity"))));
    out.push_str(&format!("  <author><name>{}</name></author>\n", xml(&venture.name)));
    out.push_str("  <generator>peerstake</generator>\n");
    for item in &page_data.items {
        let (anchor, title, link, content) = match &item.what {
            ActivityView::Entry { seq, tag, member, note, .. } => (
                format!("entry-{seq}"),
                match member {
                    Some(member) => format!("#{seq} {tag} for {}", member.display_name),
                    None => format!("#{seq} {tag}"),
                },
                format!("{home}/entries/{seq}"),
                note.clone(),
            ),
            ActivityView::Comment { id, subject, author, body } => (
                format!("comment-{id}"),
                format!("{} commented on {}", author.display_name, subject_label(subject)),
                format!("{base}{}#comment-{id}", subject_page(&venture.slug, subject)),
                body.clone(),
            ),
            ActivityView::Joined { member } => {
                (format!("joined-{}", member.handle), format!("{} joined", member.display_name), format!("{home}/members/{}", member.handle), String::new())
            }
        };
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{}</id>\n", xml(&format!("{home}/activity#{anchor}"))));
        out.push_str(&format!("    <title type=\"text\">{}</title>\n", xml(&title)));
        out.push_str(&format!("    <updated>{}</updated>\n", rfc3339(item.at_ms)));
        out.push_str(&format!("    <link rel=\"alternate\" href=\"{}\"/>\n", xml(&link)));
        out.push_str(&format!("    <content type=\"text\">{}</content>\n", xml(&content)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"))], out).into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        let rendered = linked_text("See https://example.org/a?b=1&c=2. Or <script>alert(1)</script> javascript:alert(1) http:// x").into_string();
        assert_eq!(
            rendered,
            "See <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener ugc\">https://example.org/a?b=1&amp;c=2</a>. Or &lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1) http:// x"
        );
        let quoted = linked_text("http://a.example/\"onmouseover=\"x").into_string();
        assert_eq!(quoted, "<a href=\"http://a.example/\" rel=\"nofollow noopener ugc\">http://a.example/</a>&quot;onmouseover=&quot;x");
        assert_eq!(linked_text("xhttp://no.example").into_string(), "xhttp://no.example");
        assert_eq!(
            linked_text("(HTTPS://Example.org)").into_string(),
            "(<a href=\"HTTPS://Example.org\" rel=\"nofollow noopener ugc\">HTTPS://Example.org</a>)"
        );
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(xml("a<b>&\"c'\u{1}\n"), "a&lt;b&gt;&amp;&quot;c&apos;\n");
        assert_eq!(rfc3339(1_768_478_400_000), "2026-01-15T12:00:00Z");
    }
}
