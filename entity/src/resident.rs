//! 居民: a resident of a household. Document number and phone exist only as ciphertexts
//! (bound to this row) and keyed hashes; see `jiedao::crypto`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resident")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub household_id: Uuid,
    pub name: String,
    /// `male` or `female`, when known (derived from an ID card number).
    pub gender: Option<String>,
    pub birth_date: Option<Date>,
    /// `mainland_id_card`, `old_mainland_id_card`, `hk_macau_taiwan_permit`, `passport`, `none`.
    pub document_type: String,
    pub document_cipher: Option<String>,
    pub document_hash: Option<String>,
    pub phone_cipher: Option<String>,
    pub phone_hash: Option<String>,
    pub phone_last4_hash: Option<String>,
    /// Relation to the head of household: `head`, `spouse`, `child`, ...
    pub relation: String,
    /// Registered here (户籍) or living here without registration (人户分离).
    pub registered: bool,
    /// Care tags: `elderly_alone`, `disabled`, `special_hardship`, ...
    pub tags: Json,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    pub moved_in_on: Option<Date>,
    pub moved_out_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
