//! The conversation over the API: comments on entries and members, their versions, a venture's
//! activity and a person's.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use peerstake_app::error::{AppError, invalid};
use peerstake_app::talk::{ActivityItem, ActivityPage, ActivityView, CommentView, Subject, cursor_text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::common::activity_query;
use crate::error::{ApiError, ApiResult, BodyRefused, Refused};
use crate::extract::{Actor, At, Body, Params};

/// A comment with its latest text.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    /// Its number in the venture.
    pub id: u64,
    /// What it is about: `entry:3` or `member:ana`.
    pub subject: String,
    /// The comment it answers.
    pub reply_to: Option<u64>,
    /// The author's handle.
    pub author: String,
    /// The author's display name.
    pub author_name: String,
    /// The latest text (plain text).
    pub body: String,
    /// When it was first said, ms since the epoch.
    pub created_at_ms: i64,
    /// The latest version, from 1.
    pub version: u32,
    /// Whether it was edited (see its versions).
    pub edited: bool,
    /// When the latest version was written, ms since the epoch.
    pub edited_at_ms: i64,
}

pub(crate) fn comment_out(comment: &CommentView) -> CommentOut {
    CommentOut {
        id: comment.id,
        subject: comment.subject.to_string(),
        reply_to: comment.reply_to,
        author: comment.author.handle.clone(),
        author_name: comment.author.display_name.clone(),
        body: comment.body.clone(),
        created_at_ms: comment.created_at_ms,
        version: comment.version,
        edited: comment.edited(),
        edited_at_ms: comment.edited_at_ms,
    }
}

/// A page of the comments on one subject, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentsOut {
    /// The subject.
    pub subject: String,
    /// The comments.
    pub comments: Vec<CommentOut>,
    /// The cursor for the next page (`after`), when there may be one.
    pub next_after: Option<u64>,
}

/// Which comments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentsParams {
    /// What they are about: `entry:3` or `member:ana` (required to list; a new comment may
    /// name it in its body instead).
    pub subject: Option<String>,
    /// After this comment number (the cursor).
    pub after: Option<u64>,
    /// Page size, 1 to 1,000 (1,000 by default).
    pub limit: Option<u32>,
}

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCommentIn {
    /// What it is about, when the query does not say: `entry:3` or `member:ana`.
    pub subject: Option<String>,
    /// The comment it answers (on the same subject).
    pub reply_to: Option<u64>,
    /// Plain text, at most 4,000 characters; http(s) addresses become links on the pages.
    pub body: String,
}

/// A comment's new text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditCommentIn {
    /// The new text; the old versions stay readable.
    pub body: String,
}

/// One version of a comment's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentVersionOut {
    /// Version, from 1.
    pub version: u32,
    /// The text of this version.
    pub body: String,
    /// When it was written, ms since the epoch.
    pub at_ms: i64,
}

/// One item of activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityItemOut {
    /// The venture (in a person's activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venture: Option<String>,
    /// `entry`, `comment` or `joined`.
    pub kind: String,
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// The entry's number (entries).
    pub entry: Option<u64>,
    /// The entry's tag (`time`, `reversal`, …; entries).
    pub tag: Option<String>,
    /// The comment's number (comments).
    pub comment: Option<u64>,
    /// What the comment is about (comments).
    pub subject: Option<String>,
    /// Whom it concerns: the entry's member, the member who joined.
    pub member: Option<String>,
    /// Who did it: the entry's or the comment's author.
    pub author: Option<String>,
    /// The entry's note or the comment's latest text.
    pub text: String,
}

fn item_out(venture: Option<String>, item: &ActivityItem) -> ActivityItemOut {
    let mut out = ActivityItemOut {
        venture,
        kind: String::new(),
        at_ms: item.at_ms,
        entry: None,
        tag: None,
        comment: None,
        subject: None,
        member: None,
        author: None,
        text: String::new(),
    };
    match &item.what {
        ActivityView::Entry { seq, tag, member, author, note } => {
            out.kind = "entry".into();
            out.entry = Some(*seq);
            out.tag = Some(tag.clone());
            out.member = member.as_ref().map(|m| m.handle.clone());
            out.author = author.as_ref().map(|m| m.handle.clone());
            out.text = note.clone();
        }
        ActivityView::Comment { id, subject, author, body } => {
            out.kind = "comment".into();
            out.comment = Some(*id);
            out.subject = Some(subject.to_string());
            out.author = Some(author.handle.clone());
            out.text = body.clone();
        }
        ActivityView::Joined { member } => {
            out.kind = "joined".into();
            out.member = Some(member.handle.clone());
        }
    }
    out
}

/// A page of a venture's activity, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityOut {
    /// The items.
    pub items: Vec<ActivityItemOut>,
    /// The cursor for the next page (`before`), when there may be one.
    pub next_before: Option<String>,
    /// For a signed-in actor asking for the newest page: how many items were new since their
    /// last look (this request marks them read).
    pub unread_before: Option<u32>,
}

fn activity_out(page: &ActivityPage) -> ActivityOut {
    ActivityOut {
        items: page.items.iter().map(|i| item_out(None, i)).collect(),
        next_before: page.next_before.as_ref().map(cursor_text),
        unread_before: page.unread_before,
    }
}

/// Which page of activity.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    /// Items older than this cursor (a `next_before`).
    pub before: Option<String>,
    /// Page size, 1 to 200 (50 by default).
    pub limit: Option<u32>,
}

/// A venture of the actor's with what is new in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VentureUnreadOut {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Items since the actor last looked at its activity (at most 999).
    pub unread: u32,
}

/// The actor's activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyActivityOut {
    /// Their ventures with what is new in each.
    pub ventures: Vec<VentureUnreadOut>,
    /// The latest items across them, newest first.
    pub items: Vec<ActivityItemOut>,
}

/// How many items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitParams {
    /// 1 to 200 (50 by default).
    pub limit: Option<u32>,
}

fn subject_of(text: Option<&str>) -> Result<Subject, AppError> {
    match text {
        Some(text) => Subject::parse(text),
        None => Err(invalid("subject", "name an entry (entry:3) or a member (member:ana)")),
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/comments", params(("slug" = String, Path, example = "demo"), CommentsParams), responses((status = 200, body = CommentsOut), Refused))]
async fn list_comments(actor: Actor, At(slug): At<String>, Params(params): Params<CommentsParams>) -> ApiResult<CommentsOut> {
    let (subject, thread) = actor
        .run_quick(move |acting, now| {
            let subject = subject_of(params.subject.as_deref())?;
            let thread = acting.comments(&slug, &subject, params.after, params.limit.unwrap_or(0), now)?;
            Ok((subject, thread))
        })
        .await?;
    Ok(Json(CommentsOut { subject: subject.to_string(), comments: thread.comments.iter().map(comment_out).collect(), next_after: thread.next_after }))
}

#[utoipa::path(post, path = "/api/v1/ventures/{slug}/comments", params(("slug" = String, Path, example = "demo"), CommentsParams), request_body = NewCommentIn, responses((status = 201, body = CommentOut), Refused, BodyRefused))]
async fn add_comment(
    actor: Actor,
    At(slug): At<String>,
    Params(params): Params<CommentsParams>,
    Body(input): Body<NewCommentIn>,
) -> Result<(StatusCode, Json<CommentOut>), ApiError> {
    actor.writer()?;
    let comment = actor
        .run(move |acting, now| {
            let subject = subject_of(input.subject.as_deref().or(params.subject.as_deref()))?;
            acting.add_comment(&slug, &subject, input.reply_to, &input.body, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(comment_out(&comment))))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/comments/{id}", params(("slug" = String, Path, example = "demo"), ("id" = u64, Path, example = 1)), responses((status = 200, body = CommentOut), Refused))]
async fn get_comment(actor: Actor, At((slug, id)): At<(String, u64)>) -> ApiResult<CommentOut> {
    let comment = actor.run_quick(move |acting, now| acting.comment(&slug, id, now)).await?;
    Ok(Json(comment_out(&comment)))
}

#[utoipa::path(put, path = "/api/v1/ventures/{slug}/comments/{id}", params(("slug" = String, Path, example = "demo"), ("id" = u64, Path, example = 1)), request_body = EditCommentIn, responses((status = 200, body = CommentOut), Refused, BodyRefused))]
async fn edit_comment(actor: Actor, At((slug, id)): At<(String, u64)>, Body(input): Body<EditCommentIn>) -> ApiResult<CommentOut> {
    actor.writer()?;
    let comment = actor.run(move |acting, now| acting.edit_comment(&slug, id, &input.body, now)).await?;
    Ok(Json(comment_out(&comment)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/comments/{id}/versions", params(("slug" = String, Path, example = "demo"), ("id" = u64, Path, example = 1)), responses((status = 200, body = [CommentVersionOut]), Refused))]
async fn comment_versions(actor: Actor, At((slug, id)): At<(String, u64)>) -> ApiResult<Vec<CommentVersionOut>> {
    let versions = actor.run_quick(move |acting, now| acting.comment_versions(&slug, id, now)).await?;
    Ok(Json(versions.into_iter().map(|v| CommentVersionOut { version: v.version, body: v.body, at_ms: v.at_ms }).collect()))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/activity", params(("slug" = String, Path, example = "demo"), ActivityParams), responses((status = 200, body = ActivityOut, description = "Newest first; the newest page marks the venture's activity read for a signed-in actor"), Refused))]
async fn venture_activity(actor: Actor, At(slug): At<String>, Params(params): Params<ActivityParams>) -> ApiResult<ActivityOut> {
    let page = actor
        .run(move |acting, now| {
            let query = activity_query(params.before.as_deref(), params.limit)?;
            acting.activity(&slug, &query, now)
        })
        .await?;
    Ok(Json(activity_out(&page)))
}

#[utoipa::path(get, path = "/api/v1/me/activity", params(LimitParams), responses((status = 200, body = MyActivityOut), Refused))]
async fn my_activity(actor: Actor, Params(params): Params<LimitParams>) -> ApiResult<MyActivityOut> {
    actor.account()?;
    let feed = actor.run(move |acting, _| acting.my_activity(params.limit.unwrap_or(0))).await?;
    Ok(Json(MyActivityOut {
        ventures: feed.ventures.into_iter().map(|v| VentureUnreadOut { slug: v.slug, name: v.name, unread: v.unread }).collect(),
        items: feed.items.iter().map(|(slug, item)| item_out(Some(slug.clone()), item)).collect(),
    }))
}

#[derive(OpenApi)]
#[openapi(paths(list_comments, add_comment, get_comment, edit_comment, comment_versions, venture_activity, my_activity))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/comments", get(list_comments).post(add_comment))
        .route("/ventures/{slug}/comments/{id}", get(get_comment).put(edit_comment))
        .route("/ventures/{slug}/comments/{id}/versions", get(comment_versions))
        .route("/ventures/{slug}/activity", get(venture_activity))
        .route("/me/activity", get(my_activity))
}
