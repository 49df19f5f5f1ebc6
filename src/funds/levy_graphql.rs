//! GraphQL for levies: who owes what, who has paid, who still owes.

use std::collections::HashMap;

use async_graphql::{
    ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject, dataloader::Loader,
};
use entity::levy;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    closed_sets::LevyMethod,
    labels::household_labels,
    levies::{self, Method, NewLevy},
};
use crate::{
    audit::audited_write,
    error::AppError,
    graphql::{
        ContextExt, StoredEnum,
        loader::{DbLoader, loader},
        pagination::{Page, PageArgs, loaded_page},
        parse_id,
        scalars::Money,
    },
};

#[derive(SimpleObject, Clone)]
pub struct LevyShare {
    pub household_id: ID,
    /// Building and unit, as on public notices (3号楼2单元).
    pub household: String,
    pub share: Money,
    pub paid: Money,
    pub outstanding: Money,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Levy {
    pub id: ID,
    pub purpose: String,
    pub total: Money,
    #[graphql(skip)]
    pub model: levy::Model,
}

impl From<levy::Model> for Levy {
    fn from(m: levy::Model) -> Self {
        Self {
            id: m.id.into(),
            purpose: m.purpose.clone(),
            total: Money(m.total_fen),
            model: m,
        }
    }
}

#[ComplexObject]
impl Levy {
    async fn method(&self) -> Result<LevyMethod> {
        Ok(LevyMethod::from_stored(&self.model.method)?)
    }

    async fn shares(&self, ctx: &Context<'_>) -> Result<Vec<LevyShare>> {
        ctx.viewer()?;
        let shares = loader(ctx).load_one(SharesOf(self.model.id)).await?;
        Ok(shares.unwrap_or_default())
    }
}

/// Batched lookups for lists of funds and their levies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LeviesOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SharesOf(pub Uuid);

impl Loader<LeviesOf> for DbLoader {
    type Value = Vec<levy::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[LeviesOf]) -> Result<HashMap<LeviesOf, Self::Value>> {
        let mut out: HashMap<LeviesOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for l in levy::Entity::find()
            .filter(levy::Column::FundId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(levy::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
        {
            out.entry(LeviesOf(l.fund_id)).or_default().push(l);
        }
        Ok(out)
    }
}

impl Loader<SharesOf> for DbLoader {
    type Value = Vec<LevyShare>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[SharesOf]) -> Result<HashMap<SharesOf, Self::Value>> {
        let db = self.db.reader();
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let shares = levies::shares(db, &ids).await?;
        let households: Vec<Uuid> = shares.values().flatten().map(|s| s.household_id).collect();
        let labels = household_labels(db, &households).await?;
        Ok(keys
            .iter()
            .map(|key| {
                let of_levy = shares.get(&key.0).into_iter().flatten();
                let rows = of_levy
                    .map(|s| LevyShare {
                        household_id: s.household_id.into(),
                        household: labels.get(&s.household_id).cloned().unwrap_or_default(),
                        share: Money(s.share_fen),
                        paid: Money(s.paid_fen),
                        outstanding: Money((s.share_fen - s.paid_fen).max(0)),
                    })
                    .collect();
                (*key, rows)
            })
            .collect())
    }
}

/// A page of a fund's levies, oldest first. A fund has a few levies a year, so they are
/// loaded for every fund on the page at once and paged in memory.
pub async fn levies_of(ctx: &Context<'_>, fund: Uuid, args: PageArgs) -> Result<Page<Levy>> {
    let levies = loader(ctx).load_one(LeviesOf(fund)).await?;
    Ok(loaded_page(
        levies.unwrap_or_default(),
        |l| l.id,
        args,
        Levy::from,
    ))
}

#[derive(InputObject)]
pub struct CreateLevyInput {
    pub fund_id: ID,
    pub purpose: String,
    pub method: LevyMethod,
    /// The total, or each household's share for PER_HOUSEHOLD.
    pub amount: Money,
    pub household_ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct LevyPayload {
    pub levy: Levy,
}

#[derive(Default)]
pub struct LevyMutation;

#[Object]
impl LevyMutation {
    /// The treasurer splits a cost between households; each pays with `recordContribution`
    /// naming the levy.
    async fn create_levy(&self, ctx: &Context<'_>, input: CreateLevyInput) -> Result<LevyPayload> {
        let audit = json!({ "fundId": input.fund_id.as_str(), "purpose": input.purpose, "method": format!("{:?}", input.method), "amountFen": input.amount.0, "households": input.household_ids.len() });
        let fund = parse_id("input.fundId", &input.fund_id);
        let households: Result<Vec<Uuid>, _> = input
            .household_ids
            .iter()
            .map(|h| parse_id("input.householdIds", h))
            .collect();
        let method = match input.method {
            LevyMethod::Equal => Method::Equal(input.amount.0),
            LevyMethod::Area => Method::Area(input.amount.0),
            LevyMethod::PerHousehold => Method::PerHousehold(input.amount.0),
        };
        let purpose = input.purpose;
        let levy = audited_write(ctx, "createLevy", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewLevy {
                    fund_id: fund?,
                    purpose,
                    method,
                    household_ids: households?,
                };
                levies::create_levy(txn, viewer, new).await
            })
        })
        .await?;
        Ok(LevyPayload { levy: levy.into() })
    }
}
