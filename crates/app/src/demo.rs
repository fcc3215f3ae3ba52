//! The demo venture: six peers, twelve months of contributions of every kind, a policy change
//! half-way and a corrected mistake. Deterministic: the same data, hashes and split every time.

use crate::book::SetPolicy;
use crate::error::AppError;
use crate::forms::{ContributionForm, TermsForm};
use crate::journal::{LogRequest, ReverseRequest};
use crate::membership::AddMember;
use crate::policy_file::PolicyChoice;
use crate::ventures::CreateVenture;
use crate::{Commons, Now};
use time::Date;
use time::macros::date;

/// The demo venture's slug.
pub const DEMO_SLUG: &str = "demo";

/// The demo's second policy version, effective 2025-07-01.
const SECOND_POLICY: &str = "preset = \"slicing-pie\"\ncommission_rate_percent = \"8\"\nroyalty_rate_percent = \"4\"\n";

struct Peer {
    handle: &'static str,
    name: &'static str,
    role: &'static str,
    market_salary: &'static str,
    cash_salary: &'static str,
    hourly_rate: &'static str,
}

const PEERS: &[Peer] = &[
    Peer { handle: "ana", name: "Ana Ribeiro", role: "steward", market_salary: "96000", cash_salary: "24000", hourly_rate: "" },
    Peer { handle: "ben", name: "Ben Okafor", role: "member", market_salary: "72000", cash_salary: "", hourly_rate: "" },
    Peer { handle: "chloe", name: "Chloé Martin", role: "member", market_salary: "", cash_salary: "", hourly_rate: "55" },
    Peer { handle: "devi", name: "Devi Rao", role: "advisor", market_salary: "", cash_salary: "", hourly_rate: "150" },
    Peer { handle: "eli", name: "Eli Novak", role: "contractor", market_salary: "", cash_salary: "", hourly_rate: "70" },
    Peer { handle: "fay", name: "Fay Lindqvist", role: "backer", market_salary: "", cash_salary: "", hourly_rate: "" },
];

/// One thing that happens in the demo year.
enum Action {
    Log { member: Option<&'static str>, form: Box<ContributionForm>, note: &'static str },
    ReverseLast { reason: &'static str },
    Policy,
}

fn form(kind: &str) -> ContributionForm {
    ContributionForm { kind: kind.to_string(), ..ContributionForm::default() }
}

fn time(hours: &str) -> ContributionForm {
    ContributionForm { quantity: hours.to_string(), ..form("time") }
}

fn amount(kind: &str, amount: &str) -> ContributionForm {
    ContributionForm { amount: amount.to_string(), ..form(kind) }
}

fn day(month: u8, day_of_month: u8) -> Result<Date, AppError> {
    let month = time::Month::try_from(month).map_err(|e| AppError::File(e.to_string()))?;
    Date::from_calendar_date(2025, month, day_of_month).map_err(|e| AppError::File(e.to_string()))
}

fn year() -> Result<Vec<(Date, Action)>, AppError> {
    use Action::*;
    let mut plan: Vec<(Date, Action)> = Vec::new();
    let log = |member: &'static str, form: ContributionForm, note: &'static str| Log { member: Some(member), form: Box::new(form), note };
    for month in 1..=12_u8 {
        plan.push((day(month, 1)?, log("fay", amount("deposit", "50"), "Monthly pledge to the well")));
        plan.push((day(month, 2)?, log("ana", ContributionForm { paid: "0".into(), ..amount("facilities", "300") }, "Desk and meeting room in Ana's studio")));
        for (day_of_month, hours) in [(3, "12"), (10, "10"), (17, "14"), (24, "8")] {
            plan.push((day(month, day_of_month)?, log("ana", time(hours), "Product design and coordination")));
        }
        for (day_of_month, hours) in [(5, "9.5"), (19, "7:45")] {
            plan.push((day(month, day_of_month)?, log("ben", time(hours), "Backend development")));
        }
        plan.push((
            day(month, 6)?,
            log("ben", ContributionForm { quantity: "10".into(), unit: "day".into(), rate: "4".into(), ..form("capital-use") }, "Build server, spare cycles"),
        ));
        plan.push((day(month, 12)?, log("chloe", time("6:30"), "Illustration and documentation")));
        if month % 2 == 0 {
            plan.push((day(month, 15)?, log("devi", time("2"), "Advice on pricing and the first customers")));
        }
        if (3..=8).contains(&month) {
            plan.push((day(month, 20)?, log("eli", time("10"), "Firmware for the prototype")));
        }
        if month % 3 == 0 {
            plan.push((day(month, 4)?, log("ben", amount("deposit", "20"), "Quarterly top-up of the well")));
        }
        plan.push((day(month, 28)?, Log { member: None, form: Box::new(amount("withdrawal", "40")), note: "Hosting for the month" }));
    }
    plan.push((day(1, 9)?, log("ben", ContributionForm { condition: "new".into(), ..amount("equipment", "1200") }, "Laptop bought for the venture")));
    plan.push((day(2, 14)?, log("chloe", amount("expense", "89.90"), "Ticket to the makers' fair")));
    plan.push((day(3, 7)?, log("ana", ContributionForm { condition: "used-old".into(), ..amount("equipment", "80") }, "Second-hand drafting table")));
    plan.push((day(3, 16)?, log("ben", amount("expense", "450"), "Soldering station (typo: was 45)")));
    plan.push((day(3, 17)?, ReverseLast { reason: "Amount typed as 450 instead of 45" }));
    plan.push((day(3, 17)?, log("ben", amount("expense", "45"), "Soldering station")));
    plan.push((
        day(4, 3)?,
        log("chloe", ContributionForm { condition: "used-recent".into(), ..amount("supplies", "150") }, "Filament and parts for prototypes"),
    ));
    plan.push((day(5, 8)?, log("ana", ContributionForm { paid: "20".into(), ..amount("expense", "120") }, "Trademark filing")));
    plan.push((day(6, 21)?, log("eli", ContributionForm { class: "non-cash".into(), ..amount("other", "200") }, "Rights to the logo he drew")));
    plan.push((day(7, 1)?, Policy));
    plan.push((day(8, 31)?, log("eli", amount("cash-paid", "300"), "First invoice paid in cash")));
    plan.push((day(9, 25)?, log("chloe", amount("sale", "6500"), "First wholesale order")));
    plan.push((day(10, 30)?, log("ana", amount("idea", "4000"), "Royalty on the modular kit design")));
    plan.push((day(11, 18)?, log("devi", amount("finders-fee", "25000"), "Introduced the first angel")));
    plan.push((day(12, 30)?, log("ben", amount("well-return", "10"), "Part of a top-up handed back, unspent")));
    // Stable: the policy change sorts before everything dated on its effective day.
    plan.sort_by_key(|(date, action)| (*date, !matches!(action, Action::Policy)));
    Ok(plan)
}

impl Commons {
    /// Creates the demo venture. Refused if a venture named `demo` exists.
    pub fn create_demo(&self) -> Result<u64, AppError> {
        let start = date!(2025 - 01 - 01);
        let at_start = Now::noon_of(start);
        self.create_venture(
            &CreateVenture {
                slug: DEMO_SLUG.to_string(),
                name: "Loomworks".to_string(),
                pitch: "An open studio designing modular kits for makers, built by its peers".to_string(),
                currency: "EUR".to_string(),
                policy: PolicyChoice::Preset("slicing-pie".to_string()),
                started_on: Some(start),
                number_format: String::new(),
                idempotency_key: None,
            },
            at_start,
        )?;
        for peer in PEERS {
            self.add_member(
                &AddMember {
                    venture: DEMO_SLUG.to_string(),
                    handle: peer.handle.to_string(),
                    display_name: peer.name.to_string(),
                    role: peer.role.to_string(),
                    joined_on: Some(start),
                    terms: TermsForm {
                        market_salary: peer.market_salary.to_string(),
                        cash_salary: peer.cash_salary.to_string(),
                        hours_per_year: String::new(),
                        hourly_rate: peer.hourly_rate.to_string(),
                    },
                    idempotency_key: None,
                },
                at_start,
            )?;
        }
        let mut last_seq = 0;
        for (date, action) in year()? {
            let now = Now::noon_of(date);
            match action {
                Action::Log { member, form, note } => {
                    let request = LogRequest {
                        venture: DEMO_SLUG.to_string(),
                        member: member.map(str::to_string),
                        author: member.map(str::to_string).or_else(|| Some("ana".to_string())),
                        occurred_on: date,
                        from: None,
                        form: *form,
                        note: note.to_string(),
                        idempotency_key: None,
                    };
                    last_seq = self.log(&request, now)?.entry.seq;
                }
                Action::ReverseLast { reason } => {
                    let request = ReverseRequest {
                        venture: DEMO_SLUG.to_string(),
                        seq: last_seq,
                        reason: reason.to_string(),
                        author: Some("ana".to_string()),
                        idempotency_key: None,
                    };
                    last_seq = self.reverse(&request, now)?.entry.seq;
                }
                Action::Policy => {
                    let request = SetPolicy {
                        venture: DEMO_SLUG.to_string(),
                        policy: PolicyChoice::File(SECOND_POLICY.to_string()),
                        effective_from: date,
                        idempotency_key: None,
                    };
                    self.set_policy(&request, Now::noon_of(date))?;
                }
            }
        }
        // The year's first profit, recorded and half of it paid out by the split.
        let year_end = date!(2025 - 12 - 31);
        let income = crate::payouts::IncomeRequest {
            venture: DEMO_SLUG.to_string(),
            kind: "revenue".to_string(),
            amount: "2000".to_string(),
            received_on: Some(year_end),
            note: "Profit from the first wholesale orders".to_string(),
            by: Some("ana".to_string()),
            ..crate::payouts::IncomeRequest::default()
        };
        self.record_income(&income, Now::noon_of(year_end))?;
        let payout = crate::payouts::DistributeRequest {
            venture: DEMO_SLUG.to_string(),
            amount: "1000".to_string(),
            paid_on: Some(year_end),
            note: "First profit share".to_string(),
            by: Some("ana".to_string()),
            ..crate::payouts::DistributeRequest::default()
        };
        self.post_distribution(&payout, Now::noon_of(year_end))?;
        Ok(last_seq)
    }
}

/// The password of each demo login: the handle followed by this.
pub const DEMO_PASSWORD_SUFFIX: &str = "-peerstake-demo";

impl Commons {
    /// Gives each member of the demo venture an account to sign in with (username = handle,
    /// password = handle + [`DEMO_PASSWORD_SUFFIX`]), once. Returns the logins.
    pub fn create_demo_logins(&self, now: Now) -> Result<Vec<(String, String)>, AppError> {
        let members = self.members(DEMO_SLUG, now)?;
        let mut logins = Vec::with_capacity(members.len());
        for member in members {
            let handle = member.record.handle.clone();
            let password = format!("{handle}{DEMO_PASSWORD_SUFFIX}");
            let account = match self.account_by_username(&handle) {
                Ok(account) => account,
                Err(AppError::NotFound { .. }) => self.sign_up(
                    &crate::accounts::SignUp { username: handle.clone(), display_name: member.record.display_name.clone(), password: password.clone() },
                    now,
                )?,
                Err(error) => return Err(error),
            };
            let mut tx = self.store.begin(peerstake_store::Mode::Write)?;
            let venture = tx.venture_by_slug(DEMO_SLUG)?.ok_or(AppError::NotFound { what: "venture", name: DEMO_SLUG.into() })?;
            let linked = tx.member_accounts(venture.id)?.iter().any(|(no, _)| *no == member.record.member_no);
            if !linked {
                tx.link_member(venture.id, member.record.member_no, account.id)?;
            }
            tx.commit()?;
            logins.push((handle, password));
        }
        Ok(logins)
    }
}
