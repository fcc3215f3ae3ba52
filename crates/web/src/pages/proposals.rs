//! Policy proposals: one proposal with the split now and under it side by side, its votes, and
//! the forms to propose, vote and withdraw.

use peerstake_app::proposals::{ProposeRequest, VoteRequest};

use super::*;

#[derive(Deserialize)]
pub(super) struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    preset: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
pub(super) struct VoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    approve: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn propose(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<ProposeForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let slug_for_run = slug.clone();
    let preset = form.preset.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = ProposeRequest {
                venture: slug_for_run,
                by: String::new(),
                policy: PolicyChoice::Preset(form.preset),
                effective_from: parse_date("effective from", form.effective_from.trim())?,
                note: form.note,
                idempotency_key: None,
            };
            commons.acting(Some(&account)).propose(&request, now)
        })
        .await;
    match outcome {
        Ok(view) => Ok(see_other(&format!("/v/{slug}/proposals/{}", view.record.number))),
        Err(error) if shown_in_form(&error) => render_policy(&state, &caller, slug, PolicyQuery { candidate: preset }, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn proposal_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Query(query): Query<super::talk::ReplyQuery>,
) -> PageResult {
    render_proposal(&state, &caller, slug, number, query.reply_to, None, None).await
}

pub(super) async fn render_proposal(
    state: &AppState,
    caller: &Caller,
    slug: String,
    number: u32,
    reply_to: Option<u64>,
    failure: Option<AppError>,
    comment_failure: Option<super::talk::CommentFailure>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, (proposal, current, proposed), thread) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let thread = acting.comments(&slug, &peerstake_app::talk::Subject::Proposal(number), None, 0, now)?;
            let proposal = acting.proposal(&slug, number, now)?;
            let current = acting.split(&slug, &peerstake_app::ledger::SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &peerstake_app::ledger::SplitQuery::under(&proposal.record.settings), now)?;
            Ok((acting.standing(&slug, now)?, (proposal, current, proposed), thread))
        })
        .await
        .map_err(fail(caller))?;
    let failure = failure.as_ref();
    let slug = &standing.venture.record.slug;
    let record = &proposal.record;
    let own = standing.member.as_ref().map(|m| m.handle.as_str());
    let voted = own.is_some_and(|h| proposal.votes.iter().any(|(who, _)| who == h));
    let body = html! {
        h1 { "Proposal #" (record.number) ": " (proposal.policy.preset) " from " (record.effective_from.to_string()) }
        (venture_nav(&standing))
        p { "Proposed by " (proposal.proposed_by) " · " strong data-status=(record.status) { (record.status) }
            @if let Some(version) = record.policy_version { " as policy version " (version) } }
        @if !record.note.is_empty() { p { (record.note) } }
        p.hint { "Decided by " (proposal.rule) "." }
        (form_error(failure))
        h2 { "The split now and under this proposal" }
        div.scroll { table {
            thead { tr { th { "Member" } th.n { "Share now" } th.n { "Share if adopted" } } }
            tbody { @for line in &current.lines {
                @let other = proposed.lines.iter().find(|l| l.member.member_no == line.member.member_no);
                tr { td { (line.member.display_name) } td.n { (format_share(line.figures.share_units)) "%" }
                     td.n data-proposed=(line.member.handle) { (other.map_or_else(String::new, |l| format_share(l.figures.share_units))) "%" } }
            } }
        } }
        details { summary { "Every proposed setting" } pre { (record.settings) } }
        h2 { "Votes" }
        @if proposal.votes.is_empty() { p { "No votes yet." } }
        ul { @for (who, vote) in &proposal.votes { li { (who) ": " strong { @if vote.approve { "for" } @else { "against" } } @if !vote.note.is_empty() { " — " (vote.note) } } } }
        @if record.status == "open" && standing.member.is_some() {
            @if !voted {
                form.stack method="post" action=(format!("/v/{slug}/proposals/{}/vote", record.number)) {
                    (csrf_field(caller))
                    label for="f-note" { "Comment (optional)" }
                    input id="f-note" type="text" name="note";
                    div { button type="submit" name="approve" value="yes" { "Vote for" } " " button.secondary type="submit" name="approve" value="no" { "Vote against" } }
                }
            }
            @if own == Some(proposal.proposed_by.as_str()) {
                form method="post" action=(format!("/v/{slug}/proposals/{}/withdraw", record.number)) {
                    (csrf_field(caller))
                    button.secondary type="submit" { "Withdraw this proposal" }
                }
            }
        }
        (super::talk::comment_section(caller, &standing, &peerstake_app::talk::Subject::Proposal(number), &thread, reply_to, comment_failure.as_ref()))
    };
    let status = failure.or(comment_failure.as_ref().map(|f| &f.error)).map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, &format!("Proposal #{number}"), body))
}

pub(super) async fn vote(State(state): State<AppState>, caller: Caller, Path((slug, number)): Path<(String, u32)>, Form(form): Form<VoteForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let slug_for_run = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            let approve = match form.approve.as_str() {
                "yes" => true,
                "no" => false,
                _ => return Err(peerstake_app::error::invalid("approve", "vote for or against")),
            };
            commons.acting(Some(&account)).vote_on_proposal(&VoteRequest { venture: slug_for_run, number, by: String::new(), approve, note: form.note }, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/v/{slug}/proposals/{number}"))),
        Err(error) if shown_in_form(&error) => render_proposal(&state, &caller, slug, number, None, Some(error), None).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, number)): Path<(String, u32)>,
    Form(form): Form<VoteForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let slug_for_run = slug.clone();
    state.run(move |commons, now| commons.acting(Some(&account)).withdraw_proposal(&slug_for_run, number, now)).await.map_err(fail(&caller))?;
    Ok(see_other(&format!("/v/{slug}/proposals/{number}")))
}
