//! An owner of a dwelling: a resident of the registry, or an outside owner known by name,
//! an encrypted contact and, when given, an identity document. Ending ownership keeps the row (owners' votes look back).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dwelling_owner")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub dwelling_id: Uuid,
    pub resident_id: Option<Uuid>,
    pub outside_name: Option<String>,
    pub outside_contact_cipher: Option<String>,
    /// An outside owner's identity document, as for residents: its type, the number
    /// encrypted, and a keyed hash that is the same for the same number in the resident
    /// table, so one person is one owner however many dwellings they own.
    pub outside_document_type: Option<String>,
    pub outside_document_cipher: Option<String>,
    pub outside_document_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
