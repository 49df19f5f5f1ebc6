//! GraphQL reads of points: the scheme, rules and rewards of a community (for everyone in
//! it: residents see what earns points and what they buy), an account (staff, its grid
//! workers, the household), the caller's own, a compound's ranking and the redemptions.

use async_graphql::{Context, ID, Object, Result};
use entity::{points_entry, points_reward, points_rule, points_scheme};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    access::{check_read, is_staff, reader_role, staff_place},
    accounts::{find_account, unit_of},
    awards::{Target, find_target},
    labels::labels_of,
    mine::my_owner,
    objects::{
        PointsAccount, PointsEntry, PointsHolder, PointsReward, PointsRule, PointsScheme,
        SchemePermissions,
    },
    ranking::{RankingRow, ranking},
    types::{PointsEntryKind, PointsUnit},
};
use crate::{
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::selects,
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
    tenancy::place_of,
};

/// An account as the API shows it: zero before anything was awarded.
async fn account_object(
    ctx: &Context<'_>,
    row: Option<entity::points_account::Model>,
    unit: PointsUnit,
    staff: bool,
) -> AppResult<PointsAccount> {
    let holder = match (&row, selects(ctx, &["holder"])) {
        (Some(r), true) => labels_of(ctx.services().db.reader(), &[r])
            .await?
            .remove(&r.id)
            .map(PointsHolder::from)
            .unwrap_or_default(),
        _ => PointsHolder::default(),
    };
    Ok(PointsAccount {
        id: row.as_ref().map(|r| r.id.into()),
        unit,
        compound_id: row.as_ref().map(|r| r.compound_id.into()),
        balance: row.as_ref().map_or(0, |r| r.balance),
        ranking_opt_in: row.as_ref().is_some_and(|r| r.ranking_opt_in),
        holder,
        row,
        staff,
    })
}

#[derive(Default)]
pub struct PointsQuery;

#[Object]
impl PointsQuery {
    /// A community's points scheme: the unit it counts (households unless staff chose
    /// residents).
    async fn points_scheme(&self, ctx: &Context<'_>, community_id: ID) -> Result<PointsScheme> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let place = place_of(db, viewer, community).await?;
        let scheme = points_scheme::Entity::find()
            .filter(points_scheme::Column::CommunityId.eq(community))
            .one(db)
            .await?;
        let unit = scheme.map_or(Ok(PointsUnit::Household), |s| {
            PointsUnit::from_stored(&s.unit)
        })?;
        let staff = is_staff(viewer, place);
        let awarded = staff
            && points_entry::Entity::find()
                .filter(points_entry::Column::CommunityId.eq(community))
                .one(db)
                .await?
                .is_some();
        Ok(PointsScheme {
            community_id,
            unit,
            permissions: SchemePermissions {
                can_change_unit: staff && !awarded,
                can_manage: staff,
            },
        })
    }

    /// A community's points rules, oldest first; archived ones with `includeArchived`.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn points_rules(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        #[graphql(default)] include_archived: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<PointsRule>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let staff = is_staff(viewer, place_of(db, viewer, community).await?);
        let mut select =
            points_rule::Entity::find().filter(points_rule::Column::CommunityId.eq(community));
        if !include_archived {
            select = select.filter(points_rule::Column::ArchivedAt.is_null());
        }
        Ok(ordered_page(
            db,
            select,
            Order::OldestFirst(points_rule::Column::Id),
            None,
            args,
            |m| PointsRule::of(m, staff),
        )
        .await?)
    }

    /// A community's rewards, oldest first; archived ones with `includeArchived`.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn points_rewards(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        #[graphql(default)] include_archived: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<PointsReward>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let staff = is_staff(viewer, place_of(db, viewer, community).await?);
        let mut select =
            points_reward::Entity::find().filter(points_reward::Column::CommunityId.eq(community));
        if !include_archived {
            select = select.filter(points_reward::Column::ArchivedAt.is_null());
        }
        Ok(ordered_page(
            db,
            select,
            Order::OldestFirst(points_reward::Column::Id),
            None,
            args,
            |m| Ok(PointsReward::of(m, staff)),
        )
        .await?)
    }

    /// The points of a household (or, naming a resident, of the account their points go
    /// to): for community staff, its grid worker and the household itself.
    async fn points_account(
        &self,
        ctx: &Context<'_>,
        household_id: Option<ID>,
        resident_id: Option<ID>,
    ) -> Result<PointsAccount> {
        let viewer = ctx.viewer()?;
        let target = match (household_id, resident_id) {
            (Some(h), None) => Target::Household(parse_id("householdId", &h)?),
            (None, Some(r)) => Target::Resident(parse_id("residentId", &r)?),
            _ => {
                return Err(AppError::bad_input(
                    "householdId",
                    msg!("name a household or a resident"),
                )
                .into());
            }
        };
        let db = ctx.services().db.reader();
        let found = find_target(db, viewer, target).await?;
        let role = reader_role(db, viewer, found.place, found.household.id).await?;
        check_read(role)?;
        let unit = unit_of(db, found.household.community_id).await?;
        let row = match found.owner(db).await? {
            Some(owner) => find_account(db, owner).await?,
            None => None,
        };
        let staff = is_staff(viewer, found.place);
        Ok(account_object(ctx, row, unit, staff).await?)
    }

    /// The caller's own points, as a resident: their household's (or their own, in a
    /// community counting residents).
    async fn my_points(&self, ctx: &Context<'_>) -> Result<PointsAccount> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (owner, _) = my_owner(db, viewer).await?;
        let unit = match owner {
            super::accounts::Owner::Household(_) => PointsUnit::Household,
            super::accounts::Owner::Resident(_) => PointsUnit::Resident,
        };
        let row = find_account(db, owner).await?;
        Ok(account_object(ctx, row, unit, false).await?)
    }

    /// A compound's ranking: accounts whose holders opted in, most points first, shown by
    /// building and masked name. For the compound's residents and community staff.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn points_ranking(
        &self,
        ctx: &Context<'_>,
        compound_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<RankingRow>> {
        let viewer = ctx.viewer()?;
        let compound = parse_id("compoundId", &compound_id)?;
        let db = ctx.services().db.reader();
        Ok(ranking(db, viewer, compound, first, after).await?)
    }

    /// A community's redemptions, newest first, with whose they were (masked): staff.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn points_redemptions(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<PointsEntry>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        staff_place(
            db,
            viewer,
            community,
            msg!("only community staff redeem rewards"),
        )
        .await?;
        let select = points_entry::Entity::find()
            .filter(points_entry::Column::CommunityId.eq(community))
            .filter(points_entry::Column::Kind.eq(PointsEntryKind::Redemption.stored()));
        let mut page = ordered_page(
            db,
            select,
            Order::NewestFirst(points_entry::Column::Id),
            None,
            args,
            |m| PointsEntry::of(m, true),
        )
        .await?;
        if selects(ctx, &["edges", "node", "holder"]) && !page.edges.is_empty() {
            let ids = page
                .edges
                .iter()
                .filter_map(|e| uuid::Uuid::parse_str(e.node.account_id.as_str()).ok());
            let accounts = entity::points_account::Entity::find()
                .filter(entity::points_account::Column::Id.is_in(ids))
                .all(db)
                .await?;
            let mut labels = labels_of(db, &accounts.iter().collect::<Vec<_>>()).await?;
            for edge in &mut page.edges {
                let id = uuid::Uuid::parse_str(edge.node.account_id.as_str()).ok();
                edge.node.holder = id
                    .and_then(|id| labels.get(&id).cloned())
                    .map(PointsHolder::from);
            }
            labels.clear();
        }
        Ok(page)
    }
}
