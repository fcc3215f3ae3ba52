//! A member's trace, the ledger with reversal, and the formula.

use super::*;

pub(super) async fn member_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, handle)): Path<(String, String)>,
    Query(query): Query<ReplyQuery>,
) -> PageResult {
    render_member(&state, &caller, slug, handle, query.reply_to, None).await
}

/// A member's page: their trace and the conversation about them (with a comment form's failure).
pub(super) async fn render_member(
    state: &AppState,
    caller: &Caller,
    slug: String,
    handle: String,
    reply_to: Option<u64>,
    failure: Option<CommentFailure>,
) -> PageResult {
    let account = caller.account.clone();
    let (standing, report, thread) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let thread = acting.comments(&slug, &peerstake_app::talk::Subject::Member(handle.clone()), None, 0, now)?;
            Ok((acting.standing(&slug, now)?, acting.trace(&slug, &handle, now)?, thread))
        })
        .await
        .map_err(fail(caller))?;
    let currency = report.currency;
    let slug = &standing.venture.record.slug;
    let body = html! {
        h1 { (report.member.display_name) " in " (standing.venture.record.name) }
        (venture_nav(&standing))
        p { (report.member.role) " since " (report.member.joined_on.to_string()) " · " strong { (currency.format_slices(report.slices_minor)) } " slices" }
        @for kind in &report.kinds {
            h2 { (kind.kind.name()) ": " (currency.format_slices(kind.slices_minor)) " slices" }
            div.scroll { table {
                thead { tr { th { "Entry" } th { "Date" } th { "Kind" } th.n { "Policy version" } th.n { "Value" } th.n { "Slices" } } }
                tbody { @for e in &kind.entries { tr {
                    td { a href=(format!("/v/{slug}/ledger?after={}&limit=1", e.seq.saturating_sub(1))) { "#" (e.seq) } }
                    td { (e.occurred_on.to_string()) } td { (e.tag) } td.n { (e.policy_version) }
                    td.n { (currency.format(e.fmv_minor)) } td.n { (currency.format_slices(e.slices_minor)) }
                } } }
            } }
        }
        (comment_section(caller, &standing, &peerstake_app::talk::Subject::Member(report.member.handle.clone()), &thread, reply_to, failure.as_ref()))
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |f| status_of(&f.error));
    Ok(show_status(caller, status, &report.member.display_name, body))
}

pub(super) async fn ledger_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Query(params): Query<LedgerParams>) -> PageResult {
    render_ledger(&state, &caller, slug, params, None).await
}

pub(super) async fn render_ledger(state: &AppState, caller: &Caller, slug: String, params: LedgerParams, failure: Option<(u64, AppError)>) -> PageResult {
    let account = caller.account.clone();
    let query = ledger_query(&params).map_err(fail(caller))?;
    let query_for_run = query.clone();
    let (standing, page_data) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            Ok((acting.standing(&slug, now)?, acting.ledger(&slug, &query_for_run, now)?))
        })
        .await
        .map_err(fail(caller))?;
    let currency = page_data.currency;
    let slug = &standing.venture.record.slug;
    let name_of =
        |no: peerstake_core::terms::MemberNo| page_data.members.iter().find(|m| m.member_no == no).map_or_else(|| format!("#{}", no.0), |m| m.handle.clone());
    let own = standing.member.as_ref().map(|m| m.member_no);
    let filter_link = |after: u64| {
        let mut link = format!("/v/{slug}/ledger?after={after}");
        for (key, value) in [("member", &params.member), ("kind", &params.kind), ("from", &params.from), ("to", &params.to)] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                link.push_str(&format!("&{key}={value}"));
            }
        }
        link
    };
    let body = html! {
        h1 { "Ledger of " (standing.venture.record.name) }
        (venture_nav(&standing))
        form method="get" action=(format!("/v/{slug}/ledger")) style="display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end" {
            div { label for="f-member" { "Member" } br; select id="f-member" name="member" {
                option value="" { "everyone" }
                @for m in &page_data.members { option value=(m.handle) selected[params.member.as_deref() == Some(m.handle.as_str())] { (m.display_name) } }
            } }
            div { label for="f-kind" { "Kind" } br; select id="f-kind" name="kind" {
                option value="" { "all" }
                @for k in LOG_KINDS.iter().chain(["reversal"].iter()).chain(peerstake_core::review::REVIEW_TAGS.iter()) { option value=(k) selected[params.kind.as_deref() == Some(*k)] { (k) } }
            } }
            div { label for="f-from" { "From" } br; input id="f-from" type="date" name="from" value=(params.from.clone().unwrap_or_default()); }
            div { label for="f-to" { "To" } br; input id="f-to" type="date" name="to" value=(params.to.clone().unwrap_or_default()); }
            button type="submit" { "Filter" }
        }
        p { a href=(format!("/v/{slug}/ledger.csv")) { "Ledger as CSV" } }
        @if let Some((seq, error)) = &failure { p.error role="alert" { "Entry #" (seq) " was not reversed: " (error.to_string()) } }
        div.scroll { table {
            thead { tr { th { "#" } th { "Date" } th { "Kind" } th { "For" } th { "Note" } th.n { "Value" } th.n { "Slices" } th { "Policy" } th { "Correct" } } }
            tbody { @for stored in &page_data.entries {
                @let entry = &stored.entry;
                tr id=(format!("entry-{}", entry.seq)) {
                    td { a href=(format!("/v/{slug}/entries/{}", entry.seq)) { "#" (entry.seq) } } td { (entry.dates()) }
                    td {
                        (entry.tag)
                        @if let Some(target) = entry.reverses.or(entry.about) { " of #" (target) }
                        @if let Some(status) = page_data.statuses.get(&entry.seq) { " " span.status data-status=(status) { (status) } }
                    }
                    td { @if let Some(m) = entry.member { (name_of(m)) } @else { "the venture" } }
                    td { (entry.note) } td.n { (currency.format(entry.fmv_minor)) } td.n { (currency.format_slices(entry.slices_minor)) }
                    td { "v" (entry.policy_version) }
                    td {
                        @if entry.tag != "reversal" && (standing.is_steward() || (own.is_some() && entry.author == own)) {
                            form.inline method="post" action=(format!("/v/{slug}/ledger/{}/reverse", entry.seq)) {
                                (csrf_field(caller))
                                label for=(format!("reason-{}", entry.seq)) { span.skip { "Reason to reverse #" (entry.seq) } }
                                input id=(format!("reason-{}", entry.seq)) type="text" name="reason" placeholder="reason" required size="10";
                                @if let Some((seq, error)) = &failure { @if *seq == entry.seq { (field_error(Some(error), "reason")) } }
                                button.secondary type="submit" style="margin:0" { "Reverse" }
                            }
                        }
                    }
                }
            } }
        } }
        @if let Some(next) = page_data.next_after { p { a href=(filter_link(next)) rel="next" { "Next page" } } }
    };
    let status = failure.as_ref().map_or(StatusCode::OK, |(_, error)| status_of(error));
    Ok(show_status(caller, status, "Ledger", body))
}

#[derive(Deserialize)]
pub(super) struct ReverseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn reverse(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, seq)): Path<(String, u64)>,
    Form(form): Form<ReverseForm>,
) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let target = format!("/v/{slug}/ledger#entry-{seq}");
    let slug_for_run = slug.clone();
    let outcome = state
        .run(move |commons, now| {
            commons
                .acting(Some(&account))
                .reverse(&ReverseRequest { venture: slug_for_run, seq, reason: form.reason, author: None, idempotency_key: None }, now)
        })
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&target)),
        Err(error) if shown_in_form(&error) => {
            let params = LedgerParams { member: None, kind: None, from: None, to: None, after: Some(seq.saturating_sub(1)), limit: Some(20) };
            render_ledger(&state, &caller, slug, params, Some((seq, error))).await
        }
        Err(error) => Err(fail(&caller)(error)),
    }
}

#[derive(Deserialize)]
pub(super) struct PolicyQuery {
    #[serde(default)]
    pub(super) candidate: String,
}

pub(super) async fn policy_page(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Query(query): Query<PolicyQuery>) -> PageResult {
    render_policy(&state, &caller, slug, query, None).await
}

pub(super) async fn render_policy(state: &AppState, caller: &Caller, slug: String, query: PolicyQuery, failure: Option<AppError>) -> PageResult {
    let failure = failure.as_ref();
    let account = caller.account.clone();
    let candidate = if query.candidate.is_empty() { "hours-only".to_string() } else { query.candidate.clone() };
    let candidate_for_run = candidate.clone();
    let (standing, (currency, versions), current, proposed, proposals) = state
        .run(move |commons, now| {
            let acting = commons.acting(account.as_ref());
            let standing = acting.standing(&slug, now)?;
            let history = acting.policy_history(&slug, now)?;
            let current = acting.split(&slug, &SplitQuery::default(), now)?;
            let proposed = acting.split(&slug, &SplitQuery { as_of: None, policy: Some(PolicyChoice::Preset(candidate_for_run)) }, now)?;
            let proposals = acting.proposals(&slug, now)?;
            Ok((standing, history, current, proposed, proposals))
        })
        .await
        .map_err(fail(caller))?;
    let slug = &standing.venture.record.slug;
    let in_force = versions.iter().rev().find(|v| v.record.version == standing.venture.policy_version).or(versions.last());
    let body = html! {
        h1 { "The formula of " (standing.venture.record.name) }
        (venture_nav(&standing))
        @if let Some(version) = in_force {
            h2 { "In force: version " (version.record.version) " (" (version.policy.preset) "), since " (version.record.effective_from.to_string()) }
            details { summary { "Every setting" } pre { (version.record.settings) } }
        }
        h2 { "History" }
        div.scroll { table {
            thead { tr { th { "Version" } th { "From" } th { "Preset" } } }
            tbody { @for v in &versions { tr { td { (v.record.version) } td { (v.record.effective_from.to_string()) } td { (v.policy.preset) } } } }
        } }
        h2 { "Compare with another formula" }
        form method="get" action=(format!("/v/{slug}/policy")) {
            label for="f-candidate" { "Candidate preset" } " "
            select id="f-candidate" name="candidate" {
                @for p in ["slicing-pie", "hours-only"] { option value=(p) selected[p == candidate] { (p) } }
            }
            " " button type="submit" { "Compare" }
        }
        p.hint { "The same ledger, valued under the candidate; nothing is written." }
        div.scroll { table {
            thead { tr { th { "Member" } th.n { "Share now" } th.n { "Share under " (candidate) } } }
            tbody { @for line in &current.lines {
                @let other = proposed.lines.iter().find(|l| l.member.member_no == line.member.member_no);
                tr { td { (line.member.display_name) } td.n { (format_share(line.figures.share_units)) "%" } td.n { (other.map_or_else(String::new, |l| format_share(l.figures.share_units))) "%" } }
            } }
        } }
        @if !proposed.unvalued.is_empty() { p.muted { (proposed.unvalued.len()) " entries could not be valued under the candidate." } }
        h2 { "Proposals" }
        @if proposals.is_empty() { p { "No change has been proposed." } }
        @else { ul { @for p in &proposals {
            li { a href=(format!("/v/{slug}/proposals/{}", p.record.number)) { "Proposal #" (p.record.number) } ": " (p.policy.preset) " from "
                (p.record.effective_from.to_string()) " by " (p.proposed_by) " · " span.status data-status=(p.record.status) { (p.record.status) } }
        } } }
        @if standing.member.is_some() && !standing.is_steward() {
            h2 { "Propose a formula" }
            form.stack method="post" action=(format!("/v/{slug}/proposals")) {
                (csrf_field(caller))
                (form_error(failure))
                (select("Preset", "preset", &[("slicing-pie", "Slicing Pie"), ("hours-only", "Hours only")], &candidate))
                label for="f-effective_from" { "From" }
                input id="f-effective_from" type="date" name="effective_from" required;
                (field_error(failure, "effective from"))
                label for="f-note" { "Why" }
                input id="f-note" type="text" name="note";
                button type="submit" { "Propose" }
            }
        }
        @if standing.is_steward() {
            h2 { "Adopt a formula" }
            form.stack method="post" action=(format!("/v/{slug}/policy")) {
                (csrf_field(caller))
                (form_error(failure))
                (select("Preset", "preset", &[("slicing-pie", "Slicing Pie"), ("hours-only", "Hours only")], &candidate))
                label for="f-effective_from" { "From" }
                span.hint { "after every entry already valued: no past figure changes" }
                input id="f-effective_from" type="date" name="effective_from" required;
                (field_error(failure, "effective from"))
                button type="submit" { "Adopt" }
            }
        }
        p.muted { "Amounts in " (currency.code()) "." }
    };
    let status = failure.map_or(StatusCode::OK, status_of);
    Ok(show_status(caller, status, "Formula", body))
}

#[derive(Deserialize)]
pub(super) struct AdoptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    preset: String,
    #[serde(default)]
    effective_from: String,
}

pub(super) async fn adopt_policy(State(state): State<AppState>, caller: Caller, Path(slug): Path<String>, Form(form): Form<AdoptForm>) -> PageResult {
    caller.check_form(&form.csrf).map_err(fail(&caller))?;
    let account = caller.account().map_err(fail(&caller))?.clone();
    let target = format!("/v/{slug}/policy");
    let slug_for_run = slug.clone();
    let preset = form.preset.clone();
    let outcome = state
        .run(move |commons, now| {
            let request = SetPolicy {
                venture: slug_for_run,
                policy: PolicyChoice::Preset(form.preset),
                effective_from: parse_date("effective from", form.effective_from.trim())?,
                idempotency_key: None,
            };
            commons.acting(Some(&account)).set_policy(&request, now)
        })
        .await;
    match outcome {
        Ok(Ok(_)) => Ok(see_other(&target)),
        Ok(Err(proposal)) => Ok(see_other(&format!("/v/{slug}/proposals/{}", proposal.record.number))),
        Err(error) if shown_in_form(&error) => render_policy(&state, &caller, slug, PolicyQuery { candidate: preset }, Some(error)).await,
        Err(error) => Err(fail(&caller)(error)),
    }
}
