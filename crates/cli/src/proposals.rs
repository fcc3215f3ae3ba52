//! `peerstake proposal …`: policy proposals. Propose a change, vote on it, withdraw it, list them.

use std::io::Write;

use clap::Subcommand;
use peerstake_app::proposals::{ProposalView, ProposeRequest, VoteRequest};
use peerstake_app::{AppError, Commons, Now};

use crate::args::optional_date;
use crate::output::io;

/// Policy proposals.
#[derive(Subcommand)]
pub enum ProposalCommand {
    /// Propose a policy change (the proposer's vote for it is recorded with it).
    Propose {
        /// The venture.
        venture: String,
        /// Who proposes it (a member's handle).
        #[arg(long = "by")]
        by: String,
        /// A preset (slicing-pie, hours-only) or a TOML policy file.
        #[arg(long)]
        policy: String,
        /// From when it would apply (YYYY-MM-DD).
        #[arg(long)]
        effective_from: String,
        /// Why.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Vote for or against an open proposal.
    Vote {
        /// The venture.
        venture: String,
        /// The proposal's number.
        number: u32,
        /// Who votes (a member's handle).
        #[arg(long = "by")]
        by: String,
        /// for or against.
        #[arg(long)]
        choice: String,
        /// A comment.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw one's own open proposal.
    Withdraw {
        /// The venture.
        venture: String,
        /// The proposal's number.
        number: u32,
        /// Who proposed it.
        #[arg(long = "by")]
        by: String,
    },
    /// Every proposal of a venture.
    List {
        /// The venture.
        venture: String,
    },
}

/// One proposal on one line.
fn show(out: &mut impl Write, view: &ProposalView) -> Result<(), AppError> {
    let record = &view.record;
    writeln!(
        out,
        "proposal #{}: {} from {} by {} — {} ({})",
        record.number, view.policy.preset, record.effective_from, view.proposed_by, record.status, view.rule
    )
    .map_err(io)
}

/// Runs a `proposal` subcommand.
pub fn run(commons: &Commons, command: ProposalCommand, now: Now, out: &mut impl Write) -> Result<(), AppError> {
    match command {
        ProposalCommand::Propose { venture, by, policy, effective_from, note } => {
            let request = ProposeRequest {
                venture,
                by,
                policy: crate::args::choice(&policy)?,
                effective_from: optional_date("effective-from", Some(&effective_from))?.unwrap_or(now.today),
                note,
                idempotency_key: None,
            };
            show(out, &commons.propose(&request, now)?)
        }
        ProposalCommand::Vote { venture, number, by, choice, note } => {
            let approve = match choice.as_str() {
                "for" => true,
                "against" => false,
                _ => return Err(peerstake_app::error::invalid("choice", "use for or against")),
            };
            show(out, &commons.vote_on_proposal(&VoteRequest { venture, number, by, approve, note }, now)?)
        }
        ProposalCommand::Withdraw { venture, number, by } => show(out, &commons.withdraw_proposal(&venture, number, &by, now)?),
        ProposalCommand::List { venture } => {
            let proposals = commons.proposals(&venture)?;
            if proposals.is_empty() {
                writeln!(out, "no proposals in {venture}").map_err(io)?;
            }
            proposals.iter().try_for_each(|view| show(out, view))
        }
    }
}
