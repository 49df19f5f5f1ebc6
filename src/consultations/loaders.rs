//! Batched lookups for consultation fields: a page of consultations with their questions,
//! attachments and buildings costs one statement per kind, whatever the page size.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{consultation_attachment, consultation_building, consultation_question, stored_file};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Order, Query},
};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A consultation's questions, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuestionsOf(pub Uuid);

/// A consultation's attached files, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttachmentsOf(pub Uuid);

/// The buildings a consultation is put to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildingsOf(pub Uuid);

impl Loader<QuestionsOf> for DbLoader {
    type Value = Vec<consultation_question::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[QuestionsOf],
    ) -> Result<HashMap<QuestionsOf, Self::Value>, Self::Error> {
        let rows = consultation_question::Entity::find()
            .filter(consultation_question::Column::ConsultationId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(consultation_question::Column::Position)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<QuestionsOf, Self::Value> = HashMap::new();
        for q in rows {
            out.entry(QuestionsOf(q.consultation_id))
                .or_default()
                .push(q);
        }
        Ok(out)
    }
}

/// An attached file as the API lists it.
#[derive(Clone, Debug)]
pub struct Attached {
    pub file_id: Uuid,
    pub file_name: String,
    pub content_type: String,
}

impl Loader<AttachmentsOf> for DbLoader {
    type Value = Vec<Attached>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[AttachmentsOf],
    ) -> Result<HashMap<AttachmentsOf, Self::Value>, Self::Error> {
        let query = Query::select()
            .column((
                consultation_attachment::Entity,
                consultation_attachment::Column::ConsultationId,
            ))
            .column((stored_file::Entity, stored_file::Column::Id))
            .column((stored_file::Entity, stored_file::Column::FileName))
            .column((stored_file::Entity, stored_file::Column::ContentType))
            .from(consultation_attachment::Entity)
            .inner_join(
                stored_file::Entity,
                Expr::col((stored_file::Entity, stored_file::Column::Id)).equals((
                    consultation_attachment::Entity,
                    consultation_attachment::Column::FileId,
                )),
            )
            .and_where(
                Expr::col((
                    consultation_attachment::Entity,
                    consultation_attachment::Column::ConsultationId,
                ))
                .is_in(keys.iter().map(|k| k.0)),
            )
            .order_by(
                (
                    consultation_attachment::Entity,
                    consultation_attachment::Column::Position,
                ),
                Order::Asc,
            )
            .to_owned();
        let rows = self
            .db
            .reader()
            .query_all(&query)
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<AttachmentsOf, Self::Value> = HashMap::new();
        for row in rows {
            let consultation: Uuid = row.try_get("", "consultation_id").map_err(AppError::from)?;
            out.entry(AttachmentsOf(consultation))
                .or_default()
                .push(Attached {
                    file_id: row.try_get("", "id").map_err(AppError::from)?,
                    file_name: row.try_get("", "file_name").map_err(AppError::from)?,
                    content_type: row.try_get("", "content_type").map_err(AppError::from)?,
                });
        }
        Ok(out)
    }
}

impl Loader<BuildingsOf> for DbLoader {
    type Value = Vec<Uuid>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BuildingsOf],
    ) -> Result<HashMap<BuildingsOf, Self::Value>, Self::Error> {
        let rows = consultation_building::Entity::find()
            .filter(consultation_building::Column::ConsultationId.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<BuildingsOf, Self::Value> = HashMap::new();
        for b in rows {
            out.entry(BuildingsOf(b.consultation_id))
                .or_default()
                .push(b.building_id);
        }
        Ok(out)
    }
}
