//! `peerstake well` and `costs`: the money paid in and not yet spent, who paid it and every
//! movement; and who covered the venture's shared costs, in cash from the well and in goods.

use std::io::Write;

use clap::Args;
use peerstake_app::well::{CostShare, Depositor, SharedCosts, WellStatement};
use peerstake_app::{AppError, Commons};
use serde_json::json;

use crate::args::VentureArgs;
use crate::output::{Format, Section, caption, emit, one_line, sections};

/// The well's statement.
#[derive(Args)]
pub struct WellArgs {
    /// The venture.
    venture: String,
    /// Only this member's part (a member's handle).
    #[arg(long)]
    member: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `well`.
pub fn well(commons: &Commons, args: WellArgs, out: &mut impl Write) -> Result<(), AppError> {
    let statement: WellStatement = match &args.member {
        Some(handle) => commons.member_well(&args.venture, handle)?,
        None => commons.well(&args.venture)?,
    };
    let c = statement.currency;
    let whose = statement.member.as_ref().map_or_else(String::new, |m| format!(", {}'s part", m.handle));
    let summary = vec![
        c.format(statement.balance_minor),
        c.format(statement.deposited_minor),
        c.format(statement.spent_minor),
        c.format(statement.returned_minor),
        c.format_slices(statement.slices_minor),
    ];
    let mut parts = vec![Section::new(
        format!("Well of {}{whose} ({})", args.venture, c.code()),
        &["balance", "deposited", "spent", "returned", "cash_slices"],
        vec![summary],
    )];
    if statement.member.is_none() {
        let rows = statement.depositors.iter().map(|d| vec![d.handle.clone(), d.display_name.clone(), c.format(d.balance_minor)]).collect();
        parts.push(Section::new("Depositors", &["member", "name", "balance"], rows));
    }
    let rows = statement
        .movements
        .iter()
        .map(|m| {
            vec![
                format!("#{}", m.seq),
                m.occurred_on.to_string(),
                m.tag.clone(),
                m.member.clone().unwrap_or_default(),
                c.format(m.change_minor),
                c.format_slices(m.slices_minor),
                c.format(m.balance_minor),
                m.need.map(|n| format!("#{n}")).unwrap_or_default(),
                one_line(&m.note),
            ]
        })
        .collect();
    parts.push(Section::new("Movements, oldest first", &["entry", "date", "kind", "member", "change", "slices", "balance", "need", "note"], rows));
    let depositor = |d: &Depositor| json!({"member": d.handle, "name": d.display_name, "balance": c.format(d.balance_minor)});
    sections(out, args.format, &parts, || {
        json!({
            "venture": args.venture,
            "currency": c.code(),
            "member": statement.member.as_ref().map(depositor),
            "balance": c.format(statement.balance_minor),
            "deposited": c.format(statement.deposited_minor),
            "spent": c.format(statement.spent_minor),
            "returned": c.format(statement.returned_minor),
            "slices": c.format_slices(statement.slices_minor),
            "depositors": statement.depositors.iter().map(depositor).collect::<Vec<_>>(),
            "movements": statement.movements.iter().map(|m| json!({
                "entry": m.seq,
                "date": m.occurred_on.to_string(),
                "kind": m.tag,
                "member": m.member,
                "change": c.format(m.change_minor),
                "slices": c.format_slices(m.slices_minor),
                "balance": c.format(m.balance_minor),
                "need": m.need,
                "note": m.note,
            })).collect::<Vec<_>>(),
        })
    })
}

/// Runs `costs`: per need, per month and in all.
pub fn costs(commons: &Commons, args: VentureArgs, out: &mut impl Write) -> Result<(), AppError> {
    let report: SharedCosts = commons.shared_costs(&args.venture)?;
    let c = report.currency;
    let share_row =
        |scope: &str, s: &CostShare| vec![scope.to_string(), s.handle.clone(), s.display_name.clone(), c.format(s.cash_minor), c.format(s.goods_minor)];
    let mut rows = Vec::new();
    for need in &report.needs {
        let scope = format!("need #{} {}", need.need.number, need.need.title);
        rows.push(vec![scope.clone(), "(all)".to_string(), String::new(), c.format(need.cash_minor), c.format(need.goods_minor)]);
        rows.extend(need.shares.iter().map(|s| share_row(&scope, s)));
    }
    for month in &report.months {
        let scope = format!("month {}", month.month);
        rows.extend(month.shares.iter().map(|s| share_row(&scope, s)));
    }
    rows.extend(report.totals.iter().map(|s| share_row("total", s)));
    caption(
        out,
        args.format,
        format_args!("Shared costs of {} ({}): cash paid from the well and goods lent or given, per need, per month and in all:", args.venture, c.code()),
    )?;
    let share = |s: &CostShare| json!({"member": s.handle, "name": s.display_name, "cash": c.format(s.cash_minor), "goods": c.format(s.goods_minor)});
    emit(out, args.format, &["scope", "member", "name", "cash", "goods"], &rows, || {
        json!({
            "venture": args.venture,
            "currency": c.code(),
            "needs": report.needs.iter().map(|n| json!({
                "number": n.need.number,
                "title": n.need.title,
                "status": n.need.status,
                "cash": c.format(n.cash_minor),
                "goods": c.format(n.goods_minor),
                "shares": n.shares.iter().map(share).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "months": report.months.iter().map(|m| json!({"month": m.month, "shares": m.shares.iter().map(share).collect::<Vec<_>>()})).collect::<Vec<_>>(),
            "totals": report.totals.iter().map(share).collect::<Vec<_>>(),
        })
    })
}
