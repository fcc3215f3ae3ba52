//! `peerstake review …`: approve, dispute, withdraw a dispute, decide or vote on one; the entries
//! waiting for review; one entry's review.

use std::io::Write;

use clap::{Args, Subcommand};
use peerstake_app::review::ReviewRequest;
use peerstake_app::{AppError, Commons, Now};
use peerstake_core::review::{Step, Verdict};

use crate::output::io;

/// Review an entry.
#[derive(Subcommand)]
pub enum ReviewCommand {
    /// Approve a pending entry.
    Approve(StepArgs),
    /// Dispute an entry (it leaves the split until the dispute is settled).
    Dispute(StepArgs),
    /// Withdraw one's own dispute.
    Withdraw(StepArgs),
    /// Settle a dispute as a steward: --verdict uphold or reject.
    Decide(StepArgs),
    /// Vote on a dispute: --verdict uphold or reject.
    Vote(StepArgs),
    /// Entries waiting for review or disputed.
    Queue {
        /// The venture.
        venture: String,
    },
    /// One entry's status and review steps.
    Show {
        /// The venture.
        venture: String,
        /// The entry number.
        seq: u64,
    },
}

/// One step in an entry's review.
#[derive(Args)]
pub struct StepArgs {
    /// The venture.
    venture: String,
    /// The entry number.
    seq: u64,
    /// Who takes the step (a member's handle).
    #[arg(long = "by")]
    by: String,
    /// The reason or comment (required to dispute).
    #[arg(long, alias = "reason", default_value = "")]
    note: String,
    /// uphold or reject (decide, vote).
    #[arg(long)]
    verdict: Option<String>,
    #[arg(long)]
    key: Option<String>,
}

impl StepArgs {
    /// The verdict given, which deciding and voting need.
    fn verdict(&self) -> Result<Verdict, AppError> {
        let text = self.verdict.as_deref().unwrap_or("");
        Verdict::from_name(text).ok_or_else(|| peerstake_app::error::invalid("verdict", "use uphold or reject"))
    }
}

/// Runs a `review` subcommand.
pub fn run(commons: &Commons, command: ReviewCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    let (args, step) = match command {
        ReviewCommand::Approve(args) => (args, Step::Approve),
        ReviewCommand::Dispute(args) => (args, Step::Dispute),
        ReviewCommand::Withdraw(args) => (args, Step::Withdraw),
        ReviewCommand::Decide(args) => {
            let verdict = args.verdict()?;
            (args, Step::Decide(verdict))
        }
        ReviewCommand::Vote(args) => {
            let verdict = args.verdict()?;
            (args, Step::Vote(verdict))
        }
        ReviewCommand::Queue { venture } => return queue(commons, &venture, out),
        ReviewCommand::Show { venture, seq } => return show(commons, &venture, seq, out),
    };
    let request = ReviewRequest { venture: args.venture.clone(), seq: args.seq, step, by: args.by, note: args.note, idempotency_key: args.key };
    let stored = commons.review(&request, now)?;
    let status = commons.entry_review(&args.venture, args.seq)?.status.map_or("", |s| s.name());
    writeln!(out, "entry #{} records the {} of entry #{}; it is now {status}", stored.entry.seq, step.tag(), args.seq).map_err(io)
}

/// The entries waiting for review or disputed, one a line.
fn queue(commons: &Commons, venture: &str, out: &mut impl Write) -> Result<(), AppError> {
    let queue = commons.review_queue(venture)?;
    if queue.is_empty() {
        writeln!(out, "nothing waits for review in {venture}").map_err(io)?;
    }
    for (named, status) in queue {
        let entry = &named.entry.entry;
        let member = entry.member.map(|m| named.handle(m)).unwrap_or_else(|| "(venture)".into());
        writeln!(
            out,
            "#{:<6} {:<9} {} {:<12} {:<10} {} slices",
            entry.seq,
            status.name(),
            entry.occurred_on,
            entry.tag,
            member,
            named.currency.format_slices(entry.slices_minor)
        )
        .map_err(io)?;
    }
    Ok(())
}

/// One entry's status, approvals, dispute and every review step.
fn show(commons: &Commons, venture: &str, seq: u64, out: &mut impl Write) -> Result<(), AppError> {
    let review = commons.entry_review(venture, seq)?;
    let entry = &review.entry.entry.entry;
    let status = review.status.map_or("(not a contribution)", |s| s.name());
    let status = if review.reversed_by.is_some() { "reversed" } else { status };
    writeln!(out, "entry #{seq}: {} on {}, {status}; {}", entry.tag, entry.occurred_on, review.rule).map_err(io)?;
    if !review.approvals.is_empty() {
        writeln!(out, "approved by: {}", review.approvals.join(", ")).map_err(io)?;
    }
    if let Some(by) = &review.disputed_by {
        writeln!(out, "disputed by: {by}").map_err(io)?;
    }
    for step in &review.steps {
        let e = &step.entry.entry;
        let who = e.author.map(|m| step.handle(m)).unwrap_or_default();
        writeln!(out, "  #{} {} {} by {who}: {}", e.seq, e.occurred_on, e.tag, e.note).map_err(io)?;
    }
    if let Some(by) = review.reversed_by {
        writeln!(out, "reversed by entry #{by}").map_err(io)?;
    }
    if let Some(by) = review.amended_by {
        writeln!(out, "amended by entry #{by}").map_err(io)?;
    }
    Ok(())
}
