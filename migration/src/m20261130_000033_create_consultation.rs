//! Opinion collection (征集意见, issue 22): consultations of a community, a compound or some
//! buildings, their questions and attachments, the answers (one per household or per
//! resident), turnout per building, and residents' suggestions with public replies.
//!
//! Anonymity is a property of the rows, not only of the API: an answer row holds a keyed
//! hash of (consultation, unit) to enforce one answer per unit, a random (v4) id and, for
//! an anonymous consultation, nothing else about who gave it (no household, resident,
//! user, paper reference or time). Turnout per building is counted in its own table so no
//! answer row names a building.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community,
    m20261123_000002_create_identity::AppUser,
    m20261123_000004_create_compound_building::{Building, Compound},
    m20261123_000007_create_household_resident::{Household, Resident},
    m20261123_000014_create_stored_file::StoredFile,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(community_id, <column>) → <table> (community_id, id)`.
fn within(
    from: impl IntoIden,
    community: impl IntoIden,
    column: impl IntoIden,
    to: impl IntoIden,
) -> ForeignKeyCreateStatement {
    let to = to.into_iden();
    ForeignKey::create()
        .from_tbl(from)
        .from_col(community)
        .from_col(column)
        .to_tbl(to)
        .to_col(Alias::new("community_id"))
        .to_col(Alias::new("id"))
        .to_owned()
}

fn key(name: &str) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .col(Alias::new("community_id"))
        .col(Alias::new("id"))
        .unique()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Consultation::Table)
                    .col(pk_uuid(Consultation::Id))
                    .col(uuid(Consultation::CommunityId))
                    .col(uuid_null(Consultation::CompoundId))
                    .col(boolean(Consultation::BuildingScoped))
                    .col(string(Consultation::Title))
                    .col(text(Consultation::Body))
                    .col(timestamp_with_time_zone(Consultation::OpensAt))
                    .col(timestamp_with_time_zone(Consultation::ClosesAt))
                    .col(boolean(Consultation::Anonymous))
                    .col(string(Consultation::Unit))
                    .col(boolean(Consultation::HideResultsUntilClose))
                    .col(string(Consultation::Status))
                    .col(integer(Consultation::AnswerCount))
                    .col(text_null(Consultation::Summary))
                    .col(timestamp_with_time_zone_null(
                        Consultation::ResultsPublishedAt,
                    ))
                    .col(uuid_null(Consultation::AnnouncementId))
                    .col(uuid(Consultation::CreatedBy))
                    .col(timestamp_with_time_zone(Consultation::CreatedAt))
                    .col(timestamp_with_time_zone(Consultation::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Consultation::Table, Consultation::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Consultation::Table,
                                (Consultation::CommunityId, Consultation::CompoundId),
                            )
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .foreign_key(&mut within(
                        Consultation::Table,
                        Consultation::CommunityId,
                        Consultation::AnnouncementId,
                        Announcement::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Consultation::Table, Consultation::CreatedBy)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .index(&mut key("uq_consultation_community_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationBuilding::Table)
                    .col(pk_uuid(ConsultationBuilding::Id))
                    .col(uuid(ConsultationBuilding::CommunityId))
                    .col(uuid(ConsultationBuilding::ConsultationId))
                    .col(uuid(ConsultationBuilding::BuildingId))
                    .foreign_key(&mut within(
                        ConsultationBuilding::Table,
                        ConsultationBuilding::CommunityId,
                        ConsultationBuilding::ConsultationId,
                        Consultation::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationBuilding::Table,
                                (
                                    ConsultationBuilding::CommunityId,
                                    ConsultationBuilding::BuildingId,
                                ),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut key("uq_consultation_building_community_id"))
                    .index(
                        Index::create()
                            .name("uq_consultation_building")
                            .col(ConsultationBuilding::ConsultationId)
                            .col(ConsultationBuilding::BuildingId)
                            .col(Alias::new("community_id"))
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationAttachment::Table)
                    .col(pk_uuid(ConsultationAttachment::Id))
                    .col(uuid(ConsultationAttachment::CommunityId))
                    .col(uuid(ConsultationAttachment::ConsultationId))
                    .col(uuid(ConsultationAttachment::FileId))
                    .col(integer(ConsultationAttachment::Position))
                    .foreign_key(&mut within(
                        ConsultationAttachment::Table,
                        ConsultationAttachment::CommunityId,
                        ConsultationAttachment::ConsultationId,
                        Consultation::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationAttachment::Table,
                                (
                                    ConsultationAttachment::CommunityId,
                                    ConsultationAttachment::FileId,
                                ),
                            )
                            .to(StoredFile::Table, (StoredFile::CommunityId, StoredFile::Id)),
                    )
                    .index(&mut key("uq_consultation_attachment_community_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationQuestion::Table)
                    .col(pk_uuid(ConsultationQuestion::Id))
                    .col(uuid(ConsultationQuestion::CommunityId))
                    .col(uuid(ConsultationQuestion::ConsultationId))
                    .col(integer(ConsultationQuestion::Position))
                    .col(string(ConsultationQuestion::Kind))
                    .col(text(ConsultationQuestion::Prompt))
                    .col(json(ConsultationQuestion::Options))
                    .col(integer_null(ConsultationQuestion::MaxChoices))
                    .col(integer_null(ConsultationQuestion::MaxLength))
                    .col(boolean(ConsultationQuestion::Required))
                    .foreign_key(&mut within(
                        ConsultationQuestion::Table,
                        ConsultationQuestion::CommunityId,
                        ConsultationQuestion::ConsultationId,
                        Consultation::Table,
                    ))
                    .index(&mut key("uq_consultation_question_community_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationAnswer::Table)
                    .col(pk_uuid(ConsultationAnswer::Id))
                    .col(uuid(ConsultationAnswer::CommunityId))
                    .col(uuid(ConsultationAnswer::ConsultationId))
                    .col(string(ConsultationAnswer::UnitKey))
                    // Only for consultations that are not anonymous: who answered.
                    .col(uuid_null(ConsultationAnswer::HouseholdId))
                    .col(uuid_null(ConsultationAnswer::ResidentId))
                    .col(uuid_null(ConsultationAnswer::AnsweredBy))
                    .col(string_null(ConsultationAnswer::PaperReference))
                    .col(timestamp_with_time_zone_null(
                        ConsultationAnswer::AnsweredAt,
                    ))
                    .foreign_key(&mut within(
                        ConsultationAnswer::Table,
                        ConsultationAnswer::CommunityId,
                        ConsultationAnswer::ConsultationId,
                        Consultation::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationAnswer::Table,
                                (
                                    ConsultationAnswer::CommunityId,
                                    ConsultationAnswer::HouseholdId,
                                ),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationAnswer::Table,
                                (
                                    ConsultationAnswer::CommunityId,
                                    ConsultationAnswer::ResidentId,
                                ),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .index(&mut key("uq_consultation_answer_community_id"))
                    .index(
                        Index::create()
                            .name("uq_consultation_answer_unit")
                            .col(ConsultationAnswer::ConsultationId)
                            .col(ConsultationAnswer::UnitKey)
                            .col(Alias::new("community_id"))
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationResponse::Table)
                    .col(pk_uuid(ConsultationResponse::Id))
                    .col(uuid(ConsultationResponse::CommunityId))
                    .col(uuid(ConsultationResponse::ConsultationId))
                    .col(uuid(ConsultationResponse::AnswerId))
                    .col(uuid(ConsultationResponse::QuestionId))
                    .col(integer_null(ConsultationResponse::OptionIndex))
                    .col(integer_null(ConsultationResponse::Scale))
                    .col(text_null(ConsultationResponse::Text))
                    .foreign_key(&mut within(
                        ConsultationResponse::Table,
                        ConsultationResponse::CommunityId,
                        ConsultationResponse::AnswerId,
                        ConsultationAnswer::Table,
                    ))
                    .foreign_key(&mut within(
                        ConsultationResponse::Table,
                        ConsultationResponse::CommunityId,
                        ConsultationResponse::QuestionId,
                        ConsultationQuestion::Table,
                    ))
                    .index(&mut key("uq_consultation_response_community_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationTurnout::Table)
                    .col(pk_uuid(ConsultationTurnout::Id))
                    .col(uuid(ConsultationTurnout::CommunityId))
                    .col(uuid(ConsultationTurnout::ConsultationId))
                    .col(uuid(ConsultationTurnout::BuildingId))
                    .col(integer(ConsultationTurnout::Answers))
                    .foreign_key(&mut within(
                        ConsultationTurnout::Table,
                        ConsultationTurnout::CommunityId,
                        ConsultationTurnout::ConsultationId,
                        Consultation::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationTurnout::Table,
                                (
                                    ConsultationTurnout::CommunityId,
                                    ConsultationTurnout::BuildingId,
                                ),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut key("uq_consultation_turnout_community_id"))
                    .index(
                        Index::create()
                            .name("uq_consultation_turnout")
                            .col(ConsultationTurnout::ConsultationId)
                            .col(ConsultationTurnout::BuildingId)
                            .col(Alias::new("community_id"))
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationSuggestion::Table)
                    .col(pk_uuid(ConsultationSuggestion::Id))
                    .col(uuid(ConsultationSuggestion::CommunityId))
                    .col(uuid(ConsultationSuggestion::ConsultationId))
                    .col(uuid(ConsultationSuggestion::AuthorUserId))
                    .col(string(ConsultationSuggestion::AuthorLabel))
                    .col(text(ConsultationSuggestion::Text))
                    .col(timestamp_with_time_zone(ConsultationSuggestion::CreatedAt))
                    .col(text_null(ConsultationSuggestion::Reply))
                    .col(uuid_null(ConsultationSuggestion::RepliedBy))
                    .col(timestamp_with_time_zone_null(
                        ConsultationSuggestion::RepliedAt,
                    ))
                    .col(uuid_null(ConsultationSuggestion::AdoptedBy))
                    .col(timestamp_with_time_zone_null(
                        ConsultationSuggestion::AdoptedAt,
                    ))
                    .foreign_key(&mut within(
                        ConsultationSuggestion::Table,
                        ConsultationSuggestion::CommunityId,
                        ConsultationSuggestion::ConsultationId,
                        Consultation::Table,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ConsultationSuggestion::Table,
                                ConsultationSuggestion::AuthorUserId,
                            )
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .index(&mut key("uq_consultation_suggestion_community_id"))
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_consultation_community",
                Consultation::Table.into_iden(),
                Consultation::CommunityId.into_iden(),
            ),
            (
                "ix_consultation_building_consultation",
                ConsultationBuilding::Table.into_iden(),
                ConsultationBuilding::ConsultationId.into_iden(),
            ),
            (
                "ix_consultation_attachment_consultation",
                ConsultationAttachment::Table.into_iden(),
                ConsultationAttachment::ConsultationId.into_iden(),
            ),
            (
                "ix_consultation_question_consultation",
                ConsultationQuestion::Table.into_iden(),
                ConsultationQuestion::ConsultationId.into_iden(),
            ),
            (
                "ix_consultation_response_consultation",
                ConsultationResponse::Table.into_iden(),
                ConsultationResponse::ConsultationId.into_iden(),
            ),
            (
                "ix_consultation_response_answer",
                ConsultationResponse::Table.into_iden(),
                ConsultationResponse::AnswerId.into_iden(),
            ),
            (
                "ix_consultation_suggestion_consultation",
                ConsultationSuggestion::Table.into_iden(),
                ConsultationSuggestion::ConsultationId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ConsultationSuggestion::Table.into_iden(),
            ConsultationTurnout::Table.into_iden(),
            ConsultationResponse::Table.into_iden(),
            ConsultationAnswer::Table.into_iden(),
            ConsultationQuestion::Table.into_iden(),
            ConsultationAttachment::Table.into_iden(),
            ConsultationBuilding::Table.into_iden(),
            Consultation::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Announcement {
    Table,
}

#[derive(DeriveIden)]
enum Consultation {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingScoped,
    Title,
    Body,
    OpensAt,
    ClosesAt,
    Anonymous,
    Unit,
    HideResultsUntilClose,
    Status,
    AnswerCount,
    Summary,
    ResultsPublishedAt,
    AnnouncementId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsultationBuilding {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    BuildingId,
}

#[derive(DeriveIden)]
enum ConsultationAttachment {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    FileId,
    Position,
}

#[derive(DeriveIden)]
enum ConsultationQuestion {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    Position,
    Kind,
    Prompt,
    Options,
    MaxChoices,
    MaxLength,
    Required,
}

#[derive(DeriveIden)]
enum ConsultationAnswer {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    UnitKey,
    HouseholdId,
    ResidentId,
    AnsweredBy,
    PaperReference,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum ConsultationResponse {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    AnswerId,
    QuestionId,
    OptionIndex,
    Scale,
    Text,
}

#[derive(DeriveIden)]
enum ConsultationTurnout {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    BuildingId,
    Answers,
}

#[derive(DeriveIden)]
enum ConsultationSuggestion {
    Table,
    Id,
    CommunityId,
    ConsultationId,
    AuthorUserId,
    AuthorLabel,
    Text,
    CreatedAt,
    Reply,
    RepliedBy,
    RepliedAt,
    AdoptedBy,
    AdoptedAt,
}
