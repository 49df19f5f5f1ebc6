//! Users, role grants, login sessions with their refresh tokens, and login throttling.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_org::{Community, StreetOffice};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(pk_uuid(AppUser::Id))
                    .col(string(AppUser::Username))
                    // Lower-cased username: logins are case-insensitive and unique that way.
                    .col(string_uniq(AppUser::UsernameKey))
                    .col(string(AppUser::DisplayName))
                    .col(string(AppUser::PasswordHash))
                    .col(boolean(AppUser::MustChangePassword))
                    .col(uuid_null(AppUser::HomeStreetOfficeId))
                    .col(uuid_null(AppUser::HomeCommunityId))
                    .col(timestamp_with_time_zone_null(AppUser::DisabledAt))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::PasswordChangedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::HomeStreetOfficeId)
                            .to(StreetOffice::Table, StreetOffice::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::HomeCommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleGrant::Table)
                    .col(pk_uuid(RoleGrant::Id))
                    .col(uuid(RoleGrant::UserId))
                    .col(string(RoleGrant::Role))
                    .col(string(RoleGrant::ScopeKind))
                    // Not a foreign key: scopes live in different tables (ARCHITECTURE.md §3).
                    .col(uuid_null(RoleGrant::ScopeId))
                    .col(uuid_null(RoleGrant::StreetOfficeId))
                    .col(uuid_null(RoleGrant::CommunityId))
                    .col(timestamp_with_time_zone(RoleGrant::ValidFrom))
                    .col(timestamp_with_time_zone_null(RoleGrant::ValidUntil))
                    .col(string(RoleGrant::SourceKind))
                    .col(uuid_null(RoleGrant::SourceId))
                    .col(uuid_null(RoleGrant::GrantedBy))
                    .col(timestamp_with_time_zone(RoleGrant::CreatedAt))
                    .col(timestamp_with_time_zone_null(RoleGrant::RevokedAt))
                    .col(uuid_null(RoleGrant::RevokedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrant::Table, RoleGrant::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrant::Table, RoleGrant::StreetOfficeId)
                            .to(StreetOffice::Table, StreetOffice::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrant::Table, RoleGrant::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_role_grant_user", RoleGrant::UserId),
            ("ix_role_grant_community", RoleGrant::CommunityId),
            ("ix_role_grant_street_office", RoleGrant::StreetOfficeId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(RoleGrant::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LoginSession::Table)
                    .col(pk_uuid(LoginSession::Id))
                    .col(uuid(LoginSession::UserId))
                    .col(timestamp_with_time_zone(LoginSession::CreatedAt))
                    .col(timestamp_with_time_zone(LoginSession::ExpiresAt))
                    .col(timestamp_with_time_zone_null(LoginSession::RevokedAt))
                    .col(string_null(LoginSession::RevokeReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LoginSession::Table, LoginSession::UserId)
                            .to(AppUser::Table, AppUser::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_login_session_user")
                    .table(LoginSession::Table)
                    .col(LoginSession::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::SessionId))
                    .col(string_uniq(RefreshToken::TokenHash))
                    .col(timestamp_with_time_zone(RefreshToken::IssuedAt))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshToken::Table, RefreshToken::SessionId)
                            .to(LoginSession::Table, LoginSession::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    .col(string(LoginThrottle::Key).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(timestamp_with_time_zone(LoginThrottle::WindowStartedAt))
                    .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LoginThrottle::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            LoginSession::Table.into_iden(),
            RoleGrant::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum AppUser {
    Table,
    Id,
    Username,
    UsernameKey,
    DisplayName,
    PasswordHash,
    MustChangePassword,
    HomeStreetOfficeId,
    HomeCommunityId,
    DisabledAt,
    CreatedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
pub enum RoleGrant {
    Table,
    Id,
    UserId,
    Role,
    ScopeKind,
    ScopeId,
    StreetOfficeId,
    CommunityId,
    ValidFrom,
    ValidUntil,
    SourceKind,
    SourceId,
    GrantedBy,
    CreatedAt,
    RevokedAt,
    RevokedBy,
}

#[derive(DeriveIden)]
pub enum LoginSession {
    Table,
    Id,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokeReason,
}

#[derive(DeriveIden)]
pub enum RefreshToken {
    Table,
    Id,
    SessionId,
    TokenHash,
    IssuedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
pub enum LoginThrottle {
    Table,
    Key,
    Failures,
    WindowStartedAt,
    LockedUntil,
}
