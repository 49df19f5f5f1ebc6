//! The GraphQL objects of points, built from rows a reach-checked lookup returned.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{points_account, points_entry, points_reward, points_rule};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    labels::Label,
    ranking::rank_of,
    types::{AwardOutcome, PointsEntryKind, PointsTrigger, PointsUnit},
};
use crate::{
    error::AppResult,
    graphql::{
        ContextExt, StoredEnum,
        pagination::{Order, Page, PageArgs, ordered_page},
    },
};

#[derive(SimpleObject)]
pub struct RulePermissions {
    pub can_edit: bool,
}

/// What earns points.
#[derive(SimpleObject)]
pub struct PointsRule {
    pub id: ID,
    pub name: String,
    pub trigger: PointsTrigger,
    /// Per unit of the trigger (per hour of volunteering).
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub monthly_cap: Option<i64>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub permissions: RulePermissions,
}

impl PointsRule {
    pub fn of(m: points_rule::Model, staff: bool) -> AppResult<Self> {
        Ok(Self {
            id: m.id.into(),
            name: m.name,
            trigger: PointsTrigger::from_stored(&m.trigger)?,
            points: m.points,
            daily_cap: m.daily_cap,
            monthly_cap: m.monthly_cap,
            archived: m.archived_at.is_some(),
            created_at: m.created_at,
            permissions: RulePermissions {
                can_edit: staff && m.archived_at.is_none(),
            },
        })
    }
}

#[derive(SimpleObject)]
pub struct RewardPermissions {
    pub can_edit: bool,
    pub can_redeem: bool,
}

/// An item residents redeem points for.
#[derive(SimpleObject)]
pub struct PointsReward {
    pub id: ID,
    pub name: String,
    pub description: String,
    pub price: i64,
    pub stock: i64,
    pub archived: bool,
    pub permissions: RewardPermissions,
}

impl PointsReward {
    pub fn of(m: points_reward::Model, staff: bool) -> Self {
        let live = staff && m.archived_at.is_none();
        Self {
            id: m.id.into(),
            name: m.name,
            description: m.description,
            price: m.price,
            stock: m.stock,
            archived: m.archived_at.is_some(),
            permissions: RewardPermissions {
                can_edit: live,
                can_redeem: live && m.stock > 0,
            },
        }
    }
}

#[derive(SimpleObject)]
pub struct EntryPermissions {
    pub can_reverse: bool,
}

/// Where an account's holder lives, masked: 3号楼1单元101 王**.
#[derive(SimpleObject, Clone, Default)]
pub struct PointsHolder {
    pub building: String,
    pub dwelling: String,
    pub masked_name: String,
}

impl From<Label> for PointsHolder {
    fn from(l: Label) -> Self {
        Self {
            building: l.building,
            dwelling: l.dwelling,
            masked_name: l.masked_name,
        }
    }
}

/// One entry of an account's ledger.
#[derive(SimpleObject)]
pub struct PointsEntry {
    pub id: ID,
    pub account_id: ID,
    pub seq: i64,
    pub kind: PointsEntryKind,
    /// Signed: awards add, redemptions take.
    pub points: i64,
    pub balance_after: i64,
    pub rule_id: Option<ID>,
    /// In the rule's unit (minutes of volunteering, else a count).
    pub quantity: Option<i64>,
    pub reward_id: Option<ID>,
    pub reward_quantity: Option<i64>,
    pub reverses_entry_id: Option<ID>,
    pub memo: String,
    /// The day (China time) the rule's caps count it on.
    pub day: NaiveDate,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Whose account, masked (filled in lists for staff).
    pub holder: Option<PointsHolder>,
    pub permissions: EntryPermissions,
}

impl PointsEntry {
    pub fn of(m: points_entry::Model, staff: bool) -> AppResult<Self> {
        let kind = PointsEntryKind::from_stored(&m.kind)?;
        Ok(Self {
            id: m.id.into(),
            account_id: m.account_id.into(),
            seq: m.seq,
            kind,
            points: m.points,
            balance_after: m.balance_after,
            rule_id: m.rule_id.map(Into::into),
            quantity: m.quantity,
            reward_id: m.reward_id.map(Into::into),
            reward_quantity: m.reward_quantity,
            reverses_entry_id: m.reverses_entry_id.map(Into::into),
            memo: m.memo,
            day: m.day,
            occurred_at: m.occurred_at,
            recorded_at: m.recorded_at,
            holder: None,
            permissions: EntryPermissions {
                can_reverse: staff && kind != PointsEntryKind::Reversal,
            },
        })
    }
}

/// A household's or resident's points. Before anything is awarded the balance is 0 and
/// there is no id.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PointsAccount {
    pub id: Option<ID>,
    pub unit: PointsUnit,
    /// The compound whose ranking it appears in (for `pointsRanking`).
    pub compound_id: Option<ID>,
    pub balance: i64,
    pub ranking_opt_in: bool,
    pub holder: PointsHolder,
    #[graphql(skip)]
    pub row: Option<points_account::Model>,
    #[graphql(skip)]
    pub staff: bool,
}

#[ComplexObject]
impl PointsAccount {
    /// The account's place in its compound's ranking; null unless it opted in.
    async fn rank(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        match &self.row {
            Some(row) => Ok(rank_of(ctx.services().db.reader(), row).await?),
            None => Ok(None),
        }
    }

    /// Its entries, newest first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn entries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<PointsEntry>> {
        let args = PageArgs::new(first, after)?;
        let account = self.row.as_ref().map(|r| r.id).unwrap_or_default();
        let staff = self.staff;
        Ok(ordered_page(
            ctx.services().db.reader(),
            points_entry::Entity::find().filter(points_entry::Column::AccountId.eq(account)),
            Order::NewestFirst(points_entry::Column::Id),
            None,
            args,
            |m| PointsEntry::of(m, staff),
        )
        .await?)
    }
}

/// One household's part in a batch award.
#[derive(SimpleObject)]
pub struct BatchAwardResult {
    pub household_id: ID,
    pub outcome: AwardOutcome,
    /// The entry awarded; null when nothing was.
    pub entry: Option<PointsEntry>,
}

/// A community's points scheme.
#[derive(SimpleObject)]
pub struct PointsScheme {
    pub community_id: ID,
    pub unit: PointsUnit,
    pub permissions: SchemePermissions,
}

#[derive(SimpleObject)]
pub struct SchemePermissions {
    /// Staff, and only while no points were awarded.
    pub can_change_unit: bool,
    pub can_manage: bool,
}
