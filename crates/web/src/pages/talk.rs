//! The conversation: comments (posted, edited, with their history), a venture's and a person's
//! activity, and the venture's Atom feed.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use peerstake_app::access::Standing;
use peerstake_app::error::AppError;
use peerstake_app::talk::{ActivityItem, ActivityPage, ActivityView, PersonFeed, Subject, cursor_text};
use peerstake_store::CommentVersionRecord;
use serde::Deserialize;

use super::kit::*;
use super::widgets::*;
use crate::AppState;
use crate::common::activity_query;
use crate::error::status_of;
use crate::extract::Actor;

pub(super) async fn entry_comments_page(actor: Actor, Path((slug, seq)): Path<(String, u64)>, Query(query): Query<ReplyQuery>) -> PageResult {
    render_entry_comments(&actor, slug, seq, query.reply_to, None).await
}

async fn render_entry_comments(actor: &Actor, slug: String, seq: u64, reply_to: Option<u64>, failure: Option<CommentFailure>) -> PageResult {
    let (standing, page_data, thread) = actor
        .run(move |acting, now| {
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
        .map_err(fail(actor))?;
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
            (comment_section(actor, &standing, &Subject::Entry(entry.seq), &thread, reply_to, failure.as_ref()))
        }
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |f| status_of(&f.error));
    Ok(show_status(actor, status, &format!("Entry #{seq}"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CommentForm {
    csrf: String,
    subject: String,
    reply_to: String,
    body: String,
}

pub(super) async fn post_comment(actor: Actor, Path(slug): Path<String>, Form(form): Form<CommentForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let subject = Subject::parse(&form.subject).map_err(fail(&actor))?;
    let reply_to = match form.reply_to.trim() {
        "" => None,
        text => Some(text.parse::<u64>().map_err(|_| fail(&actor)(peerstake_app::error::invalid("reply to", "is not a comment number")))?),
    };
    let (slug_for_run, subject_for_run, body) = (slug.clone(), subject.clone(), form.body.clone());
    let outcome = actor.run(move |acting, now| acting.add_comment(&slug_for_run, &subject_for_run, reply_to, &body, now)).await;
    match outcome {
        Ok(comment) => Ok(see_other(&format!("{}#comment-{}", subject_page(&slug, &subject), comment.id))),
        Err(error) if shown_in_form(&error) => {
            let failure = CommentFailure { error, body: form.body, reply_to };
            render_subject(&actor, slug, subject, failure).await
        }
        Err(error) => Err(fail(&actor)(error)),
    }
}

/// A subject's conversation again, with a comment form's failure: an entry's own conversation
/// page, or for other subjects the conversation alone with a link back to the subject's page.
async fn render_subject(actor: &Actor, slug: String, subject: Subject, failure: CommentFailure) -> PageResult {
    if let Subject::Entry(seq) = subject {
        return render_entry_comments(actor, slug, seq, None, Some(failure)).await;
    }
    let read = subject.clone();
    let (standing, thread) =
        actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.comments(&slug, &read, None, 0, now)?))).await.map_err(fail(actor))?;
    let slug = &standing.venture.record.slug;
    let label = subject_label(&subject);
    let body = html! {
        h1 { "Your comment on " (label) }
        (venture_nav(&standing))
        p { a href=(subject_page(slug, &subject)) { "Back to " (label) } }
        (comment_section(actor, &standing, &subject, &thread, None, Some(&failure)))
    };
    Ok(show_status(actor, status_of(&failure.error), &format!("Comment on {label}"), body))
}

pub(super) async fn edit_comment_form(actor: Actor, Path((slug, id)): Path<(String, u64)>) -> PageResult {
    render_edit(&actor, slug, id, None).await
}

async fn render_edit(actor: &Actor, slug: String, id: u64, failure: Option<(AppError, String)>) -> PageResult {
    actor.account().map_err(fail(actor))?;
    let (standing, comment) = actor.run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.comment(&slug, id, now)?))).await.map_err(fail(actor))?;
    if standing.handle() != Some(comment.author.handle.as_str()) {
        return Err(fail(actor)(AppError::Forbidden("only its author edits a comment".into())));
    }
    let slug = &standing.venture.record.slug;
    let error = failure.as_ref().map(|(e, _)| e);
    let text = failure.as_ref().map_or(comment.body.as_str(), |(_, body)| body.as_str());
    let body = html! {
        h1 { "Edit comment #" (comment.id) }
        (venture_nav(&standing))
        p { "On " a href=(format!("{}#comment-{}", subject_page(slug, &comment.subject), comment.id)) { (subject_label(&comment.subject)) } ". The earlier text stays in its history." }
        form.stack method="post" action=(format!("/v/{slug}/comments/{}/edit", comment.id)) {
            (csrf_field(actor))
            @if error.is_some_and(|e| e.field() != Some("body")) { (form_error(error)) }
            label for="f-body" { "Your comment" }
            textarea id="f-body" name="body" rows="6" aria-describedby="body-error" { (text) }
            (field_error(error, "body"))
            button type="submit" { "Save" }
        }
    };
    let status = error.map_or(StatusCode::OK, status_of);
    Ok(show_status(actor, status, "Edit comment", body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct EditForm {
    csrf: String,
    body: String,
}

pub(super) async fn edit_comment(actor: Actor, Path((slug, id)): Path<(String, u64)>, Form(form): Form<EditForm>) -> PageResult {
    posted(&actor, &form.csrf)?;
    let (slug_for_run, body) = (slug.clone(), form.body.clone());
    match actor.run(move |acting, now| acting.edit_comment(&slug_for_run, id, &body, now)).await {
        Ok(comment) => Ok(see_other(&format!("{}#comment-{}", subject_page(&slug, &comment.subject), comment.id))),
        Err(error) if shown_in_form(&error) => render_edit(&actor, slug, id, Some((error, form.body))).await,
        Err(error) => Err(fail(&actor)(error)),
    }
}

pub(super) async fn comment_history(actor: Actor, Path((slug, id)): Path<(String, u64)>) -> PageResult {
    let (standing, comment, versions): (Standing, _, Vec<CommentVersionRecord>) = actor
        .run(move |acting, now| Ok((acting.standing(&slug, now)?, acting.comment(&slug, id, now)?, acting.comment_versions(&slug, id, now)?)))
        .await
        .map_err(fail(&actor))?;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { "History of comment #" (comment.id) }
        (venture_nav(&standing))
        p { "By " (comment.author.display_name) " on " a href=(format!("{}#comment-{}", subject_page(slug, &comment.subject), comment.id)) { (subject_label(&comment.subject)) } "." }
        ol reversed {
            @for version in versions.iter().rev() {
                li {
                    p.muted.flat { "Version " (version.version) " · " (when(version.at_ms)) }
                    div.text { (linked_text(&version.body)) }
                }
            }
        }
    };
    Ok(show(&actor, "Comment history", body))
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
#[serde(default)]
pub(super) struct ActivityPageQuery {
    before: Option<String>,
}

pub(super) async fn venture_activity(actor: Actor, Path(slug): Path<String>, Query(query): Query<ActivityPageQuery>) -> PageResult {
    let (standing, page_data): (Standing, ActivityPage) = actor
        .run(move |acting, now| {
            let standing = acting.standing(&slug, now)?;
            let page = acting.activity(&slug, &activity_query(query.before.as_deref(), None)?, now)?;
            Ok((standing, page))
        })
        .await
        .map_err(fail(&actor))?;
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
    Ok(show(&actor, "Activity", body))
}

pub(super) async fn person_activity(actor: Actor) -> PageResult {
    actor.account().map_err(fail(&actor))?;
    let feed: PersonFeed = actor.run(move |acting, _| acting.my_activity(0)).await.map_err(fail(&actor))?;
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
    Ok(show(&actor, "Activity", body))
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
fn base_url(secure: bool, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255 && h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')))
        .unwrap_or("localhost");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// The newest activity of a venture anyone may read, as an Atom 1.0 feed. A members-only
/// venture has none (404), whoever asks.
pub(super) async fn atom_feed(actor: Actor, headers: HeaderMap, Path(slug): Path<String>) -> PageResult {
    let (standing, page_data): (Standing, ActivityPage) = actor
        .run_as_anyone(move |anyone, now| Ok((anyone.standing(&slug, now)?, anyone.activity(&slug, &peerstake_app::talk::ActivityQuery::default(), now)?)))
        .await
        .map_err(fail(&actor))?;
    let venture = &standing.venture.record;
    let base = base_url(actor.secure_cookies(), &headers);
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

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/activity", get(person_activity))
        .route("/v/{slug}/activity", get(venture_activity))
        .route("/v/{slug}/feed.atom", get(atom_feed))
        .route("/v/{slug}/comments", post(post_comment))
        .route("/v/{slug}/comments/{id}/edit", get(edit_comment_form).post(edit_comment))
        .route("/v/{slug}/comments/{id}/history", get(comment_history))
        .route("/v/{slug}/entries/{seq}/comments", get(entry_comments_page))
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
