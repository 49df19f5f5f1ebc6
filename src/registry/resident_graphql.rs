//! GraphQL for households and residents. Every response carrying a resident is recorded in
//! the audit log (who read whose data); document numbers and phones are masked unless
//! revealed one at a time with a reason.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{household, resident};
use sea_orm::{
    ColumnTrait, Condition, QueryFilter,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use serde_json::json;

use super::{
    id_document::{self, DocumentType},
    residents::{self, NewResident, PersonalField},
};
use crate::{
    auth::Capability,
    crypto::DataKeys,
    error::{AppError, AppResult},
    graphql::{
        ContextExt,
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
        write::audited_write,
    },
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::household::Tenure")]
pub enum Tenure {
    OwnerOccupied,
    Renting,
    Other,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "DocumentType")]
pub enum DocumentTypeName {
    MainlandIdCard,
    OldMainlandIdCard,
    HkMacauTaiwanPermit,
    Passport,
    None,
}

impl From<DocumentTypeName> for DocumentType {
    fn from(name: DocumentTypeName) -> Self {
        match name {
            DocumentTypeName::MainlandIdCard => DocumentType::MainlandIdCard,
            DocumentTypeName::OldMainlandIdCard => DocumentType::OldMainlandIdCard,
            DocumentTypeName::HkMacauTaiwanPermit => DocumentType::HkMacauTaiwanResidencePermit,
            DocumentTypeName::Passport => DocumentType::Passport,
            DocumentTypeName::None => DocumentType::None,
        }
    }
}

/// 户: a household in a dwelling.
#[derive(SimpleObject)]
pub struct Household {
    pub id: ID,
    pub dwelling_id: ID,
    pub tenure: Tenure,
    pub created_at: DateTime<Utc>,
    pub moved_out_at: Option<DateTime<Utc>>,
}

impl From<household::Model> for Household {
    fn from(m: household::Model) -> Self {
        Self {
            id: m.id.into(),
            dwelling_id: m.dwelling_id.into(),
            tenure: m.tenure.into(),
            created_at: m.created_at,
            moved_out_at: m.archived_at,
        }
    }
}

/// 居民: a resident, with document number and phone masked.
#[derive(SimpleObject)]
pub struct Resident {
    pub id: ID,
    pub household_id: ID,
    pub name: String,
    /// `male` / `female`, derived from an ID card number when there is one.
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub document_type: String,
    /// Masked (`110***********1234`); `revealResidentField` shows it in full.
    pub document_number: Option<String>,
    /// Masked (`138****5678`).
    pub phone: Option<String>,
    pub relation: String,
    /// Registered here (户籍); false: living here without registration (人户分离).
    pub registered: bool,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub moved_out_at: Option<DateTime<Utc>>,
}

/// Builds the masked view of a resident and notes the read for the audit log.
fn resident_view(ctx: &Context<'_>, m: resident::Model) -> AppResult<Resident> {
    let keys: &DataKeys = &ctx.services().data_keys;
    ctx.meta().returned_personal_data(m.community_id, m.id);
    let doc_type = residents::document_type_of(&m.document_type);
    let document = residents::decrypt_field(keys, &m, PersonalField::DocumentNumber)?
        .map(|n| id_document::mask(doc_type, &n));
    let phone = residents::decrypt_field(keys, &m, PersonalField::Phone)?
        .map(|p| residents::mask_phone(&p));
    Ok(Resident {
        id: m.id.into(),
        household_id: m.household_id.into(),
        name: m.name,
        gender: m.gender,
        birth_date: m.birth_date,
        document_type: m.document_type,
        document_number: document,
        phone,
        relation: m.relation,
        registered: m.registered,
        tags: serde_json::from_value(m.tags).unwrap_or_default(),
        created_at: m.created_at,
        moved_out_at: m.archived_at,
    })
}

#[derive(InputObject)]
pub struct CreateHouseholdInput {
    pub dwelling_id: ID,
    pub tenure: Tenure,
}

#[derive(InputObject)]
pub struct CreateResidentInput {
    pub household_id: ID,
    pub name: String,
    pub document_type: DocumentTypeName,
    #[graphql(secret)]
    pub document_number: Option<String>,
    #[graphql(secret)]
    pub phone: Option<String>,
    /// Relation to the head of household: 户主, 配偶, 子女 ...
    pub relation: String,
    #[graphql(default = true)]
    pub registered: bool,
    #[graphql(default)]
    pub tags: Vec<String>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevealableField {
    DocumentNumber,
    Phone,
}

#[derive(InputObject)]
pub struct RevealResidentFieldInput {
    pub resident_id: ID,
    pub field: RevealableField,
    /// Why it is needed; kept in the audit log.
    pub reason: String,
}

#[derive(InputObject)]
pub struct ResidentIdInput {
    pub id: ID,
}

#[derive(InputObject, Default)]
pub struct ResidentFilter {
    pub household_id: Option<ID>,
    /// Part of a name, or the last four digits of a phone.
    pub search: Option<String>,
    pub tag: Option<String>,
    #[graphql(default = false)]
    pub include_moved_out: bool,
}

#[derive(SimpleObject)]
pub struct HouseholdPayload {
    pub household: Household,
}

#[derive(SimpleObject)]
pub struct ResidentPayload {
    pub resident: Resident,
}

#[derive(SimpleObject)]
pub struct RevealPayload {
    pub value: Option<String>,
}

#[derive(Default)]
pub struct ResidentQuery;

#[Object]
impl ResidentQuery {
    /// Residents of the communities whose registry the caller keeps.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn residents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ResidentFilter>,
    ) -> Result<Page<Resident>> {
        let reach = ctx.viewer()?.reach(Capability::ManageResidents);
        if reach.is_nothing() {
            return Err(
                AppError::Forbidden("only community admins and staff read residents").into(),
            );
        }
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut select = resident::Entity::find_in_reach(&reach);
        if let Some(id) = &filter.household_id {
            select = select
                .filter(resident::Column::HouseholdId.eq(parse_id("filter.householdId", id)?));
        }
        if let Some(search) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let keys = &ctx.services().data_keys;
            let by_phone = search.len() == 4 && search.bytes().all(|b| b.is_ascii_digit());
            select = if by_phone {
                select.filter(
                    resident::Column::PhoneLast4Hash.eq(keys.lookup_hash("phone-last4", search)),
                )
            } else {
                let escaped = search
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                select.filter(
                    Expr::col(resident::Column::Name)
                        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
                )
            };
        }
        if let Some(tag) = filter.tag {
            // Tags are a JSON array of known names; match the quoted name.
            if !residents::TAGS.contains(&tag.as_str()) {
                return Err(AppError::bad_input("filter.tag", "unknown tag").into());
            }
            let pattern = format!("%\"{tag}\"%");
            select = select.filter(
                Condition::all().add(
                    Expr::col(resident::Column::Tags)
                        .cast_as("text")
                        .like(pattern),
                ),
            );
        }
        if !filter.include_moved_out {
            select = select.filter(resident::Column::ArchivedAt.is_null());
        }
        let db = ctx.services().db.reader();
        let mut models = Vec::new();
        // Page the rows first, then build the views (decrypting, which can fail).
        let page = keyset_page(db, select, resident::Column::Id, args, |m| {
            let id = ID::from(m.id);
            models.push(m);
            id
        })
        .await?;
        let mut views = std::collections::HashMap::new();
        for m in models {
            views.insert(m.id.to_string(), resident_view(ctx, m)?);
        }
        let mut out = Page::with_additional_fields(
            page.has_previous_page,
            page.has_next_page,
            page.additional_fields,
        );
        for edge in page.edges {
            if let Some(view) = views.remove(edge.node.as_str()) {
                out.edges
                    .push(async_graphql::connection::Edge::new(edge.cursor, view));
            }
        }
        Ok(out)
    }

    async fn resident(&self, ctx: &Context<'_>, id: ID) -> Result<Resident> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let (resident, _) =
            residents::kept_resident(ctx.services().db.reader(), viewer, id).await?;
        Ok(resident_view(ctx, resident)?)
    }

    async fn household(&self, ctx: &Context<'_>, id: ID) -> Result<Household> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let (household, _) =
            residents::kept_household(ctx.services().db.reader(), viewer, id).await?;
        Ok(household.into())
    }
}

#[derive(Default)]
pub struct ResidentMutation;

#[Object]
impl ResidentMutation {
    async fn create_household(
        &self,
        ctx: &Context<'_>,
        input: CreateHouseholdInput,
    ) -> Result<HouseholdPayload> {
        let audit = json!({ "dwellingId": input.dwelling_id.as_str(), "tenure": format!("{:?}", input.tenure) });
        let dwelling = parse_id("input.dwellingId", &input.dwelling_id);
        let tenure = input.tenure.into();
        let household = audited_write(ctx, "createHousehold", audit, move |txn, viewer| {
            Box::pin(
                async move { residents::create_household(txn, viewer, dwelling?, tenure).await },
            )
        })
        .await?;
        Ok(HouseholdPayload {
            household: household.into(),
        })
    }

    /// Records a resident; document number and phone are validated and stored encrypted.
    async fn create_resident(
        &self,
        ctx: &Context<'_>,
        input: CreateResidentInput,
    ) -> Result<ResidentPayload> {
        // Personal data stays out of the audit log: only the household and what kind of
        // document was given.
        let audit = json!({ "householdId": input.household_id.as_str(), "documentType": format!("{:?}", input.document_type), "tags": input.tags });
        let household = parse_id("input.householdId", &input.household_id);
        let keys = ctx.services().data_keys.clone();
        let new = NewResident {
            household_id: uuid::Uuid::nil(),
            name: input.name,
            document_type: input.document_type.into(),
            document_number: input.document_number,
            phone: input.phone,
            relation: input.relation,
            registered: input.registered,
            tags: input.tags,
        };
        let resident = audited_write(ctx, "createResident", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewResident {
                    household_id: household?,
                    ..new
                };
                residents::create_resident(txn, viewer, &keys, new).await
            })
        })
        .await?;
        Ok(ResidentPayload {
            resident: resident_view(ctx, resident)?,
        })
    }

    /// Shows one field of one resident in full; the reason is kept in the audit log.
    async fn reveal_resident_field(
        &self,
        ctx: &Context<'_>,
        input: RevealResidentFieldInput,
    ) -> Result<RevealPayload> {
        let audit = json!({ "residentId": input.resident_id.as_str(), "field": format!("{:?}", input.field), "reason": input.reason });
        let id = parse_id("input.residentId", &input.resident_id);
        let field = match input.field {
            RevealableField::DocumentNumber => PersonalField::DocumentNumber,
            RevealableField::Phone => PersonalField::Phone,
        };
        let keys = ctx.services().data_keys.clone();
        let reason = input.reason;
        let value = audited_write(ctx, "revealResidentField", audit, move |txn, viewer| {
            Box::pin(
                async move { residents::reveal(txn, viewer, &keys, id?, field, &reason).await },
            )
        })
        .await?;
        Ok(RevealPayload { value })
    }

    /// Marks a resident as moved out; nothing is deleted.
    async fn move_out_resident(
        &self,
        ctx: &Context<'_>,
        input: ResidentIdInput,
    ) -> Result<ResidentPayload> {
        let audit = json!({ "id": input.id.as_str() });
        let id = parse_id("input.id", &input.id);
        let resident = audited_write(ctx, "moveOutResident", audit, move |txn, viewer| {
            Box::pin(async move { residents::move_out(txn, viewer, id?).await })
        })
        .await?;
        Ok(ResidentPayload {
            resident: resident_view(ctx, resident)?,
        })
    }
}
