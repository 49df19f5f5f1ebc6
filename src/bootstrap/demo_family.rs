//! The demo's family contact: an elderly resident of 和韵小区 living alone, whose daughter
//! (刘晓燕's kind: a child working in the city) answers consultations and signs him in to
//! meetings for him, with her own login `demo.family`.

use entity::{building, compound, dwelling, household, resident};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Query, SelectStatement},
};

use super::DemoLogin;
use crate::{
    auth::{Viewer, password},
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    registry::{
        accounts::NewLogin,
        care::tags_of,
        family::{
            account::create_account,
            contacts::{self, ContactFields},
            types::FamilyRelation,
        },
    },
};

fn households_in_compound(compound: uuid::Uuid) -> SelectStatement {
    let buildings = Query::select()
        .column(building::Column::Id)
        .from(building::Entity)
        .and_where(building::Column::CompoundId.eq(compound))
        .to_owned();
    let dwellings = Query::select()
        .column(dwelling::Column::Id)
        .from(dwelling::Entity)
        .and_where(dwelling::Column::BuildingId.in_subquery(buildings))
        .to_owned();
    Query::select()
        .column(household::Column::Id)
        .from(household::Entity)
        .and_where(household::Column::DwellingId.in_subquery(dwellings))
        .to_owned()
}

pub const LOGIN: DemoLogin = DemoLogin {
    username: "demo.family",
    password: "demo-family-2026",
    role: "family_contact of an elderly resident of 和韵小区 living alone (his daughter)",
};

pub async fn load(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    admin: &Viewer,
    compound: &compound::Model,
) -> AppResult<DemoLogin> {
    let members = resident::Entity::find()
        .filter(resident::Column::HouseholdId.in_subquery(households_in_compound(compound.id)))
        .filter(resident::Column::ArchivedAt.is_null())
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?;
    let alone = |r: &&resident::Model| {
        members
            .iter()
            .filter(|m| m.household_id == r.household_id)
            .count()
            == 1
    };
    let father = members
        .iter()
        .filter(alone)
        .find(|r| tags_of(r).iter().any(|t| t == "elderly_alone"))
        .or_else(|| members.iter().find(alone))
        .ok_or(AppError::NotFound(msg!("resident not found")))?;
    let surname: String = father.name.chars().take(1).collect();
    let fields = ContactFields {
        name: Some(format!("{surname}晓燕")),
        relation: Some(FamilyRelation::Daughter),
        phone: Some(Some("13857100321".into())),
        may_answer_consultations: Some(true),
        may_sign_in_to_meetings: Some(true),
        may_receive_notices: Some(true),
    };
    let contact = contacts::add(conn, admin, keys, father.id, fields)
        .await?
        .value;
    let secret = LOGIN.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash_blocking(&secret))
        .await
        .map_err(AppError::internal)??;
    let login = NewLogin {
        username: LOGIN.username.into(),
        display_name: String::new(),
        password_hash: hash,
    };
    let (_, user) = create_account(conn, admin, contact.id, login).await?.value;
    // Like the other demo logins: no password change forced at first login.
    let mut user: entity::app_user::ActiveModel = user.into();
    user.must_change_password = Set(false);
    user.update(conn).await?;
    Ok(LOGIN)
}
