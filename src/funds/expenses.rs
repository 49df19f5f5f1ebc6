//! Expenses: the treasurer drafts and submits one; committee members other than its author
//! approve or reject it (as many approvals as the fund needs); the treasurer pays it, which
//! appends the ledger entry. Every step is one audited transaction; a failed payment leaves
//! the expense unpaid and the ledger as it was.

use chrono::Utc;
use entity::{expense, fund, role_grant::Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, sea_query::LockType,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_record, visible_fund},
    service::insert_counterparty,
};
use crate::graphql::scalars::MAX_AMOUNT_FEN;
use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, Term, msg},
    graphql::clean_name,
    graphql::scalars::format_hundredths,
    meetings::motions::passed_resolution,
    outbox::{EventType, Notification},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Paid,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "submitted" => Self::Submitted,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "paid" => Self::Paid,
            "cancelled" => Self::Cancelled,
            _ => Self::Draft,
        }
    }
}

pub struct Item {
    pub description: String,
    pub amount_fen: i64,
}

pub struct NewExpense {
    pub fund_id: Uuid,
    pub payee_name: String,
    pub amount_fen: i64,
    pub purpose: String,
    pub items: Vec<Item>,
    pub resolution_id: Option<Uuid>,
}

/// What the caller may do with an expense now.
#[derive(Clone, Copy, Debug, Default)]
pub struct Permissions {
    pub can_submit: bool,
    pub can_approve: bool,
    pub can_pay: bool,
    pub can_cancel: bool,
    pub can_attach_receipts: bool,
    pub can_remove_receipts: bool,
}

/// Whether the caller decides on the fund's expenses: the compound's committee members;
/// for a community fund, the community's admins and staff.
pub(super) fn is_approver(viewer: &Viewer, fund: &fund::Model, place: Place) -> bool {
    match fund.compound_id {
        Some(compound) => viewer.scope_ids(Role::CommitteeMember).contains(&compound),
        None => viewer
            .reach(Capability::ManageCommittees)
            .covers(place.street_office, place.community),
    }
}

pub fn permissions(
    viewer: &Viewer,
    fund: &fund::Model,
    place: Place,
    expense: &expense::Model,
    decided: bool,
) -> Permissions {
    let records = check_record(viewer, fund, place).is_ok();
    let status = Status::parse(&expense.status);
    Permissions {
        can_submit: records && status == Status::Draft,
        can_approve: status == Status::Submitted
            && expense.author_id != viewer.user_id
            && !decided
            && is_approver(viewer, fund, place),
        can_pay: records && status == Status::Approved,
        can_cancel: records
            && matches!(status, Status::Draft | Status::Submitted | Status::Approved),
        can_attach_receipts: records && !matches!(status, Status::Rejected | Status::Cancelled),
        can_remove_receipts: records && status == Status::Draft,
    }
}

/// An expense with the fund and place the caller's access was checked against: what the
/// GraphQL object needs to answer `permissions` without asking the database again.
pub struct CheckedExpense {
    pub expense: expense::Model,
    pub fund: fund::Model,
    pub place: Place,
}

pub fn checked(
    expense: expense::Model,
    fund: fund::Model,
    place: Place,
) -> Audited<CheckedExpense> {
    let id = expense.id;
    Audited::new(
        CheckedExpense {
            expense,
            fund,
            place,
        },
        place,
        id,
    )
}

/// An expense the caller may read, with its fund; NOT_FOUND otherwise.
pub async fn visible_expense(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(expense::Model, fund::Model, Place)> {
    let expense = expense::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(expense::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("expense not found")))?;
    let (fund, place) = visible_fund(conn, viewer, expense.fund_id)
        .await
        .map_err(|e| e.hidden_as(msg!("expense not found")))?;
    Ok((expense, fund, place))
}

/// Above the fund's threshold an expense cites a passed resolution of the fund's compound;
/// a cited resolution must be one, whatever the amount, and the expenses citing it stay
/// within what it approved. `this` is the expense itself, once it exists.
async fn check_resolution(
    conn: &impl ConnectionTrait,
    fund: &fund::Model,
    amount: i64,
    resolution: Option<Uuid>,
    this: Option<Uuid>,
) -> AppResult<()> {
    if let Some(id) = resolution {
        let motion = passed_resolution(conn, fund.community_id, fund.compound_id, id).await?;
        return within_resolution(conn, &motion, amount, this).await;
    }
    if fund.resolution_threshold_fen.is_some_and(|t| amount > t) {
        return Err(AppError::bad_input(
            "input.resolutionId",
            msg!("above the fund's threshold an expense needs a passed meeting resolution"),
        ));
    }
    Ok(())
}

/// The other live expenses citing a resolution plus this one stay within its amount.
async fn within_resolution(
    conn: &impl ConnectionTrait,
    motion: &entity::motion::Model,
    amount: i64,
    this: Option<Uuid>,
) -> AppResult<()> {
    let Some(approved) = motion.amount_fen else {
        return Ok(());
    };
    // Two drafts citing the resolution at once must not both fit under its cap: the
    // second waits here until the first commits, then counts it (PostgreSQL; SQLite's
    // single writer already serialises).
    entity::motion::Entity::find_by_id(motion.id)
        .select_only()
        .column(entity::motion::Column::Id)
        .lock(LockType::NoKeyUpdate)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    let mut others = expense::Entity::find()
        .select_only()
        .column(expense::Column::AmountFen)
        .filter(expense::Column::ResolutionId.eq(motion.id))
        .filter(
            expense::Column::Status
                .is_not_in([Status::Rejected, Status::Cancelled].map(Status::as_str)),
        );
    if let Some(this) = this {
        others = others.filter(expense::Column::Id.ne(this));
    }
    let cited: i64 = others
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .sum();
    if cited + amount > approved {
        return Err(AppError::bad_input(
            "input.amount",
            msg!(
                "the resolution approves {approved} yuan in all and {cited} is already cited",
                approved = format_hundredths(approved),
                cited = format_hundredths(cited)
            ),
        ));
    }
    Ok(())
}

pub async fn draft(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewExpense,
) -> AppResult<Audited<CheckedExpense>> {
    let (fund, place) = visible_fund(conn, viewer, new.fund_id).await?;
    check_record(viewer, &fund, place)?;
    if new.amount_fen <= 0 || new.amount_fen > MAX_AMOUNT_FEN {
        return Err(AppError::bad_input(
            "input.amount",
            msg!("an amount is above 0 and at most 10^12 yuan"),
        ));
    }
    let items_total: i64 = new.items.iter().map(|i| i.amount_fen).sum();
    if !new.items.is_empty() && items_total != new.amount_fen {
        return Err(AppError::bad_input(
            "input.items",
            msg!("the items add up to the expense's amount"),
        ));
    }
    let mut items = Vec::new();
    for item in &new.items {
        if item.amount_fen <= 0 {
            return Err(AppError::bad_input(
                "input.items",
                msg!("an item costs more than 0"),
            ));
        }
        items.push(json!({ "description": clean_name("input.items", &item.description, 200)?, "amountFen": item.amount_fen }));
    }
    // Refused now rather than at submit: a draft's resolution cannot be added later.
    check_resolution(conn, &fund, new.amount_fen, new.resolution_id, None).await?;
    let payee = clean_name("input.payeeName", &new.payee_name, 100)?;
    let payee = insert_counterparty(conn, fund.community_id, "payee", None, Some(payee)).await?;
    let now = Utc::now();
    let expense = expense::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(fund.community_id),
        fund_id: Set(fund.id),
        author_id: Set(viewer.user_id),
        payee_id: Set(payee),
        amount_fen: Set(new.amount_fen),
        purpose: Set(clean_name("input.purpose", &new.purpose, 500)?),
        items: Set(json!(items)),
        status: Set(Status::Draft.as_str().into()),
        resolution_id: Set(new.resolution_id),
        closing_reason: Set(None),
        paid_entry_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(checked(expense, fund, place))
}

pub(super) async fn set_status(
    conn: &impl ConnectionTrait,
    expense: expense::Model,
    status: Status,
    reason: Option<String>,
    paid_entry: Option<Uuid>,
) -> AppResult<expense::Model> {
    let mut update: expense::ActiveModel = expense.into();
    update.status = Set(status.as_str().into());
    if reason.is_some() {
        update.closing_reason = Set(reason);
    }
    if paid_entry.is_some() {
        update.paid_entry_id = Set(paid_entry);
    }
    update.updated_at = Set(Utc::now());
    Ok(update.update(conn).await?)
}

pub(super) fn refuse(status: Status, action: &'static str) -> AppError {
    AppError::bad_input(
        "input.expenseId",
        msg!(
            "a {status} expense cannot be {action}",
            status = Term(status.as_str()),
            action = Term(action)
        ),
    )
}

pub async fn submit(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<CheckedExpense>> {
    let (expense, fund, place) = visible_expense(conn, viewer, id).await?;
    check_record(viewer, &fund, place)?;
    let status = Status::parse(&expense.status);
    if status != Status::Draft {
        return Err(refuse(status, "submitted"));
    }
    check_resolution(
        conn,
        &fund,
        expense.amount_fen,
        expense.resolution_id,
        Some(expense.id),
    )
    .await?;
    let expense = set_status(conn, expense, Status::Submitted, None, None).await?;
    // The committee's approvers hear of it (the payee is named by the expense page only).
    let awaiting = Notification::new(
        EventType::ExpenseAwaitingApproval,
        expense.community_id,
        json!({
            "expenseId": expense.id,
            "fundId": fund.id,
            "amount": format_hundredths(expense.amount_fen),
            "purpose": expense.purpose,
            "approvalsRequired": fund.approvals_required,
            "resolutionId": expense.resolution_id,
        }),
    )
    .in_place(fund.compound_id, None);
    Ok(checked(expense, fund, place).with_notifications([awaiting]))
}
