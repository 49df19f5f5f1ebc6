//! Reads of consultations: the list of a community, one consultation, the caller's own
//! answer, results, free texts and suggestions. Root fields (not fields of a listed
//! consultation), so each costs a fixed number of statements.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use entity::{consultation, consultation_building, consultation_response, consultation_suggestion};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::{covers_home, is_organiser, listed, visible_consultation},
    answers::own_answer,
    graphql::{
        Consultation, ConsultationPermissions, ConsultationSuggestion, ConsultationText,
        GivenResponse, MyConsultationAnswer,
    },
    result_types::ConsultationResults,
    results::{authors, question_of, results},
    types::ConsultationStatus,
};
use crate::{
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::page_selects,
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
};

/// The SQL for a status, which follows from the stored status and the times.
fn status_condition(status: ConsultationStatus) -> Condition {
    use consultation::Column as C;
    let now = Utc::now();
    let published = Condition::all()
        .add(C::Status.eq("published"))
        .add(C::ResultsPublishedAt.is_null());
    match status {
        ConsultationStatus::Draft => Condition::all().add(C::Status.eq("draft")),
        ConsultationStatus::Cancelled => Condition::all().add(C::Status.eq("cancelled")),
        ConsultationStatus::Scheduled => published.add(C::OpensAt.gt(now)),
        ConsultationStatus::Open => published.add(C::OpensAt.lte(now)).add(C::ClosesAt.gt(now)),
        ConsultationStatus::Closed => published.add(C::ClosesAt.lte(now)),
        ConsultationStatus::ResultsPublished => Condition::all()
            .add(C::Status.eq("published"))
            .add(C::ResultsPublishedAt.is_not_null()),
    }
}

#[derive(Default)]
pub struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// A community's consultations, newest first: all of them for its staff; for a
    /// compound's committee also their compound's drafts; for residents (and family
    /// contacts) the published ones put to their home.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        status: Option<ConsultationStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Consultation>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let listing = listed(db, viewer, community).await?;
        let mut select = consultation::Entity::find().filter(listing.condition);
        if let Some(status) = status {
            select = select.filter(status_condition(status));
        }
        let place = listing.place;
        let mut page = ordered_page(
            db,
            select,
            Order::NewestFirst(consultation::Column::Id),
            None,
            args,
            |row| {
                let organiser = is_organiser(viewer, row.compound_id, place);
                Consultation::of(row, organiser, false)
            },
        )
        .await?;
        // Whether the caller answers each: their homes against each row's scope, with the
        // buildings of the building-scoped ones in one statement.
        let homes = listing.homes;
        if homes.is_empty() {
            return Ok(page);
        }
        let scoped: Vec<Uuid> = page
            .edges
            .iter()
            .filter(|e| e.node.row.building_scoped)
            .map(|e| e.node.row.id)
            .collect();
        let mut buildings: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        if !scoped.is_empty() {
            for b in consultation_building::Entity::find()
                .filter(consultation_building::Column::ConsultationId.is_in(scoped))
                .all(db)
                .await?
            {
                buildings
                    .entry(b.consultation_id)
                    .or_default()
                    .push(b.building_id);
            }
        }
        let now = Utc::now();
        for edge in &mut page.edges {
            let node = &mut edge.node;
            let scope = buildings
                .get(&node.row.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let respondent = node.row.status != "draft"
                && homes.iter().any(|h| covers_home(&node.row, scope, h));
            let organiser = is_organiser(viewer, node.row.compound_id, place);
            node.permissions = ConsultationPermissions::of(&node.row, organiser, respondent, now);
        }
        Ok(page)
    }

    async fn consultation(&self, ctx: &Context<'_>, id: ID) -> Result<Consultation> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let seen = visible_consultation(ctx.services().db.reader(), viewer, id).await?;
        let respondent = !seen.homes.is_empty() && seen.row.status != "draft";
        Ok(Consultation::of(seen.row, seen.organiser, respondent)?)
    }

    /// The answer the caller's household (or the caller) gave; null before answering.
    /// `forId` names the household or resident when the caller answers for several.
    async fn my_consultation_answer(
        &self,
        ctx: &Context<'_>,
        consultation_id: ID,
        for_id: Option<ID>,
    ) -> Result<Option<MyConsultationAnswer>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("consultationId", &consultation_id)?;
        let for_id = for_id.map(|f| parse_id("forId", &f)).transpose()?;
        let services = ctx.services();
        let own = own_answer(
            services.db.reader(),
            &services.data_keys,
            viewer,
            id,
            for_id,
        )
        .await?;
        Ok(own.map(|a| MyConsultationAnswer {
            for_id: a.for_id.into(),
            answered_at: a.answered_at,
            responses: a
                .responses
                .into_iter()
                .map(|(question, parts)| GivenResponse {
                    question_id: question.into(),
                    options: parts.iter().filter_map(|p| p.option_index).collect(),
                    scale: parts.iter().find_map(|p| p.scale),
                    text: parts.iter().find_map(|p| p.text.clone()),
                })
                .collect(),
        }))
    }

    /// Results, when the caller may see them (`permissions.canSeeResults`), else null:
    /// organisers while open unless hidden (anonymous ones are hidden until close),
    /// residents once the result notice is published.
    async fn consultation_results(
        &self,
        ctx: &Context<'_>,
        consultation_id: ID,
    ) -> Result<Option<ConsultationResults>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("consultationId", &consultation_id)?;
        let db = ctx.services().db.reader();
        let seen = visible_consultation(db, viewer, id).await?;
        let respondent = !seen.homes.is_empty();
        let may = ConsultationPermissions::of(&seen.row, seen.organiser, respondent, Utc::now())
            .can_see_results;
        if !may {
            return Ok(None);
        }
        Ok(Some(results(db, &seen.row).await?.into()))
    }

    /// A question's free-text answers, in an order that says nothing of when they came.
    /// With authors only for organisers of a consultation that is not anonymous (a read
    /// of personal data, audited).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn consultation_texts(
        &self,
        ctx: &Context<'_>,
        consultation_id: ID,
        question_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<ConsultationText>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("consultationId", &consultation_id)?;
        let question = parse_id("questionId", &question_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let seen = visible_consultation(db, viewer, id).await?;
        let respondent = !seen.homes.is_empty();
        if !ConsultationPermissions::of(&seen.row, seen.organiser, respondent, Utc::now())
            .can_see_results
        {
            return Err(AppError::Forbidden(msg!("the results are not open to you yet")).into());
        }
        question_of(db, id, question).await?;
        let select = consultation_response::Entity::find()
            .filter(consultation_response::Column::QuestionId.eq(question))
            .filter(consultation_response::Column::Text.is_not_null());
        // Ids are random (v4): ordered by id, the texts come in no order of time.
        let mut page = ordered_page(
            db,
            select,
            Order::OldestFirst(consultation_response::Column::Id),
            None,
            args,
            |r| {
                Ok(ConsultationText {
                    text: r.text.unwrap_or_default(),
                    author: None,
                    answer_id: r.answer_id,
                })
            },
        )
        .await?;
        let named = seen.organiser && !seen.row.anonymous && page_selects(ctx, &["author"]);
        if named && !page.edges.is_empty() {
            let answers: Vec<Uuid> = page.edges.iter().map(|e| e.node.answer_id).collect();
            let names = authors(db, &answers).await?;
            let mut subjects = HashSet::new();
            for edge in &mut page.edges {
                if let Some((label, subject)) = names.get(&edge.node.answer_id) {
                    edge.node.author = Some(label.clone());
                    subjects.insert(*subject);
                }
            }
            for subject in subjects {
                ctx.meta()
                    .returned_personal_data(seen.row.community_id, subject);
            }
        }
        Ok(page)
    }

    /// Residents' suggestions, oldest first, with the organisers' replies.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn consultation_suggestions(
        &self,
        ctx: &Context<'_>,
        consultation_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<ConsultationSuggestion>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("consultationId", &consultation_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let seen = visible_consultation(db, viewer, id).await?;
        let organiser = seen.organiser;
        Ok(ordered_page(
            db,
            consultation_suggestion::Entity::find()
                .filter(consultation_suggestion::Column::ConsultationId.eq(id)),
            Order::OldestFirst(consultation_suggestion::Column::Id),
            None,
            args,
            |s| Ok(ConsultationSuggestion::of(s, organiser)),
        )
        .await?)
    }
}
