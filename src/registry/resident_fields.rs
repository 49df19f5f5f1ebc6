//! A resident's fields as staff or a roster enter them, validated into what is stored:
//! names, documents (with the birth date and gender they carry), phones, relations, tags.

use chrono::{NaiveDate, Utc};
use entity::{
    household::{self},
    resident,
};
use sea_orm::ActiveValue::Set;
use uuid::Uuid;

use super::{
    id_document::{DocumentType, ValidDocument},
    personal::{self},
};
use crate::{
    crypto::DataKeys,
    error::{AppError, AppResult, Msg, msg},
    graphql::{StoredEnum, clean_name},
};

/// Care tags a resident may carry (a fixed set, not defined by communities); they drive care
/// levels and visit schedules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ResidentTag {
    /// 独居老人
    ElderlyAlone,
    /// 残疾人
    Disabled,
    /// 特困
    SpecialHardship,
    /// 退役军人
    Veteran,
    /// 党员
    PartyMember,
    /// 留守儿童
    LeftBehindChild,
    /// 低保
    LowIncome,
}

impl StoredEnum for ResidentTag {
    fn stored(self) -> &'static str {
        match self {
            Self::ElderlyAlone => "elderly_alone",
            Self::Disabled => "disabled",
            Self::SpecialHardship => "special_hardship",
            Self::Veteran => "veteran",
            Self::PartyMember => "party_member",
            Self::LeftBehindChild => "left_behind_child",
            Self::LowIncome => "low_income",
        }
    }
}

impl ResidentTag {
    /// The stored names of tags from the API.
    pub fn stored_names(tags: &[Self]) -> Vec<String> {
        tags.iter().map(|t| t.stored().to_owned()).collect()
    }
}

/// Relation to the head of household (与户主关系).
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Sibling,
    Other,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Spouse => "spouse",
            Self::Child => "child",
            Self::Parent => "parent",
            Self::Grandchild => "grandchild",
            Self::Sibling => "sibling",
            Self::Other => "other",
        }
    }

    /// Reads a stored value, or what a roster writes: 户主, 本人, 配偶, 妻, 长子, 母亲 ...
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let stored = [
            Self::Head,
            Self::Spouse,
            Self::Child,
            Self::Parent,
            Self::Grandchild,
            Self::Sibling,
            Self::Other,
        ]
        .into_iter()
        .find(|r| r.as_str() == text);
        if stored.is_some() {
            return stored;
        }
        let relation = match text {
            "户主" | "本人" => Self::Head,
            "配偶" | "妻" | "妻子" | "夫" | "丈夫" => Self::Spouse,
            "子" | "女" | "儿子" | "女儿" | "子女" | "长子" | "次子" | "长女" | "次女" => {
                Self::Child
            }
            "父亲" | "母亲" | "父母" | "父" | "母" | "公公" | "婆婆" | "岳父" | "岳母" => {
                Self::Parent
            }
            "孙子" | "孙女" | "外孙" | "外孙女" | "孙子女" => Self::Grandchild,
            "兄" | "弟" | "姐" | "妹" | "兄弟姐妹" | "哥哥" | "弟弟" | "姐姐" | "妹妹" => {
                Self::Sibling
            }
            "其他" | "儿媳" | "女婿" | "保姆" | "租户" => Self::Other,
            _ => return None,
        };
        Some(relation)
    }
}

/// A resident's fields as entered, before validation.
pub struct ResidentFields {
    pub name: String,
    pub document_type: DocumentType,
    pub document_number: Option<String>,
    pub phone: Option<String>,
    pub relation: Relation,
    pub registered: bool,
    pub tags: Vec<String>,
    pub moved_in_on: Option<NaiveDate>,
}

/// Validated fields, ready to store. `field` names in errors are relative (`name`, `phone`)
/// so that the API and the roster import can each say where the value came from.
pub struct Prepared {
    pub name: String,
    pub document: ValidDocument,
    pub phone: Option<String>,
    pub relation: Relation,
    pub registered: bool,
    pub tags: Vec<String>,
    pub moved_in_on: Option<NaiveDate>,
}

/// A field that failed validation: which, and why.
pub struct FieldError {
    pub field: &'static str,
    pub message: Msg,
}

/// Validates every field, reporting each bad one.
pub fn prepare(fields: ResidentFields, today: NaiveDate) -> Result<Prepared, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field, message: Msg| errors.push(FieldError { field, message });
    let name = clean_name("name", &fields.name, 50)
        .map_err(|e| err("name", e.msg()))
        .ok();
    let document = personal::validate_document(
        fields.document_type,
        fields.document_number.as_deref().unwrap_or_default(),
        today,
    )
    .map_err(|m| err("documentNumber", m))
    .ok();
    let phone = fields
        .phone
        .filter(|p| !p.trim().is_empty())
        .map(|p| personal::normalize_phone(&p))
        .transpose()
        .map_err(|m| err("phone", m))
        .ok();
    // The API only passes known tags; a roster's are checked here.
    if let Some(tag) = fields
        .tags
        .iter()
        .find(|t| ResidentTag::from_stored(t).is_err())
    {
        let known: Vec<&str> = ResidentTag::all().map(ResidentTag::stored).collect();
        err(
            "tags",
            msg!(
                "unknown tag {tag}; known: {known}",
                tag = tag,
                known = known.join(", ")
            ),
        );
    }
    if fields.moved_in_on.is_some_and(|d| d > today) {
        err("movedInOn", msg!("a move-in date is not in the future"));
    }
    let (Some(name), Some(document), Some(phone), true) =
        (name, document, phone, errors.is_empty())
    else {
        return Err(errors);
    };
    let mut tags = fields.tags;
    tags.sort();
    tags.dedup();
    Ok(Prepared {
        name,
        document,
        phone,
        relation: fields.relation,
        registered: fields.registered,
        tags,
        moved_in_on: fields.moved_in_on,
    })
}

/// The row for a new resident of `household`.
pub fn new_row(
    keys: &DataKeys,
    household: &household::Model,
    prepared: Prepared,
) -> AppResult<resident::ActiveModel> {
    let id = Uuid::now_v7();
    let mut row = resident::ActiveModel {
        id: Set(id),
        community_id: Set(household.community_id),
        household_id: Set(household.id),
        name: Set(prepared.name),
        relation: Set(prepared.relation.as_str().to_owned()),
        registered: Set(prepared.registered),
        tags: Set(serde_json::json!(prepared.tags)),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
        moved_in_on: Set(prepared.moved_in_on),
        moved_out_on: Set(None),
        ..Default::default()
    };
    personal::set_document(&mut row, keys, id, &prepared.document)?;
    personal::set_phone(&mut row, keys, id, prepared.phone.as_deref())?;
    Ok(row)
}

/// The first problem, as the API reports one field at a time.
pub(super) fn api_error(errors: Vec<FieldError>) -> AppError {
    match errors.into_iter().next() {
        Some(e) => AppError::bad_input(format!("input.{}", e.field), e.message),
        None => AppError::bad_input("input", msg!("invalid resident")),
    }
}
