//! Meetings and decisions (板凳议事, ARCHITECTURE.md §5): meetings with agenda, attendance
//! and versioned minutes; motions with an electorate fixed when voting opens, one ballot per
//! voting unit, the tally kept with the numbers behind it; objections during a notice.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000004_create_compound_building::Compound,
    m20261123_000007_create_household_resident::Resident,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A composite foreign key keeping a row inside its community (ARCHITECTURE.md §2).
fn tenant_fk(
    from: impl IntoIden,
    community: impl IntoIden,
    column: impl IntoIden,
    to: impl IntoIden,
    to_community: impl IntoIden,
    to_id: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, (community, column))
        .to(to, (to_community, to_id))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meeting::Table)
                    .col(pk_uuid(Meeting::Id))
                    .col(uuid(Meeting::CommunityId))
                    // Empty for a meeting of the whole community.
                    .col(uuid_null(Meeting::CompoundId))
                    // `bench`, `committee` or `assembly`.
                    .col(string(Meeting::Kind))
                    .col(string(Meeting::Title))
                    .col(timestamp_with_time_zone(Meeting::StartsAt))
                    .col(string(Meeting::Place))
                    // `scheduled`, `open`, `closed` or `cancelled`.
                    .col(string(Meeting::Status))
                    .col(string_null(Meeting::CancelReason))
                    .col(timestamp_with_time_zone_null(Meeting::MinutesPublishedAt))
                    .col(uuid(Meeting::CreatedBy))
                    .col(timestamp_with_time_zone(Meeting::CreatedAt))
                    .col(timestamp_with_time_zone(Meeting::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        Meeting::Table,
                        Meeting::CommunityId,
                        Meeting::CompoundId,
                        Compound::Table,
                        Compound::CommunityId,
                        Compound::Id,
                    ))
                    .index(&mut crate::tenant_key(
                        "uq_meeting_community_id",
                        Meeting::CommunityId,
                        Meeting::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgendaItem::Table)
                    .col(pk_uuid(AgendaItem::Id))
                    .col(uuid(AgendaItem::CommunityId))
                    .col(uuid(AgendaItem::MeetingId))
                    .col(integer(AgendaItem::Position))
                    .col(string(AgendaItem::Title))
                    .col(text(AgendaItem::Notes))
                    // What raised the topic: `[{"kind": "request", "id": "..."}]`, generic so
                    // that resident requests (a later table) can be cited.
                    .col(json_binary(AgendaItem::Refs))
                    .col(timestamp_with_time_zone(AgendaItem::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        AgendaItem::Table,
                        AgendaItem::CommunityId,
                        AgendaItem::MeetingId,
                        Meeting::Table,
                        Meeting::CommunityId,
                        Meeting::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeetingAttendance::Table)
                    .col(pk_uuid(MeetingAttendance::Id))
                    .col(uuid(MeetingAttendance::CommunityId))
                    .col(uuid(MeetingAttendance::MeetingId))
                    .col(uuid(MeetingAttendance::ResidentId))
                    .col(uuid(MeetingAttendance::HouseholdId))
                    .col(uuid(MeetingAttendance::SignedInBy))
                    // Staff signed in someone without a phone.
                    .col(boolean(MeetingAttendance::OnBehalf))
                    .col(timestamp_with_time_zone(MeetingAttendance::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        MeetingAttendance::Table,
                        MeetingAttendance::CommunityId,
                        MeetingAttendance::MeetingId,
                        Meeting::Table,
                        Meeting::CommunityId,
                        Meeting::Id,
                    ))
                    .foreign_key(&mut tenant_fk(
                        MeetingAttendance::Table,
                        MeetingAttendance::CommunityId,
                        MeetingAttendance::ResidentId,
                        Resident::Table,
                        Resident::CommunityId,
                        Resident::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_meeting_attendance_person")
                            .col(MeetingAttendance::MeetingId)
                            .col(MeetingAttendance::ResidentId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeetingMinutes::Table)
                    .col(pk_uuid(MeetingMinutes::Id))
                    .col(uuid(MeetingMinutes::CommunityId))
                    .col(uuid(MeetingMinutes::MeetingId))
                    .col(integer(MeetingMinutes::Version))
                    .col(text(MeetingMinutes::Body))
                    .col(uuid(MeetingMinutes::WrittenBy))
                    .col(timestamp_with_time_zone(MeetingMinutes::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        MeetingMinutes::Table,
                        MeetingMinutes::CommunityId,
                        MeetingMinutes::MeetingId,
                        Meeting::Table,
                        Meeting::CommunityId,
                        Meeting::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_meeting_minutes_version")
                            .col(MeetingMinutes::MeetingId)
                            .col(MeetingMinutes::Version)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Motion::Table)
                    .col(pk_uuid(Motion::Id))
                    .col(uuid(Motion::CommunityId))
                    .col(uuid_null(Motion::CompoundId))
                    .col(uuid(Motion::MeetingId))
                    .col(string(Motion::Title))
                    .col(text(Motion::Body))
                    // `households` or `owners`.
                    .col(string(Motion::Electorate))
                    // `simple`, `ordinary` (> 1/2) or `special` (>= 3/4).
                    .col(string(Motion::Majority))
                    .col(boolean(Motion::HideResults))
                    // `draft`, `voting`, `closed` or `withdrawn`.
                    .col(string(Motion::Status))
                    .col(timestamp_with_time_zone_null(Motion::VotingOpensAt))
                    .col(timestamp_with_time_zone_null(Motion::VotingClosesAt))
                    .col(timestamp_with_time_zone_null(Motion::ClosedAt))
                    .col(boolean_null(Motion::Passed))
                    // The numbers behind the result and the conditions that failed.
                    .col(json_binary_null(Motion::Tally))
                    .col(timestamp_with_time_zone_null(Motion::NoticeFrom))
                    .col(timestamp_with_time_zone_null(Motion::NoticeUntil))
                    .col(uuid(Motion::CreatedBy))
                    .col(timestamp_with_time_zone(Motion::CreatedAt))
                    .col(timestamp_with_time_zone(Motion::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        Motion::Table,
                        Motion::CommunityId,
                        Motion::MeetingId,
                        Meeting::Table,
                        Meeting::CommunityId,
                        Meeting::Id,
                    ))
                    .index(&mut crate::tenant_key(
                        "uq_motion_community_id",
                        Motion::CommunityId,
                        Motion::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MotionVoter::Table)
                    .col(pk_uuid(MotionVoter::Id))
                    .col(uuid(MotionVoter::CommunityId))
                    .col(uuid(MotionVoter::MotionId))
                    // Building, unit and room(s), as notices name them.
                    .col(string(MotionVoter::Label))
                    .col(integer(MotionVoter::Heads))
                    .col(big_integer(MotionVoter::AreaHundredths))
                    .col(uuid_null(MotionVoter::HouseholdId))
                    .foreign_key(&mut tenant_fk(
                        MotionVoter::Table,
                        MotionVoter::CommunityId,
                        MotionVoter::MotionId,
                        Motion::Table,
                        Motion::CommunityId,
                        Motion::Id,
                    ))
                    .index(&mut crate::tenant_key(
                        "uq_motion_voter_community_id",
                        MotionVoter::CommunityId,
                        MotionVoter::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MotionVoterMember::Table)
                    .col(pk_uuid(MotionVoterMember::Id))
                    .col(uuid(MotionVoterMember::CommunityId))
                    .col(uuid(MotionVoterMember::MotionId))
                    .col(uuid(MotionVoterMember::VoterId))
                    .col(uuid(MotionVoterMember::ResidentId))
                    .foreign_key(&mut tenant_fk(
                        MotionVoterMember::Table,
                        MotionVoterMember::CommunityId,
                        MotionVoterMember::VoterId,
                        MotionVoter::Table,
                        MotionVoter::CommunityId,
                        MotionVoter::Id,
                    ))
                    // A person votes for one unit of a motion.
                    .index(
                        Index::create()
                            .name("uq_motion_voter_member")
                            .col(MotionVoterMember::MotionId)
                            .col(MotionVoterMember::ResidentId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Ballot::Table)
                    .col(pk_uuid(Ballot::Id))
                    .col(uuid(Ballot::CommunityId))
                    .col(uuid(Ballot::MotionId))
                    .col(uuid(Ballot::VoterId))
                    // `yes`, `no` or `abstain`.
                    .col(string(Ballot::Choice))
                    .col(uuid(Ballot::CastBy))
                    .col(uuid_null(Ballot::ResidentId))
                    .col(string_null(Ballot::PaperReference))
                    .col(timestamp_with_time_zone(Ballot::CreatedAt))
                    .col(timestamp_with_time_zone(Ballot::UpdatedAt))
                    .foreign_key(&mut tenant_fk(
                        Ballot::Table,
                        Ballot::CommunityId,
                        Ballot::VoterId,
                        MotionVoter::Table,
                        MotionVoter::CommunityId,
                        MotionVoter::Id,
                    ))
                    // One ballot per voting unit; changing it updates this row.
                    .index(
                        Index::create()
                            .name("uq_ballot_voter")
                            .col(Ballot::MotionId)
                            .col(Ballot::VoterId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Objection::Table)
                    .col(pk_uuid(Objection::Id))
                    .col(uuid(Objection::CommunityId))
                    .col(uuid(Objection::MotionId))
                    .col(uuid(Objection::AuthorId))
                    .col(text(Objection::Body))
                    .col(text_null(Objection::Answer))
                    .col(uuid_null(Objection::AnsweredBy))
                    .col(timestamp_with_time_zone_null(Objection::AnsweredAt))
                    .col(timestamp_with_time_zone(Objection::CreatedAt))
                    .foreign_key(&mut tenant_fk(
                        Objection::Table,
                        Objection::CommunityId,
                        Objection::MotionId,
                        Motion::Table,
                        Motion::CommunityId,
                        Motion::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "ix_meeting_compound",
                Meeting::Table.into_iden(),
                Meeting::CompoundId.into_iden(),
            ),
            (
                "ix_agenda_item_meeting",
                AgendaItem::Table.into_iden(),
                AgendaItem::MeetingId.into_iden(),
            ),
            (
                "ix_motion_meeting",
                Motion::Table.into_iden(),
                Motion::MeetingId.into_iden(),
            ),
            (
                "ix_motion_voter_motion",
                MotionVoter::Table.into_iden(),
                MotionVoter::MotionId.into_iden(),
            ),
            (
                "ix_objection_motion",
                Objection::Table.into_iden(),
                Objection::MotionId.into_iden(),
            ),
        ];
        for (name, table, column) in indexes {
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
            Objection::Table.into_iden(),
            Ballot::Table.into_iden(),
            MotionVoterMember::Table.into_iden(),
            MotionVoter::Table.into_iden(),
            Motion::Table.into_iden(),
            MeetingMinutes::Table.into_iden(),
            MeetingAttendance::Table.into_iden(),
            AgendaItem::Table.into_iden(),
            Meeting::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Meeting {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Kind,
    Title,
    StartsAt,
    Place,
    Status,
    CancelReason,
    MinutesPublishedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgendaItem {
    Table,
    Id,
    CommunityId,
    MeetingId,
    Position,
    Title,
    Notes,
    Refs,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MeetingAttendance {
    Table,
    Id,
    CommunityId,
    MeetingId,
    ResidentId,
    HouseholdId,
    SignedInBy,
    OnBehalf,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MeetingMinutes {
    Table,
    Id,
    CommunityId,
    MeetingId,
    Version,
    Body,
    WrittenBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Motion {
    Table,
    Id,
    CommunityId,
    CompoundId,
    MeetingId,
    Title,
    Body,
    Electorate,
    Majority,
    HideResults,
    Status,
    VotingOpensAt,
    VotingClosesAt,
    ClosedAt,
    Passed,
    Tally,
    NoticeFrom,
    NoticeUntil,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MotionVoter {
    Table,
    Id,
    CommunityId,
    MotionId,
    Label,
    Heads,
    AreaHundredths,
    HouseholdId,
}

#[derive(DeriveIden)]
enum MotionVoterMember {
    Table,
    Id,
    CommunityId,
    MotionId,
    VoterId,
    ResidentId,
}

#[derive(DeriveIden)]
enum Ballot {
    Table,
    Id,
    CommunityId,
    MotionId,
    VoterId,
    Choice,
    CastBy,
    ResidentId,
    PaperReference,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Objection {
    Table,
    Id,
    CommunityId,
    MotionId,
    AuthorId,
    Body,
    Answer,
    AnsweredBy,
    AnsweredAt,
    CreatedAt,
}
