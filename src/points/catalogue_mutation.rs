//! GraphQL writes of a community's points scheme, rules and rewards, by its staff. Each
//! runs through `audited_write`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use serde_json::json;

use super::{
    catalogue::{self, RuleTerms},
    objects::{PointsReward, PointsRule, PointsScheme, SchemePermissions},
    rewards::{self, RewardTerms},
    types::{PointsTrigger, PointsUnit},
};
use crate::{
    audit::audited_write,
    graphql::{StoredEnum, parse_id},
};

#[derive(InputObject)]
pub struct SetPointsUnitInput {
    pub community_id: ID,
    pub unit: PointsUnit,
}

#[derive(SimpleObject)]
pub struct SetPointsUnitPayload {
    pub scheme: PointsScheme,
}

#[derive(InputObject)]
pub struct CreatePointsRuleInput {
    pub community_id: ID,
    pub name: String,
    pub trigger: PointsTrigger,
    /// Per unit of the trigger: per hour of volunteering, per check or attendance.
    pub points: i64,
    /// At most this many points a calendar day (China time) per account.
    pub daily_cap: Option<i64>,
    /// At most this many points a calendar month per account.
    pub monthly_cap: Option<i64>,
}

#[derive(InputObject)]
pub struct UpdatePointsRuleInput {
    pub id: ID,
    pub name: String,
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub monthly_cap: Option<i64>,
}

#[derive(SimpleObject)]
pub struct PointsRulePayload {
    pub rule: PointsRule,
}

#[derive(InputObject)]
pub struct CreatePointsRewardInput {
    pub community_id: ID,
    pub name: String,
    #[graphql(default)]
    pub description: String,
    /// In points.
    pub price: i64,
    pub stock: i64,
}

#[derive(InputObject)]
pub struct UpdatePointsRewardInput {
    pub id: ID,
    pub name: String,
    #[graphql(default)]
    pub description: String,
    pub price: i64,
    /// Items added to the stock (negative: taken off, never below zero).
    #[graphql(default)]
    pub add_stock: i64,
}

#[derive(SimpleObject)]
pub struct PointsRewardPayload {
    pub reward: PointsReward,
}

#[derive(Default)]
pub struct PointsCatalogueMutation;

#[Object]
impl PointsCatalogueMutation {
    /// Staff choose whether the community counts households (default) or residents;
    /// refused (CONFLICT) once points were awarded.
    async fn set_points_unit(
        &self,
        ctx: &Context<'_>,
        input: SetPointsUnitInput,
    ) -> Result<SetPointsUnitPayload> {
        let audit =
            json!({ "communityId": input.community_id.as_str(), "unit": input.unit.stored() });
        let community = parse_id("input.communityId", &input.community_id);
        let unit = input.unit;
        let scheme = audited_write(ctx, "setPointsUnit", audit, move |txn, viewer| {
            Box::pin(async move { catalogue::set_unit(txn, viewer, community?, unit).await })
        })
        .await?;
        Ok(SetPointsUnitPayload {
            scheme: PointsScheme {
                community_id: scheme.community_id.into(),
                unit: PointsUnit::from_stored(&scheme.unit)?,
                permissions: SchemePermissions {
                    can_change_unit: true,
                    can_manage: true,
                },
            },
        })
    }

    /// Staff add a rule. A community keeps one active rule per trigger but MANUAL.
    async fn create_points_rule(
        &self,
        ctx: &Context<'_>,
        input: CreatePointsRuleInput,
    ) -> Result<PointsRulePayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "name": input.name, "trigger": input.trigger.stored(), "points": input.points, "dailyCap": input.daily_cap, "monthlyCap": input.monthly_cap });
        let community = parse_id("input.communityId", &input.community_id);
        let trigger = input.trigger;
        let terms = RuleTerms {
            name: input.name,
            points: input.points,
            daily_cap: input.daily_cap,
            monthly_cap: input.monthly_cap,
        };
        let rule = audited_write(ctx, "createPointsRule", audit, move |txn, viewer| {
            Box::pin(async move {
                catalogue::create_rule(txn, viewer, community?, trigger, terms).await
            })
        })
        .await?;
        Ok(PointsRulePayload {
            rule: PointsRule::of(rule, true)?,
        })
    }

    /// Staff change a rule's name, points and caps, for awards from now on.
    async fn update_points_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdatePointsRuleInput,
    ) -> Result<PointsRulePayload> {
        let audit = json!({ "id": input.id.as_str(), "name": input.name, "points": input.points, "dailyCap": input.daily_cap, "monthlyCap": input.monthly_cap });
        let id = parse_id("input.id", &input.id);
        let terms = RuleTerms {
            name: input.name,
            points: input.points,
            daily_cap: input.daily_cap,
            monthly_cap: input.monthly_cap,
        };
        let rule = audited_write(ctx, "updatePointsRule", audit, move |txn, viewer| {
            Box::pin(async move { catalogue::update_rule(txn, viewer, id?, terms).await })
        })
        .await?;
        Ok(PointsRulePayload {
            rule: PointsRule::of(rule, true)?,
        })
    }

    /// Staff archive a rule: it awards nothing more; its entries keep pointing at it.
    async fn archive_points_rule(&self, ctx: &Context<'_>, id: ID) -> Result<PointsRulePayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let rule = audited_write(ctx, "archivePointsRule", audit, move |txn, viewer| {
            Box::pin(async move { catalogue::archive_rule(txn, viewer, id?).await })
        })
        .await?;
        Ok(PointsRulePayload {
            rule: PointsRule::of(rule, true)?,
        })
    }

    /// Staff add a reward with its price in points and its stock.
    async fn create_points_reward(
        &self,
        ctx: &Context<'_>,
        input: CreatePointsRewardInput,
    ) -> Result<PointsRewardPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "name": input.name, "price": input.price, "stock": input.stock });
        let community = parse_id("input.communityId", &input.community_id);
        let stock = input.stock;
        let terms = RewardTerms {
            name: input.name,
            description: input.description,
            price: input.price,
        };
        let reward = audited_write(ctx, "createPointsReward", audit, move |txn, viewer| {
            Box::pin(
                async move { rewards::create_reward(txn, viewer, community?, terms, stock).await },
            )
        })
        .await?;
        Ok(PointsRewardPayload {
            reward: PointsReward::of(reward, true),
        })
    }

    /// Staff change a reward and restock it.
    async fn update_points_reward(
        &self,
        ctx: &Context<'_>,
        input: UpdatePointsRewardInput,
    ) -> Result<PointsRewardPayload> {
        let audit = json!({ "id": input.id.as_str(), "name": input.name, "price": input.price, "addStock": input.add_stock });
        let id = parse_id("input.id", &input.id);
        let add = input.add_stock;
        let terms = RewardTerms {
            name: input.name,
            description: input.description,
            price: input.price,
        };
        let reward = audited_write(ctx, "updatePointsReward", audit, move |txn, viewer| {
            Box::pin(async move { rewards::update_reward(txn, viewer, id?, terms, add).await })
        })
        .await?;
        Ok(PointsRewardPayload {
            reward: PointsReward::of(reward, true),
        })
    }

    /// Staff archive a reward: it is redeemed no more.
    async fn archive_points_reward(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<PointsRewardPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let reward = audited_write(ctx, "archivePointsReward", audit, move |txn, viewer| {
            Box::pin(async move { rewards::archive_reward(txn, viewer, id?).await })
        })
        .await?;
        Ok(PointsRewardPayload {
            reward: PointsReward::of(reward, true),
        })
    }
}
