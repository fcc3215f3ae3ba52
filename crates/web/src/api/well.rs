//! The well over the API: what it holds and from whom, each depositor's account of it, and what
//! the venture's needs and months cost.

use axum::routing::get;
use axum::{Json, Router};
use peerstake_app::well::{SharedCosts, WellStatement};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiResult, Refused};
use crate::extract::{Actor, At};

/// A well statement.
#[derive(Debug, Serialize, ToSchema)]
pub struct WellOut {
    /// The member's handle, for a member's statement.
    pub member: Option<String>,
    /// The balance now.
    pub balance: String,
    /// Paid in.
    pub deposited: String,
    /// Spent on costs.
    pub spent: String,
    /// Handed back or paid out otherwise.
    pub returned: String,
    /// Cash slices the spending earned.
    pub slices: String,
    /// Depositors with a balance (the venture's statement).
    pub depositors: Vec<DepositorOut>,
    /// Every movement, oldest first.
    pub movements: Vec<MovementOut>,
}

/// A depositor's balance.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepositorOut {
    /// Handle.
    pub member: String,
    /// Balance.
    pub balance: String,
}

/// One movement of the well.
#[derive(Debug, Serialize, ToSchema)]
pub struct MovementOut {
    /// The entry.
    pub seq: u64,
    /// Its date.
    pub date: String,
    /// Its kind.
    pub kind: String,
    /// Whose balance moved, when it is one person's.
    pub member: Option<String>,
    /// The change (negative for spending and returns).
    pub change: String,
    /// Cash slices earned.
    pub slices: String,
    /// The balance after it.
    pub balance: String,
    /// The entry's note.
    pub note: String,
    /// The need it paid.
    pub need: Option<u32>,
}

/// Who covered what.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostShareOut {
    /// Handle.
    pub member: String,
    /// Share of well spending.
    pub cash: String,
    /// Goods lent or given.
    pub goods: String,
}

/// How one need's cost was spread.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedCostsOut {
    /// The need.
    pub need: u32,
    /// Its title.
    pub title: String,
    /// Paid from the well.
    pub cash: String,
    /// Covered by goods.
    pub goods: String,
    /// Who covered it.
    pub shares: Vec<CostShareOut>,
}

/// How a month's costs were spread.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCostsOut {
    /// `YYYY-MM`.
    pub month: String,
    /// Who covered them.
    pub shares: Vec<CostShareOut>,
}

/// How a venture's costs were spread across its peers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostsOut {
    /// Per need.
    pub needs: Vec<NeedCostsOut>,
    /// Per month.
    pub months: Vec<MonthCostsOut>,
    /// Over the venture's life.
    pub totals: Vec<CostShareOut>,
}

fn well_out(statement: &WellStatement) -> WellOut {
    let c = statement.currency;
    WellOut {
        member: statement.member.as_ref().map(|m| m.handle.clone()),
        balance: c.format(statement.balance_minor),
        deposited: c.format(statement.deposited_minor),
        spent: c.format(statement.spent_minor),
        returned: c.format(statement.returned_minor),
        slices: c.format_slices(statement.slices_minor),
        depositors: statement.depositors.iter().map(|d| DepositorOut { member: d.handle.clone(), balance: c.format(d.balance_minor) }).collect(),
        movements: statement
            .movements
            .iter()
            .map(|m| MovementOut {
                seq: m.seq,
                date: m.occurred_on.to_string(),
                kind: m.tag.clone(),
                member: m.member.clone(),
                change: c.format(m.change_minor),
                slices: c.format_slices(m.slices_minor),
                balance: c.format(m.balance_minor),
                note: m.note.clone(),
                need: m.need,
            })
            .collect(),
    }
}

fn costs_out(costs: &SharedCosts) -> CostsOut {
    let c = costs.currency;
    let shares = |list: &[peerstake_app::well::CostShare]| -> Vec<CostShareOut> {
        list.iter().map(|s| CostShareOut { member: s.handle.clone(), cash: c.format(s.cash_minor), goods: c.format(s.goods_minor) }).collect()
    };
    CostsOut {
        needs: costs
            .needs
            .iter()
            .map(|n| NeedCostsOut {
                need: n.need.number,
                title: n.need.title.clone(),
                cash: c.format(n.cash_minor),
                goods: c.format(n.goods_minor),
                shares: shares(&n.shares),
            })
            .collect(),
        months: costs.months.iter().map(|m| MonthCostsOut { month: m.month.clone(), shares: shares(&m.shares) }).collect(),
        totals: shares(&costs.totals),
    }
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/well", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = WellOut), Refused))]
async fn get_well(actor: Actor, At(slug): At<String>) -> ApiResult<WellOut> {
    let statement = actor.run(move |acting, now| acting.well(&slug, now)).await?;
    Ok(Json(well_out(&statement)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/well/{handle}", params(("slug" = String, Path, example = "demo"), ("handle" = String, Path, example = "ana")), responses((status = 200, body = WellOut), Refused))]
async fn get_member_well(actor: Actor, At((slug, handle)): At<(String, String)>) -> ApiResult<WellOut> {
    let statement = actor.run(move |acting, now| acting.member_well(&slug, &handle, now)).await?;
    Ok(Json(well_out(&statement)))
}

#[utoipa::path(get, path = "/api/v1/ventures/{slug}/costs", params(("slug" = String, Path, example = "demo")), responses((status = 200, body = CostsOut), Refused))]
async fn get_costs(actor: Actor, At(slug): At<String>) -> ApiResult<CostsOut> {
    let costs = actor.run(move |acting, now| acting.shared_costs(&slug, now)).await?;
    Ok(Json(costs_out(&costs)))
}

#[derive(OpenApi)]
#[openapi(paths(get_well, get_member_well, get_costs))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/ventures/{slug}/well", get(get_well))
        .route("/ventures/{slug}/well/{handle}", get(get_member_well))
        .route("/ventures/{slug}/costs", get(get_costs))
}
