//! Activities (活动) and volunteer service (志愿服务): an activity staff publish (a free
//! clinic, a festival delivery, a clean-up day), its volunteer roles, the sign-ups of
//! residents as participants or volunteers (confirmed or waiting, in order), their
//! check-ins, confirmed attendance and volunteer minutes, and for delivery activities the
//! households to visit with each delivery's outcome.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community,
    m20261123_000004_create_compound_building::Compound,
    m20261123_000007_create_household_resident::{Household, Resident},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn to_activity(
    from: impl IntoIden,
    community: impl IntoIden,
    activity: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_tbl(from)
        .from_col(community)
        .from_col(activity)
        .to(Activity::Table, (Activity::CommunityId, Activity::Id))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(pk_uuid(Activity::Id))
                    .col(uuid(Activity::CommunityId))
                    // `free_clinic`, `festival`, `delivery`, `clean_up`, `culture`,
                    // `sports` or `other`.
                    .col(string(Activity::Kind))
                    .col(string(Activity::Title))
                    .col(text(Activity::Description))
                    .col(string(Activity::Place))
                    .col(timestamp_with_time_zone(Activity::StartsAt))
                    .col(timestamp_with_time_zone(Activity::EndsAt))
                    .col(timestamp_with_time_zone(Activity::SignUpDeadline))
                    // Participants' places; 0 when residents do not sign up (a delivery).
                    .col(integer(Activity::Capacity))
                    // `all`, `compound`, `elderly` or `households`.
                    .col(string(Activity::Audience))
                    .col(uuid_null(Activity::AudienceCompoundId))
                    // `draft`, `published`, `finished` or `cancelled`.
                    .col(string(Activity::Status))
                    // Six digits the organiser shows on site (residents check in with it).
                    .col(string(Activity::CheckInCode))
                    .col(uuid(Activity::CreatedBy))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(timestamp_with_time_zone_null(Activity::PublishedAt))
                    .col(timestamp_with_time_zone_null(Activity::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Activity::Table, Activity::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Activity::Table,
                                (Activity::CommunityId, Activity::AudienceCompoundId),
                            )
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_activity_community_id",
                        Activity::CommunityId,
                        Activity::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityRole::Table)
                    .col(pk_uuid(ActivityRole::Id))
                    .col(uuid(ActivityRole::CommunityId))
                    .col(uuid(ActivityRole::ActivityId))
                    .col(string(ActivityRole::Name))
                    .col(integer(ActivityRole::Places))
                    .foreign_key(&mut to_activity(
                        ActivityRole::Table,
                        ActivityRole::CommunityId,
                        ActivityRole::ActivityId,
                    ))
                    .index(&mut crate::tenant_key(
                        "uq_activity_role_community_id",
                        ActivityRole::CommunityId,
                        ActivityRole::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivitySignUp::Table)
                    .col(pk_uuid(ActivitySignUp::Id))
                    .col(uuid(ActivitySignUp::CommunityId))
                    .col(uuid(ActivitySignUp::ActivityId))
                    .col(uuid(ActivitySignUp::ResidentId))
                    // The volunteer role; none for a participant.
                    .col(uuid_null(ActivitySignUp::RoleId))
                    // `confirmed`, `waiting` or `cancelled`.
                    .col(string(ActivitySignUp::Status))
                    // Waiting lists run in this order (then by id).
                    .col(timestamp_with_time_zone(ActivitySignUp::QueuedAt))
                    .col(uuid(ActivitySignUp::SignedUpBy))
                    // Staff signed up someone without a phone.
                    .col(boolean(ActivitySignUp::OnBehalf))
                    .col(timestamp_with_time_zone_null(ActivitySignUp::CheckedInAt))
                    // Staff who checked them in; none when they entered the code.
                    .col(uuid_null(ActivitySignUp::CheckedInBy))
                    .col(timestamp_with_time_zone_null(
                        ActivitySignUp::AttendanceConfirmedAt,
                    ))
                    .col(uuid_null(ActivitySignUp::AttendanceConfirmedBy))
                    // Volunteer minutes the organiser confirmed, and the day they count for.
                    .col(big_integer_null(ActivitySignUp::VolunteerMinutes))
                    .col(date_null(ActivitySignUp::ServedOn))
                    .col(timestamp_with_time_zone_null(
                        ActivitySignUp::HoursConfirmedAt,
                    ))
                    .col(uuid_null(ActivitySignUp::HoursConfirmedBy))
                    .col(timestamp_with_time_zone(ActivitySignUp::CreatedAt))
                    .foreign_key(&mut to_activity(
                        ActivitySignUp::Table,
                        ActivitySignUp::CommunityId,
                        ActivitySignUp::ActivityId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ActivitySignUp::Table,
                                (ActivitySignUp::CommunityId, ActivitySignUp::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ActivitySignUp::Table,
                                (ActivitySignUp::CommunityId, ActivitySignUp::RoleId),
                            )
                            .to(
                                ActivityRole::Table,
                                (ActivityRole::CommunityId, ActivityRole::Id),
                            ),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_activity_sign_up_community_id",
                        ActivitySignUp::CommunityId,
                        ActivitySignUp::Id,
                    ))
                    // One sign-up per person per activity (cancelled ones are renewed).
                    .index(
                        Index::create()
                            .name("ux_activity_sign_up_person")
                            .col(ActivitySignUp::ActivityId)
                            .col(ActivitySignUp::ResidentId)
                            .col(ActivitySignUp::CommunityId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ActivityDelivery::Table)
                    .col(pk_uuid(ActivityDelivery::Id))
                    .col(uuid(ActivityDelivery::CommunityId))
                    .col(uuid(ActivityDelivery::ActivityId))
                    .col(uuid(ActivityDelivery::HouseholdId))
                    // `pending`, `delivered` or `not_home`.
                    .col(string(ActivityDelivery::Outcome))
                    .col(text(ActivityDelivery::Note))
                    .col(uuid_null(ActivityDelivery::RecordedBy))
                    .col(timestamp_with_time_zone_null(ActivityDelivery::RecordedAt))
                    .foreign_key(&mut to_activity(
                        ActivityDelivery::Table,
                        ActivityDelivery::CommunityId,
                        ActivityDelivery::ActivityId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ActivityDelivery::Table,
                                (ActivityDelivery::CommunityId, ActivityDelivery::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_activity_delivery_community_id",
                        ActivityDelivery::CommunityId,
                        ActivityDelivery::Id,
                    ))
                    .index(
                        Index::create()
                            .name("ux_activity_delivery_household")
                            .col(ActivityDelivery::ActivityId)
                            .col(ActivityDelivery::HouseholdId)
                            .col(ActivityDelivery::CommunityId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            (
                "ix_activity_community_starts",
                Activity::Table.into_iden(),
                vec![
                    Activity::CommunityId.into_iden(),
                    Activity::StartsAt.into_iden(),
                    Activity::Id.into_iden(),
                ],
            ),
            (
                "ix_activity_role_activity",
                ActivityRole::Table.into_iden(),
                vec![ActivityRole::ActivityId.into_iden()],
            ),
            (
                "ix_activity_sign_up_resident",
                ActivitySignUp::Table.into_iden(),
                vec![
                    ActivitySignUp::ResidentId.into_iden(),
                    ActivitySignUp::ServedOn.into_iden(),
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ActivityDelivery::Table.into_iden(),
            ActivitySignUp::Table.into_iden(),
            ActivityRole::Table.into_iden(),
            Activity::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    CommunityId,
    Kind,
    Title,
    Description,
    Place,
    StartsAt,
    EndsAt,
    SignUpDeadline,
    Capacity,
    Audience,
    AudienceCompoundId,
    Status,
    CheckInCode,
    CreatedBy,
    CreatedAt,
    PublishedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum ActivityRole {
    Table,
    Id,
    CommunityId,
    ActivityId,
    Name,
    Places,
}

#[derive(DeriveIden)]
enum ActivitySignUp {
    Table,
    Id,
    CommunityId,
    ActivityId,
    ResidentId,
    RoleId,
    Status,
    QueuedAt,
    SignedUpBy,
    OnBehalf,
    CheckedInAt,
    CheckedInBy,
    AttendanceConfirmedAt,
    AttendanceConfirmedBy,
    VolunteerMinutes,
    ServedOn,
    HoursConfirmedAt,
    HoursConfirmedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityDelivery {
    Table,
    Id,
    CommunityId,
    ActivityId,
    HouseholdId,
    Outcome,
    Note,
    RecordedBy,
    RecordedAt,
}
